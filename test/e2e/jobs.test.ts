/**
 * `list-jobs`, `cancel`, `kill`, `reset-failed`, `daemon-reload`, `daemon-reexec` of the BUILT
 * CLI against systemctl 252 inside ONE system-mode sandbox: both run in the sandbox's namespaces
 * (as root they talk to systemd's private socket, as uid 65534 to the bus), piped; stdout byte
 * for byte, the exit code, and stderr line by line (ours says `sysherd: ` first and drops the
 * final period). Real jobs are queued (a long oneshot and units ordered after it); signals are
 * checked where they land (a shell's traps write to a file). Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { errLines, sandboxCompare } from './compare-systemctl.js';
import { BIN, ensureBuilt, runCli, runInSandboxPty } from './helpers.js';

let sb: BootedSandbox;
const NOBODY = 65534;
const LONG = 'a-very-long-unit-name-that-goes-on-and-on-and-on-and-on-and-on-forever-and-ever.service';

const { systemctl, sysherd, same } = sandboxCompare(() => sb.dir);

async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function activeState(unit: string): Promise<string> {
  return (await systemctl(['show', '-P', 'ActiveState', unit])).stdout.trim();
}

async function trapLog(): Promise<string[]> {
  const r = await execInSandbox(sb.dir, ['cat', '/run/trap.log']);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** The rows of systemctl's list-jobs table (no legend), as records. */
function parseTable(s: string): { job: number; unit: string; type: string; state: string }[] {
  return s
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [job, unit, type, state] = l.split(/ +/);
      return { job: Number(job), unit: unit!, type: type!, state: state! };
    });
}

async function queueJobs(): Promise<void> {
  const r = await systemctl(['start', '--no-block', 'slow.service', 'after-slow.service', LONG]);
  assert.equal(r.code, 0, r.stderr);
  await waitFor('slow.service running, two jobs waiting', async () => {
    const t = parseTable((await systemctl(['list-jobs', '--no-legend'])).stdout);
    return t.length === 3 && t.some((j) => j.unit === 'slow.service' && j.state === 'running');
  });
}

const trapScript = "trap 'echo HUP >> /run/trap.log' HUP; trap 'echo USR1 >> /run/trap.log' USR1; echo started >> /run/trap.log; while :; do sleep 1 & wait; done";

before(async () => {
  ensureBuilt();
  sb = await bootSandbox('system', {
    units: {
      'slow.service': '[Unit]\nDescription=Slow oneshot\n[Service]\nType=oneshot\nExecStart=/bin/sleep 600\n',
      'after-slow.service': '[Unit]\nDescription=After slow\nAfter=slow.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n',
      [LONG]: '[Unit]\nDescription=Long name\nAfter=slow.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n',
      'trap.service': `[Unit]\nDescription=Traps signals\n[Service]\nExecStart=/bin/sh -c "${trapScript}"\n`,
      'fail.service': '[Unit]\nDescription=Fails\n[Service]\nType=oneshot\nExecStart=/bin/false\n',
      'fail2.service': '[Unit]\nDescription=Fails too\n[Service]\nType=oneshot\nExecStart=/bin/false\n',
    },
  });
});

after(() => sb?.stop());

