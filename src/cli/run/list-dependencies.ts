/**
 * `list-dependencies [UNIT…]`: systemctl 252's tree (systemctl-list-dependencies.c): the
 * dependencies of each unit (Requires, Requisite, Wants, ConsistsOf, BindsTo, Upholds; with
 * `--reverse` the inverse ones; `--after`/`--before` the ordering), targets first-class: only
 * targets are expanded unless `--all`; siblings sorted non-targets first, then by name
 * (case-insensitively); a unit already on the path is a cycle (`...`, after the others). `--plain`: a flat list,
 * each unit once. Default unit: default.target. `--json`: the tree as nested records.
 */
import type { ConnectOptions } from '../../core/bus.js';
import { DEPENDENCY_PROPERTIES, type DependencyKind } from '../../core/expand.js';
import { Manager } from '../../core/manager.js';
import { unitObjectPath } from '../../core/names.js';
import { UnitObject } from '../../core/unit.js';
import { colors } from '../../output/color.js';
import { ellipsize, escapeTerminal } from '../../output/escape.js';
import { terminalColumns, type IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { withPager } from '../../output/pager.js';
import { expandUnitNames } from './show.js';

export interface ListDependenciesOptions {
  units: string[];
  kind: DependencyKind;
  all: boolean;
  plain: boolean;
  full: boolean;
  quiet: boolean;
  json: 'pretty' | 'short' | null;
  pager: boolean;
  connect: ConnectOptions;
  /** `$COLUMNS` and friends (tests). */
  env?: NodeJS.ProcessEnv;
}

/** One node of the `--json` tree. */
export interface DependencyNode {
  unit: string;
  /** ActiveState (`active`, `inactive`, `failed`, …). */
  active: string;
  /** `true` when the unit is already on the path above (systemctl prints `...`); not expanded. */
  cycle?: boolean;
  dependencies: DependencyNode[];
}

const isTarget = (n: string): boolean => n.endsWith('.target');

/** Nodes whose last dependency in sorted order is a cycle (drawing needs it; not in the JSON). */
const endsInCycle = new WeakSet<DependencyNode>();

/** systemctl's `list_dependencies_compare`: non-targets first, then strcasecmp. */
export function compareDependencies(a: string, b: string): number {
  if (isTarget(a) !== isTarget(b)) return isTarget(a) ? 1 : -1;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

interface UnitInfo {
  active: string;
  deps: string[];
}

/** Dependencies and states, each unit asked once. */
class DependencyReader {
  private cache = new Map<string, Promise<UnitInfo>>();
  constructor(
    private manager: Manager,
    private kind: DependencyKind,
  ) {}
  get(name: string): Promise<UnitInfo> {
    let p = this.cache.get(name);
    if (!p) {
      p = (async () => {
        let props: Record<string, unknown>;
        try {
          props = await new UnitObject(this.manager.bus, unitObjectPath(name), name).getAll('org.freedesktop.systemd1.Unit');
        } catch (e) {
          // systemctl's list_dependencies_get_dependencies: "Failed to get properties of NAME: …"
          if (e instanceof Error) e.message = `Failed to get properties of ${name}: ${e.message}`;
          throw e;
        }
        const deps = new Set<string>();
        for (const k of DEPENDENCY_PROPERTIES[this.kind]) for (const d of (props[k] as string[] | undefined) ?? []) deps.add(d);
        return { active: String(props.ActiveState ?? 'inactive'), deps: [...deps].sort(compareDependencies) };
      })();
      this.cache.set(name, p);
    }
    return p;
  }
}

/** Build the tree as systemctl walks it (`list_dependencies_one`). */
export async function buildTree(
  reader: { get(name: string): Promise<UnitInfo> },
  root: string,
  opts: Pick<ListDependenciesOptions, 'all' | 'plain'>,
): Promise<DependencyNode> {
  const seen: string[] = [];
  const walk = async (name: string, active: string): Promise<DependencyNode> => {
    const node: DependencyNode = { unit: name, active, dependencies: [] };
    seen.push(name);
    const { deps } = await reader.get(name);
    // systemctl 252 prints the `...` of units already on the path after all the others
    const cycles: DependencyNode[] = [];
    for (const c of deps) {
      if (seen.includes(c)) {
        if (!opts.plain) cycles.push({ unit: c, active: (await reader.get(c)).active, cycle: true, dependencies: [] });
        continue;
      }
      const st = (await reader.get(c)).active;
      if (opts.all || isTarget(c)) node.dependencies.push(await walk(c, st));
      else node.dependencies.push({ unit: c, active: st, dependencies: [] });
    }
    node.dependencies.push(...cycles);
    if (cycles.length > 0 && seen.includes(deps[deps.length - 1]!)) endsInCycle.add(node);
    if (!opts.plain) seen.splice(seen.lastIndexOf(name), 1);
    return node;
  };
  return walk(root, (await reader.get(root)).active);
}

/** `unit_active_state_to_glyph`, and its colour. */
function glyph(active: string, unicode: boolean): { g: string; color: 'green' | 'red' | null } {
  switch (active) {
    case 'active':
    case 'reloading':
      return { g: unicode ? '●' : '*', color: 'green' };
    case 'activating':
      return { g: unicode ? '●' : '*', color: 'green' };
    case 'deactivating':
      return { g: unicode ? '●' : '*', color: null };
    case 'failed':
      return { g: unicode ? '×' : 'x', color: 'red' };
    case 'maintenance':
      return { g: unicode ? '○' : ' ', color: 'red' };
    default:
      return { g: unicode ? '○' : ' ', color: null };
  }
}

/** The text of one tree (`list_dependencies_print` for every node). */
export function renderTree(tree: DependencyNode, opts: { plain: boolean; full: boolean; columns: number; unicode: boolean; color: boolean }): string {
  const c = colors(opts.color);
  const maxLen = Math.max(opts.columns, 20);
  const V = opts.unicode ? '│ ' : '| ';
  const SPACE = '  ';
  const RIGHT = opts.unicode ? '└─' : '`-';
  const BRANCH = opts.unicode ? '├─' : '|-';
  let out = `${escapeTerminal(tree.unit)}\n`;
  const line = (node: DependencyNode, level: number, branches: number, last: boolean): void => {
    let text = '';
    let len = 0;
    if (opts.plain) {
      text += '  ';
      len += 2;
    } else {
      if (node.cycle) text += '  ';
      else {
        const { g, color } = glyph(node.active, opts.unicode);
        text += `${color === 'green' ? c.green.bold(g) : color === 'red' ? c.red.bold(g) : g} `;
      }
      // systemctl does not count the glyph's two columns against the width
      for (let i = level - 1; i >= 0; i--) {
        len += 2;
        if (len > maxLen - 3 && !opts.full) {
          out += `${text}${maxLen % 2 ? '' : ' '}...\n`;
          return;
        }
        text += branches & (1 << i) ? V : SPACE;
      }
      len += 2;
      if (len > maxLen - 3 && !opts.full) {
        out += `${text}${maxLen % 2 ? '' : ' '}...\n`;
        return;
      }
      text += last || node.cycle ? RIGHT : BRANCH;
    }
    const name = node.cycle ? '...' : escapeTerminal(node.unit);
    out += `${text}${opts.full ? name : ellipsize(name, maxLen - len)}\n`;
  };
  const walk = (node: DependencyNode, level: number, branches: number): void => {
    // As systemctl 252 draws it (observed): the `...` of cycles come after the others, each with
    // └─, so no other unit gets └─; but a subtree is drawn by the unit's place in the sorted list,
    // so the last unit of that list has no │ below it even when a `...` follows.
    const lastOther = endsInCycle.has(node) ? -1 : node.dependencies.reduce((at, d, i) => (d.cycle ? at : i), -1);
    node.dependencies.forEach((d, i) => {
      const last = i === node.dependencies.length - 1;
      line(d, level, branches, last);
      if (d.dependencies.length > 0) walk(d, level + 1, (branches << 1) | (last || i === lastOther ? 0 : 1));
    });
  };
  walk(tree, 0, 0);
  return out;
}

export async function runListDependencies(opts: ListDependenciesOptions, io: IO): Promise<void> {
  const manager = await Manager.connect(opts.connect);
  const trees: DependencyNode[] = [];
  try {
    const units = opts.units.length > 0 ? await expandUnitNames(manager, opts.units, io, { quiet: opts.quiet, all: opts.all }) : ['default.target'];
    const reader = new DependencyReader(manager, opts.kind);
    for (const u of units) trees.push(await buildTree(reader, u, opts));
  } finally {
    manager.close();
  }
  if (opts.json) {
    writeJson(io, trees, opts.json);
    return;
  }
  // systemd's columns(): the terminal's width, else $COLUMNS, else 80 — also when piped
  const columns = io.columns ?? terminalColumns(undefined, opts.env ?? process.env);
  await withPager(io, { enabled: opts.pager }, async (out) => {
    out.out.write(trees.map((t) => renderTree(t, { plain: opts.plain, full: opts.full, columns, unicode: out.unicode, color: out.color })).join('\n'));
  });
}
