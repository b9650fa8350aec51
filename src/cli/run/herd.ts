/**
 * `sysherd herd ACTION [SERVICE [ARG…]]`: GNU Shepherd's herd on systemd. One run function per
 * verb; each builds its records once, then prints herd's text or JSON.
 */
import { constants } from 'node:os';

import type { ConnectOptions } from '../../core/bus.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { Manager } from '../../core/manager.js';
import { isGlob, isUnitType, unitTypeOf } from '../../core/names.js';
import type { JobMode, KillWhom, UnitStatus } from '../../core/types.js';
import { UnitObject } from '../../core/unit.js';
import { expandUnitNames } from '../../core/expand.js';
import { ACTION_DOCS, NoSuchActionError, StartFailedError, actionsOf, reason, herdTransaction, startService, stopService, type StartRecord, type StopRecord } from '../../herd/actions.js';
import { eventStatus, type JournalSource, type UnitHistory } from '../../herd/history.js';
import { serviceName, unitOf } from '../../herd/names.js';
import {
  renderGraph,
  renderLog,
  renderOverview,
  renderServiceStatus,
  type GraphEdge,
  type GraphNode,
  type LogRecord,
  type Overview,
  type OverviewEntry,
} from '../../herd/render.js';
import { dependencies, lightSnapshot, unitFilesOnDisk, formatRunningValue, isEnabled, isOneShot, snapshot, statusSymbol, type Snapshot } from '../../herd/service.js';
import { buildStatus, histories, type ServiceStatusRecord } from '../../herd/status.js';
import { isoUsec } from '../../herd/time.js';
import { colors } from '../../output/color.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { withPager } from '../../output/pager.js';

export interface HerdOptions {
  /** ACTION, SERVICE, ARG… as given. */
  words: string[];
  /** `-n/--log-history`: history entries to show (default 5). */
  n: number;
  /** Whether `-n` was given (the event log is whole without it). */
  nGiven: boolean;
  /** `--type`: unit types of the overviews (default service and timer). */
  types: string[];
  background: boolean;
  jobMode: JobMode;
  signal: string | undefined;
  killWhom: KillWhom;
  runtime: boolean;
  force: boolean;
  quiet: boolean;
  json: 'pretty' | 'short' | null;
  connect: ConnectOptions;
  /** The journal to read history from. */
  journal: JournalSource;
  /** The manager runs on this machine (no --address): its unit files are on our disk. */
  local: boolean;
  /** `--all`: herd graph keeps the edges to slices and to the targets every service has. */
  all?: boolean;
  /** Page `status` and `log` on a terminal, as systemctl pages its views (`false` with --no-pager; default off). */
  pager?: boolean;
}

const USAGE = 'Usage: sysherd herd ACTION [SERVICE [OPTIONS...]]';

export async function runHerd(opts: HerdOptions, io: IO): Promise<void> {
  const [action, ...rest] = opts.words;
  if (action === undefined) throw new InvalidArgumentError('no action given', { hint: USAGE });
  for (const t of opts.types) if (!isUnitType(t)) throw new InvalidArgumentError(`unknown --type value '${t}'`);
  const m = await Manager.connect(opts.connect);
  try {
    // the views go through the pager on a terminal, as systemctl's (JSON never)
    const paged = { enabled: opts.pager === true && opts.json === null };
    switch (action) {
      case 'status':
        return await withPager(io, paged, async (pio) => (rest.length === 0 ? await overview(m, opts, pio) : await statusOf(m, rest, opts, pio, true)));
      case 'detailed-status':
        return await detailedStatus(m, rest, opts, io);
      case 'log':
        return await withPager(io, paged, async (pio) => await eventLog(m, rest, opts, pio));
      case 'graph':
        return await graph(m, rest, opts, io);
    }
    const [name, ...args] = rest;
    if (name === undefined) throw new InvalidArgumentError(`${action}: no service given`, { hint: USAGE });
    switch (action) {
      case 'start':
        return await start(m, rest, opts, io);
      case 'stop':
        return await stop(m, rest, opts, io);
      case 'doc':
        return await doc(m, name, args, opts, io);
      case 'running?':
      case 'stopped?':
      case 'enabled?':
        return await query(m, action, name, opts, io);
      default:
        return await perform(m, action, name, args, opts, io);
    }
  } finally {
    m.close();
  }
}

