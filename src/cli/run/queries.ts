/**
 * The yes/no queries: `is-active`, `is-failed`, `is-enabled` (one table, one loop: systemctl's
 * `check_unit_generic` and `unit_is_enabled`) and `is-system-running`. Each unit gets one line on
 * stdout (none with `-q`); the exit code says whether any unit was in a "good" state, with
 * systemctl 252's codes: is-active 3, is-failed 1, is-enabled 1, is-system-running 1.
 */
import type { ConnectOptions } from '../../core/bus.js';
import { ExitCode, InvalidArgumentError, SystemdError } from '../../core/errors.js';
import { withConnection } from '../../core/api.js';
import { expandUnitNames } from '../../core/expand.js';
import type { Manager } from '../../core/manager.js';
import { unitObjectPath } from '../../core/names.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { checkArgCount } from './manage.js';
import { writeJson } from '../../output/json.js';
import { mangleUnitFileNames, UnitFileVerbError } from './unit-files.js';

export type QueryVerb = 'is-active' | 'is-failed' | 'is-enabled';

interface QuerySpec {
  /** How arguments become names: expanded over loaded units (globs), or mangled without globs. */
  names: 'expand' | 'mangle';
  /** The unit's state as the verb prints it. */
  state: (m: Manager, name: string) => Promise<string>;
  /** States that make the answer "yes" (exit 0). */
  good: ReadonlySet<string>;
  /** The exit code when no unit was in a good state. */
  failCode: number;
}

/** org.freedesktop.systemd1.Unit.ActiveState by object path: loads the unit (an unknown one is "inactive"). */
async function activeState(m: Manager, name: string): Promise<string> {
  try {
    const [v] = await m.bus.call({
      path: unitObjectPath(name),
      interface: 'org.freedesktop.DBus.Properties',
      member: 'Get',
      signature: 'ss',
      body: ['org.freedesktop.systemd1.Unit', 'ActiveState'],
    });
    return v as string;
  } catch (e) {
    if (e instanceof SystemdError) throw new UnitFileVerbError(`Failed to retrieve unit state: ${e.message}`, e);
    throw e;
  }
}

async function unitFileState(m: Manager, name: string): Promise<string> {
  try {
    return await m.getUnitFileState(name);
  } catch (e) {
    if (e instanceof SystemdError) throw new UnitFileVerbError(`Failed to get unit file state for ${name}: ${e.message}`, e);
    throw e;
  }
}

/** systemctl 252's queries, as a table. */
export const QUERIES: Record<QueryVerb, QuerySpec> = {
  'is-active': { names: 'expand', state: activeState, good: new Set(['active', 'reloading']), failCode: ExitCode.NOT_IMPLEMENTED },
  'is-failed': { names: 'expand', state: activeState, good: new Set(['failed']), failCode: ExitCode.FAILURE },
  'is-enabled': {
    names: 'mangle',
    state: unitFileState,
    good: new Set(['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated']),
    failCode: ExitCode.FAILURE,
  },
};

export interface QueryOptions {
  verb: QueryVerb;
  args: string[];
  quiet: boolean;
  /** is-enabled: also list the symlinks that enable each unit (`--full`). */
  full: boolean;
  /** is-enabled --full: the links in /run (`--runtime`). */
  runtime: boolean;
  json: 'pretty' | 'short' | null;
  connect: ConnectOptions;
}

/** One `--json` record of a query. `links`: is-enabled --full only, else `null`. */
export interface QueryRecord {
  unit: string;
  state: string;
  links: string[] | null;
}

/** `is-active`, `is-failed`, `is-enabled`: one implementation. */
export async function runQuery(o: QueryOptions, io: IO): Promise<void> {
  checkArgCount(o.args, 1);
  const spec = QUERIES[o.verb];
  const records: QueryRecord[] = [];
  let found = false;
  await withConnection(o.connect, async (m) => {
    let names: string[];
    if (spec.names === 'mangle') {
      const r = mangleUnitFileNames(o.args, { quiet: o.quiet, operation: 'to check' });
      for (const n of r.notices) io.err.write(`${escapeTerminal(n)}\n`);
      names = r.names;
    } else {
      const r = await expandUnitNames(m, o.args, { warn: !o.quiet });
      for (const w of r.warnings) io.err.write(`${escapeTerminal(w)}\n`);
      names = r.names;
    }
    for (const name of names) {
      const state = await spec.state(m, name);
      if (spec.good.has(state)) found = true;
      const links = o.verb === 'is-enabled' && o.full ? await m.getUnitFileLinks(name, o.runtime) : null;
      records.push({ unit: name, state, links });
      if (!o.quiet && !o.json) {
        io.out.write(`${escapeTerminal(state)}\n`);
        for (const l of links ?? []) io.out.write(`  ${escapeTerminal(l)}\n`);
      }
    }
  });
  if (o.json) writeJson(io, records, o.json);
  if (!found) io.exitCode = spec.failCode;
}

/** `is-system-running`: the manager's SystemState; exit 0 only for "running". */
export async function runIsSystemRunning(
  o: { args: string[]; quiet: boolean; json: 'pretty' | 'short' | null; connect: ConnectOptions; wait?: boolean },
  io: IO,
): Promise<void> {
  checkArgCount(o.args, 0, 0);
  const state = await withConnection(o.connect, async (m) => {
    // --wait: listen for StartupFinished before reading the state, as systemctl
    const sub = o.wait ? await m.subscribe() : null;
    try {
      let finished: Promise<unknown> | null = null;
      if (sub) finished = new Promise((resolve) => sub.on('StartupFinished', resolve));
      let s: string;
      try {
        s = String(await m.getProperty('SystemState'));
      } catch (e) {
        if (e instanceof SystemdError && e.exitCode !== ExitCode.NO_PERMISSION) return 'unknown'; // as systemctl
        throw e;
      }
      if (finished && (s === 'initializing' || s === 'starting')) {
        await finished;
        s = String(await m.getProperty('SystemState'));
      }
      return s;
    } finally {
      await sub?.unsubscribe().catch(() => undefined);
    }
  });
  if (o.json) writeJson(io, { state }, o.json);
  else if (!o.quiet) io.out.write(`${escapeTerminal(state)}\n`);
  if (state !== 'running') io.exitCode = ExitCode.FAILURE;
}
