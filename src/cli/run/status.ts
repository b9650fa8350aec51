/**
 * `status [PATTERN…|PID…]`: systemctl 252's `print_status_info` (src/systemctl/systemctl-show.c),
 * section by section, from one GetAll per interface, GetUnitProcesses and the journal. Records
 * are built once (`UnitStatusRecord`), then rendered once: systemctl's text or JSON.
 * With no unit: the manager's overview (`show_system_status`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as util from 'node:util';

import type { ConnectOptions } from '../../core/bus.js';
import { InvalidArgumentError, SystemdError } from '../../core/errors.js';
import { type JournalEntry, type JournalRunOptions, bootCutoffMonotonic, readJournal } from '../../core/journal.js';
import { Manager } from '../../core/manager.js';
import { expandUnitNames } from '../../core/expand.js';
import type { UnitProcess, UnitStatus } from '../../core/types.js';
import { type UnitInterface, UnitObject } from '../../core/unit.js';
import { unitObjectPath } from '../../core/names.js';
import { ASCII_TREE, UNICODE_TREE, renderCgroupTree } from '../../output/cgroup-tree.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { type JournalOutputMode, entryToJson, isJournalOutputMode, renderEntries } from '../../output/journal-format.js';
import { writeJson } from '../../output/json.js';
import { openPager } from '../../output/pager.js';
import { formatBytes, formatTimespan, formatTimestamp, formatTimestampRelative, nowMicros, type TimestampStyle } from '../../output/time.js';
import { compareUnits, showUnit } from './list-units.js';
import type { DependencyKind } from '../../core/expand.js';
import { extendWithDependencies } from './with-dependencies.js';

export interface StatusOptions {
  /** Unit names, patterns or PIDs, as typed. */
  args: string[];
  /** `-n`: journal lines per unit (default 10). */
  lines: number;
  /** `-o`: the journal's output mode (default `short`). */
  output: JournalOutputMode;
  /** `-l/--full`. */
  full: boolean;
  /** `-a/--all`: also every unit after the overview; journal fields shown in full. */
  all: boolean;
  quiet: boolean;
  states: string[];
  types: string[];
  /** JSON output and its form, `null` for systemctl's text. */
  json: 'pretty' | 'short' | null;
  connect: ConnectOptions;
  /** `false` with `--no-pager`: never page (otherwise: on a terminal, as systemctl). */
  pager?: boolean;
  /** How to run journalctl (`false`: do not read the journal, e.g. a remote manager). */
  journal?: JournalRunOptions | false;
  /** `--timestamp=STYLE` for the since/Until/Trigger/Condition/Assert times (default pretty). */
  timestampStyle?: TimestampStyle;
  /** `--with-dependencies`: each named unit's dependencies of this kind are shown after it. */
  dependencies?: DependencyKind;
}

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