/**
 * The units several SERVICE words name: mangled (`alpha` → `alpha.service`) and globs expanded
 * over the loaded units (`'web@*'`), as systemctl's expand_unit_names (H1's expand.ts): active
 * ones only for start/stop (`all` false), every loaded one for the views; its notices go to
 * stderr unless -q.
 */
async function expand(m: Manager, words: string[], opts: HerdOptions, io: IO, all = true): Promise<string[]> {
  // herd's names are services: a glob without a type (`web*`) means services (`web*.service`)
  const args = words.map((w) => (isGlob(w) && !w.includes('.') ? `${w}.service` : w));
  const { names, warnings } = await expandUnitNames(m, args, { types: opts.types, warn: !opts.quiet, all });
  for (const w of warnings) io.err.write(`${escapeTerminal(w)}\n`);
  return [...new Set(names)];
}

// ── start / stop ──────────────────────────────────────────────────────────────────────────

async function start(m: Manager, names: string[], opts: HerdOptions, io: IO): Promise<void> {
  const records: StartRecord[] = [];
  let failed: StartRecord | undefined;
  for (const unit of await expand(m, names, opts, io, false)) {
    const r = await startService(m, serviceName(unit), unit, { background: opts.background, mode: opts.jobMode });
    records.push(r);
    if (!opts.json) io.out.write(startText(r));
    if (r.reason !== null) {
      failed = r;
      break;
    }
  }
  if (opts.json) writeJson(io, records, opts.json);
  if (failed) throw new StartFailedError(failed.service, failed.reason!);
}

function startText(r: StartRecord): string {
  const esc = escapeTerminal;
  if (r.alreadyRunning) return `Service ${esc(r.service)} is already running.\nRunning value is ${esc(formatRunningValue(r.runningValue))}.\n`;
  if (r.background) return `Service ${esc(r.service)} is being started.\n`;
  let s = r.started.map((u) => `Service ${esc(u)} has been started.\n`).join('');
  if (r.reason === null) s += `Running value is ${esc(formatRunningValue(r.runningValue))}.\n`;
  return s;
}

async function stop(m: Manager, names: string[], opts: HerdOptions, io: IO): Promise<void> {
  const records: StopRecord[] = [];
  for (const unit of await expand(m, names, opts, io, false)) {
    const r = await stopService(m, serviceName(unit), unit, opts.jobMode);
    records.push(r);
    if (!r.wasRunning && !opts.quiet) io.err.write(`${colors(io.errColor).yellow(`Service ${escapeTerminal(r.service)} is not running.`)}\n`);
    if (!opts.json && r.wasRunning) io.out.write(r.stopped.map((u) => `Service ${escapeTerminal(u)} has been stopped.\n`).join(''));
    if (r.reason !== null) {
      if (opts.json) writeJson(io, records, opts.json);
      throw new InvalidArgumentError(`failed to stop service ${r.service}`, { hint: r.reason });
    }
  }
  if (opts.json) writeJson(io, records, opts.json);
}

// ── perform-service-action ────────────────────────────────────────────────────────────────

/** The `--json` record of an action. */
export interface ActionRecord {
  service: string;
  unit: string;
  action: string;
  args: string[];
  /** What happened, in herd's words (the text output). */
  message: string;
  /** Other units the action changed (restart: the running dependents it restarted). */
  dependents: string[];
  status: 'stopped' | 'starting' | 'running' | 'stopping';
}

