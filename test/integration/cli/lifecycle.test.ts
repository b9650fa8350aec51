/**
 * The lifecycle verbs against a real `systemd --user` (one user sandbox): `main()` with an
 * in-memory IO side by side with `SYSTEMCTL_FORCE_BUS=1 systemctl --user` on the same units
 * (stdout, stderr with `systemctl` read as `sysherd`, exit code), and the library's
 * `runTransaction` report and hooks. (The system-mode conformance suite is
 * test/e2e/lifecycle.test.ts.)
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { main } from '../../../src/cli/main.js';
import { runUnitJobs } from '../../../src/core/api.js';
import { expandUnitNames } from '../../../src/core/expand.js';
import { Manager } from '../../../src/core/manager.js';
import { runTransaction } from '../../../src/core/transaction.js';
import { memoryIO } from '../../../src/output/io.js';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.js';

const keep = (unit = ''): string => `[Unit]\n${unit}\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\nExecReload=/bin/true\n`;
const UNITS: Record<string, string> = {
  'l-ok.service': keep(),
  'l-dep.service': keep('Requires=l-ok.service\nAfter=l-ok.service\n'),
  'l-bad.service': '[Service]\nType=oneshot\nExecStart=/bin/false\n',
  'l-tmpl@.service': keep(),
};
const RESET = ['stop', 'l-ok', 'l-dep', 'l-bad', 'l-tmpl@a'];

let sb: BootedSandbox | undefined;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function systemctl(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'systemctl',
      ['--user', ...args],
      { env: { ...process.env, ...sb!.env, SYSTEMCTL_FORCE_BUS: '1', LANG: 'C.UTF-8', SYSTEMD_COLORS: '0' }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

async function sysherd(...args: string[]): Promise<Run> {
  const io = memoryIO();
  const code = await main(['--user', '--address', sb!.busAddress, ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

async function reset(): Promise<void> {
  await systemctl(...RESET);
  await systemctl('reset-failed');
}

const normal = (s: string): string => s.replace(/systemctl/g, 'sysherd').replace(/job \d+ /g, 'job N ');

async function same(args: string[], code: number, setup: () => Promise<unknown> = reset): Promise<Run> {
  await setup();
  const theirs = await systemctl(...args);
  await setup();
  const ours = await sysherd(...args);
  const msg = `${args.join(' ')}\n--- sysherd (exit ${ours.code})\n${ours.stdout}${ours.stderr}--- systemctl (exit ${theirs.code})\n${theirs.stdout}${theirs.stderr}`;
  assert.equal(ours.stdout, theirs.stdout, `stdout\n${msg}`);
  assert.equal(normal(ours.stderr), normal(theirs.stderr), `stderr\n${msg}`);
  assert.equal(ours.code, theirs.code, `exit code\n${msg}`);
  assert.equal(ours.code, code, msg);
  return ours;
}

before(async () => {
  sb = await bootSandbox('user', { units: UNITS });
});
after(async () => {
  await sb?.stop();
});

describe('--user: the same as systemctl --user', () => {
  test('start, stop, restart, reload of an inactive and an active unit', async () => {
    await same(['start', 'l-ok'], 0);
    await same(['stop', 'l-ok'], 0, () => systemctl('start', 'l-ok'));
    await same(['restart', 'l-ok', 'l-tmpl@a'], 0);
    await same(['reload', 'l-ok'], 1);
    await same(['force-reload', 'l-ok'], 0, () => systemctl('start', 'l-ok'));
  });

  test('a failed job names `sysherd --user status` and `journalctl --user`', async () => {
    const r = await same(['start', 'l-bad'], 1);
    assert.match(r.stderr, /See "sysherd --user status l-bad\.service" and "journalctl --user -xeu l-bad\.service" for details\./);
  });

  test('several units, not found, -T, a glob', async () => {
    await same(['start', 'nope', 'l-bad', 'l-ok'], 1);
    await same(['start', 'nope', 'l-ok'], 5);
    await same(['-T', 'start', 'l-dep'], 0);
    await same(['-T', 'stop', 'l-ok'], 0, async () => {
      await reset();
      await systemctl('start', 'l-dep');
    });
    await same(['stop', 'l-*'], 0, async () => {
      await reset();
      await systemctl('start', 'l-dep');
    });
  });
});

describe('runTransaction (library)', () => {
  test('one connection: the report, the auxiliary jobs, the hooks in systemctl order', async () => {
    await reset();
    const m = await Manager.connect({ bus: 'user', address: sb!.busAddress });
    try {
      const { names, warnings } = await expandUnitNames(m, ['l-dep', 'nope', 'l-bad']);
      assert.deepEqual(names, ['l-dep.service', 'nope.service', 'l-bad.service']);
      assert.deepEqual(warnings, []);
      const events: string[] = [];
      const report = await runTransaction(m, names, 'start', {
        hooks: {
          onEnqueued: (j) => events.push(`enqueued ${j.unit}`),
          onEnqueueFailed: (j) => events.push(`refused ${j.unit} ${j.error?.dbusName}`),
          onWaiting: (pending, total) => events.push(`waiting ${pending}/${total}`),
          onJobRemoved: (j, done, total) => events.push(`removed ${j.unit} ${j.result} ${done}/${total}`),
        },
      });
      // every job is queued before any result is reported; results come as the signals came
      assert.deepEqual(events.slice(0, 4), [
        'enqueued l-dep.service',
        'refused nope.service org.freedesktop.systemd1.NoSuchUnit',
        'enqueued l-bad.service',
        'waiting 2/2',
      ]);
      const removed = events.slice(4);
      assert.deepEqual(removed.map((e) => e.replace(/ \d\/2$/, '')).sort(), ['removed l-bad.service failed', 'removed l-dep.service done']);
      assert.deepEqual(removed.map((e) => e.slice(-3)), ['1/2', '2/2']);
      assert.equal(report.exitCode, 1);
      assert.equal(report.waited, true);
      const [dep, nope, bad] = report.units;
      assert.equal(dep!.result, 'done');
      assert.equal(dep!.jobType, 'start');
      assert.equal(typeof dep!.jobId, 'number');
      assert.ok(dep!.ms !== null && dep!.ms >= 0);
      assert.equal(nope!.jobId, null);
      assert.equal(nope!.error?.exitCode, 5);
      assert.equal(bad!.result, 'failed');
      assert.equal(bad!.serviceResult, 'exit-code');
      assert.deepEqual(
        report.auxiliary.map((a) => [a.unit, a.jobType, a.anchor, a.result]),
        [['l-ok.service', 'start', 'l-dep.service', 'done']],
      );
    } finally {
      m.close();
    }
  });

  test('runUnitJobs: one call, names mangled and globs expanded', async () => {
    await reset();
    await systemctl('start', 'l-ok', 'l-tmpl@a');
    const { report, warnings } = await runUnitJobs(['l-tmpl@*', 'l-dep', 'a b'], 'restart', { bus: 'user', address: sb!.busAddress });
    assert.deepEqual(warnings, ['Invalid unit name "a b" escaped as "a\\x20b" (maybe you should use systemd-escape?).']);
    assert.deepEqual(
      report.units.map((u) => [u.unit, u.result, u.error?.exitCode ?? null]),
      [
        ['l-dep.service', 'done', null],
        ['a\\x20b.service', null, 5],
        ['l-tmpl@a.service', 'done', null],
      ],
    );
    assert.equal(report.exitCode, 5);
  });

  test('wait: false returns the queued jobs; the connection stays usable', async () => {
    await reset();
    const m = await Manager.connect({ bus: 'user', address: sb!.busAddress });
    try {
      const report = await runTransaction(m, ['l-ok.service', 'l-tmpl@a.service'], 'restart', { wait: false });
      assert.equal(report.waited, false);
      assert.ok(report.units.every((u) => typeof u.jobId === 'number' && u.result === null && u.ms === null));
      assert.equal(report.exitCode, 0);
      const again = await runTransaction(m, ['l-ok.service'], 'reload');
      assert.equal(again.units[0]!.result, 'done');
    } finally {
      m.close();
    }
  });

  test('a unit whose job is the one an earlier unit pulled in (merged): both end, nothing hangs', async () => {
    // start l-dep pulls in start l-ok; start l-ok then gets that same job, which can end before
    // its own enqueue reply is handled
    for (let i = 0; i < 10; i++) {
      await reset();
      const m = await Manager.connect({ bus: 'user', address: sb!.busAddress });
      try {
        const report = await Promise.race([
          runTransaction(m, ['l-dep.service', 'l-ok.service'], 'start'),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`round ${i}: the transaction did not end in 20 s`)), 20_000).unref()),
        ]);
        assert.deepEqual(report.units.map((u) => [u.unit, u.result]), [['l-dep.service', 'done'], ['l-ok.service', 'done']]);
        assert.equal(report.exitCode, 0);
      } finally {
        m.close();
      }
    }
  });
});
