/**
 * `herd status SERVICE` as one record: the service's properties and its history (the seed's
 * service-status, service-running-value, service-status-changes, service-startup-failures,
 * service-respawn-times, service-process-exit-statuses, service-replacement,
 * service-recent-messages, service-log-file). The journal gives the history; without it, the
 * unit's timestamp and result properties do, and `historyNote` says so.
 */
import { JournalUnavailableError } from '../core/journal.js';
import { unitTypeOf } from '../core/names.js';
import type { ServiceProperties } from '../core/unit.js';
import { eventStatus, foldHistory, readManagerMessages, readRecentMessages, signalName, type HerdEvent, type JournalSource, type UnitHistory } from './history.js';
import { serviceName } from './names.js';
import {
  command,
  customActions,
  isEnabled,
  isOneShot,
  lastExit,
  logFiles,
  parseUnitFiles,
  pendingChanges,
  provides,
  readUnitFiles,
  requires,
  runningValue,
  statusSymbol,
  willRespawn,
  type PendingChange,
  type RunningValue,
  type Snapshot,
  type StatusSymbol,
} from './service.js';
import { jsonTime, type JsonTime } from './time.js';

export interface ExitRecord extends JsonTime {
  /** `exited`, `killed` or `dumped`. */
  code: string;
  /** Exit status, or the signal number. */
  status: number;
  signal: string | null;
}

export interface StatusChange extends JsonTime {
  status: StatusSymbol;
  /** The finer event: `starting`, `running`, `stopping`, `stopped`, `failed`, `done` (one-shot). */
  event: HerdEvent;
}

/** The `--json` record of `herd status SERVICE` (and of each service of `detailed-status`). */
export interface ServiceStatusRecord {
  service: string;
  unit: string;
  description: string;
  loadState: string;
  activeState: string;
  subState: string;
  status: StatusSymbol;
  runningValue: RunningValue;
  /** When it entered its current state. */
  since: JsonTime | null;
  failing: boolean;
  oneShot: boolean;
  transient: boolean;
  mainPid: number | null;
  command: string[] | null;
  lastExit: ExitRecord | null;
  enabled: boolean;
  unitFileState: string;
  provides: string[];
  requires: string[];
  customActions: string[];
  replacement: { pending: boolean; changes: PendingChange[] };
  respawn: boolean;
  restart: string | null;
  nRestarts: number | null;
  lastRespawn: JsonTime | null;
  /** Respawn times, most recent first, at most N. */
  respawns: JsonTime[];
  /** Exits of the main process, most recent first, at most N. */
  exitStatuses: ExitRecord[];
  /** Startup failure times, most recent first, at most N. */
  startupFailures: JsonTime[];
  failedAt: JsonTime | null;
  /** Status changes, oldest first, the last N. */
  statusChanges: StatusChange[];
  logFiles: string[];
  /** The service's own last N messages, oldest first. */
  messages: (JsonTime & { message: string })[];
  /** Where the history comes from. */
  history: 'journal' | 'properties';
  /** Why not from the journal, `null` when it is. */
  historyNote: string | null;
}

function svc(s: Snapshot): Partial<ServiceProperties> {
  return unitTypeOf(s.unit) === 'service' ? (s.typeProps as Partial<ServiceProperties>) : {};
}

const exitRecord = (e: { usec: number; code: string; status: number }): ExitRecord => ({
  ...jsonTime(e.usec),
  code: e.code,
  status: e.status,
  signal: e.code === 'exited' ? null : signalName(e.status),
});

/** The history a unit's properties tell, when the journal cannot. */
export function historyFromProperties(s: Snapshot): UnitHistory {
  const p = s.props;
  const events: UnitHistory['events'] = [];
  const add = (usec: number, event: HerdEvent): void => {
    if (usec > 0) events.push({ unit: s.unit, usec, event });
  };
  add(p.InactiveExitTimestamp, 'starting');
  add(p.ActiveEnterTimestamp, 'running');
  add(p.ActiveExitTimestamp, 'stopping');
  const failedStart = p.ActiveState === 'failed' && p.ActiveEnterTimestamp < p.InactiveExitTimestamp;
  add(p.InactiveEnterTimestamp, p.ActiveState === 'failed' ? (failedStart ? 'failed' : 'crashed') : isOneShot(s) ? 'done' : 'stopped');
  events.sort((a, b) => a.usec - b.usec);
  const le = lastExit(s);
  return {
    events,
    respawns: [],
    startupFailures: failedStart ? [p.InactiveEnterTimestamp] : [],
    exits: le ? [{ ...le, signal: le.code === 'exited' ? null : signalName(le.status) }] : [],
    reloads: [],
  };
}

