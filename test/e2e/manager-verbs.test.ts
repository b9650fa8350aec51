/**
 * The manager verbs (`log-level`, `log-target`, `service-watchdogs`, `set-environment`,
 * `unset-environment`, `import-environment`) of the BUILT CLI against systemctl 252 inside ONE
 * system-mode sandbox: the same output and exit code, and the same effect: the manager is put
 * back in a known state before each tool runs, and what each left is read back with systemctl.
 * Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { describeRuns, errLines, sandboxCompare, type Run } from './compare-systemctl.js';
import { BIN, ensureBuilt } from './helpers.js';

let sb: BootedSandbox;
const NOBODY = 65534;
const { systemctl, sysherd, same } = sandboxCompare(() => sb.dir);

/**
 * `reset` (systemctl commands), then systemctl ARGS, read `read`; `reset` again, then sysherd
 * ARGS, read again: output, exit code and what was read must be the same.
 */
async function sameEffect(args: string[], reset: string[][], read: string[], opts: { code?: number; env?: string[] } = {}): Promise<{ ours: Run; theirs: Run; state: string }> {
  const env = opts.env ?? ['env', 'LANG=C.UTF-8'];
  const doReset = async (): Promise<void> => {
    for (const r of reset) assert.equal((await systemctl(r)).code, 0, `reset: systemctl ${r.join(' ')}`);
  };
  await doReset();
  const theirs = await execInSandbox(sb.dir, [...env, 'systemctl', ...args]);
  const theirState = (await systemctl(read)).stdout;
  await doReset();
  const ours = await execInSandbox(sb.dir, [...env, process.execPath, BIN, ...args]);
  const ourState = (await systemctl(read)).stdout;
  const msg = describeRuns(args, ours, theirs);
  assert.equal(ours.stdout, theirs.stdout, `stdout\n${msg}`);
  assert.deepEqual(errLines(ours.stderr), errLines(theirs.stderr), `stderr\n${msg}`);
  assert.equal(ours.code, theirs.code, `exit code\n${msg}`);
  if (opts.code !== undefined) assert.equal(ours.code, opts.code, msg);
  assert.equal(ourState, theirState, `state after ${args.join(' ')}`);
  return { ours, theirs, state: ourState };
}

before(async () => {
  ensureBuilt();
  sb = await bootSandbox('system');
});

after(() => sb?.stop());

describe('log-level, log-target, service-watchdogs', () => {
  test('read: the same value', async () => {
    await same(['log-level'], { code: 0 });
    await same(['log-target'], { code: 0 });
    await same(['service-watchdogs'], { code: 0 });
  });

  test('set: the manager ends in the same state; names, numbers, booleans', async () => {
    const level = [['log-level', 'info']];
    for (const v of ['debug', 'notice', '7', '0', 'info']) {
      const r = await sameEffect(['log-level', v], level, ['log-level'], { code: 0 });
      if (v === 'debug' || v === '7') assert.equal(r.state, 'debug\n');
    }
    const target = [['log-target', 'journal']];
    for (const v of ['console', 'kmsg', 'journal-or-kmsg', 'null']) {
      const r = await sameEffect(['log-target', v], target, ['log-target'], { code: 0 });
      assert.equal(r.state, `${v}\n`);
    }
    const dogs = [['service-watchdogs', 'yes']];
    for (const v of ['no', 'off', '0', 'yes']) await sameEffect(['service-watchdogs', v], dogs, ['service-watchdogs'], { code: 0 });
    assert.equal((await systemctl(['service-watchdogs'])).stdout, 'yes\n');
  });

  test('bad input: unknown values, too many arguments, as uid 65534: one line, exit 1, nothing changed', async () => {
    await sameEffect(['log-level', 'bogus'], [['log-level', 'info']], ['log-level'], { code: 1 });
    await sameEffect(['log-level', '8'], [['log-level', 'info']], ['log-level'], { code: 1 });
    await sameEffect(['log-level', 'info', 'x'], [['log-level', 'info']], ['log-level'], { code: 1 });
    await sameEffect(['log-target', 'bogus'], [['log-target', 'journal']], ['log-target'], { code: 1 });
    await sameEffect(['service-watchdogs', 'bogus'], [['service-watchdogs', 'yes']], ['service-watchdogs'], { code: 1 });
    await sameEffect(['service-watchdogs', 'yes', 'a'], [['service-watchdogs', 'yes']], ['service-watchdogs'], { code: 1 });
    await same(['log-level', 'debug'], { uid: NOBODY, code: 1 });
    await same(['service-watchdogs', 'no'], { uid: NOBODY, code: 1 });
    await same(['log-level'], { uid: NOBODY, code: 0 });
    assert.equal((await systemctl(['log-level'])).stdout, 'info\n');
  });

  test('--json: what was read and what was set', async () => {
    const r = await sysherd(['log-level', '--json']);
    assert.deepEqual(JSON.parse(r.stdout), { verb: 'log-level', destination: 'org.freedesktop.systemd1', property: 'LogLevel', set: false, value: 'info' });
    const s = await sysherd(['service-watchdogs', 'no', '--json']);
    assert.deepEqual(JSON.parse(s.stdout), { verb: 'service-watchdogs', destination: 'org.freedesktop.systemd1', property: 'ServiceWatchdogs', set: true, value: false });
    assert.equal((await systemctl(['service-watchdogs'])).stdout, 'no\n');
    assert.equal((await sysherd(['service-watchdogs', 'yes'])).code, 0);
  });
});

