/**
 * Containers, against systemctl 252 in ONE system-mode sandbox (needs root): `list-machines`
 * (the host alone where no systemd-machined runs, as here), `-M NAME` (the container's bus
 * through `systemd-stdio-bridge -M`; without machined the bridge's own error, which is
 * systemctl's), `-M .host` (the local bus through the bridge), `-r` (root only; without
 * containers the host's units alone). stdout byte for byte, stderr with the program's name
 * swapped, the exit code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { comparableStderr } from '../helpers/compare.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { BIN, ensureBuilt } from './helpers.js';

type Run = { code: number | null; stdout: string; stderr: string };
const ENV = ['env', 'LANG=C.UTF-8'];
let sb: BootedSandbox;

function systemctl(args: string[], uid?: number): Promise<Run> {
  return execInSandbox(sb.dir, [...ENV, 'systemctl', ...args], uid === undefined ? {} : { uid });
}
function sysherd(args: string[], uid?: number): Promise<Run> {
  return execInSandbox(sb.dir, [...ENV, process.execPath, BIN, ...args], uid === undefined ? {} : { uid });
}

async function same(args: string[], uid?: number): Promise<Run> {
  const theirs = await systemctl(args, uid);
  const ours = await sysherd(args, uid);
  const msg = `${args.join(' ')}\n--- sysherd (exit ${ours.code})\n${ours.stdout}${ours.stderr}--- systemctl (exit ${theirs.code})\n${theirs.stdout}${theirs.stderr}`;
  assert.equal(ours.stdout, theirs.stdout, `stdout\n${msg}`);
  const c = comparableStderr(ours.stderr, theirs.stderr);
  assert.equal(c.ours, c.ref.replace(/systemctl/g, 'sysherd'), `stderr\n${msg}`);
  assert.equal(ours.code, theirs.code, `exit code\n${msg}`);
  return ours;
}

before(async () => {
  ensureBuilt();
  sb = await bootSandbox('system', { units: { 'bad.service': '[Service]\nType=oneshot\nExecStart=/bin/false\n' } });
});
after(async () => {
  await sb?.stop();
});

describe('list-machines: the same as systemctl 252', () => {
  const cases: string[][] = [
    ['list-machines'],
    ['list-machines', '--no-legend'],
    ['list-machines', '--legend=no'],
    ['list-machines', '--plain'],
    ['list-machines', '--plain', '--no-legend'],
    ['list-machines', '*'],
    ['list-machines', 'nomatch'],
    ['list-machines', '--plain', 'nomatch'],
    ['list-machines', 'nomatch', '*'],
    ['list-machines', '--full'],
    ['-r', 'list-machines'],
    ['-M', '.host', 'list-machines'],
  ];
  for (const args of cases) {
    test(args.join(' '), async () => {
      await same(args);
    });
  }

  test('the host shows its failed units and state (degraded)', async () => {
    await systemctl(['start', 'bad.service']);
    try {
      const r = await same(['list-machines']);
      assert.match(r.stdout, /^● \S+ \(host\) degraded 1 {6}0$/m);
      await same(['list-machines', '--plain']);
      const j = await sysherd(['list-machines', '--json']);
      const doc = JSON.parse(j.stdout) as { state: string; failedUnits: number }[];
      assert.equal(doc[0]!.state, 'degraded');
      assert.equal(doc[0]!.failedUnits, 1);
    } finally {
      await systemctl(['reset-failed']);
    }
  });

  test('as uid 65534', async () => {
    await same(['list-machines'], 65534);
    await same(['-r', 'list-machines'], 65534);
  });

  test('--json: the host, its state, failed units and jobs', async () => {
    const r = await sysherd(['list-machines', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { name: string; host: boolean; state: string; failedUnits: number; jobs: number }[];
    assert.equal(doc.length, 1);
    assert.equal(doc[0]!.host, true);
    assert.equal(doc[0]!.state, 'running');
    assert.equal(doc[0]!.failedUnits, 0);
    assert.equal(doc[0]!.jobs, 0);
    const none = await sysherd(['list-machines', '--json', 'nomatch']);
    assert.equal(none.stdout, '[]\n');
  });
});

describe('-M/--machine: a container through systemd-stdio-bridge', () => {
  const unknown: string[][] = [
    ['-M', 'foo', 'list-units'],
    ['--machine=foo', 'is-system-running'],
    ['-M', 'foo', 'status'],
    ['-M', 'foo', 'show', '-p', 'Version'],
    ['-M', 'foo', 'start', 'x.service'],
    ['-M', 'foo', 'poweroff'],
    ['-M', 'foo', 'list-machines'],
    ['-M', 'foo', 'list-jobs'],
  ];
  for (const args of unknown) {
    test(`no such container: ${args.join(' ')}`, async () => {
      const r = await same(args);
      assert.equal(r.code, 1);
    });
  }

  for (const args of [
    ['-M', '.host', 'is-system-running'],
    ['-M', '.host', 'list-units', '--no-legend', '--plain', '--state=active', '*.target'],
    ['-M', '.host', 'show', '-p', 'Version,SystemState'],
    ['-M', '.host', 'is-active', 'sandbox.target'],
  ]) {
    test(`the host itself: ${args.join(' ')}`, async () => {
      const r = await same(args);
      assert.equal(r.code, 0);
    });
  }

  test('-M .host --json goes through the bridge too', async () => {
    const r = await sysherd(['-M', '.host', '--json', 'list-units', 'sandbox.target']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { unit: string; active: string }[];
    assert.deepEqual(
      doc.map((u) => [u.unit, u.active]),
      [['sandbox.target', 'active']],
    );
  });
});

describe('-r/--recursive', () => {
  for (const args of [
    ['-r', 'list-units'],
    ['-r', 'list-units', '--all', '--no-legend'],
    ['--recursive', 'list-units', '--state=failed'],
  ]) {
    test(`as root, no containers: ${args.join(' ')}`, async () => {
      await same(args);
    });
  }

  for (const args of [['-r', 'list-units'], ['-r', 'is-system-running'], ['list-units', '--recursive']]) {
    test(`not root: ${args.join(' ')}`, async () => {
      const r = await same(args, 65534);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'sysherd: --recursive requires root privileges\n');
    });
  }
});
