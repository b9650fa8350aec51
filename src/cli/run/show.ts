/**
 * `show [UNIT|JOB…]`: every property of the unit (or job, or the manager), as systemctl 252's
 * `show_one`: one `GetAll("")` on the object (all interfaces, in the order systemd sends them),
 * each property formatted by output/properties.ts; several objects separated by a blank line;
 * job ids first, then units (systemctl's order). `--json`: the typed values.
 */
import type { ConnectOptions } from '../../core/bus.js';
import { Bus } from '../../core/bus.js';
import { isGlob, mangleUnitName, unitObjectPath } from '../../core/names.js';
import { Manager } from '../../core/manager.js';
import { MANAGER_PATH } from '../../core/signal.js';
import { type IO, writeDrained } from '../../output/io.js';
import { JsonArrayWriter } from '../../output/json.js';
import { withPager } from '../../output/pager.js';
import { showUnit } from './unit-filter.js';
import { formatProperty, propertyJson, type RawProperty } from '../../output/properties.js';
import type { TimestampStyle } from '../../output/time.js';
import type { DependencyKind } from '../../core/expand.js';
import { extendWithDependencies } from './with-dependencies.js';

export interface ShowOptions {
  /** Unit names, patterns, or job ids. Empty: the manager. */
  args: string[];
  /** `-p`: only these properties. */
  properties: string[];
  /** `-p` was given, even empty (`-p ""`: no property at all, as systemctl). */
  propertiesGiven?: boolean;
  /** `--value`. */
  value: boolean;
  /** `-a`: empty properties too. */
  all: boolean;
  quiet: boolean;
  /** `-t`: unit types, for patterns. */
  types?: string[];
  json: 'pretty' | 'short' | null;
  pager: boolean;
  connect: ConnectOptions;
  /** `--timestamp=STYLE` (text only; `--json` has the µs values). */
  timestampStyle?: TimestampStyle;
  /** `--with-dependencies`: each named unit's dependencies of this kind are shown after it. */
  dependencies?: DependencyKind;
}

/** One object shown: what was asked for and its properties in bus order. */
export interface ShownObject {
  /** The unit name, the job id (as a string), or `null` for the manager. */
  target: string | null;
  path: string;
  properties: RawProperty[];
}

/** `GetAll("")` of an object path: every property of every interface, in the bus's order. */
export async function getAllProperties(bus: Bus, path: string): Promise<RawProperty[]> {
  let dict: unknown;
  try {
    [dict] = await bus.call({ path, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [''], raw: true });
  } catch (e) {
    // systemctl: "Failed to get properties: Unknown object '/org/freedesktop/systemd1/job/9999'."
    if (e instanceof Error && !e.message.startsWith('Failed to get properties')) e.message = `Failed to get properties: ${e.message}`;
    throw e;
  }
  const out: RawProperty[] = [];
  for (const [name, variant] of Object.entries((dict ?? {}) as Record<string, { signature: string; value: unknown }>)) {
    out.push({ name, signature: variant.signature, value: variant.value });
  }
  return out;
}

/** systemctl's `expand_unit_names`: mangle; globs become the loaded units they match. */
export async function expandUnitNames(
  manager: Manager,
  patterns: string[],
  io: IO,
  opts: { quiet: boolean; all: boolean; types?: string[] },
): Promise<string[]> {
  const names: string[] = [];
  const globs: string[] = [];
  for (const p of patterns) {
    const m = mangleUnitName(p, { allowGlob: true });
    if (m.warning && !opts.quiet) io.err.write(`${m.warning}\n`);
    (isGlob(m.name) ? globs : names).push(m.name);
  }
  if (globs.length > 0) {
    const units = await manager.listUnitsByPatterns([], globs);
    // get_unit_list → output_show_unit: without --all, inactive units are left out
    names.push(...units.filter((u) => showUnit(u, { all: opts.all, states: [], types: opts.types ?? [] })).map((u) => u.name));
  }
  return names;
}

/** How many objects' properties are fetched ahead of the one being written. */
const FETCH_AHEAD = 32;

/**
 * `GetAll` of each target in order, `FETCH_AHEAD` calls ahead, each handed to `each` as it
 * comes and then dropped: the output of 10,000 units never sits in memory at once.
 */
