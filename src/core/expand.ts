/**
 * What the user typed → unit names, as systemctl's `expand_unit_names`: every argument is mangled
 * (`unit_name_mangle_with_suffix` with globs allowed: `nginx` → `nginx.service`, `/dev/sda` →
 * `dev-sda.device`, `a b` → `a\x20b.service` with a notice); the plain names come first, in the
 * order given; the globs are then expanded over the units the manager has loaded
 * (`ListUnitsByPatterns`), filtered as systemctl filters a listing (inactive units only with
 * `all`), and appended in the manager's order. A glob that matches nothing adds nothing.
 *
 *     const { names, warnings } = await expandUnitNames(manager, ['nginx', 'ssh*']);
 *     for (const w of warnings) process.stderr.write(`${w}\n`);
 */
import { SystemdError } from './errors.js';
import type { Manager } from './manager.js';
import { isGlob, mangleUnitName, unitObjectPath, unitTypeOf, type UnitType } from './names.js';
import { UnitObject } from './unit.js';
import type { UnitStatus } from './types.js';

export interface ExpandOptions {
  /** The type a bare name gets (`nginx` → `nginx.service`); default `service`. */
  suffix?: UnitType;
  /**
   * Collect systemctl's mangling notices in `warnings` (default `true`; systemctl prints them
   * unless `-q`). They are returned, never printed: the caller writes them to stderr.
   */
  warn?: boolean;
  /** `--all`: globs also match inactive units and units that follow others. */
  all?: boolean;
  /** `--state=`: passed to ListUnitsByPatterns; any unit it returns is kept. */
  states?: string[];
  /** `--type=`: globs keep only units of these types. */
  types?: string[];
}

export interface ExpandResult {
  /** The unit names: plain names first (as given), then every glob match. May hold duplicates, as systemctl's. */
  names: string[];
  /** Notices to print on stderr, in order (`Invalid unit name "a b" escaped as "a\x20b" …`). */
  warnings: string[];
  /** Whether any argument was a glob (systemctl warns `start` with a glob). */
  expanded: boolean;
}

/** systemctl's `output_show_unit` without patterns: which units a glob expands to. */
export function globShowsUnit(u: UnitStatus, opts: Pick<ExpandOptions, 'all' | 'states' | 'types'> = {}): boolean {
  if (opts.types && opts.types.length > 0 && !opts.types.includes(unitTypeOf(u.name) ?? '')) return false;
  if (opts.all) return true;
  if (u.following !== '') return false;
  if (opts.states && opts.states.length > 0) return true;
  if (u.jobId > 0) return true;
  return u.activeState !== 'inactive';
}

/**
 * Mangle only (no bus): the names and globs, and the notices. Throws `InvalidArgumentError`
 * ("Failed to mangle name: Invalid argument") for an empty argument, as systemctl fails.
 */
export function mangleUnitNames(args: string[], opts: Pick<ExpandOptions, 'suffix' | 'warn'> = {}): { names: string[]; globs: string[]; warnings: string[] } {
  const names: string[] = [];
  const globs: string[] = [];
  const warnings: string[] = [];
  for (const arg of args) {
    const m = mangleUnitName(arg, { suffix: opts.suffix ?? 'service', allowGlob: true });
    if (m.warning && opts.warn !== false) warnings.push(m.warning);
    (isGlob(m.name) ? globs : names).push(m.name);
  }
  return { names, globs, warnings };
}

/** Turn arguments into unit names as systemctl's `expand_unit_names` (see the module comment). */
export async function expandUnitNames(manager: Manager, args: string[], opts: ExpandOptions = {}): Promise<ExpandResult> {
  const { names, globs, warnings } = mangleUnitNames(args, opts);
  const expanded = globs.length > 0;
  if (expanded) {
    // only when there is a glob: listing units is the expensive part
    const units = await manager.listUnitsByPatterns(opts.states ?? [], globs);
    for (const u of units) if (globShowsUnit(u, opts)) names.push(u.name);
  }
  return { names, warnings, expanded };
}

/**
 * systemctl's warning when `start` expands a glob (not with `--all` or `-q`): the lines to print
 * on stderr. `program` names the command in them (`sysherd`).
 */
export function startGlobWarning(program = 'sysherd'): string[] {
  return [
    `Warning: ${program} start called with a glob pattern.`,
    'Hint: unit globs expand to loaded units, so start will usually have no effect.',
    '      Passing --all will also load units which are pulled in by other units.',
    `      See ${program}(1) for more details.`,
  ];
}

/** Which dependencies `--with-dependencies` (and list-dependencies) follow: `--reverse`, `--after`, `--before`, or the default. */
export type DependencyKind = 'forward' | 'reverse' | 'after' | 'before';

/** The unit properties each kind follows (v252 `unit_get_dependencies`). */
export const DEPENDENCY_PROPERTIES: Record<DependencyKind, string[]> = {
  forward: ['Requires', 'Requisite', 'Wants', 'ConsistsOf', 'BindsTo', 'Upholds'],
  reverse: ['RequiredBy', 'RequisiteOf', 'WantedBy', 'PartOf', 'BoundBy', 'UpheldBy'],
  after: ['After'],
  before: ['Before'],
};

/**
 * `--with-dependencies`, as systemctl 252's `append_unit_dependencies`: each name, then its
 * direct dependencies of `kind` (in the order the bus lists the properties, each once) that are
 * not in the list yet. A unit whose properties cannot be read (a glob, an invalid name) adds
 * only itself and a warning (`Failed to get properties of NAME: …`, which systemctl prints and
 * goes on).
 */
export async function appendUnitDependencies(
  manager: Manager,
  names: string[],
  kind: DependencyKind,
): Promise<{ names: string[]; warnings: string[] }> {
  const out: string[] = [];
  const warnings: string[] = [];
  const follow = new Set(DEPENDENCY_PROPERTIES[kind]);
  // every unit's properties asked for at once, merged in the order of the names
  const fetched = await Promise.all(
    names.map((name) =>
      new UnitObject(manager.bus, unitObjectPath(name), name).getAll('org.freedesktop.systemd1.Unit').then(
        (props) => ({ props }),
        (error: unknown) => ({ error }),
      ),
    ),
  );
  for (const [i, name] of names.entries()) {
    out.push(name);
    const f = fetched[i]!;
    if ('error' in f) {
      const e = f.error;
      if (!(e instanceof SystemdError) || e.isPermission) throw e;
      warnings.push(`Failed to get properties of ${name}: ${e.message}`);
      continue;
    }
    const props = f.props;
    for (const [prop, value] of Object.entries(props)) {
      if (!follow.has(prop) || !Array.isArray(value)) continue;
      for (const d of value as string[]) if (!out.includes(d)) out.push(d);
    }
  }
  return { names: out, warnings };
}
