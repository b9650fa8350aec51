/**
 * `status [PATTERN…|PID…]`: systemctl 252's status, as systemctl builds it — gather (one
 * `GetAll("")` for all of a unit's interfaces, GetUnitProcesses and the journal, here), record
 * (output/status-record.ts: the `--json` schema), render (output/status-text.ts: systemctl's text). Each unit is written out as
 * soon as it is rendered, while the next few are read ahead, so status of thousands of units holds
 * a few of them, never the whole output. With no unit: the manager's overview (`show_system_status`).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

import type { ConnectOptions } from '../../core/bus.js';
import { InvalidArgumentError, SystemdError } from '../../core/errors.js';
import { type JournalRunOptions, bootCutoffMonotonic, readJournal } from '../../core/journal.js';
import { Manager } from '../../core/manager.js';
import { expandUnitNames } from '../../core/expand.js';
import type { UnitStatus } from '../../core/types.js';
import { UnitObject } from '../../core/unit.js';
import { unitObjectPath } from '../../core/names.js';
import { Paint, urlifyEnabled } from '../../output/color.js';
import { escapeTerminal } from '../../output/escape.js';
import { type IO, writeDrained } from '../../output/io.js';
import { type JournalOutputMode, isJournalOutputMode } from '../../output/journal-format.js';
import { JsonArrayWriter, objectAround } from '../../output/json.js';
import { openPager } from '../../output/pager.js';
import { type Gathered, type SystemStatusRecord, type UnitStatusRecord, buildRecord, num, str, strv, timestamp } from '../../output/status-record.js';
import { type StatusTextOptions, renderSystemText, renderUnitText, warningLine } from '../../output/status-text.js';
import { compareUnits, showUnit } from './unit-filter.js';

export type { ExecRecord, JournalRecord, SystemStatusRecord, Timestamp, UnitStatusRecord } from '../../output/status-record.js';
import type { DependencyKind } from '../../core/expand.js';
import { extendWithDependencies } from './with-dependencies.js';
import type { TimestampStyle } from '../../output/time.js';

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

function localProcessComm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
  } catch {
    return null;
  }
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

/** Units read ahead while one is printed (status of many units: their bus calls overlap; 8 → 32: status of 50 units 164.5 → 150.9 ms wall, 11 rounds). */
const READ_AHEAD = 32;

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
  // GetUnitProcesses goes out with GetAll, one round trip for both: the manager answers a
  // connection's calls in order, so the unit GetAll loads is there when it is asked. Its answer
  // is used only when the unit has a control group (systemctl asks only then).
  const processes = m.getUnitProcesses(name).then(
    (p) => ({ ok: true as const, p }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  // one call for the Unit interface and the type's (Service, Socket, …), as systemctl: `u` and `t`
  // are the same record
  const u = await unit.getAllInterfaces();
  const t = u;
  const id = str(u.Id) ?? name;
  const journal = unitJournal(id, u, opts, ctx);
  // no unhandled rejection while the bus calls below run (unitJournal itself does not throw)
  journal.catch(() => undefined);
  const g: Gathered = { name: id, u, t, processes: [], processesError: null, triggeredBy: [], triggers: [], entries: null, journalError: null, rotated: false };
  if (str(t.ControlGroup)) {
    const r = await processes;
    if (r.ok) g.processes = r.p;
    else g.processesError = r.err instanceof Error ? r.err.message : String(r.err);
  }
  for (const tb of strv(u.TriggeredBy)) g.triggeredBy.push({ unit: tb, activeState: await activeStateOf(m, tb) });
  for (const tr of strv(u.Triggers)) g.triggers.push({ unit: tr, activeState: await activeStateOf(m, tr) });
  Object.assign(g, await journal);
  return g;
}

/** The manager's overview (`show_system_status`): its record, and (text) the overview written out. */
async function systemStatus(m: Manager, io: IO, textOpts: StatusTextOptions | null): Promise<SystemStatusRecord> {
  const p = (await m.bus.call({
    path: '/org/freedesktop/systemd1',
    interface: 'org.freedesktop.DBus.Properties',
    member: 'GetAll',
    signature: 's',
    body: ['org.freedesktop.systemd1.Manager'],
  }))[0] as Record<string, unknown>;
  const host = hostname();
  const rec: SystemStatusRecord = {
    host,
    state: String(p.SystemState ?? ''),
    units: num(p.NNames) ?? 0,
    jobs: num(p.NJobs) ?? 0,
    failedUnits: num(p.NFailedUnits) ?? 0,
    since: timestamp(p.UserspaceTimestamp),
    version: String(p.Version ?? ''),
    tainted: str(p.Tainted),
    cgroup: typeof p.ControlGroup === 'string' && p.ControlGroup !== '' ? p.ControlGroup : '/',
    processes: [],
  };
  let procError: string | null = null;
  try {
    rec.processes = await m.getUnitProcesses('-.slice');
  } catch (err) {
    procError = err instanceof Error ? err.message : String(err);
  }
  if (textOpts) {
    await writeDrained(io.out, renderSystemText(rec, p, procError === null, textOpts));
    if (procError !== null) io.err.write(warningLine(io.errColor, `Failed to dump process list for '${escapeTerminal(host)}', ignoring: ${escapeTerminal(procError)}`));
  }
  return rec;
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
  const textOpts: StatusTextOptions | null =
    opts.json === null
      ? {
          paint: new Paint(io.color, urlifyEnabled(io.color)),
          unicode: io.unicode,
          columns: io.columns ?? 80,
          fullWidth: opts.full || !io.outIsTTY || opts.pager === true,
          showAll: opts.all,
          output: opts.output,
          timestampStyle: opts.timestampStyle,
          // as systemctl: the comm of a PID from /proc only for the local machine
          comm: opts.connect.host === undefined ? localProcessComm : () => null,
        }
      : null;
  const out = (s: string): Promise<void> | void => writeDrained(io.out, s);
  let ret = 0;
  let newLine = false;
  let ellipsized = false;
  /** `--json`: the records, written out one by one (`{"system":…,"units":[…]}` without units named). */
  let json: JsonArrayWriter | null = null;
  const ctx: RunContext = {};
  const startGather = (unit: UnitObject, name: string): Gathering =>
    gather(m, unit, name, opts, ctx).then(
      (g) => ({ ok: true as const, g }),
      (err: unknown) => ({ ok: false as const, err }),
    );

  /** systemctl's show_one: -1 when the properties could not be read (it then stops, exit 1). */
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
    if (textOpts) {
      const r = renderUnitText(rec, g, textOpts);
      await out(newLine ? `\n${r.text}` : r.text);
      newLine = true;
      ellipsized ||= r.ellipsized;
      // systemctl says nothing when it cannot read the journal; we say so in one line (not with -q)
      if (g.journalError !== null && !opts.quiet) io.err.write(`${escapeTerminal(g.journalError)}\n`);
      if (g.processesError !== null) io.err.write(warningLine(io.errColor, `Failed to dump process list for '${escapeTerminal(rec.unit)}', ignoring: ${escapeTerminal(g.processesError)}`));
      if (g.u.NeedDaemonReload === true) {
        io.err.write(
          `Warning: The unit file, source configuration file or drop-ins of ${escapeTerminal(rec.unit)} changed on disk. Run 'sysherd${opts.connect.bus === 'user' ? ' --user' : ''} daemon-reload' to reload units.\n`,
        );
      }
    } else {
      await json!.push(rec);
    }
    return rec.activeState === 'active' || rec.activeState === 'reloading' ? 0 : 3;
  };

  /**
   * Show units one after another, as systemctl, while the next ones are read ahead (their bus
   * calls and journal reads run while one is printed): the first exit code that is not 0, or -1
   * when a unit's properties could not be read (nothing after it is shown).
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
      ahead[i] = undefined as never; // shown: let it go
      if (i + READ_AHEAD < names.length) start(i + READ_AHEAD);
      if (r < 0) return -1;
      if (r > 0 && first === 0) first = r;
    }
    return first;
  };

  const pretty = opts.json === 'pretty';
  try {
    if (opts.args.length === 0) {
      let system: SystemStatusRecord | null = null;
      if (opts.states.length === 0 && opts.types.length === 0) {
        system = await systemStatus(m, io, textOpts);
        newLine = true;
      }
      if (!textOpts) {
        const around = objectAround({ system }, 'units', pretty);
        json = new JsonArrayWriter(out, pretty, around.head, around.tail, around.depth);
      }
      if (opts.all || opts.states.length > 0 || opts.types.length > 0) {
        const units: UnitStatus[] = (await m.listUnitsFiltered(opts.states)).filter((u) => showUnit(u, opts)).sort(compareUnits);
        const r = await showInOrder(units.map((u) => u.name));
        if (r < 0) return 1;
        if (r > 0 && ret === 0) ret = r;
      }
    } else {
      if (!textOpts) json = new JsonArrayWriter(out, pretty);
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
    if (json) await json.end();
    else if (ellipsized && !opts.quiet) await out('Hint: Some lines were ellipsized, use -l to show in full.\n');
    return ret < 0 ? 1 : ret;
  } finally {
    // stopped part-way (a unit that cannot be read, an error): what was written stays valid JSON
    if (json?.started && !json.ended) await json.end();
  }
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