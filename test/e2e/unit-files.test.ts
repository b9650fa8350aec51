/**
 * The unit-file verbs (enable, disable, reenable, mask, unmask, list-unit-files) and the queries
 * (is-active, is-failed, is-enabled, is-system-running) of the BUILT CLI, run inside a system-mode
 * sandbox side by side with systemctl 252 on the same units: stdout, stderr and exit code
 * compared for each case. A verb that changes files runs on the same starting state for both
 * (the set-up is replayed before each of the two runs). One sandbox for the whole file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { comparableStderr } from '../helpers/compare.js';
import { BIN, ensureBuilt } from './helpers.js';

const UNITS: Record<string, string> = {
  'svc-a.service': '[Unit]\nDescription=A\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nAlias=svc-alias.service\n',
  'svc-static.service': '[Unit]\nDescription=Static\n[Service]\nExecStart=/bin/sleep 1000\n',
  'svc-fail.service': '[Unit]\nDescription=Fail\n[Service]\nType=oneshot\nExecStart=/bin/false\n[Install]\nWantedBy=multi-user.target\n',
  'svc-b.service': '[Unit]\nDescription=B\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n',
  'tmpl@.service': '[Unit]\nDescription=Tmpl %i\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\nDefaultInstance=def\n',
  'tmpl2@.service': '[Unit]\nDescription=Tmpl2 %i\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n',
};

let sb: BootedSandbox | undefined;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An unprivileged caller (uid 65534: polkit says no), or root. */
let asUid: number | undefined;

async function systemctl(...args: string[]): Promise<Run> {
  return execInSandbox(sb!.dir, ['systemctl', ...args], asUid === undefined ? {} : { uid: asUid });
}

async function sysherd(...args: string[]): Promise<Run> {
  return execInSandbox(sb!.dir, [process.execPath, BIN, ...args], asUid === undefined ? {} : { uid: asUid });
}

/** Put the units back into a known state (quietly: what systemctl says here is not compared). */
async function setUp(steps: string[][]): Promise<void> {
  for (const s of steps) await systemctl('-q', ...s);
}

/** Run `args` through systemctl and sysherd from the same starting state; compare all three outputs. */
async function same(args: string[], steps: string[][] = []): Promise<Run> {
  await setUp(steps);
  const ref = await systemctl(...args);
  await setUp(steps);
  const ours = await sysherd(...args);
  const what = `${args.join(' ')}\n--- systemctl (exit ${String(ref.code)}) ---\n${ref.stdout}${ref.stderr}\n--- sysherd (exit ${String(ours.code)}) ---\n${ours.stdout}${ours.stderr}`;
  assert.equal(ours.code, ref.code, `exit code: ${what}`);
  assert.equal(ours.stdout, ref.stdout, `stdout: ${what}`);
  const c = comparableStderr(ours.stderr, ref.stderr);
  assert.equal(c.ours, c.ref, `stderr: ${what}`);
  return ours;
}