async function perform(m: Manager, action: string, name: string, args: string[], opts: HerdOptions, io: IO): Promise<void> {
  const s = await snapshot(m, unitOf(name), name);
  const service = serviceName(s.unit);
  if (!actionsOf(s).includes(action)) throw new NoSuchActionError(service, action);
  const lines: string[] = [];
  /** Units the action changed besides the service (restart: the running dependents it restarted). */
  let dependents: string[] = [];
  switch (action) {
    case 'restart': {
      const wasRunning = statusSymbol(s.props.ActiveState) === 'running';
      // the units a restart propagates to (systemd restarts those that run): RequiredBy=, BoundBy=, ConsistsOf=
      const candidates = [...new Set([...(s.props.RequiredBy ?? []), ...((s.props.BoundBy as string[] | undefined) ?? []), ...(s.props.ConsistsOf ?? [])])];
      const runningBefore = new Set<string>();
      await Promise.all(
        candidates.map(async (u) => {
          const st = await m.getUnit(u).then((o) => o.state()).catch(() => 'inactive');
          if (statusSymbol(st) === 'running') runningBefore.add(u);
        }),
      );
      const t = await herdTransaction(m, s.unit, 'restart', opts.jobMode);
      if (t.main.result !== 'done' && t.main.result !== 'skipped') throw new StartFailedError(service, await reason(m, { ...t.main, unit: s.unit }, 'restart'));
      dependents = t.others.filter((o) => runningBefore.has(o.unit) && (o.jobType === 'restart' || o.jobType === 'try-restart') && o.result === 'done').map((o) => serviceName(o.unit));
      for (const d of dependents) lines.push(`Service ${d} has been stopped.`);
      if (wasRunning) lines.push(`Service ${service} has been stopped.`);
      lines.push(`Service ${service} has been started.`);
      for (const d of dependents) lines.push(`Service ${d} has been started.`);
      break;
    }
    case 'reload': {
      const t = await herdTransaction(m, s.unit, 'reload', opts.jobMode);
      if (t.main.result !== 'done') throw new InvalidArgumentError(`failed to reload service ${service}`, { hint: `reload job ended with result '${t.main.result}'` });
      lines.push(`Service ${service} has been reloaded.`);
      break;
    }
    case 'enable': {
      const r = await m.enableUnitFiles([s.unit], opts.runtime, opts.force);
      if (!r.carriesInstallInfo && r.changes.length === 0 && !opts.quiet) {
        io.err.write(`${colors(io.errColor).yellow(`Service ${escapeTerminal(service)} has no [Install] section (WantedBy=, RequiredBy=, Alias=): enabling it changes nothing.`)}\n`);
      }
      lines.push(`Enabled service ${service}.`);
      break;
    }
    case 'disable':
      await m.disableUnitFiles([s.unit], opts.runtime);
      lines.push(`Disabled service ${service}.`);
      break;
    case 'kill': {
      const sigName = args[0] ?? opts.signal ?? 'SIGTERM';
      const sig = parseSignal(sigName);
      await m.killUnit(s.unit, opts.killWhom, sig.number);
      lines.push(`Sent signal ${sig.name} to service ${service}.`);
      break;
    }
    case 'clean':
      await m.cleanUnit(s.unit, args.length > 0 ? args : ['all']);
      lines.push(`Cleaned service ${service}.`);
      break;
    case 'freeze':
      await m.freezeUnit(s.unit);
      lines.push(`Froze service ${service}.`);
      break;
    case 'thaw':
      await m.thawUnit(s.unit);
      lines.push(`Thawed service ${service}.`);
      break;
    case 'reset-failed':
      await m.resetFailedUnit(s.unit);
      lines.push(`Reset the failed state of service ${service}.`);
      break;
    case 'status':
      return statusOf(m, [name], opts, io, true);
    case 'doc':
      return doc(m, name, args, opts, io);
    case 'start':
      return start(m, [name], opts, io);
    case 'stop':
      return stop(m, [name], opts, io);
  }
  const after = await snapshot(m, s.unit, name);
  if (opts.json) {
    const rec: ActionRecord = { service, unit: s.unit, action, args, message: lines.join('\n'), dependents, status: statusSymbol(after.props.ActiveState) };
    writeJson(io, rec, opts.json);
  } else io.out.write(lines.map((l) => `${escapeTerminal(l)}\n`).join(''));
}

/** `SIGHUP`, `HUP`, `1` → number and name. */
export function parseSignal(s: string): { number: number; name: string } {
  const signals = constants.signals as Record<string, number>;
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    const name = Object.entries(signals).find(([, v]) => v === n)?.[0];
    if (name) return { number: n, name };
  } else {
    const name = s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
    if (signals[name] !== undefined) return { number: signals[name]!, name };
  }
  throw new InvalidArgumentError(`unknown signal '${s}'`, { hint: 'use a name such as SIGHUP or a number' });
}

// ── doc and queries ───────────────────────────────────────────────────────────────────────