export interface StatusOptions {
  /** How many history entries (and recent messages) to keep. */
  n: number;
  /** Read the service's recent messages too. */
  messages: boolean;
  journal: JournalSource;
  /** The manager's unit files are on this machine's disk (no --address, no -H): read them. */
  local: boolean;
}

/** Histories of several units in one journal read (or from their properties), and the note. */
export async function histories(snaps: Snapshot[], journal: JournalSource, all = false): Promise<{ map: Map<string, UnitHistory>; note: string | null }> {
  try {
    const entries = await readManagerMessages(journal, all ? [] : snaps.map((s) => s.unit));
    const map = foldHistory(entries);
    for (const s of snaps) if (!map.has(s.unit)) map.set(s.unit, { events: [], respawns: [], startupFailures: [], exits: [], reloads: [] });
    return { map, note: null };
  } catch (e) {
    if (!(e instanceof JournalUnavailableError)) throw e;
    return { map: new Map(snaps.map((s) => [s.unit, historyFromProperties(s)])), note: e.message };
  }
}

/** Build the record. */
export async function buildStatus(s: Snapshot, hist: UnitHistory, note: string | null, opts: StatusOptions): Promise<ServiceStatusRecord> {
  const p = s.props;
  const sp = svc(s);
  const status = statusSymbol(p.ActiveState);
  const settings = parseUnitFiles(opts.local ? readUnitFiles(s, opts.journal.scope) : []);
  const n = opts.n;
  const lastN = <T>(xs: T[]): T[] => (n <= 0 ? [] : xs.slice(-n));
  const exits = hist.exits.length > 0 ? hist.exits : historyFromProperties(s).exits;
  const failures = hist.startupFailures.length > 0 || note === null ? hist.startupFailures : [];
  const le = lastExit(s);
  let messages: ServiceStatusRecord['messages'] = [];
  let historyNote = note;
  if (opts.messages && note === null) {
    try {
      messages = (await readRecentMessages(opts.journal, s.unit, n)).map((m) => ({ ...jsonTime(m.usec), message: m.message }));
    } catch (e) {
      if (!(e instanceof JournalUnavailableError)) throw e;
      historyNote = e.message;
    }
  }
  const failing = p.ActiveState === 'failed';
  const failedAt = failing ? (hist.startupFailures.at(-1) ?? (p.InactiveEnterTimestamp || null)) : null;
  const mainPid = (sp.MainPID ?? 0) > 0 ? sp.MainPID! : null;
  return {
    service: serviceName(s.unit),
    unit: s.unit,
    description: p.Description,
    loadState: p.LoadState,
    activeState: p.ActiveState,
    subState: p.SubState,
    status,
    runningValue: runningValue(s),
    // a unit loaded afresh (garbage-collected while stopped) has no timestamps: the journal does
    since: p.StateChangeTimestamp > 0 ? jsonTime(p.StateChangeTimestamp) : hist.events.length > 0 ? jsonTime(hist.events.at(-1)!.usec) : null,
    failing,
    oneShot: isOneShot(s),
    transient: p.Transient === true,
    mainPid,
    command: mainPid !== null ? command(s) : null,
    lastExit: le ? exitRecord(le) : null,
    enabled: isEnabled(s),
    unitFileState: p.UnitFileState,
    provides: provides(s),
    requires: requires(s),
    customActions: customActions(s),
    replacement: p.NeedDaemonReload === true ? { pending: true, changes: pendingChanges(s, settings) } : { pending: false, changes: [] },
    respawn: willRespawn(s),
    restart: typeof sp.Restart === 'string' ? sp.Restart : null,
    nRestarts: typeof sp.NRestarts === 'number' ? sp.NRestarts : null,
    lastRespawn: hist.respawns.length > 0 ? jsonTime(hist.respawns.at(-1)!) : null,
    respawns: lastN(hist.respawns).reverse().map(jsonTime),
    exitStatuses: lastN(exits).reverse().map(exitRecord),
    startupFailures: lastN(failures).reverse().map(jsonTime),
    failedAt: failedAt ? jsonTime(failedAt) : null,
    statusChanges: lastN(hist.events).map((e) => ({ ...jsonTime(e.usec), status: eventStatus(e.event), event: e.event })),
    logFiles: logFiles(s, settings, opts.journal.scope),
    messages,
    history: historyNote === null ? 'journal' : 'properties',
    historyNote,
  };
}
