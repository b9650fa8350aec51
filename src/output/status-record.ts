/**
 * The record of a unit's status (systemctl 252's `print_status_info` reads the same properties):
 * built once from what `status` gathered over the bus and from the journal, then rendered once —
 * as systemctl's text (status-text.ts) or as `status --json` (these types are its schema).
 */
import { signalToString } from '../core/kill-signal.js';

import type { JournalEntry } from '../core/journal.js';
import type { UnitProcess } from '../core/types.js';
import { entryToJson } from './journal-format.js';

/** A point in time: ISO 8601 (UTC, ms) and µs since the epoch. */
export interface Timestamp {
  iso: string;
  usec: number;
}

export interface ExecRecord {
  /** The property: `ExecStart`, `ExecStartPre`, … */
  property: string;
  path: string;
  argv: string[];
  pid: number;
  /** `exited`, `killed`, `dumped`, … (`null` while it runs). */
  code: string | null;
  /** Exit status, or signal number when killed. */
  status: number;
  start: Timestamp | null;
  exit: Timestamp | null;
}

export interface UnitStatusRecord {
  unit: string;
  description: string;
  following: string | null;
  loadState: string;
  loadError: { name: string; message: string } | null;
  fragmentPath: string | null;
  sourcePath: string | null;
  dropIns: string[];
  unitFileState: string | null;
  unitFilePreset: string | null;
  transient: boolean;
  activeState: string;
  subState: string;
  freezerState: string | null;
  result: string | null;
  /** When the unit entered its current state (what systemctl prints after "since"). */
  since: Timestamp | null;
  timestamps: {
    stateChange: Timestamp | null;
    activeEnter: Timestamp | null;
    activeExit: Timestamp | null;
    inactiveEnter: Timestamp | null;
    inactiveExit: Timestamp | null;
  };
  /** The main process (running or last), `null` when none. */
  mainPid: number | null;
  /** Whether the main PID is running now. */
  mainRunning: boolean;
  /** How the main process ended, when it did. */
  mainExit: { code: string; status: number } | null;
  controlPid: number | null;
  statusText: string | null;
  statusErrno: number | null;
  exec: ExecRecord[];
  triggeredBy: { unit: string; activeState: string }[];
  triggers: { unit: string; activeState: string }[];
  documentation: string[];
  cgroup: string | null;
  processes: UnitProcess[];
  resources: {
    tasks: number | null;
    tasksMax: number | null;
    memory: number | null;
    memoryMin: number | null;
    memoryLow: number | null;
    memoryHigh: number | null;
    memoryMax: number | null;
    memorySwapMax: number | null;
    memoryAvailable: number | null;
    cpuNsec: number | null;
    ipIngressBytes: number | null;
    ipEgressBytes: number | null;
    ioReadBytes: number | null;
    ioWriteBytes: number | null;
  };
  /** The unit's last journal records (`-n`, systemctl's selection); `null` when not read. */
  journal: JournalRecord[] | null;
  /** Why the journal could not be read, `null` when it could. */
  journalError: string | null;
}

/** One journal record of `status --json`: the common fields typed, every field in `fields`. */
export interface JournalRecord {
  /** `__REALTIME_TIMESTAMP`. */
  time: Timestamp | null;
  /** `__MONOTONIC_TIMESTAMP` (µs since boot). */
  monotonicUsec: number;
  bootId: string;
  cursor: string;
  /** `SYSLOG_IDENTIFIER`, else `_COMM`. */
  identifier: string | null;
  pid: number | null;
  /** 0 (emerg) … 7 (debug). */
  priority: number | null;
  /** The text (a byte-array MESSAGE decoded as UTF-8), intact: escape it before a terminal. */
  message: string | null;
  messageId: string | null;
  /** Every field as `journalctl -o json` gives it (byte arrays as arrays of numbers). */
  fields: Record<string, unknown>;
}

export function journalRecord(e: JournalEntry, showAll: boolean): JournalRecord {
  return {
    time: timestamp(e.realtime),
    monotonicUsec: e.monotonic,
    bootId: e.bootId,
    cursor: e.cursor,
    identifier: e.identifier ?? e.comm,
    pid: e.pid,
    priority: e.priority,
    message: e.message,
    messageId: e.messageId,
    fields: entryToJson(e, { showAll }),
  };
}

