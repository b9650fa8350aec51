/**
 * The lifecycle verbs of the BUILT CLI against systemctl 252 inside ONE system-mode sandbox:
 * both run in the sandbox's namespaces on the same units, each from the same starting state
 * (a setup script runs before each of the two runs); stdout byte for byte, stderr byte for byte
 * with `systemctl` read as `sysherd` and job ids as N, exit codes equal. Then what systemctl
 * never had: --json, the spinner on a pseudo-terminal (and none when piped), pkttyagent as
 * uid 65534, Ctrl-C while waiting. Needs root.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { BIN, cliEnv, ensureBuilt, projectRoot, renderTerminal, runCli, runCliInPty, runInSandboxPty, shellQuote } from './helpers.js';

let sb: BootedSandbox;
const ENV = ['env', 'LANG=C.UTF-8'];
type Run = { code: number | null; stdout: string; stderr: string };

const oneshot = (exec: string, extra = '', unit = ''): string =>
  `[Unit]\n${unit}\n[Service]\nType=oneshot\nExecStart=${exec}\n${extra}`;
const keep = (exec = '/bin/true', unit = ''): string => oneshot(exec, 'RemainAfterExit=yes\n', unit);

const UNITS: Record<string, string> = {
  'ok.service': keep('/bin/true') + 'ExecReload=/bin/true\n',
  'bad.service': oneshot('/bin/false'),
  'dep.service': keep('/bin/true', 'Requires=ok.service\nAfter=ok.service\n'),
  'depfail.service': oneshot('/bin/true', '', 'Requires=bad.service\nAfter=bad.service\n'),
  'tmpl@.service': keep(),
  'static.service': keep(),
  'badset.service': '[Service]\nType=oneshot\n',
  'ok.socket': '[Socket]\nListenStream=/run/ok.sock\nService=ok.service\n',
  'slow.service': keep('/bin/sleep 3'),
  'slowa.service': keep('/bin/sleep 0.5'),
  'slowb.service': keep('/bin/sleep 1.5'),
  'many@.service': keep(),
};
/** The state every comparison starts from (a unit's job may still run: stop waits for it). */
const RESET = 'systemctl stop ok.socket ok dep bad depfail slow tmpl@a tmpl@b; systemctl reset-failed';

function systemctl(args: string[], uid?: number): Promise<Run> {
  return execInSandbox(sb.dir, [...ENV, 'systemctl', ...args], uid === undefined ? {} : { uid });
}
function sysherd(args: string[], uid?: number): Promise<Run> {
  return execInSandbox(sb.dir, [...ENV, process.execPath, BIN, ...args], uid === undefined ? {} : { uid });
}
async function sh(script: string): Promise<void> {
  await execInSandbox(sb.dir, ['sh', '-c', script]);
}

const normal = (s: string): string => s.replace(/systemctl/g, 'sysherd').replace(/job \d+ /g, 'job N ');

/** Run systemctl, then sysherd, each after `setup`; compare everything. */
async function same(args: string[], setup: string, code?: number): Promise<{ ours: Run; theirs: Run }> {
  await sh(setup);
  const theirs = await systemctl(args);
  await sh(setup);
  const ours = await sysherd(args);
  const msg = `${args.join(' ')}\n--- sysherd (exit ${ours.code})\n${ours.stdout}${ours.stderr}--- systemctl (exit ${theirs.code})\n${theirs.stdout}${theirs.stderr}`;
  assert.equal(ours.stdout, theirs.stdout, `stdout\n${msg}`);
  assert.equal(normal(ours.stderr), normal(theirs.stderr), `stderr\n${msg}`);
  assert.equal(ours.code, theirs.code, `exit code\n${msg}`);
  if (code !== undefined) assert.equal(ours.code, code, msg);
  return { ours, theirs };
}

async function activeState(unit: string): Promise<string> {
  return (await systemctl(['show', '-P', 'ActiveState', unit])).stdout.trim();
}

before(async () => {
  ensureBuilt();
  sb = await bootSandbox('system', {
    units: UNITS,
    setup: async (dir) => {
      await fsp.symlink('/dev/null', path.join(dir, 'masked.service'));
      await fsp.symlink('ok.service', path.join(dir, 'alias.service'));
    },
  });
});
after(async () => {
  await sb?.stop();
});