async function doc(m: Manager, name: string, args: string[], opts: HerdOptions, io: IO): Promise<void> {
  const s = await snapshot(m, unitOf(name), name);
  const service = serviceName(s.unit);
  const actions = actionsOf(s);
  const [what, actionName] = args;
  if (what === 'list-actions') {
    if (opts.json) writeJson(io, { service, unit: s.unit, actions }, opts.json);
    else io.out.write(`${service} (${actions.join(' ')})\n`);
    return;
  }
  if (what === 'action') {
    if (actionName === undefined) throw new InvalidArgumentError('doc: which action?', { hint: `sysherd herd doc ${service} action ACTION` });
    if (!actions.includes(actionName)) throw new NoSuchActionError(service, actionName);
    const text = ACTION_DOCS[actionName] ?? '';
    if (opts.json) writeJson(io, { service, unit: s.unit, action: actionName, doc: text }, opts.json);
    else io.out.write(`${text}\n`);
    return;
  }
  if (what !== undefined) throw new InvalidArgumentError(`doc: unknown request '${what}'`, { hint: 'use list-actions or action ACTION' });
  const documentation = (s.props.Documentation as string[] | undefined) ?? [];
  const rec = { service, unit: s.unit, description: s.props.Description, documentation, actions: actions.map((a) => ({ name: a, doc: ACTION_DOCS[a] ?? '' })) };
  if (opts.json) writeJson(io, rec, opts.json);
  else {
    let out = `${escapeTerminal(rec.description)}\n`;
    for (const d of documentation) out += `Documentation: ${escapeTerminal(d)}\n`;
    out += `Actions: ${actions.join(' ')}\n`;
    io.out.write(out);
  }
}

async function query(m: Manager, q: 'running?' | 'stopped?' | 'enabled?', name: string, opts: HerdOptions, io: IO): Promise<void> {
  const s = await snapshot(m, unitOf(name), name);
  const status = statusSymbol(s.props.ActiveState);
  const answer = q === 'running?' ? status === 'running' : q === 'stopped?' ? status === 'stopped' : isEnabled(s);
  if (opts.json) writeJson(io, { service: serviceName(s.unit), unit: s.unit, query: q, answer, status }, opts.json);
  else if (!opts.quiet) io.out.write(answer ? 'yes\n' : 'no\n');
  if (!answer) io.exitCode = 1;
}

// ── status ────────────────────────────────────────────────────────────────────────────────