/** The raw material of one unit: its properties as read, for the record and the text renderer. */
export interface Gathered {
  name: string;
  /** The Unit interface's properties (status reads all interfaces at once: then `u` is `t`). */
  u: Record<string, unknown>;
  /** The type's interface's (Service, Socket, …). */
  t: Record<string, unknown>;
  processes: UnitProcess[];
  processesError: string | null;
  triggeredBy: { unit: string; activeState: string }[];
  triggers: { unit: string; activeState: string }[];
  entries: JournalEntry[] | null;
  journalError: string | null;
  /** The journal of this boot begins after the unit started (systemctl's rotation notice). */
  rotated: boolean;
}

/** The exec properties systemctl's status reads, in the order systemd's vtables list them. */
export const EXEC_PROPERTIES = ['ExecCondition', 'ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStopPre', 'ExecStop', 'ExecStopPost'];

export const SIGCHLD_CODES: Record<number, string> = { 1: 'exited', 2: 'killed', 3: 'dumped', 4: 'trapped', 5: 'stopped', 6: 'continued' };

/** systemd's `exit_status_to_string(…, EXIT_STATUS_LIBC | EXIT_STATUS_SYSTEMD)`. */
const EXIT_STATUS: Record<number, string> = {
  0: 'SUCCESS',
  1: 'FAILURE',
  200: 'CHDIR',
  201: 'NICE',
  202: 'FDS',
  203: 'EXEC',
  204: 'MEMORY',
  205: 'LIMITS',
  206: 'OOM_ADJUST',
  207: 'SIGNAL_MASK',
  208: 'STDIN',
  209: 'STDOUT',
  210: 'CHROOT',
  211: 'IOPRIO',
  212: 'TIMERSLACK',
  213: 'SECUREBITS',
  214: 'SETSCHEDULER',
  215: 'CPUAFFINITY',
  216: 'GROUP',
  217: 'USER',
  218: 'CAPABILITIES',
  219: 'CGROUP',
  220: 'SETSID',
  221: 'CONFIRM',
  222: 'STDERR',
  224: 'PAM',
  225: 'NETWORK',
  226: 'NAMESPACE',
  227: 'NO_NEW_PRIVILEGES',
  228: 'SECCOMP',
  229: 'SELINUX_CONTEXT',
  230: 'PERSONALITY',
  231: 'APPARMOR_PROFILE',
  232: 'ADDRESS_FAMILIES',
  233: 'RUNTIME_DIRECTORY',
  235: 'CHOWN',
  236: 'SMACK_PROCESS_LABEL',
  237: 'KEYRING',
  238: 'STATE_DIRECTORY',
  239: 'CACHE_DIRECTORY',
  240: 'LOGS_DIRECTORY',
  241: 'CONFIGURATION_DIRECTORY',
  242: 'NUMA_POLICY',
  243: 'CREDENTIALS',
  245: 'BPF',
  255: 'EXCEPTION',
};


/** systemd's `is_clean_exit(code, status, EXIT_CLEAN_DAEMON)`: status 0, or killed by HUP, INT, TERM or PIPE. */
export function isCleanExit(code: number, status: number): boolean {
  if (code === 1) return status === 0;
  if (code === 2) return [1, 2, 15, 13].includes(status);
  return false;
}

export function exitText(code: number, status: number): string {
  const c = SIGCHLD_CODES[code] ?? String(code);
  if (code === 1) {
    const s = EXIT_STATUS[status];
    return `code=${c}, status=${status}${s ? `/${s}` : ''}`;
  }
  return `code=${c}, signal=${signalToString(status)}`;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

export function strv(v: unknown): string[] {
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'string') as string[]) : [];
}

