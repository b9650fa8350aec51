/**
 * The process tree under a cgroup, drawn as systemctl draws it (systemd src/shared/bus-unit-procs.c
 * `unit_show_processes`): processes of a cgroup by PID, then its child cgroups by path, with
 * ├─ └─ │ glyphs; processes in cgroups outside the shown one last, after ‣. Command lines are
 * escaped for the terminal.
 */
import type { UnitProcess } from '../core/types.js';
import { displayWidth, ellipsize, escapeTerminal } from './escape.js';
import { ANSI } from './color.js';

export interface TreeGlyphs {
  branch: string;
  right: string;
  vertical: string;
  space: string;
  bullet: string;
}

export const UNICODE_TREE: TreeGlyphs = { branch: '├─', right: '└─', vertical: '│ ', space: '  ', bullet: '‣' };
export const ASCII_TREE: TreeGlyphs = { branch: '|-', right: '`-', vertical: '| ', space: '  ', bullet: '>' };

interface Node {
  path: string;
  pids: Map<number, string>;
  children: Node[];
  done: boolean;
}

function emptyOrRoot(p: string): boolean {
  return p === '' || /^\/+$/.test(p);
}

function cmp(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/**
 * The lines of the tree below `cgroupPath` (without it), each starting with `prefix`.
 * `columns` 0 means full width (systemctl when not on a terminal, with a pager, or with -l).
 */
export function renderCgroupTree(
  processes: UnitProcess[],
  cgroupPath: string,
  opts: { prefix: string; columns: number; glyphs?: TreeGlyphs; /** Colour of the PID and command (systemctl's grey), '' for none. */ grey?: string },
): string[] {
  const g = opts.glyphs ?? UNICODE_TREE;
  const on = opts.grey ?? '';
  const off = on === '' ? '' : ANSI.normal;
  const nodes = new Map<string, Node>();
  const add = (path: string): Node => {
    const p = emptyOrRoot(path) ? '/' : path;
    let n = nodes.get(p);
    if (n) return n;
    n = { path: p, pids: new Map(), children: [], done: false };
    nodes.set(p, n);
    if (p !== '/') {
      const i = p.lastIndexOf('/');
      const parent = add(i <= 0 ? '/' : p.slice(0, i));
      parent.children.push(n);
    }
    return n;
  };
  for (const proc of processes) {
    if (proc.pid <= 0) continue;
    add(proc.cgroup).pids.set(proc.pid, proc.command);
  }
  const out: string[] = [];
  const dump = (path: string, prefix: string, columns: number): void => {
    const n = nodes.get(emptyOrRoot(path) ? '/' : path);
    if (!n) return;
    if (n.pids.size > 0) {
      const pids = [...n.pids.keys()].sort((a, b) => a - b);
      const width = String(pids[pids.length - 1]).length;
      pids.forEach((pid, i) => {
        let name = escapeTerminal(n.pids.get(pid)!);
        if (columns !== 0) name = ellipsize(name, Math.max(columns - (2 + width + 1), 20));
        const more = i + 1 < pids.length || n.children.length > 0;
        out.push(`${prefix}${more ? g.branch : g.right}${on}${String(pid).padStart(width, ' ')} ${name}${off}`);
      });
    }
    if (n.children.length > 0) {
      const children = [...n.children].sort((a, b) => cmp(a.path, b.path));
      const cols = columns !== 0 ? Math.max(columns - 2, 20) : 0;
      children.forEach((child, i) => {
        const more = i + 1 < children.length;
        out.push(`${prefix}${more ? g.branch : g.right}${escapeTerminal(child.path.slice(child.path.lastIndexOf('/') + 1))}`);
        dump(child.path, prefix + (more ? g.vertical : g.space), cols);
      });
    }
    n.done = true;
  };
  dump(cgroupPath, opts.prefix, opts.columns);
  // processes in cgroups not shown above (e.g. moved out): one sorted list
  const extra: [number, string][] = [];
  for (const n of nodes.values()) {
    if (n.done) continue;
    for (const [pid, name] of n.pids) extra.push([pid, name]);
  }
  if (extra.length > 0) {
    extra.sort((a, b) => a[0] - b[0]);
    const width = String(extra[extra.length - 1]![0]).length;
    for (const [pid, raw] of extra) {
      let name = escapeTerminal(raw);
      if (opts.columns !== 0) name = ellipsize(name, Math.max(opts.columns - (2 + width + 1), 20));
      out.push(`${opts.prefix}${g.bullet} ${on}${String(pid).padStart(width, ' ')} ${name}${off}`);
    }
  }
  return out;
}