async function fetchInOrder(bus: Bus, targets: { target: string; path: string }[], each: (o: ShownObject) => Promise<void>): Promise<void> {
  const ahead: Promise<RawProperty[]>[] = [];
  let next = 0;
  const fetchNext = (): void => {
    const p = getAllProperties(bus, targets[next++]!.path);
    p.catch(() => {
      // awaited below in order; a later call failing after an earlier error is not unhandled
    });
    ahead.push(p);
  };
  while (next < targets.length && ahead.length < FETCH_AHEAD) fetchNext();
  for (let i = 0; i < targets.length; i++) {
    const properties = await ahead.shift()!;
    if (next < targets.length) fetchNext();
    await each({ ...targets[i]!, properties });
  }
}

/**
 * Fetch what `show` prints and hand it over object by object, in systemctl's order: job ids
 * first, then units; the manager when nothing is named. Like systemctl, what came before an
 * error has been handed over when it throws.
 */
export async function forEachShown(
  bus: Bus,
  args: string[],
  io: IO,
  opts: { quiet: boolean; all: boolean; types?: string[]; dependencies?: DependencyKind | undefined },
  each: (o: ShownObject) => Promise<void>,
): Promise<void> {
  if (args.length === 0) {
    await each({ target: null, path: MANAGER_PATH, properties: await getAllProperties(bus, MANAGER_PATH) });
    return;
  }
  const patterns: string[] = [];
  const jobs: { target: string; path: string }[] = [];
  for (const a of args) {
    if (/^\d+$/.test(a) && Number(a) <= 0xffff_ffff) jobs.push({ target: a, path: `/org/freedesktop/systemd1/job/${Number(a)}` });
    else patterns.push(a);
  }
  await fetchInOrder(bus, jobs, each);
  if (patterns.length > 0) {
    const manager = new Manager(bus);
    const names = await extendWithDependencies(manager, await expandUnitNames(manager, patterns, io, opts), opts.dependencies, io);
    await fetchInOrder(bus, names.map((name) => ({ target: name, path: unitObjectPath(name) })), each);
  }
}

/** The text systemctl prints for one object: its properties filtered and formatted. */
export function renderShownObject(o: ShownObject, opts: Pick<ShowOptions, 'properties' | 'propertiesGiven' | 'value' | 'all' | 'timestampStyle'>): string {
  const filter = opts.properties.length > 0 || opts.propertiesGiven ? new Set(opts.properties) : null;
  const lines: string[] = [];
  for (const p of o.properties) {
    if (filter && !filter.has(p.name)) continue;
    lines.push(...formatProperty(p, { showEmpty: opts.all || filter !== null, onlyValue: opts.value, timestampStyle: opts.timestampStyle }));
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** The `--json` record of one object: property name → typed value. */
export function shownJson(o: ShownObject, opts: Pick<ShowOptions, 'properties' | 'propertiesGiven'>): Record<string, unknown> {
  const filter = opts.properties.length > 0 || opts.propertiesGiven ? new Set(opts.properties) : null;
  const rec: Record<string, unknown> = {};
  for (const p of o.properties) if (!filter || filter.has(p.name)) rec[p.name] = propertyJson(p);
  return rec;
}

export async function runShow(opts: ShowOptions, io: IO): Promise<void> {
  const bus = await Bus.connect(opts.connect);
  try {
    if (opts.json) {
      // each record written as it comes (status's streaming writer): 10,000 units never sit in memory
      const json = new JsonArrayWriter((s) => writeDrained(io.out, s), opts.json === 'pretty');
      let done = false;
      try {
        await forEachShown(bus, opts.args, io, opts, async (o) => {
          await json.push(shownJson(o, opts));
        });
        done = true;
      } finally {
        // stopped part-way after some records: what was written stays one valid document
        if (done || json.started) await json.end();
      }
      return;
    }
    await withPager(io, { enabled: opts.pager }, async (out) => {
      let first = true;
      // systemctl: objects separated by a blank line, each written as it comes
      await forEachShown(bus, opts.args, io, opts, async (o) => {
        const text = `${first ? '' : '\n'}${renderShownObject(o, opts)}`;
        first = false;
        await writeDrained(out.out, text);
      });
      bus.close();
    });
  } finally {
    bus.close();
  }
}
