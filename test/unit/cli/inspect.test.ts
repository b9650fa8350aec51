/** Pure parts of the inspect and list verbs: dependency trees, man arguments, timers, JSON. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manArgs } from '../../../src/cli/run/help.ts';
import { buildTree, compareDependencies, renderTree } from '../../../src/cli/run/list-dependencies.ts';
import { systemdPrettyJson } from '../../../src/cli/run/list-sockets.ts';
import { calcNextElapse } from '../../../src/output/time.ts';

const graph: Record<string, { active: string; deps: string[] }> = {
  'a.target': { active: 'active', deps: ['x.service', 'b.target'] },
  'b.target': { active: 'inactive', deps: ['a.target', 'y.service', 'z.service'] },
  'x.service': { active: 'failed', deps: ['z.service'] },
  'y.service': { active: 'active', deps: [] },
  'z.service': { active: 'active', deps: [] },
};
const reader = { get: async (n: string) => graph[n] ?? { active: 'inactive', deps: [] } };

describe('list-dependencies', () => {
  it('sorts non-targets first, then by name', () => {
    assert.deepEqual(['b.target', 'Z.service', 'a.service', 'a.target'].sort(compareDependencies), ['a.service', 'Z.service', 'a.target', 'b.target']);
  });
  it('expands targets only (all: everything), marks cycles, draws the tree', async () => {
    const tree = await buildTree(reader, 'a.target', { all: false, plain: false });
    const text = renderTree(tree, { plain: false, full: false, columns: 80, unicode: true, color: false });
    // the cycle (a.target) comes after the others, always with └─
    assert.equal(text, 'a.target\n× ├─x.service\n○ └─b.target\n●   ├─y.service\n●   ├─z.service\n    └─...\n');
    const all = await buildTree(reader, 'a.target', { all: true, plain: false });
    assert.equal(all.dependencies[0]!.dependencies[0]!.unit, 'z.service');
    const plain = renderTree(await buildTree(reader, 'a.target', { all: true, plain: true }), { plain: true, full: false, columns: 80, unicode: true, color: false });
    assert.equal(plain, 'a.target\n  x.service\n  z.service\n  b.target\n  y.service\n');
  });
  it('cuts names to the width', async () => {
    const tree = await buildTree(reader, 'a.target', { all: false, plain: false });
    const text = renderTree(tree, { plain: false, full: false, columns: 20, unicode: true, color: false });
    assert.match(text, /^× ├─x\.service$/m);
    const narrow = renderTree({ unit: 'r', active: 'active', dependencies: [{ unit: 'a-very-long-unit-name.service', active: 'active', dependencies: [] }] }, { plain: false, full: false, columns: 20, unicode: true, color: false });
    assert.equal(narrow, 'r\n● └─a-very-long-unit-…\n');
  });
});

describe('help', () => {
  it('turns page(section) into man SECTION PAGE', () => {
    assert.deepEqual(manArgs('systemd.unit(5)'), ['5', 'systemd.unit']);
    assert.deepEqual(manArgs('true'), ['true']);
  });
});

describe('list-timers / list-sockets helpers', () => {
  it('calcNextElapse converts the monotonic elapse and takes the earlier', () => {
    const now = { realtime: 1_000_000_000n, monotonic: 5_000n };
    assert.equal(calcNextElapse(now, { realtime: 0n, monotonic: 6_000n }), 1_000_001_000n);
    assert.equal(calcNextElapse(now, { realtime: 1_000_000_500n, monotonic: 6_000n }), 1_000_000_500n);
    assert.equal(calcNextElapse(now, { realtime: 7n, monotonic: 0n }), 7n);
  });
  it("systemd's pretty JSON layout", () => {
    assert.equal(systemdPrettyJson([{ a: 1, b: 'x' }]), '[\n\t{\n\t\t"a" : 1,\n\t\t"b" : "x"\n\t}\n]');
    assert.equal(systemdPrettyJson([]), '[]');
  });
});
