/**
 * The unit-file verbs and queries against a real `systemd --user` (one user sandbox), through
 * `main()` with an in-memory IO, side by side with `systemctl --user` on the same units: stdout,
 * stderr and exit code. (The system-mode conformance suite is test/e2e/unit-files.test.ts.)
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { main } from '../../../src/cli/main.js';
import { memoryIO } from '../../../src/output/io.js';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.js';
import { comparableStderr } from '../../helpers/compare.js';

const UNITS: Record<string, string> = {
  'u-a.service': '[Unit]\nDescription=UA\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n[Install]\nWantedBy=default.target\n',
  'u-static.service': '[Unit]\nDescription=UStatic\n[Service]\nType=oneshot\nExecStart=/bin/true\n',
};

let sb: BootedSandbox | undefined;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `systemctl --user …` over the sandbox's bus, as on a machine booted with systemd: systemctl
 * does unit-file operations itself ("client side") when /run/systemd/system is missing, as it is
 * on the host the tests run on; a private mount namespace with that directory makes it ask the
 * manager, as everywhere else.
 */
function systemctl(...args: string[]): Promise<Run> {
  const script = 'mkdir -p /run/systemd && mount -t tmpfs none /run/systemd && mkdir /run/systemd/system && exec systemctl --user "$@"';
  return new Promise((resolve) => {
    execFile(
      'unshare',
      ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', ...args],
      { env: { ...process.env, ...sb!.env, SYSTEMCTL_FORCE_BUS: '1', LANG: 'C.UTF-8', SYSTEMD_COLORS: '0' }, timeout: 20_000 },
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

async function same(args: string[], steps: string[][] = []): Promise<Run> {
  for (const s of steps) await systemctl('-q', ...s);
  const ref = await systemctl(...args);
  for (const s of steps) await systemctl('-q', ...s);
  const ours = await sysherd(...args);
  const what = `${args.join(' ')}\n--- systemctl --user (exit ${ref.code}) ---\n${ref.stdout}${ref.stderr}\n--- sysherd --user (exit ${ours.code}) ---\n${ours.stdout}${ours.stderr}`;
  assert.equal(ours.code, ref.code, `exit code: ${what}`);
  assert.equal(ours.stdout, ref.stdout, `stdout: ${what}`);
  const c = comparableStderr(ours.stderr, ref.stderr);
  assert.equal(c.ours, c.ref, `stderr: ${what}`);
  return ours;
}

describe('unit files and queries on the user manager, side by side with systemctl --user', { timeout: 120_000 }, () => {
  before(async () => {
    sb = await bootSandbox('user', { units: UNITS });
  });
  after(async () => {
    await sb?.stop();
  });

  test('enable, disable, reenable, the no-[Install] notice, a missing unit', async () => {
    const r = await same(['enable', 'u-a'], [['disable', 'u-a']]);
    assert.match(r.stderr, /^Created symlink .*\/default\.target\.wants\/u-a\.service → .*\/u-a\.service\.$/m);
    await same(['disable', 'u-a'], [['enable', 'u-a']]);
    await same(['reenable', 'u-a'], [['disable', 'u-a']]);
    await same(['enable', 'u-static']);
    await same(['enable', 'nope']);
  });

  test('mask, unmask', async () => {
    await same(['mask', 'nope2'], [['unmask', 'nope2']]);
    await same(['unmask', 'nope2'], [['mask', 'nope2']]);
  });

  test('is-enabled, is-active, is-failed, several units', async () => {
    const state = [['enable', 'u-a'], ['start', 'u-a'], ['mask', 'nope2']];
    for (const s of state) await systemctl('-q', ...s);
    for (const args of [
      ['is-enabled', 'u-a'],
      ['is-enabled', '--full', 'u-a'],
      ['is-enabled', 'u-static'],
      ['is-enabled', 'nope2'],
      ['is-enabled', 'u-static', 'nope'],
      ['is-active', 'u-a'],
      ['is-active', 'u-static', 'nope'],
      ['is-active', '-q', 'nope', 'u-a'],
      ['is-failed', 'u-a', 'nope'],
    ]) {
      await same(args);
    }
    await systemctl('-q', 'unmask', 'nope2');
  });

  test('list-unit-files: table and -o json', async () => {
    await same(['list-unit-files', 'u-*', 'nope*']);
    await same(['list-unit-files', '--type=target', '--no-legend']);
    const ref = await systemctl('list-unit-files', 'u-*', '-o', 'json');
    const ours = await sysherd('list-unit-files', 'u-*', '--json');
    assert.equal(ours.code, ref.code);
    assert.equal(ours.stdout, ref.stdout);
    assert.deepEqual(JSON.parse(ours.stdout), [
      { unit_file: 'u-a.service', state: 'enabled', preset: 'enabled' },
      { unit_file: 'u-static.service', state: 'static', preset: null },
    ]);
  });
});
