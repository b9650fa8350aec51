/**
 * The shape of src/: no module imports itself back through others (a cycle makes evaluation
 * order matter and keeps layers from being read one at a time). Every static `import … from`,
 * `export … from` and `import('…')` of a relative path counts, type-only imports too.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const SRC = path.resolve(import.meta.dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return /\.ts$/.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative imports of a file, resolved to .ts files. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const target = path.resolve(path.dirname(file), m[1]!).replace(/\.(js|mjs)$/, '.ts');
    out.push(target.endsWith('.ts') ? target : `${target}.ts`);
  }
  return out;
}

/** Every cycle's files (one per strongly connected component of more than one file, or a self-import). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

describe('src/ imports', () => {
  it('the detector finds a cycle of three and a self-import, and none in a chain', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    assert.deepEqual(cycles(g), [['d'], ['a', 'b', 'c']]);
    assert.deepEqual(cycles(new Map([['x', ['y']], ['y', []]])), []);
  });

  it('no cycles among the modules of src/', () => {
    const graph = new Map<string, string[]>();
    for (const f of sources(SRC)) graph.set(f, importsOf(f, readFileSync(f, 'utf8')));
    assert.ok(graph.size > 50, `read ${graph.size} files`);
    const rel = cycles(graph).map((c) => c.map((f) => path.relative(SRC, f)).join(' → '));
    assert.deepEqual(rel, []);
  });
});