describe('lifecycle verbs: the same as systemctl 252', () => {
  const ACTIVE = `${RESET}; systemctl start ok`;
  const cases: [string[], string, number][] = [
    [['start', 'ok'], RESET, 0],
    [['stop', 'ok'], ACTIVE, 0],
    [['restart', 'ok'], ACTIVE, 0],
    [['restart', 'ok'], RESET, 0],
    [['reload', 'ok'], ACTIVE, 0],
    [['reload', 'ok'], RESET, 1], // not active, cannot reload
    [['try-restart', 'ok'], RESET, 0],
    [['try-restart', 'ok'], ACTIVE, 0],
    [['reload-or-restart', 'ok'], ACTIVE, 0],
    [['try-reload-or-restart', 'ok'], ACTIVE, 0],
    [['condrestart', 'ok'], ACTIVE, 0],
    [['force-reload', 'ok'], ACTIVE, 0],
    [['condreload', 'ok'], ACTIVE, 0],
    [['reload-or-try-restart', 'ok'], ACTIVE, 0],
    [['condstop', 'ok'], ACTIVE, 0],
    // failed, masked, static, not-found, bad settings
    [['start', 'bad'], RESET, 1],
    [['restart', 'bad'], `${RESET}; systemctl start bad`, 1],
    [['start', 'depfail'], RESET, 1],
    [['start', 'badset'], RESET, 1],
    [['start', 'masked'], RESET, 1],
    [['try-restart', 'masked'], RESET, 0],
    [['try-reload-or-restart', 'masked.service'], RESET, 0],
    [['reload', 'static'], RESET, 3],
    [['start', 'static'], RESET, 0],
    [['start', 'nope'], RESET, 5],
    [['stop', 'nope'], RESET, 5],
    [['reload-or-restart', 'nope.service'], RESET, 5],
    // names: template and instance, alias, mangling, globs
    [['start', 'tmpl@a'], RESET, 0],
    [['start', 'tmpl@'], RESET, 1],
    [['start', 'alias'], RESET, 0],
    [['-T', 'restart', 'alias.service'], ACTIVE, 0],
    [['start', 'a b'], RESET, 5],
    [['start', '@foo'], RESET, 1],
    [['start', ''], RESET, 1],
    [['start'], RESET, 1],
    [['start', '/home/x'], RESET, 5],
    [['start', 'o*'], ACTIVE, 0],
    [['stop', 'o*'], ACTIVE, 0],
    [['stop', '--all', 'tmpl@*'], `${RESET}; systemctl start tmpl@a`, 0],
    [['start', 'zz*'], RESET, 0],
    // several units at once: every unit is tried; a failed job decides over a refused one
    [['start', 'nope', 'bad', 'ok', 'masked'], RESET, 1],
    [['start', 'nope', 'ok', 'masked'], RESET, 5],
    [['start', 'ok', 'dep', 'tmpl@a', 'tmpl@b'], RESET, 0],
    [['-q', 'start', 'bad', 'nope'], RESET, 1],
    // the transaction: -T, dependents, triggering units
    [['-T', 'start', 'dep'], RESET, 0],
    [['-T', 'stop', 'ok'], `${RESET}; systemctl start dep`, 0],
    [['-T', 'start', 'depfail'], RESET, 1],
    [['stop', 'ok'], `${RESET}; systemctl start ok.socket ok`, 0],
    [['-q', 'stop', 'ok'], `${RESET}; systemctl start ok.socket ok`, 0],
    [['--no-block', '-T', 'start', 'slow'], RESET, 0],
    [['--job-mode=fail', 'stop', 'ok'], ACTIVE, 0],
  ];
  for (const [args, setup, code] of cases) {
    test(`${args.map((a) => (a === '' ? "''" : a)).join(' ')} (exit ${code})`, async () => {
      await same(args, setup, code);
    });
  }

  test('NeedDaemonReload: the same warning', async () => {
    await sh(`${RESET}; systemctl start ok`);
    await fsp.appendFile(path.join(sb.unitDir, 'ok.service'), '# changed\n');
    try {
      const { ours } = await same(['restart', 'ok'], 'true', 0);
      assert.match(ours.stderr, /changed on disk\. Run 'sysherd daemon-reload' to reload units\./);
      // -q keeps it, as systemctl
      await same(['-q', 'restart', 'ok'], 'true', 0);
    } finally {
      await systemctl(['daemon-reload']);
    }
  });
});