export function num(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

/** A timestamp property (µs) → `Timestamp`, `null` when 0 or unset. */
export function timestamp(v: unknown): Timestamp | null {
  const n = num(v);
  if (n === null || n <= 0) return null;
  return { iso: new Date(Math.floor(n / 1000)).toISOString(), usec: n };
}

export function isSet(v: unknown): v is number {
  return typeof v === 'number' && v > 0;
}

/** The time the Active: line's "since" refers to (systemctl's choice by state). */
export function sinceOf(u: Record<string, unknown>): unknown {
  const s = u.ActiveState;
  if (s === 'active' || s === 'reloading') return u.ActiveEnterTimestamp;
  if (s === 'inactive' || s === 'failed') return u.InactiveEnterTimestamp;
  if (s === 'activating') return u.InactiveExitTimestamp;
  return u.ActiveExitTimestamp;
}

export interface ExecRaw {
  property: string;
  path: string;
  argv: string[];
  ignore: boolean;
  start: number;
  exit: number;
  pid: number;
  code: number;
  status: number;
}

export function execList(t: Record<string, unknown>): ExecRaw[] {
  const out: ExecRaw[] = [];
  for (const prop of EXEC_PROPERTIES) {
    const v = t[prop];
    if (!Array.isArray(v)) continue;
    for (const e of v) {
      // decoded (unit.ts) records or raw `(sasbttttuii)` arrays
      if (Array.isArray(e)) {
        out.push({
          property: prop,
          path: e[0] as string,
          argv: e[1] as string[],
          ignore: e[2] as boolean,
          start: (e[3] as number | null) ?? 0,
          exit: (e[5] as number | null) ?? 0,
          pid: e[7] as number,
          code: e[8] as number,
          status: e[9] as number,
        });
      }
    }
  }
  return out;
}

/** Turn what was gathered into the record (`--json`, and the text renderer reads it too). */
export function buildRecord(g: Gathered, opts: { showAll: boolean }): UnitStatusRecord {
  const { u, t } = g;
  const loadError = Array.isArray(u.LoadError) && (u.LoadError[0] || u.LoadError[1]) ? { name: String(u.LoadError[0]), message: String(u.LoadError[1]) } : null;
  const mainPid = num(t.ExecMainPID) ?? 0;
  const running = (num(t.MainPID) ?? 0) > 0;
  const mainCode = num(t.ExecMainCode) ?? 0;
  return {
    unit: (str(u.Id) ?? g.name),
    description: typeof u.Description === 'string' ? u.Description : '',
    following: str(u.Following),
    loadState: String(u.LoadState ?? ''),
    loadError,
    fragmentPath: str(u.FragmentPath),
    sourcePath: str(u.SourcePath),
    dropIns: strv(u.DropInPaths),
    unitFileState: str(u.UnitFileState),
    unitFilePreset: str(u.UnitFilePreset),
    transient: u.Transient === true,
    activeState: String(u.ActiveState ?? ''),
    subState: String(u.SubState ?? ''),
    freezerState: str(u.FreezerState),
    result: str(t.Result),
    since: timestamp(sinceOf(u)),
    timestamps: {
      stateChange: timestamp(u.StateChangeTimestamp),
      activeEnter: timestamp(u.ActiveEnterTimestamp),
      activeExit: timestamp(u.ActiveExitTimestamp),
      inactiveEnter: timestamp(u.InactiveEnterTimestamp),
      inactiveExit: timestamp(u.InactiveExitTimestamp),
    },
    mainPid: mainPid > 0 ? mainPid : null,
    mainRunning: running,
    mainExit: mainPid > 0 && !running && mainCode > 0 ? { code: SIGCHLD_CODES[mainCode] ?? String(mainCode), status: num(t.ExecMainStatus) ?? 0 } : null,
    controlPid: (num(t.ControlPID) ?? 0) > 0 ? (t.ControlPID as number) : null,
    statusText: str(t.StatusText),
    statusErrno: (num(t.StatusErrno) ?? 0) > 0 ? (t.StatusErrno as number) : null,
    exec: execList(t).map((e) => ({
      property: e.property,
      path: e.path,
      argv: e.argv,
      pid: e.pid,
      code: e.code > 0 ? (SIGCHLD_CODES[e.code] ?? String(e.code)) : null,
      status: e.status,
      start: timestamp(e.start),
      exit: timestamp(e.exit),
    })),
    triggeredBy: g.triggeredBy,
    triggers: g.triggers,
    documentation: strv(u.Documentation),
    cgroup: str(t.ControlGroup),
    processes: g.processes,
    resources: {
      tasks: num(t.TasksCurrent),
      tasksMax: num(t.TasksMax),
      memory: num(t.MemoryCurrent),
      memoryMin: num(t.MemoryMin),
      memoryLow: num(t.MemoryLow),
      memoryHigh: num(t.MemoryHigh),
      memoryMax: num(t.MemoryMax),
      memorySwapMax: num(t.MemorySwapMax),
      memoryAvailable: num(t.MemoryAvailable),
      cpuNsec: num(t.CPUUsageNSec),
      ipIngressBytes: num(t.IPIngressBytes),
      ipEgressBytes: num(t.IPEgressBytes),
      ioReadBytes: num(t.IOReadBytes),
      ioWriteBytes: num(t.IOWriteBytes),
    },
    journal: g.entries === null ? null : g.entries.map((e) => journalRecord(e, opts.showAll)),
    journalError: g.journalError,
  };
}

/** The manager's overview (`show_system_status`). */
export interface SystemStatusRecord {
  host: string;
  state: string;
  units: number;
  jobs: number;
  failedUnits: number;
  since: Timestamp | null;
  version: string;
  tainted: string | null;
  cgroup: string;
  processes: UnitProcess[];
}