function warnNote(note: string | null, io: IO): void {
  if (note !== null) io.err.write(`${colors(io.errColor).yellow(`${escapeTerminal(note)}; history from the unit's properties only`)}\n`);
}

async function statusOf(m: Manager, names: string[], opts: HerdOptions, io: IO, messages: boolean): Promise<void> {
  const snaps: Snapshot[] = [];
  snaps.push(...(await Promise.all((await expand(m, names, opts, io)).map((u) => snapshot(m, u)))));
  const { map, note } = await histories(snaps, opts.journal);
  const records: ServiceStatusRecord[] = [];
  for (const s of snaps) records.push(await buildStatus(s, map.get(s.unit)!, note, { n: opts.n, messages, journal: opts.journal, local: opts.local }));
  printStatuses(records, opts, io, messages);
}

function printStatuses(records: ServiceStatusRecord[], opts: HerdOptions, io: IO, messages: boolean): void {
  const note = records.find((r) => r.historyNote !== null)?.historyNote ?? null;
  if (opts.json) {
    writeJson(io, records.length === 1 && opts.words[0] !== 'detailed-status' ? records[0] : records, opts.json);
  } else {
    const c = colors(io.color);
    io.out.write(records.map((r) => renderServiceStatus(r, c, { messages })).join(''));
  }
  if (!opts.quiet) warnNote(note, io);
}

/** Loaded units of the chosen types (default: services and timers), not-found ones left out. */
async function loadedUnits(m: Manager, opts: HerdOptions, defaults: string[]): Promise<UnitStatus[]> {
  const types = opts.types.length > 0 ? opts.types : defaults;
  const units = await m.listUnits();
  return units
    .filter((u) => types.includes(unitTypeOf(u.name) ?? '') && u.loadState !== 'not-found' && u.following === '')
    .sort((a, b) => (serviceName(a.name) < serviceName(b.name) ? -1 : serviceName(a.name) > serviceName(b.name) ? 1 : 0));
}

async function overview(m: Manager, opts: HerdOptions, io: IO): Promise<void> {
  const units = await loadedUnits(m, opts, ['service', 'timer']);
  const o: Overview = { started: [], runningTimers: [], starting: [], stopped: [], stopping: [], oneShot: [], failed: [] };
  const details = await Promise.all(
    units.map(async (u) => {
      const obj = new UnitObject(m.bus, u.unitPath, u.name);
      const [reload, type, exited] = await Promise.all([
        obj.get('org.freedesktop.systemd1.Unit', 'NeedDaemonReload').catch(() => false),
        u.name.endsWith('.service') && u.activeState === 'inactive' ? obj.get('org.freedesktop.systemd1.Service', 'Type').catch(() => '') : Promise.resolve(''),
        u.name.endsWith('.service') && u.activeState === 'inactive' ? obj.get('org.freedesktop.systemd1.Unit', 'InactiveExitTimestamp').catch(() => 0) : Promise.resolve(0),
      ]);
      return { reload: reload === true, oneShotRan: type === 'oneshot' && (exited as number) > 0 };
    }),
  );
  // services that have a unit file but are not loaded (never started, or garbage-collected): stopped
  const types = opts.types.length > 0 ? opts.types : ['service', 'timer'];
  const loaded = new Set(units.map((u) => u.name));
  // (read from this machine's unit directories: systemd's ListUnitFiles reads and parses every
  // file, 0.7 s in a bare sandbox; not for a manager reached by --address, whose disk is not ours)
  const unloaded = opts.local ? unitFilesOnDisk(opts.journal.scope, types).filter((n) => !loaded.has(n)) : [];
  units.forEach((u, i) => {
    const e: OverviewEntry = { service: serviceName(u.name), unit: u.name, changedOnDisk: details[i]!.reload };
    const timer = u.name.endsWith('.timer');
    if (u.activeState === 'failed') o.failed.push(e);
    else if (u.activeState === 'activating') o.starting.push(e);
    else if (u.activeState === 'deactivating') o.stopping.push(e);
    else if (u.activeState === 'active' || u.activeState === 'reloading') (timer ? o.runningTimers : o.started).push(e);
    else if (details[i]!.oneShotRan) o.oneShot.push(e);
    else o.stopped.push(e);
  });
  for (const n of unloaded) o.stopped.push({ service: serviceName(n), unit: n, changedOnDisk: false });
  o.stopped.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  if (opts.json) writeJson(io, o, opts.json);
  else io.out.write(renderOverview(o, colors(io.color)));
}

async function detailedStatus(m: Manager, names: string[], opts: HerdOptions, io: IO): Promise<void> {
  const units = names.length > 0 ? await expand(m, names, opts, io) : (await loadedUnits(m, opts, ['service'])).map((u) => u.name);
  const snaps: Snapshot[] = [];
  snaps.push(...(await Promise.all(units.map((u) => snapshot(m, u))))); // pipelined on the one connection
  const { map, note } = await histories(snaps, opts.journal, names.length === 0);
  const records: ServiceStatusRecord[] = [];
  for (const s of snaps) records.push(await buildStatus(s, map.get(s.unit) ?? { events: [], respawns: [], startupFailures: [], exits: [], reloads: [] }, note, { n: opts.n, messages: false, journal: opts.journal, local: opts.local }));
  printStatuses(records, opts, io, false);
}

// ── log and graph ─────────────────────────────────────────────────────────────────────────

async function eventLog(m: Manager, names: string[], opts: HerdOptions, io: IO): Promise<void> {
  let snaps: Snapshot[] = [];
  let map: Map<string, UnitHistory>;
  let note: string | null;
  const types = opts.types.length > 0 ? opts.types : ['service'];
  if (names.length > 0) {
    snaps = await Promise.all((await expand(m, names, opts, io)).map((u) => snapshot(m, u)));
    ({ map, note } = await histories(snaps, opts.journal));
  } else {
    ({ map, note } = await histories([], opts.journal, true));
    if (note !== null) {
      snaps = await Promise.all((await loadedUnits(m, opts, ['service'])).map((u) => snapshot(m, u.name)));
      ({ map, note } = await histories(snaps, opts.journal));
    }
  }
  let records: LogRecord[] = [];
  for (const [unit, h] of map) {
    if (names.length === 0 && !types.includes(unitTypeOf(unit) ?? '')) continue;
    for (const e of h.events) records.push({ time: isoUsec(e.usec), usec: e.usec, service: serviceName(unit), unit, event: e.event, status: eventStatus(e.event) });
  }
  records.sort((a, b) => a.usec - b.usec);
  if (opts.nGiven) records = opts.n <= 0 ? [] : records.slice(-opts.n);
  if (opts.json) writeJson(io, records, opts.json);
  else io.out.write(renderLog(records, colors(io.color)));
  if (!opts.quiet) warnNote(note, io);
}

/** herd graph's colour of a node. */
export function nodeColor(s: Snapshot): string {
  if (s.props.ActiveState === 'failed') return 'red';
  const st = statusSymbol(s.props.ActiveState);
  if (st === 'running') return s.props.Transient === true ? 'black' : 'green';
  if (st === 'stopped') return 'purple';
  return 'gray';
}

/**
 * The services of the `herd status` overview (loaded services and timers, and on this machine
 * those whose unit file is not loaded: stopped), or the ones named.
 */
async function overviewUnits(m: Manager, opts: HerdOptions): Promise<string[]> {
  const loaded = (await loadedUnits(m, opts, ['service', 'timer'])).map((u) => u.name);
  const types = opts.types.length > 0 ? opts.types : ['service', 'timer'];
  const known = new Set(loaded);
  const unloaded = opts.local ? unitFilesOnDisk(opts.journal.scope, types).filter((n) => !known.has(n)) : [];
  return [...loaded, ...unloaded];
}

/**
 * The targets every service has: systemd's default dependencies (a service with
 * DefaultDependencies=yes gets `Requires=sysinit.target`, and `basic.target` in a user manager).
 * Edges to them say nothing about one service.
 */
export const DEFAULT_TARGETS: ReadonlySet<string> = new Set(['sysinit.target', 'basic.target']);

/**
 * `herd graph`: the overview's services (a stopped one keeps its requirement edges: its unit is
 * loaded to read them), and what they require or want, followed. Without --all, edges to slices
 * and to the targets every service has are left out (and what only they would have brought in).
 */
async function graph(m: Manager, names: string[], opts: HerdOptions, io: IO): Promise<void> {
  const seeds = names.length > 0 ? await expand(m, names, opts, io) : await overviewUnits(m, opts);
  const snaps = new Map<string, Snapshot>();
  const keep = (to: string): boolean => opts.all === true || (!to.endsWith('.slice') && !DEFAULT_TARGETS.has(to));
  const queue = [...seeds];
  while (queue.length > 0) {
    const batch = queue.splice(0, queue.length).filter((u) => !snaps.has(u));
    const got = await Promise.all(
      [...new Set(batch)].map((u) =>
        lightSnapshot(m, u, ['ActiveState', 'Requires', 'Wants', 'BindsTo', 'Transient'], ['Type', 'RemainAfterExit'], serviceName(u)).then(
          (s) => [u, s] as const,
          (e: unknown) => {
            if (names.length > 0 && seeds.includes(u)) throw e; // asked for: "could not be found"
            return [u, null] as const; // a dependency (or a unit file) that does not load: no node
          },
        ),
      ),
    );
    for (const [u, s] of got) {
      if (s === null) continue;
      snaps.set(u, s);
      for (const d of dependencies(s)) if (!snaps.has(d.to) && keep(d.to)) queue.push(d.to);
    }
  }
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const s of snaps.values()) {
    nodes.push({
      service: serviceName(s.unit),
      unit: s.unit,
      status: statusSymbol(s.props.ActiveState),
      shape: s.unit.endsWith('.timer') ? 'diamond' : isOneShot(s) ? 'circle' : 'box',
      color: nodeColor(s),
    });
    for (const d of dependencies(s)) if (snaps.has(d.to) && keep(d.to)) edges.push({ from: serviceName(s.unit), to: serviceName(d.to), kind: d.kind });
  }
  if (opts.json) writeJson(io, { nodes, edges }, opts.json);
  else io.out.write(renderGraph(nodes, edges));
}

