/**
 * systemctl 252's options on the verbs that exist, against systemctl itself inside ONE
 * system-mode sandbox: `--timestamp=STYLE` (show, status), `--with-dependencies` (list-units,
 * list-unit-files, show, status, cat), `--show-types` (list-sockets), `--marked`
 * (reload-or-restart), `--wait` (start/restart, is-system-running), and systemctl's checks of
 * bad values and combinations. stdout byte for byte, stderr with systemctl's one-line errors read
 * as sysherd's (`comparableStderr`), exit codes equal; relative times ("3s ago") masked. Then
 * `--json` with each option. Needs root.
 */
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { execInSandbox, startSandbox, stopSandbox } from '../../src/sandbox/sandbox.js';
import { comparableStderr } from '../helpers/compare.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { BIN, ensureBuilt, projectRoot } from './helpers.js';

let sb: BootedSandbox;
type Run = { code: number | null; stdout: string; stderr: string };

const UNITS: Record<string, string> = {
  'ts.service': '[Unit]\nDescription=timestamps\n[Service]\nExecStart=/bin/sleep infinity\nExecReload=/bin/true\n',
  'dep.service': '[Unit]\nRequires=ts.service\nWants=cond.service\nAfter=ts.service\nBefore=late.service\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n',
  'late.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
  'cond.service': '[Unit]\nConditionPathExists=/nonexistent\n[Service]\nExecStart=/bin/true\n',
  'tick.timer': '[Timer]\nOnCalendar=2037-01-01\nUnit=late.service\n',
  'm1.service': '[Service]\nExecStart=/bin/sleep infinity\nExecReload=/bin/true\n',
  'm2.service': '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\nExecReload=/bin/true\n',
  'w1.service': '[Service]\nExecStart=/bin/sleep 1\n',
  'w2.service': '[Service]\nExecStart=/bin/sh -c "sleep 1; exit 3"\n',
  'wok.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
  'never.service': '[Service]\nExecStart=/bin/sleep 1\n',
};

function inSandbox(argv: string[], tz = 'UTC'): Promise<Run> {
  return execInSandbox(sb.dir, ['env', 'LANG=C.UTF-8', `TZ=${tz}`, ...argv]);
}
const systemctl = (args: string[], tz?: string): Promise<Run> => inSandbox(['systemctl', ...args], tz);
const sysherd = (args: string[], tz?: string): Promise<Run> => inSandbox([process.execPath, BIN, ...args], tz);
async function sh(script: string): Promise<void> {
  const r = await execInSandbox(sb.dir, ['sh', '-c', script]);
  assert.equal(r.code, 0, `${script}: ${r.stderr}`);
}

/** What moves between two runs a moment apart: relative times, job ids, PIDs, resource figures. */
function mask(s: string): string {
  return s
    .replace(/; [^;\n]* (ago|left)$/gm, '; X $1')
    .replace(/^( +)(CPU|Memory|Tasks|IO|IP): .*$/gm, '$1$2: X')
    .replace(/job \d+/g, 'job N');
}

/** Run systemctl, then sysherd (each after `setup`); compare stdout, stderr and the exit code. */
async function same(args: string[], opts: { setup?: string; code?: number; tz?: string } = {}): Promise<Run> {
  if (opts.setup) await sh(opts.setup);
  const theirs = await systemctl(args, opts.tz);
  if (opts.setup) await sh(opts.setup);
  const ours = await sysherd(args, opts.tz);
  const msg = `${args.join(' ')}\n--- sysherd (exit ${ours.code})\n${ours.stdout}${ours.stderr}--- systemctl (exit ${theirs.code})\n${theirs.stdout}${theirs.stderr}`;
  assert.equal(mask(ours.stdout), mask(theirs.stdout), `stdout\n${msg}`);
  const e = comparableStderr(ours.stderr, theirs.stderr.replace(/systemctl/g, 'sysherd'));
  assert.equal(mask(e.ours), mask(e.ref), `stderr\n${msg}`);
  assert.equal(ours.code, theirs.code, `exit code\n${msg}`);
  if (opts.code !== undefined) assert.equal(ours.code, opts.code, msg);
  return ours;
}