describe('--json: the transaction as one document', () => {
  test('stop lists the dependents it took down', async () => {
    await sh(`${RESET}; systemctl start dep`);
    const r = await sysherd(['stop', '--json', 'ok']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['verb', 'jobType', 'jobMode', 'waited', 'units', 'auxiliary', 'exitCode']);
    assert.equal(doc.verb, 'stop');
    assert.equal(doc.jobType, 'stop');
    assert.equal(doc.jobMode, 'replace');
    assert.equal(doc.waited, true);
    assert.equal(doc.exitCode, 0);
    assert.equal(doc.units.length, 1);
    const u = doc.units[0];
    assert.deepEqual(Object.keys(u), ['unit', 'job', 'type', 'result', 'serviceResult', 'ms', 'error']);
    assert.equal(u.unit, 'ok.service');
    assert.equal(typeof u.job, 'number');
    assert.equal(u.type, 'stop');
    assert.equal(u.result, 'done');
    assert.equal(u.serviceResult, null);
    assert.equal(typeof u.ms, 'number');
    assert.equal(u.error, null);
    assert.deepEqual(
      doc.auxiliary.map((a: Record<string, unknown>) => ({ ...a, job: typeof a.job })),
      [{ unit: 'dep.service', job: 'number', type: 'stop', anchor: 'ok.service', result: 'done' }],
    );
    assert.equal(await activeState('dep.service'), 'inactive');
  });

  test('start: dependencies pulled in, failures, refused units, -q and stderr as systemctl', async () => {
    await sh(RESET);
    const r = await sysherd(['start', '--json', 'nope', 'depfail', 'dep']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(
      doc.units.map((u: Record<string, unknown>) => [u.unit, u.type, u.result, u.error && (u.error as { name: string }).name]),
      [
        ['nope.service', null, null, 'org.freedesktop.systemd1.NoSuchUnit'],
        ['depfail.service', 'start', 'dependency', null],
        ['dep.service', 'start', 'done', null],
      ],
    );
    const aux = doc.auxiliary.map((a: Record<string, unknown>) => [a.unit, a.type, a.anchor, a.result]);
    assert.deepEqual(aux, [
      ['bad.service', 'start', 'depfail.service', 'failed'],
      ['ok.service', 'start', 'dep.service', 'done'],
    ]);
    assert.equal(doc.exitCode, 1);
    // stderr: what systemctl says
    assert.equal(
      r.stderr,
      "Failed to start nope.service: Unit nope.service not found.\nA dependency job for depfail.service failed. See 'journalctl -xe' for details.\n",
    );
  });

  test('--no-block: the queued jobs, no results', async () => {
    await sh(RESET);
    const r = await sysherd(['start', '--no-block', '--json=short', 'slow']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n').length, 2, 'one line');
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.waited, false);
    assert.equal(doc.units[0].unit, 'slow.service');
    assert.equal(doc.units[0].type, 'start');
    assert.equal(doc.units[0].result, null);
    assert.equal(doc.units[0].ms, null);
    assert.equal(typeof doc.units[0].job, 'number');
    await sh('systemctl stop slow');
  });
});

describe('progress on a terminal', () => {
  test('the spinner advances on each JobRemoved and ends with one ✔ line per unit; stdout stays empty', async () => {
    await sh('systemctl stop slowa slowb');
    const r = await runCliInPty(['--address', sb.busAddress, 'start', 'slowa', 'slowb'], { cols: 100, rows: 20, timeoutMs: 60_000 });
    assert.equal(r.killed, null);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Starting 2 units…/);
    assert.match(r.output, /1\/2 done/, 'the spinner advanced after the first job');
    const screen = renderTerminal(r.output).filter((l) => l.trim() !== '');
    assert.equal(screen.length, 2, screen.join('\n'));
    assert.match(screen[0]!, /^✔ slowa\.service start done in \d+ ms$/);
    assert.match(screen[1]!, /^✔ slowb\.service start done in \d+(\.\d)? m?s$/);
  });

  test('a failure: ✖ and systemctl\'s message above it', async () => {
    const r = await runCliInPty(['--address', sb.busAddress, 'restart', 'bad'], { cols: 120, rows: 20, timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.output);
    const screen = renderTerminal(r.output).filter((l) => l.trim() !== '');
    assert.equal(screen[0], 'Job for bad.service failed because the control process exited with error code.');
    assert.match(screen[1]!, /^See "sysherd status bad\.service" and "journalctl -xeu bad\.service" for details\.$/);
    assert.match(screen[2]!, /^✖ bad\.service restart failed \(exit-code\) in \d+ ms$/);
  });

  test('piped: no spinner, no colour, nothing on stderr', async () => {
    await sh('systemctl stop slowa');
    const r = await runCli(['--address', sb.busAddress, 'start', 'slowa']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
  });

  test('-q, --json and --no-block: no spinner on a terminal either', async () => {
    for (const flags of [['-q'], ['--json'], ['--no-block']]) {
      await sh('systemctl stop slowa');
      const r = await runCliInPty(['--address', sb.busAddress, ...flags, 'start', 'slowa'], { cols: 100, rows: 20, timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.output);
      assert.doesNotMatch(r.output, /Starting|✔/, flags.join(' '));
    }
  });
});

/** Run `argv` inside the sandbox as `uid`, on a pseudo-terminal. */
const inPty = (argv: string[], uid: number): ReturnType<typeof runInSandboxPty> => runInSandboxPty(sb.dir, argv, uid);

describe('polkit as uid 65534', () => {
  test('on a terminal: pkttyagent started and ended, the denial as systemctl says it, its exit code', async () => {
    await sh(RESET);
    const theirs = await inPty(['env', 'SYSTEMD_COLORS=0', 'systemctl', 'start', 'ok'], 65534);
    const ours = await inPty(['env', 'SYSHERD_DEBUG=1', process.execPath, BIN, 'start', 'ok'], 65534);
    assert.equal(theirs.code, 1, theirs.output);
    assert.equal(ours.code, theirs.code, ours.output);
    const lines = ours.output.split('\n').filter((l) => l !== '');
    assert.match(lines[0]!, /^sysherd: polkit agent pkttyagent started \(pid \d+\)$/);
    assert.equal(lines.at(-1), 'sysherd: polkit agent pkttyagent ended');
    assert.deepEqual(lines.slice(1, -1), normal(theirs.output).split('\n').filter((l) => l !== ''));
    assert.equal(await activeState('ok.service'), 'inactive');
  });

  test('piped, several units, --no-ask-password: the same as systemctl', async () => {
    for (const args of [['start', 'ok', 'nope'], ['--no-ask-password', 'stop', 'ok'], ['-T', 'start', 'ok']]) {
      const theirs = await systemctl(args, 65534);
      const ours = await sysherd(args, 65534);
      assert.equal(ours.code, theirs.code, `${args.join(' ')}: ${ours.stderr}`);
      assert.equal(normal(ours.stderr), normal(theirs.stderr));
      assert.equal(ours.stdout, '');
    }
  });
});

describe('Ctrl-C and many units', () => {
  test('SIGINT while waiting: death by SIGINT, one line saying the job goes on, and it completes', async () => {
    await sh('systemctl stop slow');
    const child = spawn(process.execPath, [BIN, '--address', sb.busAddress, 'start', 'slow'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    // wait until the job is queued, then interrupt
    const deadline = Date.now() + 30_000;
    while ((await activeState('slow.service')) !== 'activating') {
      assert.ok(Date.now() < deadline, 'slow.service never started activating');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const sig = await new Promise<NodeJS.Signals | null>((r) => child.once('close', (_c, s) => r(s)));
    assert.equal(sig, 'SIGINT', err);
    assert.equal(
      err,
      "sysherd: interrupted; the queued jobs go on in systemd; follow them with 'sysherd list-jobs' or 'sysherd status UNIT'\n",
    );
    const done = Date.now() + 60_000;
    while ((await activeState('slow.service')) !== 'active') {
      assert.ok(Date.now() < done, 'the job did not complete after the interrupt');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  test('Ctrl-C on a terminal: the spinner goes, the line stays, the shell sees 130', async () => {
    await sh('systemctl stop slow');
    const cmd = `stty cols 100 rows 20 && exec ${[process.execPath, BIN, '--address', sb.busAddress, 'restart', 'slow'].map(shellQuote).join(' ')}`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: projectRoot, env: cliEnv({ TERM: 'xterm-256color' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const closed = new Promise<number | null>((r) => child.once('close', r));
    const deadline = Date.now() + 30_000;
    while (!/Restarting slow\.service/.test(out)) {
      assert.ok(Date.now() < deadline, `no spinner: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // the CLI is script's child: Ctrl-C reaches it as SIGINT
    const kids = await new Promise<string>((resolve) => {
      const p = spawn('pgrep', ['-P', String(child.pid)], { stdio: ['ignore', 'pipe', 'ignore'] });
      let s = '';
      p.stdout.on('data', (b: Buffer) => (s += b.toString()));
      p.once('close', () => resolve(s));
    });
    const pid = Number(kids.trim().split('\n')[0]);
    assert.ok(pid > 0, `no child of script: ${kids}`);
    process.kill(pid, 'SIGINT');
    assert.equal(await closed, 130, out);
    const screen = renderTerminal(out).filter((l) => l.trim() !== '');
    assert.deepEqual(screen, [
      "sysherd: interrupted; the queued jobs go on in systemd; follow them with 'sysherd list-jobs' or 'sysherd status UNIT'",
    ]);
    const done = Date.now() + 60_000;
    while ((await activeState('slow.service')) !== 'active') {
      assert.ok(Date.now() < done, 'the job did not complete after the interrupt');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  test('200 units restarted in one call: every job seen', async () => {
    const names = Array.from({ length: 200 }, (_, i) => `many@${i}.service`);
    const r = await sysherd(['restart', '--json', ...names]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.units.length, 200);
    assert.deepEqual(
      doc.units.map((u: { unit: string }) => u.unit),
      names,
    );
    assert.ok(doc.units.every((u: { result: string; type: string }) => u.result === 'done' && u.type === 'restart'));
    const active = await systemctl(['is-active', ...names]);
    assert.equal(active.stdout, 'active\n'.repeat(200));
  });
});
