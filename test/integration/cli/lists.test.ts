/**
 * list-dependencies, list-timers, list-sockets against systemctl 252 in ONE system-mode sandbox:
 * both run inside the sandbox's namespaces; stdout, stderr and exit codes compared byte for
 * byte. A relative time ("52min left") can tick between the two calls: such a comparison is made
 * once more. JSON checked field by field. Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../../src/sandbox/sandbox.js';
import { BIN, ensureBuilt } from '../../e2e/helpers.js';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.js';

let sb: BootedSandbox;

const UNITS: Record<string, string> = {
  'run.service': '[Unit]\nDescription=A running service\nWants=helper.service\nAfter=helper.service\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n',
  'helper.service': '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n',
  'bad.service': '[Service]\nExecStart=/bin/false\n',
  'grp.target': '[Unit]\nDescription=Group\nWants=run.service bad.service loop.target\n',
  'loop.target': '[Unit]\nWants=grp.target\n',
  'sock.socket': '[Unit]\nDescription=A socket\n[Socket]\nListenStream=/run/lists-test.sock\nListenDatagram=/run/lists-test.dgram\n',
  'sock.service': '[Service]\nExecStart=/bin/cat\n',
  'tick.timer': '[Unit]\nDescription=A timer\n[Timer]\nOnCalendar=*-*-* 03:00:00\n',
  'tick.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
  'tock.timer': '[Timer]\nOnCalendar=2099-01-01\nUnit=tick.service\n',
  // a cycle in the middle of its siblings: top.service → m.target → (a, top, z)
  'top.service': '[Unit]\nWants=m.target\n[Service]\nExecStart=/bin/true\n',
  'm.target': '[Unit]\nWants=a.service top.service z.service\n',
  'a.service': '[Service]\nExecStart=/bin/true\n',
  'z.service': '[Service]\nExecStart=/bin/true\n',
};

type Run = { code: number | null; stdout: string; stderr: string };

async function both(args: string[]): Promise<{ ctl: Run; herd: Run }> {
  const ctl = await execInSandbox(sb.dir, ['systemctl', ...args]);
  const herd = await execInSandbox(sb.dir, [process.execPath, BIN, ...args]);
  return { ctl, herd };
}

async function assertSame(args: string[], tries = 2): Promise<Run> {
  for (let i = 1; ; i++) {
    const { ctl, herd } = await both(args);
    const same = herd.code === ctl.code && herd.stdout === ctl.stdout && herd.stderr === ctl.stderr;
    if (same) return herd;
    if (i >= tries) {
      const ctx = args.join(' ');
      assert.equal(herd.code, ctl.code, `exit code of ${ctx}`);
      assert.equal(herd.stdout, ctl.stdout, `stdout of ${ctx}`);
      assert.equal(herd.stderr, ctl.stderr, `stderr of ${ctx}`);
    }
  }
}

before(async () => {
  ensureBuilt();
  sb = await bootSandbox('system', { units: UNITS });
  const r = await execInSandbox(sb.dir, ['systemctl', 'start', 'grp.target', 'sock.socket', 'tick.timer', 'tock.timer']);
  assert.equal(r.code, 0, r.stderr);
});
after(() => sb?.stop());

describe('list-dependencies', () => {
  const cases: string[][] = [
    [],
    ['--all'],
    ['--plain'],
    ['--plain', '--all'],
    ['grp.target'],
    ['grp.target', '--all'],
    ['--reverse', 'run.service'],
    ['--reverse', 'helper.service', '--all'],
    ['--after', 'run.service'],
    ['--before', 'helper.service'],
    ['--before', '--all', 'sysinit.target'],
    ['run.service', 'nosuch.service'],
    ['r*'],
    ['--full', '--all'],
    ['top.service'],
    ['--all', 'top.service'],
    ['--reverse', '--all', '--', '-.slice'],
    ['--plain', 'grp.target'],
  ];
  for (const args of cases) test(args.join(' ') || '(default.target)', async () => {
      await assertSame(['list-dependencies', ...args]);
    });
  test('narrow terminal: names cut, deep levels "..."', async () => {
    const ctl = await execInSandbox(sb.dir, ['env', 'COLUMNS=30', 'systemctl', 'list-dependencies', '--all']);
    const herd = await execInSandbox(sb.dir, ['env', 'COLUMNS=30', process.execPath, BIN, 'list-dependencies', '--all']);
    assert.equal(herd.stdout, ctl.stdout);
    assert.match(herd.stdout, /…/);
  });
  test('--json: the tree as nested records', async () => {
    const { herd } = await both(['list-dependencies', '--json', 'grp.target']);
    assert.equal(herd.code, 0, herd.stderr);
    const [tree] = JSON.parse(herd.stdout) as { unit: string; active: string; dependencies: unknown[] }[];
    assert.deepEqual(Object.keys(tree!), ['unit', 'active', 'dependencies']);
    assert.equal(tree!.unit, 'grp.target');
    assert.equal(tree!.active, 'active');
    const kids = tree!.dependencies as { unit: string; active: string; cycle?: boolean; dependencies: { unit: string; cycle?: boolean }[] }[];
    assert.deepEqual(kids.map((k) => k.unit), ['bad.service', 'run.service', 'loop.target']);
    assert.equal(kids[0]!.active, 'failed');
    assert.deepEqual(kids[1]!.dependencies, []);
    // loop.target wants grp.target: a cycle, not expanded
    assert.deepEqual(kids[2]!.dependencies, [{ unit: 'grp.target', active: 'active', cycle: true, dependencies: [] }]);
  });
});

describe('list-timers', () => {
  for (const args of [[], ['--all'], ['tick*'], ['nomatch'], ['--no-legend'], ['-o', 'json'], ['-o', 'json-pretty', '--all'], ['-o', 'json', 'nomatch'], ['-o', 'json-pretty', 'nomatch']]) {
    test(args.join(' ') || '(none)', async () => {
      await assertSame(['list-timers', ...args]);
    });
  }
  test('--json equals -o json', async () => {
    const { ctl, herd } = await both(['list-timers', '-o', 'json']);
    const mine = await execInSandbox(sb.dir, [process.execPath, BIN, 'list-timers', '--json']);
    assert.equal(mine.stdout, herd.stdout);
    const rows = JSON.parse(mine.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows, JSON.parse(ctl.stdout));
    assert.deepEqual(Object.keys(rows[0]!), ['next', 'left', 'last', 'passed', 'unit', 'activates']);
    assert.equal(rows[0]!.unit, 'tick.timer');
    assert.equal(typeof rows[0]!.next, 'number');
    assert.equal(rows[0]!.last, 0);
    assert.equal(rows[1]!.activates, 'tick.service');
  });
});

describe('list-sockets', () => {
  for (const args of [[], ['--all'], ['sock*'], ['nomatch'], ['--no-legend'], ['-o', 'json', '--all'], ['-o', 'json-pretty'], ['-o', 'json', 'nomatch']]) {
    test(args.join(' ') || '(none)', async () => {
      await assertSame(['list-sockets', ...args]);
    });
  }
  test('--json', async () => {
    const { herd } = await both(['list-sockets', '--json', 'sock*']);
    assert.deepEqual(JSON.parse(herd.stdout), [
      { listen: '/run/lists-test.dgram', unit: 'sock.socket', activates: 'sock.service' },
      { listen: '/run/lists-test.sock', unit: 'sock.socket', activates: 'sock.service' },
    ]);
  });
});