/** The raw material of one unit, for the text renderer. */
interface Gathered {
  name: string;
  u: Record<string, unknown>;
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

const TYPE_INTERFACE: Record<string, UnitInterface> = {
  service: 'org.freedesktop.systemd1.Service',
  socket: 'org.freedesktop.systemd1.Socket',
  timer: 'org.freedesktop.systemd1.Timer',
  mount: 'org.freedesktop.systemd1.Mount',
  automount: 'org.freedesktop.systemd1.Automount',
  swap: 'org.freedesktop.systemd1.Swap',
  path: 'org.freedesktop.systemd1.Path',
  slice: 'org.freedesktop.systemd1.Slice',
  scope: 'org.freedesktop.systemd1.Scope',
  target: 'org.freedesktop.systemd1.Target',
  device: 'org.freedesktop.systemd1.Device',
};

/** The exec properties systemctl's status reads, in the order systemd's vtables list them. */
const EXEC_PROPERTIES = ['ExecCondition', 'ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStopPre', 'ExecStop', 'ExecStopPost'];

const SIGCHLD_CODES: Record<number, string> = { 1: 'exited', 2: 'killed', 3: 'dumped', 4: 'trapped', 5: 'stopped', 6: 'continued' };

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

/** systemd's `signal_to_string`: `TERM`, `KILL`, `RTMIN+3`, or the number. */
export function signalName(n: number): string {
  for (const [name, num] of Object.entries(os.constants.signals)) {
    if (num === n && name !== 'SIGIOT' && name !== 'SIGPOLL' && name !== 'SIGUNUSED') return name.slice(3);
  }
  if (n >= 34 && n <= 64) return n === 34 ? 'RTMIN' : n === 64 ? 'RTMAX' : `RTMIN+${n - 34}`;
  return String(n);
}

/** systemd's `is_clean_exit(code, status, EXIT_CLEAN_DAEMON)`: status 0, or killed by HUP, INT, TERM or PIPE. */
function isCleanExit(code: number, status: number): boolean {
  if (code === 1) return status === 0;
  if (code === 2) return [1, 2, 15, 13].includes(status);
  return false;
}

function exitText(code: number, status: number): string {
  const c = SIGCHLD_CODES[code] ?? String(code);
  if (code === 1) {
    const s = EXIT_STATUS[status];
    return `code=${c}, status=${status}${s ? `/${s}` : ''}`;
  }
  return `code=${c}, signal=${signalName(status)}`;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function strv(v: unknown): string[] {
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'string') as string[]) : [];
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

/** A timestamp property (µs) → `Timestamp`, `null` when 0 or unset. */
export function timestamp(v: unknown): Timestamp | null {
  const n = num(v);
  if (n === null || n <= 0) return null;
  return { iso: new Date(Math.floor(n / 1000)).toISOString(), usec: n };
}

function isSet(v: unknown): v is number {
  return typeof v === 'number' && v > 0;
}

/** systemd's `unit_active_state_to_glyph`. */
export function stateGlyph(state: string, unicode: boolean): string {
  switch (state) {
    case 'active':
    case 'activating':
    case 'deactivating':
      return unicode ? '●' : '*';
    case 'reloading':
      return unicode ? '↻' : '<';
    case 'failed':
      return unicode ? '×' : 'x';
    case 'inactive':
    case 'maintenance':
      return unicode ? '○' : '*';
    default:
      return unicode ? '●' : '*';
  }
}

/** The time the Active: line's "since" refers to (systemctl's choice by state). */
function sinceOf(u: Record<string, unknown>): unknown {
  const s = u.ActiveState;
  if (s === 'active' || s === 'reloading') return u.ActiveEnterTimestamp;
  if (s === 'inactive' || s === 'failed') return u.InactiveEnterTimestamp;
  if (s === 'activating') return u.InactiveExitTimestamp;
  return u.ActiveExitTimestamp;
}

interface ExecRaw {
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

function execList(t: Record<string, unknown>): ExecRaw[] {
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

function localProcessComm(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
  } catch {
    return null;
  }
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

/** systemd's `show_preset_for_state`: not for alias, static, generated, transient unit files. */
function showPresetFor(state: string): boolean {
  return !['alias', 'static', 'generated', 'transient'].includes(state);
}

function when(v: unknown, now: bigint, style: TimestampStyle = 'pretty'): string {
  return `${formatTimestamp(v as number, style) ?? ''}; ${formatTimestampRelative(v as number, now) ?? ''}`;
}

/** systemd's `calc_next_elapse` for the Trigger: line of timers. */
function nextElapse(t: Record<string, unknown>, nowRt: bigint): number | null {
  const mono = t.NextElapseUSecMonotonic;
  const real = t.NextElapseUSecRealtime;
  if (isSet(mono)) {
    const nowMono = process.hrtime.bigint() / 1000n;
    const m = BigInt(mono);
    const converted = m > nowMono ? nowRt + (m - nowMono) : nowRt - (nowMono - m);
    if (isSet(real)) return Number(converted < BigInt(real) ? converted : BigInt(real));
    return Number(converted);
  }
  return isSet(real) ? real : null;
}

/** systemd's ANSI sequences (terminal-util.h), as systemctl writes them with colours on. */
export const ANSI = {
  normal: '\x1b[0m',
  red: '\x1b[0;1;31m',
  green: '\x1b[0;1;32m',
  yellow: '\x1b[0;1;38;5;185m',
  highlight: '\x1b[0;1;39m',
  grey: '\x1b[0;38;5;245m',
} as const;

/** Colours and hyperlinks as systemctl's status uses them (none when `color` is off). */
export class Paint {
  constructor(
    readonly color: boolean,
    readonly urlify: boolean,
    readonly host: string = os.hostname(),
  ) {}
  wrap(code: string, text: string): string {
    return this.color && code !== '' ? `${code}${text}${ANSI.normal}` : text;
  }
  /** `format_active_state`: red for failed, green for active/reloading. */
  activeOn(state: string): string {
    if (!this.color) return '';
    return state === 'failed' ? ANSI.red : state === 'active' || state === 'reloading' ? ANSI.green : '';
  }
  /** `format_enable_state`: yellow for disabled, green for enabled. */
  enableOn(state: string | null): string {
    if (!this.color) return '';
    return state === 'disabled' ? ANSI.yellow : state === 'enabled' ? ANSI.green : '';
  }
  off(on: string): string {
    return on === '' ? '' : ANSI.normal;
  }
  /** `terminal_urlify`: an OSC 8 hyperlink around text. */
  link(url: string, text: string): string {
    return this.urlify ? `\x1b]8;;${url}\x07${text}\x1b]8;;\x07` : text;
  }
  /** `terminal_urlify_path`: a file:// link (with the host name, as systemd). */
  path(path: string, text = path): string {
    return this.link(`file://${this.host}${path}`, text);
  }
}

interface TextOptions {
  paint: Paint;
  unicode: boolean;
  /** 0: full width. */
  columns: number;
  fullWidth: boolean;
  showAll: boolean;
  output: JournalOutputMode;
  local: boolean;
  timestampStyle?: TimestampStyle;
}

/** Render one unit as systemctl's `print_status_info`. Returns the text and whether a line was cut. */
export function renderUnitText(r: UnitStatusRecord, g: Gathered, o: TextOptions): { text: string; ellipsized: boolean } {
  const { u, t } = g;
  const e = escapeTerminal;
  const now = nowMicros();
  const L: string[] = [];
  const tree = o.unicode ? UNICODE_TREE : ASCII_TREE;
  const p = o.paint;
  const activeOn = p.activeOn(r.activeState);
  const activeOff = p.off(activeOn);
  let head = `${activeOn}${stateGlyph(r.activeState, o.unicode)}${activeOff} ${e(r.unit)}`;
  if (r.description !== '' && r.description !== r.unit) head += ` - ${e(r.description)}`;
  L.push(head);
  if (r.following) L.push(`    Follows: unit currently follows state of ${e(r.following)}`);
  const path = r.sourcePath ?? r.fragmentPath;
  const loadOn = p.color && ['error', 'not-found', 'bad-setting'].includes(r.loadState) ? ANSI.red : '';
  const load = `${loadOn}${r.loadState}${p.off(loadOn)}`;
  const shownPath = path ? p.path(path, e(path)) : null;
  if (r.loadError && r.loadError.message !== '') L.push(`     Loaded: ${load} (Reason: ${e(r.loadError.message)})`);
  else if (shownPath && r.unitFileState) {
    const showPreset = r.unitFilePreset !== null && showPresetFor(r.unitFileState);
    const enableOn = p.enableOn(r.unitFileState);
    const presetOn = p.enableOn(r.unitFilePreset);
    // systemctl writes the preset's colour codes even when it does not show the preset
    const preset = `${showPreset ? '; preset: ' : ''}${presetOn}${showPreset ? r.unitFilePreset : ''}${p.off(presetOn)}`;
    L.push(`     Loaded: ${load} (${shownPath}; ${enableOn}${r.unitFileState}${p.off(enableOn)}${preset})`);
  } else if (shownPath) L.push(`     Loaded: ${load} (${shownPath})`);
  else L.push(`     Loaded: ${load}`);
  if (r.transient) L.push('  Transient: yes');
  if (r.dropIns.length > 0) {
    let dir: string | null = null;
    let last = false;
    let line = '';
    r.dropIns.forEach((d, i) => {
      if (dir === null || last) {
        line += dir !== null ? '             ' : '    Drop-In: ';
        dir = d.slice(0, Math.max(d.lastIndexOf('/'), 1));
        L.push(line + e(dir));
        line = `             ${tree.right}`;
      }
      const next = r.dropIns[i + 1];
      last = !(next !== undefined && next.startsWith(dir));
      line += p.path(d, e(d.slice(d.lastIndexOf('/') + 1))) + (last ? '' : ', ');
      if (last) {
        L.push(line);
        line = '';
      }
    });
  }
  let active =
    r.subState !== r.activeState ? `     Active: ${activeOn}${r.activeState} (${r.subState})${activeOff}` : `     Active: ${activeOn}${r.activeState}${activeOff}`;
  if (r.freezerState && r.freezerState !== 'running') active += ` ${p.color ? ANSI.yellow : ''}(${r.freezerState})${p.color ? ANSI.normal : ''}`;
  if (r.result && r.result !== 'success') active += ` (Result: ${r.result})`;
  const since = sinceOf(u);
  if (isSet(since)) {
    L.push(`${active} since ${when(since, now, o.timestampStyle)}`);
    const runtimeMax = num(t.RuntimeMaxUSec);
    if (r.activeState === 'active' && runtimeMax !== null) L.push(`      Until: ${when(since + runtimeMax, now, o.timestampStyle)}`);
    if (
      !r.unit.endsWith('.target') &&
      (r.activeState === 'inactive' || r.activeState === 'failed') &&
      isSet(u.ActiveEnterTimestamp) &&
      isSet(u.ActiveExitTimestamp) &&
      u.ActiveExitTimestamp >= u.ActiveEnterTimestamp
    ) {
      L.push(`   Duration: ${formatTimespan(u.ActiveExitTimestamp - u.ActiveEnterTimestamp, 1000)}`);
    }
  } else L.push(active);
  r.triggeredBy.forEach((tb, i) => {
    const on = p.activeOn(tb.activeState);
    L.push(`${i === 0 ? 'TriggeredBy:' : '            '} ${on}${stateGlyph(tb.activeState, o.unicode)}${p.off(on)} ${e(tb.unit)}`);
  });
  if (r.unit.endsWith('.timer')) {
    const next = nextElapse(t, now);
    L.push(next !== null && next > 0 ? `    Trigger: ${when(next, now, o.timestampStyle)}` : '    Trigger: n/a');
  }
  r.triggers.forEach((tr, i) => {
    const on = p.activeOn(tr.activeState);
    L.push(`${i === 0 ? '   Triggers:' : '            '} ${on}${o.unicode ? '●' : '*'}${p.off(on)} ${e(tr.unit)}`);
  });
  if (u.ConditionResult === false && isSet(u.ConditionTimestamp)) {
    L.push(`  Condition: start ${p.wrap(ANSI.yellow, 'condition failed')} at ${when(u.ConditionTimestamp, now, o.timestampStyle)}`);
    // systemctl prepends each condition to its list: they print in reverse
    const failed = (Array.isArray(u.Conditions) ? (u.Conditions as unknown[][]) : []).filter((c) => (c[4] as number) < 0).reverse();
    failed.forEach((c, i) => {
      const glyph = i + 1 < failed.length ? tree.branch : tree.right;
      L.push(`             ${glyph} ${c[0] as string}=${c[1] ? '|' : ''}${c[2] ? '!' : ''}${e(c[3] as string)} was not met`);
    });
  }
  if (u.AssertResult === false && isSet(u.AssertTimestamp)) {
    L.push(`     Assert: start ${p.wrap(ANSI.red, 'assertion failed')} at ${when(u.AssertTimestamp, now, o.timestampStyle)}`);
    let failed: unknown[] | undefined;
    for (const a of Array.isArray(u.Asserts) ? (u.Asserts as unknown[][]) : []) {
      if ((a[4] as number) < 0 && (!a[1] || failed === undefined)) failed = a;
    }
    if (failed?.[1]) L.push('             none of the trigger assertions were met');
    else if (failed) L.push(`             ${failed[0] as string}=${failed[2] ? '!' : ''}${e(failed[3] as string)} was not met`);
  }
  if (str(t.SysFSPath)) L.push(`     Device: ${e(t.SysFSPath as string)}`);
  if (str(t.Where)) L.push(`      Where: ${e(t.Where as string)}`);
  if (str(t.What)) L.push(`       What: ${e(t.What as string)}`);
  r.documentation.forEach((d, i) => L.push(`   ${(i === 0 ? 'Docs:' : '').padStart(9, ' ')} ${p.link(e(d), e(d))}`));
  const listen = Array.isArray(t.Listen) ? (t.Listen as unknown[][]) : [];
  listen.forEach((l, i) => L.push(`   ${(i === 0 ? 'Listen:' : '').padStart(9, ' ')} ${e(l[1] as string)} (${e(l[0] as string)})`));
  if (t.Accept === true) {
    let a = `   Accepted: ${num(t.NAccepted) ?? 0}; Connected: ${num(t.NConnections) ?? 0};`;
    if ((num(t.NRefused) ?? 0) > 0) a += `   Refused: ${t.NRefused as number}`;
    L.push(a);
  }
  let mainPid = num(t.ExecMainPID) ?? 0;
  let controlPid = num(t.ControlPID) ?? 0;
  const mainStart = num(t.ExecMainStartTimestamp) ?? 0;
  const mainExitTs = num(t.ExecMainExitTimestamp) ?? 0;
  for (const x of execList(t)) {
    if (x.code === 0) continue;
    const bad = p.color && !isCleanExit(x.code, x.status) ? (x.ignore ? ANSI.yellow : ANSI.red) : '';
    L.push(`    Process: ${x.pid} ${x.property}=${e(x.argv.join(' ') || 'n/a')} ${bad}(${exitText(x.code, x.status)})${p.off(bad)}`);
    if (mainPid === x.pid && mainStart === x.start && mainExitTs === x.start) mainPid = 0;
    if (x.pid === controlPid) controlPid = 0;
  }
  if (mainPid > 0 || controlPid > 0) {
    let line = '';
    if (mainPid > 0) {
      line += `   Main PID: ${mainPid}`;
      if (r.mainRunning) {
        const comm = o.local ? localProcessComm(mainPid) : null;
        if (comm !== null) line += ` (${e(comm)})`;
      } else {
        const code = num(t.ExecMainCode) ?? 0;
        if (code > 0) line += ` (${exitText(code, num(t.ExecMainStatus) ?? 0)})`;
      }
    }
    if (controlPid > 0) {
      line += mainPid > 0 ? '; Control PID: ' : '  Cntrl PID: ';
      line += String(controlPid);
      const comm = o.local ? localProcessComm(controlPid) : null;
      if (comm !== null) line += ` (${e(comm)})`;
    }
    L.push(line);
  }
  if (r.statusText) L.push(`     Status: "${e(r.statusText)}"`);
  if (r.statusErrno) L.push(`      Error: ${r.statusErrno} (${errnoText(r.statusErrno)})`);
  const res = r.resources;
  if (res.ipIngressBytes !== null && res.ipEgressBytes !== null) L.push(`         IP: ${formatBytes(res.ipIngressBytes)} in, ${formatBytes(res.ipEgressBytes)} out`);
  if (res.ioReadBytes !== null && res.ioWriteBytes !== null) L.push(`         IO: ${formatBytes(res.ioReadBytes)} read, ${formatBytes(res.ioWriteBytes)} written`);
  if (res.tasks !== null) L.push(`      Tasks: ${res.tasks}${res.tasksMax !== null ? ` (limit: ${res.tasksMax})` : ''}`);
  if (res.memory !== null) {
    let m = `     Memory: ${formatBytes(res.memory)}`;
    const parts: string[] = [];
    const prot = (v: number | null): string => (v === null ? 'infinity' : (formatBytes(v) ?? ''));
    if ((res.memoryMin ?? 0) !== 0) parts.push(`min: ${prot(res.memoryMin)}`);
    if ((res.memoryLow ?? 0) !== 0) parts.push(`low: ${prot(res.memoryLow)}`);
    if (res.memoryHigh !== null) parts.push(`high: ${formatBytes(res.memoryHigh)}`);
    if (res.memoryMax !== null) parts.push(`max: ${formatBytes(res.memoryMax)}`);
    if (res.memorySwapMax !== null) parts.push(`swap max: ${formatBytes(res.memorySwapMax)}`);
    if (num(t.MemoryLimit) !== null) parts.push(`limit: ${formatBytes(t.MemoryLimit as number)}`);
    if (res.memoryAvailable !== null) parts.push(`available: ${formatBytes(res.memoryAvailable)}`);
    if (parts.length > 0) m += ` (${parts.join(' ')})`;
    L.push(m);
  }
  if (res.cpuNsec !== null) L.push(`        CPU: ${formatTimespan(Math.floor(res.cpuNsec / 1000), 1000)}`);
  if (r.cgroup) {
    L.push(`     CGroup: ${e(r.cgroup)}`);
    const prefix = '             ';
    L.push(...renderCgroupTree(g.processes, r.cgroup, { prefix, columns: o.fullWidth ? 0 : Math.max(o.columns - prefix.length, 0), glyphs: tree, grey: p.color ? ANSI.grey : '' }));
  }
  let text = `${L.join('\n')}\n`;
  let ellipsized = false;
  if (g.entries !== null && g.entries.length > 0) {
    const j = renderEntries(g.entries, o.output, { fullWidth: o.fullWidth, showAll: o.showAll, columns: o.columns, color: p.color });
    text += `\n${j.text}`;
    ellipsized = j.ellipsized;
  }
  if (g.rotated) {
    if (g.entries === null || g.entries.length === 0) text += '\n';
    text += 'Notice: journal has been rotated since unit was started, output may be incomplete.\n';
  }
  return { text, ellipsized };
}

/** strerror(n), as systemd's `%m` (libuv's message, capitalised as glibc's). */
function errnoText(n: number): string {
  const found = util.getSystemErrorMap().get(-n);
  if (!found) return `Unknown error ${n}`;
  const msg = found[1];
  return msg.charAt(0).toUpperCase() + msg.slice(1);
}

/** The names for the patterns, as systemctl's `expand_unit_names` (core/expand.ts). */
async function expandNames(m: Manager, patterns: string[], opts: StatusOptions, io: IO): Promise<string[]> {
  const r = await expandUnitNames(m, patterns, { warn: !opts.quiet, all: opts.all, states: opts.states, types: opts.types });
  for (const w of r.warnings) io.err.write(`${escapeTerminal(w)}\n`);
  return r.names;
}

async function activeStateOf(m: Manager, name: string): Promise<string> {
  try {
    const u = await m.loadUnit(name);
    return String(await u.state());
  } catch {
    return '';
  }
}

/** A unit's gathered status, or why it could not be read. */
type Gathering = Promise<{ ok: true; g: Gathered } | { ok: false; err: unknown }>;

/** Units read ahead while one is printed (status of many units: bus calls and journalctl overlap). */
const READ_AHEAD = 8;

/** What one run shares between units: where this boot's journal begins (read once). */
interface RunContext {
  cutoff?: Promise<number | null>;
}

/** The journal part of a unit (systemctl's show_journal_by_unit), run while the bus is asked the rest. */
async function unitJournal(id: string, u: Record<string, unknown>, opts: StatusOptions, ctx: RunContext): Promise<Pick<Gathered, 'entries' | 'journalError' | 'rotated'>> {
  if (opts.journal === false || opts.lines <= 0) return { entries: null, journalError: null, rotated: false };
  try {
    const notBefore = num(u.InactiveExitTimestampMonotonic) ?? 0;
    const q = {
      ...(opts.connect.bus === 'user' ? { userUnits: [id] } : { units: [id] }),
      lines: opts.lines,
      boot: true,
      notBefore,
    };
    const entries = await readJournal(q, opts.journal ?? {});
    // systemctl's show_journal: fewer lines than asked for, and the journal of this boot begins
    // after the unit started → older lines may have been rotated away
    let rotated = false;
    if (!opts.quiet && entries.length < opts.lines && notBefore > 0) {
      ctx.cutoff ??= bootCutoffMonotonic(opts.journal ?? {});
      const from = await ctx.cutoff;
      rotated = from !== null && notBefore < from;
    }
    return { entries, journalError: null, rotated };
  } catch (err) {
    return { entries: null, journalError: err instanceof SystemdError ? err.message : String(err), rotated: false };
  }
}

async function gather(m: Manager, unit: UnitObject, name: string, opts: StatusOptions, ctx: RunContext): Promise<Gathered> {
  const u = await unit.getAll('org.freedesktop.systemd1.Unit');
  const id = str(u.Id) ?? name;
  const journal = unitJournal(id, u, opts, ctx);
  // no unhandled rejection while the bus calls below run (unitJournal itself does not throw)
  journal.catch(() => undefined);
  const type = id.slice(id.lastIndexOf('.') + 1);
  const iface = TYPE_INTERFACE[type];
  const t = iface ? await unit.getAll(iface).catch(() => ({}) as Record<string, unknown>) : {};
  const g: Gathered = { name: id, u, t, processes: [], processesError: null, triggeredBy: [], triggers: [], entries: null, journalError: null, rotated: false };
  if (str(t.ControlGroup)) {
    try {
      g.processes = await m.getUnitProcesses(id);
    } catch (err) {
      g.processesError = err instanceof Error ? err.message : String(err);
    }
  }
  for (const tb of strv(u.TriggeredBy)) g.triggeredBy.push({ unit: tb, activeState: await activeStateOf(m, tb) });
  for (const tr of strv(u.Triggers)) g.triggers.push({ unit: tr, activeState: await activeStateOf(m, tr) });
  Object.assign(g, await journal);
  return g;
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

async function systemStatus(m: Manager, io: IO, opts: StatusOptions, text: boolean): Promise<SystemStatusRecord> {
  const p = (await m.bus.call({
    path: '/org/freedesktop/systemd1',
    interface: 'org.freedesktop.DBus.Properties',
    member: 'GetAll',
    signature: 's',
    body: ['org.freedesktop.systemd1.Manager'],
  }))[0] as Record<string, unknown>;
  const host = os.hostname();
  const cgroup = typeof p.ControlGroup === 'string' && p.ControlGroup !== '' ? p.ControlGroup : '/';
  const rec: SystemStatusRecord = {
    host,
    state: String(p.SystemState ?? ''),
    units: num(p.NNames) ?? 0,
    jobs: num(p.NJobs) ?? 0,
    failedUnits: num(p.NFailedUnits) ?? 0,
    since: timestamp(p.UserspaceTimestamp),
    version: String(p.Version ?? ''),
    tainted: str(p.Tainted),
    cgroup,
    processes: [],
  };
  let procError: string | null = null;
  try {
    rec.processes = await m.getUnitProcesses('-.slice');
  } catch (err) {
    procError = err instanceof Error ? err.message : String(err);
  }
  if (text) {
    const now = nowMicros();
    const paint = new Paint(io.color, urlifyEnabled(io.color));
    const on = !io.color ? '' : rec.state === 'degraded' ? ANSI.red : rec.state === 'running' ? ANSI.green : ANSI.yellow;
    const L = [
      `${on}${io.unicode ? '●' : '*'}${paint.off(on)} ${escapeTerminal(host)}`,
      `    State: ${on}${rec.state}${paint.off(on)}`,
      `    Units: ${rec.units} loaded (incl. loaded aliases)`,
      `     Jobs: ${rec.jobs} queued`,
      `   Failed: ${rec.failedUnits} units`,
      `    Since: ${when(p.UserspaceTimestamp, now, opts.timestampStyle)}`,
      `  systemd: ${escapeTerminal(rec.version)}`,
    ];
    if (rec.tainted) L.push(`  Tainted: ${paint.wrap(ANSI.yellow, escapeTerminal(rec.tainted))}`);
    L.push(`   CGroup: ${escapeTerminal(cgroup)}`);
    const prefix = '           ';
    const fullWidth = opts.full || !io.outIsTTY || opts.pager === true;
    if (procError === null) {
      L.push(
        ...renderCgroupTree(rec.processes, typeof p.ControlGroup === 'string' ? p.ControlGroup : '', {
          prefix,
          columns: fullWidth ? 0 : Math.max((io.columns ?? 80) - prefix.length, 0),
          glyphs: io.unicode ? UNICODE_TREE : ASCII_TREE,
          grey: io.color ? ANSI.grey : '',
        }),
      );
    }
    io.out.write(`${L.join('\n')}\n`);
    if (procError !== null) io.err.write(warning(io, `Failed to dump process list for '${escapeTerminal(host)}', ignoring: ${escapeTerminal(procError)}`));
  }
  return rec;
}

/** A line as systemd's log_warning writes it: yellow on a terminal. */
function warning(io: IO, text: string): string {
  return io.errColor ? `${ANSI.yellow}${text}${ANSI.normal}\n` : `${text}\n`;
}

/** systemd's `urlify_enabled`: `$SYSTEMD_URLIFY` if it is a boolean, else whether colours are on. */
export function urlifyEnabled(color: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.SYSTEMD_URLIFY?.toLowerCase();
  if (v !== undefined && ['1', 'yes', 'y', 'true', 't', 'on'].includes(v)) return true;
  if (v !== undefined && ['0', 'no', 'n', 'false', 'f', 'off'].includes(v)) return false;
  return color;
}

/** Parse `-n` as systemctl: a whole number ≥ 0. */
export function parseLines(s: string | undefined): number {
  if (s === undefined) return 10;
  if (!/^\d+$/.test(s.trim())) throw new InvalidArgumentError(`Failed to parse lines '${s}'`, { hint: 'give a whole number, e.g. -n 20' });
  return Number(s.trim());
}

export function parseOutputMode(s: string | undefined): JournalOutputMode {
  if (s === undefined) return 'short';
  if (!isJournalOutputMode(s)) throw new InvalidArgumentError(`Unknown output '${s}'.`, { hint: 'modes: short, short-iso, short-precise, cat, json, verbose, …' });
  return s;
}

export async function runStatus(opts: StatusOptions, io: IO): Promise<void> {
  const m = await Manager.connect(opts.connect);
  // systemctl opens the pager once the bus is there (text only: JSON goes straight out)
  const pager = opts.json === null ? openPager(io, { enabled: opts.pager !== false }) : null;
  try {
    const code = await status(m, { ...opts, pager: pager?.active ?? false }, pager?.io ?? io);
    if (code !== 0) io.exitCode = code;
  } finally {
    await pager?.close();
    m.close();
  }
}

/** Print the status; returns the exit code (0, 1, 3, 4). */
async function status(m: Manager, opts: StatusOptions, io: IO): Promise<number> {
  const text = opts.json === null;
  const fullWidth = opts.full || !io.outIsTTY || opts.pager === true;
  const textOpts: TextOptions = {
    paint: new Paint(io.color, urlifyEnabled(io.color)),
    unicode: io.unicode,
    columns: io.columns ?? 80,
    fullWidth,
    showAll: opts.all,
    output: opts.output,
    // as systemctl: the comm of a PID from /proc only for the local machine
    local: opts.connect.host === undefined,
    timestampStyle: opts.timestampStyle,
  };
  let ret = 0;
  let newLine = false;
  let ellipsized = false;
  const records: UnitStatusRecord[] = [];
  let system: SystemStatusRecord | null = null;

  /** systemctl's show_one: -1 when the properties could not be read (it then stops, exit 1). */
  const ctx: RunContext = {};
  const startGather = (unit: UnitObject, name: string): Gathering =>
    gather(m, unit, name, opts, ctx).then(
      (g) => ({ ok: true as const, g }),
      (err: unknown) => ({ ok: false as const, err }),
    );
  const showOne = async (gathering: Gathering, name: string, checkNotFound: boolean): Promise<number> => {
    const got = await gathering;
    if (!got.ok) {
      const err = got.err;
      if (!(err instanceof SystemdError) || err.isPermission) throw err;
      io.err.write(`Failed to get properties: ${escapeTerminal(err.message)}\n`);
      return -1;
    }
    const g = got.g;
    if (checkNotFound && g.u.LoadState === 'not-found' && g.u.ActiveState === 'inactive') {
      io.err.write(`Unit ${escapeTerminal(name)} could not be found.\n`);
      return 4;
    }
    const rec = buildRecord(g, { showAll: opts.all });
    if (text) {
      if (newLine) io.out.write('\n');
      newLine = true;
      const r = renderUnitText(rec, g, textOpts);
      io.out.write(r.text);
      ellipsized ||= r.ellipsized;
      // systemctl says nothing when it cannot read the journal; we say so in one line (not with -q)
      if (g.journalError !== null && !opts.quiet) io.err.write(`${escapeTerminal(g.journalError)}\n`);
      if (g.processesError !== null) io.err.write(warning(io, `Failed to dump process list for '${escapeTerminal(rec.unit)}', ignoring: ${escapeTerminal(g.processesError)}`));
      if (g.u.NeedDaemonReload === true) {
        io.err.write(
          `Warning: The unit file, source configuration file or drop-ins of ${escapeTerminal(rec.unit)} changed on disk. Run 'sysherd${opts.connect.bus === 'user' ? ' --user' : ''} daemon-reload' to reload units.\n`,
        );
      }
    } else {
      records.push(rec);
    }
    return rec.activeState === 'active' || rec.activeState === 'reloading' ? 0 : 3;
  };

  /**
   * Show units one after another, as systemctl, while the next ones are read ahead (their bus
   * calls and journalctl run while one is printed): the first exit code that is not 0, or -1 when
   * a unit's properties could not be read (nothing after it is shown).
   */
  const showInOrder = async (names: string[]): Promise<number> => {
    const ahead: Gathering[] = [];
    const start = (i: number): void => {
      ahead[i] = startGather(unitObject(m, names[i]!), names[i]!);
    };
    for (let i = 0; i < Math.min(READ_AHEAD, names.length); i++) start(i);
    let first = 0;
    for (let i = 0; i < names.length; i++) {
      const r = await showOne(ahead[i]!, names[i]!, true);
      if (i + READ_AHEAD < names.length) start(i + READ_AHEAD);
      if (r < 0) return -1;
      if (r > 0 && first === 0) first = r;
    }
    return first;
  };

  if (opts.args.length === 0) {
    if (opts.states.length === 0 && opts.types.length === 0) {
      system = await systemStatus(m, io, opts, text);
      newLine = true;
    }
    if (opts.all || opts.states.length > 0 || opts.types.length > 0) {
      const units: UnitStatus[] = (await m.listUnitsFiltered(opts.states)).filter((u) => showUnit(u, opts)).sort(compareUnits);
      const r = await showInOrder(units.map((u) => u.name));
      if (r < 0) return 1;
      if (r > 0 && ret === 0) ret = r;
    }
  } else {
    const patterns: string[] = [];
    for (const a of opts.args) {
      if (!/^\d+$/.test(a) || Number(a) > 0xffffffff) {
        patterns.push(a);
        continue;
      }
      try {
        const unit = await m.getUnitByPID(Number(a));
        const name = unitNameFromPath(unit.path);
        const r = await showOne(startGather(unit, name), name, true);
        if (r < 0) return 1;
        if (r > 0 && ret === 0) ret = r;
      } catch (err) {
        if (!(err instanceof SystemdError)) throw err;
        io.err.write(`Failed to get unit for PID ${a}: ${escapeTerminal(err.message)}\n`);
        ret = -1;
      }
    }
    if (patterns.length > 0) {
      const r = await showInOrder(await extendWithDependencies(m, await expandNames(m, patterns, opts, io), opts.dependencies, io));
      if (r < 0) return 1;
      if (r > 0 && ret === 0) ret = r;
    }
  }

  if (!text) {
    writeJson(io, opts.args.length === 0 ? { system, units: records } : records, opts.json);
  } else if (ellipsized && !opts.quiet) {
    io.out.write('Hint: Some lines were ellipsized, use -l to show in full.\n');
  }
  return ret < 0 ? 1 : ret;
}

/** The unit's object by its path, as systemctl (reading its properties loads it on demand). */
function unitObject(m: Manager, name: string): UnitObject {
  return new UnitObject(m.bus, unitObjectPath(name), name);
}

/** systemd's `unit_name_from_dbus_path`: unescape the last path component. */
export function unitNameFromPath(path: string): string {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.replace(/_([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}