async function prop(unit: string, name: string): Promise<string> {
  return (await systemctl(['show', '-P', name, unit])).stdout.trim();
}

before(async () => {
  ensureBuilt();
  sb = await bootSandbox('system', { units: UNITS });
  await sh('systemctl start ts.service dep.service tick.timer; systemctl start cond.service');
});
after(async () => {
  await sb?.stop();
});

describe('--timestamp=STYLE: show and status as systemctl 252', () => {
  const STYLES = ['pretty', 'unix', 'us', 'utc', 'us+utc', '\u00b5s', '\u00b5s+utc', '\u03bcs', '\u03bcs+utc'];

  test('show: the …Timestamp properties, Exec* start/stop times, TimersCalendar', async () => {
    for (const style of STYLES) {
      await same(['show', 'ts.service', `--timestamp=${style}`], { code: 0 });
      await same(['show', '-p', 'ActiveEnterTimestamp,ExecMainStartTimestamp,ExecStart', '--timestamp', style, 'ts.service'], { code: 0 });
      await same(['show', '-P', 'KernelTimestamp', `--timestamp=${style}`], { code: 0 });
      await same(['show', '-p', 'UserspaceTimestamp,FinishTimestamp', `--timestamp=${style}`], { code: 0 });
      await same(['show', 'tick.timer', `--timestamp=${style}`], { code: 0 });
    }
    // a zone that is not UTC: pretty and us print the local time and its abbreviation
    for (const style of ['pretty', 'us', 'utc']) {
      await same(['show', '-p', 'ActiveEnterTimestamp', 'ts.service', `--timestamp=${style}`], { tz: 'Asia/Tokyo', code: 0 });
    }
    // not a timestamp of print_property's: NextElapseUSecRealtime stays pretty
    const r = await same(['show', '-p', 'NextElapseUSecRealtime,LastTriggerUSec', '--timestamp=unix', 'tick.timer'], { code: 0 });
    assert.match(r.stdout, /^NextElapseUSecRealtime=\w{3} 2037-01-01/m);
  });

  test('status: since, Trigger, Condition lines and the system overview', async () => {
    for (const style of STYLES) {
      await same(['status', '-n0', 'ts.service', 'tick.timer', 'cond.service', `--timestamp=${style}`], { code: 3 });
      await same(['status', '-n0', `--timestamp=${style}`], { code: 0 });
    }
    const r = await sysherd(['status', '-n0', 'ts.service', '--timestamp=unix']);
    assert.match(r.stdout, /Active: active \(running\) since @\d+; /);
  });

  test('--timestamp=help lists the styles, whatever the verb; nothing else runs', async () => {
    const r = await same(['--timestamp=help'], { code: 0 });
    assert.equal(r.stdout, 'pretty\nus\nutc\nus+utc\nunix\n');
    await same(['start', 'w1.service', '--timestamp=help'], { code: 0 });
    assert.equal(await prop('w1.service', 'ActiveState'), 'inactive');
  });

  test('a bad value: systemctl\'s one line, exit 1, nothing done', async () => {
    for (const bad of ['bogus', '', 'US', 'pretty,utc']) {
      const r = await same(['show', 'ts.service', `--timestamp=${bad}`], { code: 1 });
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `Invalid value: ${bad}.\n`); // systemctl's own text, as it prints it
    }
    await same(['start', 'wok.service', '--timestamp=bogus'], { code: 1 });
    assert.equal(await prop('wok.service', 'ExecMainStartTimestampMonotonic'), '0');
  });

  test('--json is the same typed record with any style', async () => {
    const plain = JSON.parse((await sysherd(['show', 'ts.service', '--json'])).stdout) as Record<string, unknown>[];
    for (const style of ['unix', 'us+utc']) {
      const r = await sysherd(['show', 'ts.service', '--json', `--timestamp=${style}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), plain);
      const st = await sysherd(['status', '-n0', 'ts.service', '--json', `--timestamp=${style}`]);
      assert.equal(st.code, 0, st.stderr);
      assert.equal((JSON.parse(st.stdout) as { unit: string }[])[0]!.unit, 'ts.service');
    }
  });
});

describe('--with-dependencies as systemctl 252', () => {
  test('list-units, with --after, --before, --reverse; patterns that are not units warn', async () => {
    await same(['list-units', '--with-dependencies', 'dep.service'], { code: 0 });
    await same(['list-units', '--with-dependencies', '--after', 'dep.service'], { code: 0 });
    await same(['list-units', '--with-dependencies', '--before', 'dep.service'], { code: 0 });
    await same(['list-units', '--with-dependencies', '--reverse', 'ts.service'], { code: 0 });
    await same(['list-units', '--with-dependencies', '--before', '--reverse', 'systemd-journald.service'], { code: 0 });
    await same(['list-units', '--with-dependencies', '--all', 'dep.service', 'nope.service'], { code: 0 });
    await same(['list-units', '--with-dependencies', 'systemd-*'], { code: 0 });
    await same(['list-units', '--with-dependencies'], { code: 0 });
  });

  test('list-unit-files, show, status, cat', async () => {
    await same(['list-unit-files', '--with-dependencies', 'dep.service']);
    await same(['show', '--with-dependencies', '-p', 'Id,ActiveState', 'dep.service'], { code: 0 });
    await same(['show', '--with-dependencies', '--reverse', '-p', 'Id', 'ts.service'], { code: 0 });
    await same(['status', '--with-dependencies', '-n0', 'dep.service'], { code: 3 });
    // system.slice (a default dependency) has no unit file: "No files found for system.slice.", exit 1
    await same(['cat', '--with-dependencies', 'dep.service'], { code: 1 });
    await same(['cat', '--with-dependencies', '--after', 'dep']);
  });

  test('--json: the expanded list, valid', async () => {
    const ours = await sysherd(['list-units', '--with-dependencies', '--all', 'dep.service', '--json']);
    const theirs = await systemctl(['list-units', '--with-dependencies', '--all', 'dep.service', '-o', 'json']);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, theirs.stdout);
    // show --json: one record per unit, in systemctl's order (the unit, then its dependencies)
    const shown = JSON.parse((await sysherd(['show', '--with-dependencies', '-p', 'Id', 'dep.service', '--json'])).stdout) as { Id: string }[];
    const order = (await systemctl(['show', '--with-dependencies', '-P', 'Id', 'dep.service'])).stdout.split('\n').filter((l) => l !== '');
    assert.deepEqual(
      shown.map((s) => s.Id),
      order,
    );
    // (systemd lists a unit's dependencies in its hash order: only the first one is fixed)
    assert.equal(order[0], 'dep.service');
    for (const d of ['ts.service', 'cond.service']) assert.ok(order.includes(d), d);
  });
});

describe('--show-types (list-sockets) as systemctl 252', () => {
  test('a TYPE column; `type` in the JSON', async () => {
    const r = await same(['list-sockets', '--show-types'], { code: 0 });
    assert.match(r.stdout, /^LISTEN +TYPE +UNIT +ACTIVATES/);
    await same(['list-sockets', '--show-types', '--all', '--no-legend'], { code: 0 });
    await same(['list-sockets', '--show-types', '-o', 'json'], { code: 0 });
    await same(['list-sockets', '--show-types', '-o', 'json-pretty'], { code: 0 });
    await same(['list-sockets', '--show-types', 'nomatch*'], { code: 0 });
    const json = JSON.parse((await sysherd(['list-sockets', '--show-types', '--json'])).stdout) as { type: string }[];
    assert.ok(json.length > 0 && json.every((s) => typeof s.type === 'string' && s.type.length > 0));
  });
});

describe('reload-or-restart --marked as systemctl 252', () => {
  const MARK = 'systemctl start m1 m2; systemctl set-property m1 Markers=needs-restart; systemctl set-property m2 Markers=needs-reload';

  test('restarts the needs-restart units, reloads the needs-reload ones, clears the markers', async () => {
    await same(['reload-or-restart', '--marked'], { setup: MARK, code: 0 });
    await sh(MARK);
    const pid = await prop('m1.service', 'MainPID');
    const r = await sysherd(['reload-or-restart', '--marked']);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(await prop('m1.service', 'MainPID'), pid, 'm1 was restarted');
    assert.equal(await prop('m1.service', 'Markers'), '');
    assert.equal(await prop('m2.service', 'Markers'), '');
    // nothing marked: nothing to do
    await same(['reload-or-restart', '--marked'], { code: 0 });
  });

  test('--json lists the jobs it waited for', async () => {
    await sh(MARK);
    const r = await sysherd(['reload-or-restart', '--marked', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { verb: string; units: { unit: string; result: string }[] };
    assert.equal(doc.verb, 'reload-or-restart');
    assert.deepEqual(doc.units.map((u) => [u.unit, u.result]).sort(), [['m1.service', 'done'], ['m2.service', 'done']]);
    const empty = JSON.parse((await sysherd(['reload-or-restart', '--marked', '--json'])).stdout) as { units: unknown[] };
    assert.deepEqual(empty.units, []);
  });

  test('misuse: systemctl\'s one line, exit 1, markers kept', async () => {
    await sh(MARK);
    for (const args of [
      ['start', '--marked', 'm1'],
      ['reload-or-restart', '--marked', 'm1'],
      ['reload-or-restart', '--marked', '--wait'],
      ['reload-or-restart', '--marked', '-T'],
      ['reload-or-restart'],
    ]) {
      await same(args, { code: 1 });
    }
    assert.equal(await prop('m1.service', 'Markers'), 'needs-restart');
  });
});

describe('--wait as systemctl 252', () => {
  const STOPPED = 'systemctl stop w1 w2 wok; systemctl reset-failed';

  test('start/restart wait until the units stop; a failed one makes exit 1', async () => {
    const t0 = Date.now();
    await same(['start', '--wait', 'w1.service'], { setup: STOPPED, code: 0 });
    assert.ok(Date.now() - t0 >= 2000, 'both waited for w1 to stop (1 s each)');
    assert.equal(await prop('w1.service', 'ActiveState'), 'inactive');
    await same(['start', '--wait', 'w2.service'], { setup: STOPPED, code: 1 });
    await same(['restart', '--wait', 'w1.service', 'w2.service'], { setup: STOPPED, code: 1 });
    await same(['start', '--wait', 'wok.service'], { setup: STOPPED, code: 0 });
    await same(['start', '--wait', 'nope.service'], { setup: STOPPED, code: 5 });
  });

  test('--json: the jobs, and how each unit ended', async () => {
    await sh(STOPPED);
    const r = await sysherd(['start', '--wait', 'w1.service', 'w2.service', '--json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { exitCode: number; stopped: { unit: string; activeState: string }[] };
    assert.equal(doc.exitCode, 1);
    assert.deepEqual(doc.stopped, [
      { unit: 'w1.service', activeState: 'inactive' },
      { unit: 'w2.service', activeState: 'failed' },
    ]);
  });

  test('misuse: systemctl\'s one line, exit 1, nothing started', async () => {
    await sh(STOPPED);
    await same(['start', '--wait', '--no-block', 'never.service'], { code: 1 });
    await same(['stop', '--wait', 'never.service'], { code: 1 });
    await same(['reload', '--wait', 'never.service'], { code: 1 });
    await same(['start', '--wait'], { code: 1 });
    assert.equal(await prop('never.service', 'ExecMainStartTimestampMonotonic'), '0');
  });

  test('is-system-running --wait on a booted system answers at once', async () => {
    await same(['is-system-running', '--wait']);
    const r = await sysherd(['is-system-running', '--wait', '--json']);
    assert.match((JSON.parse(r.stdout) as { state: string }).state, /^(running|degraded)$/);
  });
});

describe('is-system-running --wait while the system is still starting', () => {
  let booting: { dir: string } | undefined;
  after(async () => {
    if (booting) {
      await stopSandbox(booting.dir);
      await fsp.rm(booting.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  });

  test('waits for StartupFinished, then prints the state as systemctl', async () => {
    // a sandbox whose boot takes ~4 s (a slow oneshot that sandbox.target wants); not waited for
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sysherd-test-opts-boot-'));
    booting = { dir };
    await startSandbox({
      mode: 'system',
      dir,
      binds: [projectRoot],
      beforeBoot: async (unitDir) => {
        await fsp.writeFile(path.join(unitDir, 'slowboot.service'), '[Service]\nType=oneshot\nExecStart=/bin/sleep 4\n');
        await fsp.mkdir(path.join(unitDir, 'sandbox.target.wants'), { recursive: true });
        await fsp.symlink('../slowboot.service', path.join(unitDir, 'sandbox.target.wants', 'slowboot.service'));
      },
    });
    const run = (argv: string[]) => execInSandbox(dir, ['env', 'LANG=C.UTF-8', ...argv]);
    const before = await run(['systemctl', 'is-system-running']);
    assert.match(before.stdout, /^(initializing|starting)\n$/, 'the sandbox is still booting');
    assert.equal(before.code, 1);
    const t0 = Date.now();
    const ours = await run([process.execPath, BIN, 'is-system-running', '--wait']);
    assert.ok(Date.now() - t0 > 1000, `sysherd waited (${Date.now() - t0} ms)`);
    const theirs = await run(['systemctl', 'is-system-running', '--wait']);
    assert.equal(ours.stdout, theirs.stdout);
    assert.equal(ours.code, theirs.code);
    assert.match(ours.stdout, /^(running|degraded)\n$/);
    assert.equal(ours.stderr, '');
  });
});

describe('option values systemctl 252 reads before any verb', () => {
  test('--type= with load states: they are --state= values (compatibility)', async () => {
    await same(['list-units', '--type=loaded'], { code: 0 });
    await same(['list-units', '--type=loaded,socket'], { code: 0 });
    await same(['list-units', '--all', '--type=not-found,service'], { code: 0 });
    const json = JSON.parse((await sysherd(['list-units', '--type=loaded,socket', '--json'])).stdout) as { unit: string; load: string }[];
    assert.ok(json.length > 0 && json.every((u) => u.unit.endsWith('.socket') && u.load === 'loaded'));
  });

  test('--signal help lists the signals, whatever the verb (none: list-units is not run)', async () => {
    const r = await same(['--signal', 'help'], { code: 0 });
    assert.match(r.stdout, /^HUP$/m);
    await same(['-s', 'help', 'list-units'], { code: 0 });
    await same(['start', 'never.service', '-s', 'help'], { code: 0 });
    assert.equal(await prop('never.service', 'ExecMainStartTimestampMonotonic'), '0');
  });

  test('show --property "": no property at all', async () => {
    const r = await same(['show', '--property', ''], { code: 0 });
    assert.equal(r.stdout, '');
    await same(['show', '-p', '', 'ts.service', 'dep.service'], { code: 0 });
    await same(['show', '-p', '', '-p', 'Id', 'ts.service'], { code: 0 });
    assert.deepEqual(JSON.parse((await sysherd(['show', '-p', '', 'ts.service', '--json'])).stdout), [{}]);
  });
});