describe('unit files and queries, side by side with systemctl 252 in a system sandbox', { timeout: 240_000 }, () => {
  before(async () => {
    ensureBuilt();
    sb = await bootSandbox('system', { units: UNITS });
  });
  after(async () => {
    await sb?.stop();
  });

  describe('enable, disable, reenable', () => {
    test('enable: "Created symlink … → …." lines on stderr, nothing on stdout; again: nothing', async () => {
      const r = await same(['enable', 'svc-a'], [['disable', 'svc-a']]);
      assert.match(r.stderr, /^Created symlink \/etc\/systemd\/system\/multi-user\.target\.wants\/svc-a\.service → \/etc\/systemd\/system\/svc-a\.service\.$/m);
      await same(['enable', 'svc-a'], [['enable', 'svc-a']]);
      await same(['enable', 'svc-a.service', 'svc-a'], [['disable', 'svc-a']]);
    });

    test('disable, reenable, -q, --runtime', async () => {
      const r = await same(['disable', 'svc-a'], [['enable', 'svc-a']]);
      assert.match(r.stderr, /^Removed "\/etc\/systemd\/system\/svc-alias\.service"\.$/m);
      await same(['reenable', 'svc-a'], [['disable', 'svc-a']]);
      await same(['-q', 'disable', 'svc-a'], [['enable', 'svc-a']]);
      await same(['enable', '--runtime', 'svc-a'], [['disable', 'svc-a'], ['disable', '--runtime', 'svc-a']]);
      await same(['disable', '--runtime', 'svc-a'], [['enable', '--runtime', 'svc-a']]);
    });

    test('a unit without [Install]: the notice, word for word; not with -q', async () => {
      const r = await same(['enable', 'svc-static']);
      assert.match(r.stderr, /^The unit files have no installation config/);
      await same(['-q', 'enable', 'svc-static']);
      await same(['reenable', 'svc-static']);
      await same(['disable', 'svc-static']);
    });

    test('templates: DefaultInstance=, an instance, a template without one', async () => {
      await same(['enable', 'tmpl@'], [['disable', 'tmpl@']]);
      await same(['enable', 'tmpl@x'], [['disable', 'tmpl@x']]);
      await same(['enable', 'tmpl2@']);
    });

    test('several units at once; a path to disable', async () => {
      await same(['enable', 'svc-a', 'tmpl@x', 'svc-static'], [['disable', 'svc-a', 'tmpl@x']]);
      await same(['disable', '/etc/systemd/system/svc-a.service'], [['enable', 'svc-a']]);
    });

    test('errors: exit 1 and systemctl\'s message', async () => {
      await same(['enable', 'nope']);
      await same(['enable', 'nope', 'svc-a'], [['disable', 'svc-a']]);
      await same(['disable', 'nope']);
      await same(['enable', 'svc-alias'], [['enable', 'svc-a']]);
      await same(['enable', '/tmp/x.service']);
      await same(['enable']);
      await same(['enable', '@foo']);
      await same(['enable', 'a b']);
      await same(['enable', 'foo*']);
      await same(['mask', 'svc-a']);
    });

    test('an unprivileged caller: polkit\'s refusal in systemctl\'s words, exit 1; queries still answer', async () => {
      asUid = 65534;
      try {
        for (const args of [['enable', 'svc-a'], ['disable', 'svc-a'], ['mask', 'nope9'], ['unmask', 'nope9'], ['is-enabled', 'svc-a'], ['is-active', 'svc-a'], ['list-unit-files', 'svc-a*']]) {
          await same(args);
        }
      } finally {
        asUid = undefined;
      }
    });
  });

  describe('mask, unmask', () => {
    test('a unit with no file: the notice, then the /dev/null link; unmask removes it', async () => {
      await same(['mask', 'nope2'], [['unmask', 'nope2']]);
      await same(['-q', 'mask', 'nope2'], [['unmask', 'nope2']]);
      await same(['unmask', 'nope2'], [['mask', 'nope2']]);
      await same(['unmask', 'nope2'], [['unmask', 'nope2']]);
    });

    test('a path: systemctl asks systemd for the unit first, which refuses the name (exit 1, nothing masked)', async () => {
      await same(['mask', '/etc/systemd/system/svc-b.service']);
      await same(['unmask', '/etc/systemd/system/nope2.service']);
      await same(['mask', './nope2.service']);
    });

    test('enable with a relative path: made absolute from the cwd, as systemctl', async () => {
      await same(['enable', 'etc/systemd/system/svc-b.service'], [['disable', 'svc-b']]);
      await same(['enable', './etc/../etc/systemd/system/svc-b.service'], [['disable', 'svc-b']]);
      await setUp([['disable', 'svc-b']]);
    });

    test('--runtime masks in /run', async () => {
      await same(['mask', '--runtime', 'svc-fail'], [['unmask', '--runtime', 'svc-fail']]);
      await same(['unmask', '--runtime', 'svc-fail'], [['mask', '--runtime', 'svc-fail']]);
      await setUp([['unmask', '--runtime', 'svc-fail']]);
    });
  });

  describe('--now', () => {
    test('enable --now starts, disable --now stops (the same changes and exit code as systemctl)', async () => {
      await same(['enable', '--now', 'svc-b'], [['disable', '--now', 'svc-b']]);
      assert.equal((await systemctl('is-active', 'svc-b')).stdout, 'active\n');
      await same(['disable', '--now', 'svc-b'], [['enable', '--now', 'svc-b']]);
      assert.equal((await systemctl('is-active', 'svc-b')).stdout, 'inactive\n');
    });

    test('enable --now of a failing unit: the symlink, then the job failure, exit 1', async () => {
      const r = await same(['enable', '--now', 'svc-fail'], [['disable', 'svc-fail'], ['reset-failed', 'svc-fail']]);
      assert.match(r.stderr, /^Created symlink .*svc-fail\.service\.\nJob for svc-fail\.service failed because the control process exited with error code\.\nSee "sysherd status svc-fail\.service"/);
      await same(['enable', '--now', 'svc-b', 'nope'], [['disable', '--now', 'svc-b']]);
      await same(['mask', '--now', 'nope2'], [['unmask', 'nope2']]);
      await setUp([['disable', 'svc-fail'], ['reset-failed', 'svc-fail'], ['unmask', 'nope2'], ['disable', '--now', 'svc-b']]);
    });

    test('--now --json: the transaction goes into the document', async () => {
      await setUp([['disable', '--now', 'svc-b']]);
      const r = await sysherd('enable', '--now', 'svc-b', '--json');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const doc = JSON.parse(r.stdout) as { now: { action: string; units: string[]; transaction: { verb: string; units: { unit: string; type: string; result: string }[]; exitCode: number } } };
      assert.equal(doc.now.action, 'start');
      assert.deepEqual(doc.now.units, ['svc-b.service']);
      assert.equal(doc.now.transaction.verb, 'start');
      assert.equal(doc.now.transaction.exitCode, 0);
      assert.deepEqual(doc.now.transaction.units.map((u) => [u.unit, u.type, u.result]), [['svc-b.service', 'start', 'done']]);
      await setUp([['disable', '--now', 'svc-b']]);
    });
  });

  describe('--json of the unit-file verbs', () => {
    test('enable --json: the changes as one document, field by field; nothing on stderr', async () => {
      await setUp([['disable', 'svc-a']]);
      const r = await sysherd('enable', 'svc-a', '--json');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const doc = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(doc), ['verb', 'units', 'carriesInstallInfo', 'changes', 'now']);
      assert.equal(doc.verb, 'enable');
      assert.deepEqual(doc.units, ['svc-a.service']);
      assert.equal(doc.carriesInstallInfo, true);
      assert.equal(doc.now, null);
      const changes = doc.changes as { type: string; file: string; destination: string }[];
      assert.deepEqual(
        [...changes].sort((a, b) => a.file.localeCompare(b.file)),
        [
          { type: 'symlink', file: '/etc/systemd/system/multi-user.target.wants/svc-a.service', destination: '/etc/systemd/system/svc-a.service' },
          { type: 'symlink', file: '/etc/systemd/system/svc-alias.service', destination: '/etc/systemd/system/svc-a.service' },
        ],
      );
      const d = await sysherd('disable', 'svc-a', '--json');
      const dd = JSON.parse(d.stdout) as { carriesInstallInfo: unknown; changes: { type: string }[] };
      assert.equal(dd.carriesInstallInfo, null);
      assert.deepEqual(dd.changes.map((c) => c.type), ['unlink', 'unlink']);
      const s = JSON.parse((await sysherd('enable', 'svc-static', '--json')).stdout) as { carriesInstallInfo: unknown; changes: unknown[] };
      assert.equal(s.carriesInstallInfo, false);
      assert.deepEqual(s.changes, []);
    });
  });

  describe('list-unit-files', () => {
    const state = [['enable', 'svc-a'], ['disable', 'tmpl@'], ['enable', 'tmpl@x'], ['disable', 'svc-fail'], ['disable', 'svc-b'], ['mask', 'nope2']];

    test('the table, legend and sort order as systemctl (all files, patterns, --state, --type, --no-legend)', async () => {
      await same(['list-unit-files'], state);
      await same(['list-unit-files', 'svc*', 'tmpl*', 'nope*']);
      await same(['list-unit-files', 'svc*', '--no-legend']);
      await same(['list-unit-files', '--state=enabled,static', 'svc*']);
      await same(['list-unit-files', '--state=masked']);
      await same(['list-unit-files', '--type=timer,socket']);
      await same(['list-unit-files', 'svc*', '--plain', '--full']);
      // -q drops the header and the count; -o json-pretty is systemd's layout (tabs, "key" : value)
      await same(['list-unit-files', 'svc*', '-q']);
      await same(['-q', 'list-unit-files', 'nomatch*']);
      await same(['list-unit-files', 'svc*', 'tmpl*', '-o', 'json-pretty']);
      await same(['list-unit-files', 'nomatch*', '-o', 'json-pretty']);
    });

    test('with colours on (SYSTEMD_COLORS=1): byte for byte systemctl (red, green, grey, each type\'s last row underlined)', async () => {
      await setUp(state);
      for (const args of [['list-unit-files'], ['list-unit-files', 'svc*', 'tmpl*', 'nope*'], ['list-unit-files', '--state=masked,disabled'], ['list-unit-files', '--no-legend', '--type=service,target']]) {
        const ref = await execInSandbox(sb!.dir, ['env', 'SYSTEMD_COLORS=1', 'systemctl', ...args]);
        const ours = await execInSandbox(sb!.dir, ['env', 'SYSTEMD_COLORS=1', process.execPath, BIN, ...args]);
        assert.equal(ours.code, ref.code, args.join(' '));
        assert.equal(ours.stdout, ref.stdout, args.join(' '));
      }
      // the case is not vacuous: systemctl coloured a red state, a green one, a grey dash and an underline
      const ref = await execInSandbox(sb!.dir, ['env', 'SYSTEMD_COLORS=1', 'systemctl', 'list-unit-files']);
      for (const code of ['\x1b[0;1;31m', '\x1b[0;1;32m', '\x1b[0;38;5;245m', '\x1b[0;4m']) assert.ok(ref.stdout.includes(code), JSON.stringify(code));
    });

    test('list-units -q and -o json-pretty as systemctl', async () => {
      await same(['list-units', '--all', 'svc*', '-q'], state);
      await same(['-q', 'list-units', 'nomatch*']);
      await same(['list-units', '--all', 'svc*', '-o', 'json-pretty']);
      await same(['list-units', 'nomatch*', '-o', 'json-pretty']);
    });

    test('nothing listed: header, "0 unit files listed.", exit 1', async () => {
      const r = await same(['list-unit-files', 'nomatch*']);
      assert.equal(r.stdout, 'UNIT FILE STATE PRESET\n\n0 unit files listed.\n');
      assert.equal(r.code, 1);
      await same(['list-unit-files', 'nomatch*', '--no-legend']);
      await same(['list-unit-files', '--state=bogus']);
    });

    test('--json equals systemctl -o json (and is valid when empty)', async () => {
      await setUp(state);
      for (const args of [[], ['svc*', 'tmpl*', 'nope*'], ['--type=timer'], ['nomatch*']]) {
        const ref = await systemctl('list-unit-files', ...args, '-o', 'json');
        const ours = await sysherd('list-unit-files', ...args, '--json');
        assert.equal(ours.code, ref.code, args.join(' '));
        assert.equal(ours.stdout, ref.stdout, args.join(' '));
        const ours2 = await sysherd('list-unit-files', ...args, '-o', 'json');
        assert.equal(ours2.stdout, ref.stdout, `-o json ${args.join(' ')}`);
      }
      const rows = JSON.parse((await sysherd('list-unit-files', 'svc*', 'tmpl*', 'nope*', '--json')).stdout) as Record<string, unknown>[];
      assert.deepEqual(rows, [
        { unit_file: 'nope2.service', state: 'masked', preset: 'enabled' },
        { unit_file: 'svc-a.service', state: 'enabled', preset: 'enabled' },
        { unit_file: 'svc-alias.service', state: 'alias', preset: null },
        { unit_file: 'svc-b.service', state: 'disabled', preset: 'enabled' },
        { unit_file: 'svc-fail.service', state: 'disabled', preset: 'enabled' },
        { unit_file: 'svc-static.service', state: 'static', preset: null },
        { unit_file: 'tmpl2@.service', state: 'disabled', preset: 'enabled' },
        { unit_file: 'tmpl@.service', state: 'indirect', preset: 'enabled' },
      ]);
      await setUp([['unmask', 'nope2']]);
    });
  });

  describe('queries', () => {
    const state = [['enable', 'svc-a'], ['start', 'svc-a'], ['enable', 'tmpl@x'], ['mask', 'nope2'], ['stop', 'svc-b']];

    test('is-active: active, inactive, failed, not-found, several units, globs, -q; exit 0/3', async () => {
      await setUp(state);
      await systemctl('start', 'svc-fail'); // fails: a failed unit
      for (const args of [
        ['svc-a'],
        ['svc-b'],
        ['svc-fail'],
        ['nope'],
        ['nope2'],
        ['svc-a', 'nope'],
        ['nope', 'svc-a'],
        ['nope', 'svc-b'],
        ['-q', 'svc-a', 'nope'],
        ['-q', 'nope'],
        ['svc-*'],
        ['nomatch*'],
        ['a b'],
        ['@foo'],
        ['tmpl@x'],
        ['tmpl@y'],
        ['svc-alias'],
        ['svc-static', 'svc-a'],
        ['/'],
        [],
      ]) {
        await same(['is-active', ...args]);
      }
    });

    test('is-failed: exit 0 when any failed, else 1', async () => {
      for (const args of [['svc-fail'], ['svc-a'], ['nope'], ['svc-a', 'svc-fail'], ['svc-fail', 'svc-a'], ['-q', 'svc-fail'], ['svc-*'], []]) {
        await same(['is-failed', ...args]);
      }
    });

    test('is-enabled: enabled, disabled, static, masked, alias, indirect, template and instance, missing; --full; -q', async () => {
      for (const args of [
        ['svc-a'],
        ['--full', 'svc-a'],
        ['svc-b'],
        ['svc-static'],
        ['nope2'],
        ['-q', 'nope2'],
        ['svc-alias'],
        ['--full', 'svc-alias'],
        ['tmpl@'],
        ['tmpl@x'],
        ['--full', 'tmpl@x'],
        ['tmpl@y'],
        ['tmpl2@'],
        ['nope'],
        ['-q', 'nope'],
        ['nope', 'svc-a'],
        ['svc-a', 'nope'],
        ['svc-static', 'svc-b'],
        ['svc-*'],
        ['-q', 'svc-*'],
        ['sandbox.target'],
        ['@foo'],
        [],
      ]) {
        await same(['is-enabled', ...args]);
      }
    });

    test('is-system-running', async () => {
      await same(['is-system-running']);
      await same(['is-system-running', '-q']);
      await same(['is-system-running', 'svc-a']);
    });

    test('--json: [{unit, state, links}] and {state}, the exit code unchanged', async () => {
      const a = await sysherd('is-active', 'svc-a', 'nope', 'svc-fail', '--json');
      assert.equal(a.code, 0);
      assert.deepEqual(JSON.parse(a.stdout), [
        { unit: 'svc-a.service', state: 'active', links: null },
        { unit: 'nope.service', state: 'inactive', links: null },
        { unit: 'svc-fail.service', state: 'failed', links: null },
      ]);
      const n = await sysherd('is-active', 'nope', '--json');
      assert.equal(n.code, 3);
      assert.deepEqual(JSON.parse(n.stdout), [{ unit: 'nope.service', state: 'inactive', links: null }]);
      const e = await sysherd('is-enabled', '--full', 'svc-a', 'svc-static', '--json');
      assert.equal(e.code, 0);
      const recs = JSON.parse(e.stdout) as { unit: string; state: string; links: string[] | null }[];
      assert.equal(recs.length, 2);
      assert.deepEqual({ ...recs[0]!, links: [...recs[0]!.links!].sort() }, {
        unit: 'svc-a.service',
        state: 'enabled',
        links: ['/etc/systemd/system/multi-user.target.wants/svc-a.service', '/etc/systemd/system/svc-alias.service'],
      });
      assert.deepEqual(recs[1], { unit: 'svc-static.service', state: 'static', links: [] });
      const s = await sysherd('is-system-running', '--json');
      const ref = await systemctl('is-system-running');
      assert.equal(s.code, ref.code);
      assert.deepEqual(JSON.parse(s.stdout), { state: ref.stdout.trim() });
    });
  });
});
