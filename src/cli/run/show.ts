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
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
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

/** Gather what `show` prints: job ids first, then units; the manager when nothing is named. */
export async function collectShown(
  bus: Bus,
  args: string[],
  io: IO,
  opts: { quiet: boolean; all: boolean; types?: string[]; dependencies?: DependencyKind | undefined },
): Promise<ShownObject[]> {
  const shown: ShownObject[] = [];
  if (args.length === 0) {
    shown.push({ target: null, path: MANAGER_PATH, properties: await getAllProperties(bus, MANAGER_PATH) });
    return shown;
  }
  const patterns: string[] = [];
  for (const a of args) {
    if (/^\d+$/.test(a) && Number(a) <= 0xffff_ffff) {
      const path = `/org/freedesktop/systemd1/job/${Number(a)}`;
      shown.push({ target: a, path, properties: await getAllProperties(bus, path) });
    } else patterns.push(a);
  }
  if (patterns.length > 0) {
    const manager = new Manager(bus);
    const names = await extendWithDependencies(manager, await expandUnitNames(manager, patterns, io, opts), opts.dependencies, io);
    for (const name of names) {
      const path = unitObjectPath(name);
      shown.push({ target: name, path, properties: await getAllProperties(bus, path) });
    }
  }
  return shown;
}

/** The text systemctl prints for the objects: properties filtered and formatted, blank lines between. */
export function renderShown(shown: ShownObject[], opts: Pick<ShowOptions, 'properties' | 'propertiesGiven' | 'value' | 'all' | 'timestampStyle'>): string {
  const filter = opts.properties.length > 0 || opts.propertiesGiven ? new Set(opts.properties) : null;
  const blocks = shown.map((o) => {
    const lines: string[] = [];
    for (const p of o.properties) {
      if (filter && !filter.has(p.name)) continue;
      lines.push(...formatProperty(p, { showEmpty: opts.all || filter !== null, onlyValue: opts.value, timestampStyle: opts.timestampStyle }));
    }
    return lines.map((l) => `${l}\n`).join('');
  });
  return blocks.join('\n');
}

/** The `--json` records: one object per shown object, property name → typed value. */
export function shownJson(shown: ShownObject[], opts: Pick<ShowOptions, 'properties' | 'propertiesGiven'>): Record<string, unknown>[] {
  const filter = opts.properties.length > 0 || opts.propertiesGiven ? new Set(opts.properties) : null;
  return shown.map((o) => {
    const rec: Record<string, unknown> = {};
    for (const p of o.properties) if (!filter || filter.has(p.name)) rec[p.name] = propertyJson(p);
    return rec;
  });
}

export async function runShow(opts: ShowOptions, io: IO): Promise<void> {
  const bus = await Bus.connect(opts.connect);
  let shown: ShownObject[];
  try {
    shown = await collectShown(bus, opts.args, io, opts);
  } finally {
    bus.close();
  }
  if (opts.json) {
    writeJson(io, shownJson(shown, opts), opts.json);
    return;
  }
  await withPager(io, { enabled: opts.pager }, async (out) => {
    out.out.write(renderShown(shown, opts));
  });
}