describe('list-jobs as systemctl 252', () => {
  test('no jobs: "No jobs running.", nothing with --no-legend', async () => {
    await same(['list-jobs'], { code: 0 });
    const r = await same(['list-jobs', '--no-legend'], { code: 0 });
    assert.equal(r.ours.stdout, '');
  });

  test('running and waiting jobs: table, legend, patterns, --after/--before, --full', async () => {
    await queueJobs();
    const r = await same(['list-jobs'], { code: 0 });
    assert.match(r.ours.stdout, /^JOB +UNIT +TYPE +STATE\n/);
    assert.match(r.ours.stdout, /\n\n3 jobs listed\.\n$/);
    for (const args of [
      ['list-jobs', '--after'],
      ['list-jobs', '--before'],
      ['list-jobs', '--after', '--before'],
      ['list-jobs', '--no-legend'],
      ['list-jobs', '--legend=no', '--after'],
      ['list-jobs', 'after*'],
      ['list-jobs', 'nomatch*'],
      ['list-jobs', '--no-legend', 'nomatch*'],
      ['list-jobs', '*.service', 'slow*'],
      ['list-jobs', '--full'],
      ['list-jobs', '--plain', '--no-pager'],
    ]) {
      await same(args, { code: 0 });
    }
    const withTree = await sysherd(['list-jobs', '--after']);
    assert.match(withTree.stdout, /\n└─ +\tblocking job \d+ \(after-slow\.service\/start\) +- +-\n/);
    // an unprivileged user may list jobs
    await same(['list-jobs'], { uid: NOBODY, code: 0 });
  });

  test('--json: every job of the table, field by field; blocking/waiting_for with --after/--before', async () => {
    const table = parseTable((await systemctl(['list-jobs', '--no-legend'])).stdout);
    const r = await sysherd(['list-jobs', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(doc.length, 3);
    doc.forEach((j, i) => {
      assert.deepEqual(Object.keys(j), ['job', 'unit', 'type', 'state']);
      assert.equal(j.job, table[i]!.job);
      assert.equal(j.unit, table[i]!.unit);
      assert.equal(j.type, table[i]!.type);
      assert.equal(j.state, table[i]!.state);
    });
    const slow = table.find((j) => j.unit === 'slow.service')!;
    const waiting = table.filter((j) => j.unit !== 'slow.service');
    const tree = JSON.parse((await sysherd(['list-jobs', '--after', '--before', '-o', 'json'])).stdout) as {
      job: number;
      blocking: { job: number; unit: string; type: string }[];
      waiting_for: { job: number; unit: string; type: string }[];
    }[];
    const slowDoc = tree.find((j) => j.job === slow.job)!;
    assert.deepEqual(
      [...slowDoc.blocking].sort((a, b) => a.job - b.job),
      waiting.map((j) => ({ job: j.job, unit: j.unit, type: 'start' })).sort((a, b) => a.job - b.job),
    );
    assert.deepEqual(slowDoc.waiting_for, []);
    for (const w of waiting) {
      const d = tree.find((j) => j.job === w.job)!;
      assert.deepEqual(d.waiting_for, [{ job: slow.job, unit: 'slow.service', type: 'start' }]);
      assert.deepEqual(d.blocking, []);
    }
    const none = await sysherd(['list-jobs', '--json', 'nomatch*']);
    assert.equal(none.stdout, '[]\n');
  });
});

describe('cancel as systemctl 252', () => {
  test('bad and unknown ids: the same words, exit 1', async () => {
    for (const id of ['abc', '', '12 ', '1e3', '08', '0x', '4294967296', '4000000000', '0x7fffffff', '0b11', '0o7', '010', ' 4000000001']) {
      await same(['cancel', id], { code: 1 });
    }
    await same(['cancel', '--', '-1'], { code: 1 });
    await same(['cancel', '4000000000', '4000000001'], { code: 1 });
  });

  test('as uid 65534: polkit says no, exit 1', async () => {
    const table = parseTable((await systemctl(['list-jobs', '--no-legend'])).stdout);
    const r = await same(['cancel', String(table[0]!.job)], { uid: NOBODY, code: 1 });
    assert.match(r.ours.stderr, /^sysherd: Failed to cancel job \d+: Interactive authentication required\n$/);
    await same(['cancel'], { uid: NOBODY, code: 1 });
    assert.equal(parseTable((await systemctl(['list-jobs', '--no-legend'])).stdout).length, 3);
  });

  test('one job by id (--json names it), then every job', async () => {
    const table = parseTable((await systemctl(['list-jobs', '--no-legend'])).stdout);
    const target = table.find((j) => j.unit === 'after-slow.service')!;
    const r = await sysherd(['cancel', String(target.job), '4000000000', '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'sysherd: Failed to cancel job 4000000000: Job 4000000000 does not exist\n');
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), ['verb', 'ok', 'all', 'jobs']);
    assert.equal(doc.verb, 'cancel');
    assert.equal(doc.ok, false);
    assert.equal(doc.all, false);
    assert.deepEqual(doc.jobs, [
      { job: target.job, unit: 'after-slow.service', type: 'start', ok: true, error: null },
      { job: 4000000000, unit: null, type: null, ok: false, error: { name: 'org.freedesktop.systemd1.NoSuchJob', message: 'Job 4000000000 does not exist.' } },
    ]);
    const left = parseTable((await systemctl(['list-jobs', '--no-legend'])).stdout);
    assert.deepEqual(left.map((j) => j.unit).sort(), [LONG, 'slow.service'].sort());

    const all = await sysherd(['cancel', '--json']);
    assert.equal(all.code, 0, all.stderr);
    const allDoc = JSON.parse(all.stdout) as { verb: string; ok: boolean; all: boolean; jobs: { job: number; unit: string; ok: boolean }[] };
    assert.equal(allDoc.all, true);
    assert.equal(allDoc.ok, true);
    assert.deepEqual(allDoc.jobs.map((j) => j.job).sort(), left.map((j) => j.job).sort());
    await same(['list-jobs'], { code: 0 });
    assert.equal((await sysherd(['list-jobs'])).stdout, 'No jobs running.\n');
    // systemctl's cancel without ids is ClearJobs too, and fine on an empty queue
    await same(['cancel'], { code: 0 });
  });
});

describe('kill as systemctl 252', () => {
  test('the signal arrives: -s HUP, SIGUSR1, 10, RTMIN+n parsing; --kill-whom=main', async () => {
    assert.equal((await systemctl(['start', 'trap.service'])).code, 0);
    await waitFor('trap.service running', async () => (await trapLog()).includes('started'));
    const before = (await trapLog()).length;
    assert.equal((await sysherd(['kill', '-s', 'HUP', 'trap'])).code, 0);
    await waitFor('HUP in the log', async () => (await trapLog()).slice(before).includes('HUP'));
    assert.equal((await sysherd(['kill', '--signal=SIGUSR1', 'trap.service', '--kill-whom=main'])).code, 0);
    assert.equal((await sysherd(['kill', '-s', '10', '--kill-who=all', 'trap'])).code, 0);
    await waitFor('two USR1 in the log', async () => (await trapLog()).slice(before).filter((l) => l === 'USR1').length === 2);
    // systemctl does the same
    await same(['kill', '-s', 'USR1', 'tra*'], { code: 0 });
    await waitFor('a third USR1', async () => (await trapLog()).slice(before).filter((l) => l === 'USR1').length >= 3);
    assert.equal(await activeState('trap.service'), 'active');
  });

  test('bad signals, no unit, unknown units, no control process, a glob matching nothing: same words and codes', async () => {
    for (const s of ['FOO', 'hup', '0', '65', 'SIG9', 'RTMIN+31', 'RTMAX+1', 'IOT', '']) {
      await same(['kill', '-s', s, 'trap'], { code: 1 });
    }
    await same(['kill', '-s', 'help'], { code: 0 });
    await same(['kill'], { code: 1 });
    await same(['kill', 'nosuch', 'nosuch2.service'], { code: 1 });
    await same(['kill', 'a b'], { code: 1 });
    await same(['kill', '-q', 'a b'], { code: 1 });
    await same(['kill', '--kill-whom=control', '-s', 'USR1', 'trap'], { code: 1 });
    await same(['kill', '--job-mode=fail', '--kill-whom=control', '-s', 'USR1', 'trap'], { code: 1 });
    await same(['kill', 'zz*'], { code: 0 });
    await same(['kill', 'trap', ''], { code: 1 });
  });

  test('as uid 65534: polkit says no, exit 1 (as systemctl, not 4)', async () => {
    const r = await same(['kill', '-s', 'USR1', 'trap'], { uid: NOBODY, code: 1 });
    assert.equal(r.ours.stderr, 'sysherd: Failed to kill unit trap.service: Interactive authentication required\n');
    await same(['kill', '--no-ask-password', 'trap'], { uid: NOBODY, code: 1 });
  });

  test('--json, then the default SIGTERM ends the service', async () => {
    const r = await sysherd(['kill', '-s', 'RTMIN+3', 'trap', 'nosuch', '--json', '--kill-whom=main']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'sysherd: Failed to kill unit nosuch.service: Unit nosuch.service not loaded\n');
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(doc, {
      verb: 'kill',
      ok: false,
      signal: 37,
      signal_name: 'SIGRTMIN+3',
      whom: 'main',
      units: [
        { unit: 'trap.service', ok: true, error: null },
        { unit: 'nosuch.service', ok: false, error: { name: 'org.freedesktop.systemd1.NoSuchUnit', message: 'Unit nosuch.service not loaded.' } },
      ],
    });
    // RTMIN+3 is not trapped: the shell died of it
    await waitFor('trap.service down after RTMIN+3', async () => (await activeState('trap.service')) !== 'active');
    assert.equal((await systemctl(['start', 'trap.service'])).code, 0);
    assert.equal(await activeState('trap.service'), 'active');
    const term = await sysherd(['kill', 'trap.service']);
    assert.equal(term.code, 0, term.stderr);
    assert.equal(term.stdout + term.stderr, '');
    await waitFor('trap.service down after SIGTERM', async () => ['inactive', 'failed'].includes(await activeState('trap.service')));
  });
});

describe('reset-failed as systemctl 252', () => {
  test('one unit by name and by glob; unknown units and escaped names: same words', async () => {
    await systemctl(['start', 'fail.service', 'fail2.service']);
    assert.equal((await systemctl(['is-failed', 'fail.service'])).stdout, 'failed\n');
    const r = await sysherd(['reset-failed', 'fail']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout + r.stderr, '');
    assert.equal((await systemctl(['is-failed', 'fail.service'])).stdout, 'inactive\n');
    await same(['reset-failed', 'nosuch', 'a b', '/dev/sda'], { code: 1 });
    await same(['reset-failed', '-q', 'a b'], { code: 1 });
    await same(['reset-failed', 'zz*'], { code: 0 });
    await same(['reset-failed', ''], { code: 1 });
    const g = await sysherd(['reset-failed', 'fail2*', '--json']);
    assert.equal(g.code, 0, g.stderr);
    assert.deepEqual(JSON.parse(g.stdout), { verb: 'reset-failed', ok: true, all: false, units: [{ unit: 'fail2.service', ok: true, error: null }] });
    assert.equal((await systemctl(['is-failed', 'fail2.service'])).stdout, 'inactive\n');
  });

  test('as uid 65534: exit 1 with systemctl words; without patterns: ResetFailed (--json lists what was failed)', async () => {
    await systemctl(['start', 'fail.service']);
    await same(['reset-failed'], { uid: NOBODY, code: 1 });
    await same(['reset-failed', 'fail'], { uid: NOBODY, code: 1 });
    assert.equal((await systemctl(['is-failed', 'fail.service'])).stdout, 'failed\n');
    const r = await sysherd(['reset-failed', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { verb: string; ok: boolean; all: boolean; units: { unit: string; ok: boolean; error: null }[] };
    assert.deepEqual(Object.keys(doc), ['verb', 'ok', 'all', 'units']);
    assert.equal(doc.all, true);
    assert.ok(doc.units.some((u) => u.unit === 'fail.service' && u.ok && u.error === null), r.stdout);
    assert.equal((await systemctl(['is-failed', 'fail.service'])).stdout, 'inactive\n');
    await same(['reset-failed'], { code: 0 });
  });
});

describe('daemon-reload and daemon-reexec as systemctl 252', () => {
  test('daemon-reload: silent success, --json, extra arguments, uid 65534', async () => {
    await same(['daemon-reload'], { code: 0 });
    const r = await sysherd(['daemon-reload', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), ['verb', 'ok', 'duration_ms']);
    assert.equal(doc.verb, 'daemon-reload');
    assert.equal(doc.ok, true);
    assert.equal(typeof doc.duration_ms, 'number');
    await same(['daemon-reload', 'extra'], { code: 1 });
    const denied = await same(['daemon-reload'], { uid: NOBODY, code: 1 });
    assert.equal(denied.ours.stderr, 'sysherd: Reload daemon failed: Interactive authentication required\n');
    await same(['daemon-reexec'], { uid: NOBODY, code: 1 });
    await same(['daemon-reexec', 'a', 'b'], { code: 1 });
  });

  test('daemon-reexec for real: on the private socket the connection drops; over the bus the daemon says NoReply; systemd is back', async () => {
    assert.equal((await systemctl(['start', 'trap.service'])).code, 0);
    const t0 = Date.now();
    const inside = await sysherd(['daemon-reexec', '--json']);
    // the call is dropped, not answered: nothing may hold the process until the 180 s timeout
    assert.ok(Date.now() - t0 < 90_000, `daemon-reexec took ${Date.now() - t0} ms`);
    assert.equal(inside.code, 0, inside.stderr);
    assert.equal(inside.stderr, '');
    const doc = JSON.parse(inside.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), ['verb', 'ok', 'duration_ms', 'ended']);
    assert.equal(doc.verb, 'daemon-reexec');
    assert.equal(doc.ended, 'disconnected');
    await waitFor('the manager answers after reexec', async () => (await sysherd(['list-jobs'])).code === 0);
    // the service kept running across the reexec
    assert.equal(await activeState('trap.service'), 'active');
    // through the bus daemon, from outside the sandbox
    const outside = await runCli(['--address', sb.busAddress, 'daemon-reexec', '--json'], { timeoutMs: 90_000 });
    assert.equal(outside.code, 0, outside.stderr);
    assert.equal((JSON.parse(outside.stdout) as { ended: string }).ended, 'no-reply');
    await waitFor('the manager answers after the second reexec', async () => (await systemctl(['list-jobs'])).code === 0);
    const plain = await sysherd(['daemon-reexec']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout + plain.stderr, '');
    await waitFor('the manager answers after the third reexec', async () => (await systemctl(['list-jobs'])).code === 0);
    await same(['daemon-reexec'], { code: 0 });
    await waitFor('the manager answers after systemctl reexec', async () => (await sysherd(['list-jobs'])).code === 0);
  });
});

/** Run `argv` inside the sandbox as `uid`, on a pseudo-terminal. */
const inPty = (argv: string[], uid: number): ReturnType<typeof runInSandboxPty> => runInSandboxPty(sb.dir, argv, uid);

describe('polkit on a terminal, as uid 65534', () => {
  test('pkttyagent started before the call and ended after it; the denial in systemctl words, exit 1', async () => {
    assert.equal((await systemctl(['start', 'trap.service'])).code, 0);
    for (const args of [['daemon-reload'], ['kill', '-s', 'USR1', 'trap'], ['reset-failed'], ['cancel']]) {
      const theirs = await inPty(['env', 'SYSTEMD_COLORS=0', 'systemctl', ...args], NOBODY);
      const ours = await inPty(['env', 'SYSHERD_DEBUG=1', process.execPath, BIN, ...args], NOBODY);
      assert.equal(theirs.code, 1, theirs.output);
      assert.equal(ours.code, 1, ours.output);
      const lines = ours.output.split('\n').filter((l) => l !== '');
      assert.match(lines[0]!, /^sysherd: polkit agent pkttyagent started \(pid \d+\)$/, ours.output);
      // ended after the last call (a verb's own error is reported after that, by main)
      assert.equal(lines.filter((l) => l === 'sysherd: polkit agent pkttyagent ended').length, 1, ours.output);
      const rest = lines.slice(1).filter((l) => !l.includes('polkit agent'));
      assert.deepEqual(errLines(rest.join('\n')), errLines(theirs.output), `${args.join(' ')}\n${ours.output}\n${theirs.output}`);
    }
    // --no-ask-password: no agent
    const quiet = await inPty(['env', 'SYSHERD_DEBUG=1', process.execPath, BIN, '--no-ask-password', 'daemon-reload'], NOBODY);
    assert.equal(quiet.code, 1);
    assert.doesNotMatch(quiet.output, /pkttyagent/);
  });
});
