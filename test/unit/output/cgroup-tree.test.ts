import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ASCII_TREE, renderCgroupTree } from '../../../src/output/cgroup-tree.ts';

const P = '   ';

describe('renderCgroupTree (systemctl unit_show_processes)', () => {
  it('processes by PID (right-aligned), then child cgroups by path', () => {
    const lines = renderCgroupTree(
      [
        { cgroup: '/system.slice/a.service/sub2', pid: 30, command: 'two' },
        { cgroup: '/system.slice/a.service', pid: 100, command: 'main --flag' },
        { cgroup: '/system.slice/a.service', pid: 9, command: 'helper' },
        { cgroup: '/system.slice/a.service/sub1', pid: 20, command: 'one' },
      ],
      '/system.slice/a.service',
      { prefix: P, columns: 0 },
    );
    assert.deepEqual(lines, [
      `${P}├─  9 helper`,
      `${P}├─100 main --flag`,
      `${P}├─sub1`,
      `${P}│ └─20 one`,
      `${P}└─sub2`,
      `${P}  └─30 two`,
    ]);
  });

  it('processes outside the shown cgroup come last after ‣; ASCII glyphs; escaping; cutting', () => {
    const lines = renderCgroupTree(
      [
        { cgroup: '/a', pid: 1, command: 'x\x1b[2J' },
        { cgroup: '/elsewhere', pid: 7, command: 'stray' },
      ],
      '/a',
      { prefix: '', columns: 0, glyphs: ASCII_TREE },
    );
    assert.deepEqual(lines, ['`-1 x\\x1b[2J', '> 7 stray']);
    const cut = renderCgroupTree([{ cgroup: '/a', pid: 1, command: 'y'.repeat(50) }], '/a', { prefix: '', columns: 30 });
    assert.equal(cut[0], `└─1 ${'y'.repeat(25)}…`);
  });

  it('nothing for an empty cgroup', () => {
    assert.deepEqual(renderCgroupTree([], '/a', { prefix: P, columns: 0 }), []);
  });
});
