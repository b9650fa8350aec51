/**
 * The jobs verbs' run functions (memory IO) against a REAL `systemd --user` in ONE user-mode
 * sandbox, side by side with `systemctl --user` (252, SYSTEMCTL_FORCE_BUS=1) on the same manager:
 * the same stdout and exit codes, the JSON documents field by field, signals that really arrive.
 * Needs root (the sandbox does).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { runCancel, runListJobs } from '../../../src/cli/run/jobs.js';
import { runDaemonReexec, runDaemonReload, runKill, runResetFailed } from '../../../src/cli/run/manage.js';
import type { ConnectOptions } from '../../../src/core/bus.js';
import { InvalidArgumentError, SystemdError } from '../../../src/core/errors.js';
import { memoryIO } from '../../../src/output/io.js';
import { execInSandbox } from '../../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.js';

let sb: BootedSandbox;
let connect: ConnectOptions;

function systemctl(...args: string[]) {
  return execInSandbox(sb.dir, ['env', 'SYSTEMCTL_FORCE_BUS=1', 'LANG=C.UTF-8', 'systemctl', '--user', ...args]);
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const trapLog = (): string[] => {
  try {
    return fs.readFileSync(path.join(sb.env.XDG_RUNTIME_DIR!, 'trap.log'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

async function state(unit: string): Promise<string> {
  return (await systemctl('show', '-P', 'ActiveState', unit)).stdout.trim();
}

/** A run function's exit code as the CLI would have it: a thrown SystemdError's, else the IO's. */
async function run(fn: (io: ReturnType<typeof memoryIO>) => Promise<unknown>) {
  const io = memoryIO();
  let code = 0;
  try {
    await fn(io);
    code = io.exitCode ?? 0;
  } catch (e) {
    if (!(e instanceof SystemdError)) throw e;
    code = e.exitCode;
    io.err.write(`sysherd: ${e.message.replace(/\.$/, '')}\n`);
  }
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const listJobs = (over: Partial<Parameters<typeof runListJobs>[0]> = {}) =>
  run((io) => runListJobs({ patterns: [], after: false, before: false, legend: true, full: false, json: null, connect, ...over }, io));

before(async () => {
  sb = await bootSandbox('user', {
    units: {
      'slow.service': '[Unit]\nDescription=Slow\n[Service]\nType=oneshot\nExecStart=/bin/sleep 600\n',
      'later.service': '[Unit]\nDescription=Later\nAfter=slow.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n',
      'trap.service':
        "[Unit]\nDescription=Traps\n[Service]\nExecStart=/bin/sh -c \"trap 'echo HUP >> %t/trap.log' HUP; trap 'echo USR2 >> %t/trap.log' USR2; echo started >> %t/trap.log; while :; do sleep 1 & wait; done\"\n",
      'fail.service': '[Unit]\nDescription=Fails\n[Service]\nType=oneshot\nExecStart=/bin/false\n',
    },
  });
  connect = { bus: 'user', address: sb.busAddress };
});

after(() => sb?.stop());

describe('jobs verbs on the user manager', () => {
  test('list-jobs: empty, then a running and a waiting job, as systemctl --user', async () => {
    const empty = await listJobs();
    assert.deepEqual(empty, { code: 0, stdout: (await systemctl('list-jobs')).stdout, stderr: '' });
    assert.equal(empty.stdout, 'No jobs running.\n');
    assert.equal((await systemctl('start', '--no-block', 'slow.service', 'later.service')).code, 0);
    await waitFor('slow running, later waiting', async () => /slow\.service +start running/.test((await systemctl('list-jobs')).stdout));
    for (const over of [{}, { after: true }, { before: true }, { legend: false }, { patterns: ['later*'] }, { patterns: ['x*'] }]) {
      const args = ['list-jobs', ...(over.after ? ['--after'] : []), ...(over.before ? ['--before'] : []), ...(over.legend === false ? ['--no-legend'] : []), ...(over.patterns ?? [])];
      const theirs = await systemctl(...args);
      const ours = await listJobs(over);
      assert.equal(ours.stdout, theirs.stdout, args.join(' '));
      assert.equal(ours.code, theirs.code);
    }
    const json = await listJobs({ json: 'short', after: true });
    const doc = JSON.parse(json.stdout) as { job: number; unit: string; type: string; state: string; blocking: unknown[] }[];
    const rows = (await systemctl('list-jobs', '--no-legend')).stdout.trim().split('\n').map((l) => l.split(/ +/));
    assert.deepEqual(
      doc.map((j) => [String(j.job), j.unit, j.type, j.state]),
      rows,
    );
    const slow = doc.find((j) => j.unit === 'slow.service')!;
    const later = doc.find((j) => j.unit === 'later.service')!;
    assert.deepEqual(slow.blocking, [{ job: later.job, unit: 'later.service', type: 'start' }]);
    assert.deepEqual(later.blocking, []);
  });

  test('cancel: a bad id sends nothing; a job by id; then all (ClearJobs)', async () => {
    await assert.rejects(
      runCancel({ jobs: ['1', 'x'], json: null, connect }, memoryIO()),
      (e: unknown) => e instanceof InvalidArgumentError && e.message === 'Failed to parse job id "x": Invalid argument',
    );
    const doc = JSON.parse((await listJobs({ json: 'short' })).stdout) as { job: number; unit: string }[];
    assert.equal(doc.length, 2, 'nothing was cancelled by the bad id');
    const later = doc.find((j) => j.unit === 'later.service')!;
    const one = await run((io) => runCancel({ jobs: [String(later.job)], json: 'short', connect }, io));
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(JSON.parse(one.stdout), { verb: 'cancel', ok: true, all: false, jobs: [{ job: later.job, unit: 'later.service', type: 'start', ok: true, error: null }] });
    assert.doesNotMatch((await systemctl('list-jobs')).stdout, /later\.service/);
    const gone = await run((io) => runCancel({ jobs: [String(later.job)], json: null, connect }, io));
    const theirs = await systemctl('cancel', String(later.job));
    assert.equal(gone.code, theirs.code);
    assert.equal(gone.stderr, `sysherd: ${theirs.stderr.trim().replace(/\.$/, '')}\n`);
    const all = await run((io) => runCancel({ jobs: [], json: null, connect }, io));
    assert.deepEqual(all, { code: 0, stdout: '', stderr: '' });
    assert.equal((await systemctl('list-jobs')).stdout, 'No jobs running.\n');
  });

  test('kill: the signals arrive (HUP, USR2 to the main process); unknown units fail as systemctl; SIGTERM ends it', async () => {
    assert.equal((await systemctl('start', 'trap.service')).code, 0);
    await waitFor('trap started', () => trapLog().includes('started'));
    const hup = await run((io) => runKill({ units: ['trap'], signal: 'SIGHUP', whom: undefined, jobMode: undefined, quiet: false, json: null, connect }, io));
    assert.deepEqual(hup, { code: 0, stdout: '', stderr: '' });
    const usr2 = await run((io) => runKill({ units: ['tra*'], signal: '12', whom: 'main', jobMode: undefined, quiet: false, json: 'short', connect }, io));
    assert.equal(usr2.code, 0, usr2.stderr);
    assert.deepEqual(JSON.parse(usr2.stdout), { verb: 'kill', ok: true, signal: 12, signal_name: 'SIGUSR2', whom: 'main', units: [{ unit: 'trap.service', ok: true, error: null }] });
    await waitFor('HUP and USR2 in the log', () => trapLog().includes('HUP') && trapLog().includes('USR2'));
    const bad = await run((io) => runKill({ units: ['nosuch', 'trap'], signal: 'USR2', whom: undefined, jobMode: undefined, quiet: false, json: null, connect }, io));
    const theirs = await systemctl('kill', '-s', 'USR2', 'nosuch', 'trap');
    assert.equal(bad.code, theirs.code);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, theirs.stderr.split('\n').filter(Boolean).map((l) => `sysherd: ${l.replace(/\.$/, '')}\n`).join(''));
    await waitFor('two more USR2', () => trapLog().filter((l) => l === 'USR2').length === 3);
    const term = await run((io) => runKill({ units: ['trap.service'], signal: undefined, whom: undefined, jobMode: undefined, quiet: false, json: null, connect }, io));
    assert.equal(term.code, 0, term.stderr);
    await waitFor('trap stopped by SIGTERM', async () => (await state('trap.service')) !== 'active');
  });

  test('reset-failed: one unit, then all; daemon-reload; daemon-reexec on the bus', async () => {
    await systemctl('start', 'fail.service');
    assert.equal((await state('fail.service')), 'failed');
    const one = await run((io) => runResetFailed({ patterns: ['fail'], quiet: false, json: 'short', connect }, io));
    assert.deepEqual(JSON.parse(one.stdout), { verb: 'reset-failed', ok: true, all: false, units: [{ unit: 'fail.service', ok: true, error: null }] });
    assert.equal(await state('fail.service'), 'inactive');
    await systemctl('start', 'fail.service');
    const all = await run((io) => runResetFailed({ patterns: [], quiet: false, json: 'short', connect }, io));
    const doc = JSON.parse(all.stdout) as { all: boolean; units: { unit: string }[] };
    assert.equal(doc.all, true);
    assert.ok(doc.units.some((u) => u.unit === 'fail.service'), all.stdout);
    assert.equal(await state('fail.service'), 'inactive');

    const reload = await run((io) => runDaemonReload({ args: [], json: null, connect }, io));
    assert.deepEqual(reload, { code: 0, stdout: '', stderr: '' });
    const reexec = await run((io) => runDaemonReexec({ args: [], json: 'short', connect }, io));
    assert.equal(reexec.code, 0, reexec.stderr);
    assert.equal((JSON.parse(reexec.stdout) as { ended: string }).ended, 'no-reply');
    await waitFor('the user manager answers again', async () => (await listJobs()).code === 0);
    assert.equal((await listJobs()).stdout, 'No jobs running.\n');
  });
});