describe('set-environment, unset-environment, import-environment', () => {
  const clean = [['unset-environment', 'A', 'B', 'FOO', 'CC', 'X']];
  const read = ['show-environment'];

  test('set and unset: the manager’s environment ends the same', async () => {
    let r = await sameEffect(['set-environment', 'A=1', 'B=two words'], clean, read, { code: 0 });
    assert.match(r.state, /^A=1$/m);
    r = await sameEffect(['unset-environment', 'A'], [...clean, ['set-environment', 'A=1', 'B=2']], read, { code: 0 });
    assert.doesNotMatch(r.state, /^A=/m);
    // NAME=VALUE removes only with that value
    r = await sameEffect(['unset-environment', 'B=3', 'A=1'], [...clean, ['set-environment', 'A=1', 'B=2']], read, { code: 0 });
    assert.match(r.state, /^B=2$/m);
    await sameEffect(['unset-environment', 'NOPE'], clean, read, { code: 0 });
  });

  test('import-environment: named variables, unset ones ignored with a notice; none: all, with the warning', async () => {
    const env = ['env', '-i', 'LANG=C.UTF-8', 'PATH=/usr/bin:/bin', 'FOO=bar', 'CC=a\tb'];
    let r = await sameEffect(['import-environment', 'FOO', 'NOPE', 'CC'], clean, read, { code: 0, env });
    assert.match(r.state, /^FOO=bar$/m);
    assert.match(r.ours.stderr, /Environment variable \$NOPE not set, ignoring\./);
    r = await sameEffect(['import-environment'], [...clean, ['unset-environment', 'PATH', 'LANG']], read, { code: 0, env });
    assert.match(r.ours.stderr, /^Calling import-environment without a list of variable names is deprecated\.$/m);
    assert.match(r.state, /^FOO=bar$/m);
    // leave the manager's usual PATH and LANG
    await systemctl(['unset-environment', 'PATH', 'LANG', 'FOO', 'CC']);
  });

  test('bad input: no arguments, invalid assignments and names, as uid 65534: exit 1, nothing changed', async () => {
    for (const args of [['set-environment'], ['unset-environment'], ['set-environment', 'bad'], ['set-environment', '1A=x'], ['set-environment', 'A=1', 'bad'], ['import-environment', 'bad=x'], ['import-environment', 'FOO', '1X']]) {
      await sameEffect(args, clean, read, { code: 1 });
    }
    await same(['set-environment', 'A=1'], { uid: NOBODY, code: 1 });
    assert.doesNotMatch((await systemctl(read)).stdout, /^A=/m);
  });

  test('--json: what was sent', async () => {
    const r = await execInSandbox(sb.dir, ['env', '-i', 'FOO=bar', process.execPath, BIN, 'import-environment', 'FOO', 'NOPE', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { verb: 'import-environment', ok: true, set: ['FOO=bar'], unset: [], ignored: ['NOPE'] });
    const u = await sysherd(['unset-environment', 'FOO', '--json']);
    assert.deepEqual(JSON.parse(u.stdout), { verb: 'unset-environment', ok: true, set: [], unset: ['FOO'], ignored: [] });
    assert.doesNotMatch((await systemctl(read)).stdout, /^FOO=/m);
  });
});
