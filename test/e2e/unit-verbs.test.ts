/**
 * The unit verbs (`freeze`, `thaw`, `clean`, `set-property`, `bind`, `mount-image`,
 * `service-log-level`, `service-log-target`, `list-automounts`, `isolate`) and the fixes to
 * existing verbs (`-s help`, `show -p ''`, `--type=LOADSTATE`) of the BUILT CLI against systemctl
 * 252 inside ONE system-mode sandbox: stdout byte for byte, stderr line by line (ours says
 * `sysherd: ` first and drops the final period), the exit code, and the state read back with
 * systemctl afterwards. Verbs that change a unit run on twin units (systemctl on `a-*`, sysherd on
 * `b-*`), so each starts from the same state. Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../helpers/sandbox.js';
import { describeRuns, errLines, sandboxCompare, type Run } from './compare-systemctl.js';
import { ensureBuilt } from './helpers.js';

let sb: BootedSandbox;
const NOBODY = 65534;

const { systemctl, sysherd, same } = sandboxCompare(() => sb.dir);

function sh(script: string): Promise<Run> {
  return execInSandbox(sb.dir, ['sh', '-c', script]);
}

/**
 * Twin units: systemctl acts on `a-NAME`, sysherd on `b-NAME` (`@` in args is the unit); the
 * outputs must be the same with the names swapped, and so must `show -p PROPS` of both after.
 */
async function twins(args: (u: string) => string[], unit: string, props: string[], opts: { code?: number } = {}): Promise<{ ours: Run; theirs: Run }> {
  const a = `a-${unit}`;
  const b = `b-${unit}`;
  const theirs = await systemctl(args(a));
  const ours = await sysherd(args(b));
  const swap = (s: string): string => s.split(b).join(a);
  const msg = describeRuns(args('@'), ours, theirs);
  assert.equal(swap(ours.stdout), theirs.stdout, `stdout\n${msg}`);
  assert.deepEqual(errLines(swap(ours.stderr)), errLines(theirs.stderr), `stderr\n${msg}`);
  assert.equal(ours.code, theirs.code, `exit code\n${msg}`);
  if (opts.code !== undefined) assert.equal(ours.code, opts.code, msg);
  if (props.length > 0) {
    const sa = await systemctl(['show', '-p', props.join(','), a]);
    const sbb = await systemctl(['show', '-p', props.join(','), b]);
    assert.equal(swap(sbb.stdout), sa.stdout, `state after ${args('@').join(' ')}`);
  }
  return { ours, theirs };
}

const SLEEPER = (name: string): string =>
  `[Unit]\nDescription=Sleeper\n[Service]\nExecStart=/bin/sleep infinity\nStateDirectory=${name}\nCacheDirectory=${name}\nRuntimeDirectory=${name}\nRuntimeDirectoryPreserve=yes\nLogsDirectory=${name}\nConfigurationDirectory=${name}\n`;

before(async () => {
  ensureBuilt();
  const units: Record<string, string> = {
    'iso.target': '[Unit]\nDescription=Isolatable\nAllowIsolate=yes\n',
    'ns.service': '[Service]\nExecStart=/bin/sleep infinity\nPrivateTmp=yes\n',
    'sleeper.service': SLEEPER('sleeper'),
  };
  for (const p of ['a', 'b']) {
    units[`${p}-svc.service`] = SLEEPER(`${p}-svc`);
    units[`${p}-dirs.service`] = SLEEPER(`${p}-dirs`);
  }
  sb = await bootSandbox('system', { units });
  for (const u of ['a-svc', 'b-svc', 'ns', 'sleeper']) assert.equal((await systemctl(['start', u])).code, 0);
});

after(() => sb?.stop());

describe('freeze, thaw', () => {
  test('bad input: argument count, unknown units, units that cannot freeze or are inactive', async () => {
    await same(['freeze'], { code: 1 });
    await same(['thaw'], { code: 1 });
    await same(['freeze', 'nope.service'], { code: 1 });
    await same(['thaw', 'nope.service', 'other-nope'], { code: 1 });
    await same(['freeze', 'iso.target'], { code: 1 });
    await same(['freeze', 'a-dirs.service'], { code: 1 });
    await same(['freeze', ''], { code: 1 });
  });

  test('freeze and thaw a running service: FreezerState as systemctl leaves it', async () => {
    await twins((u) => ['freeze', u], 'svc.service', ['FreezerState', 'ActiveState'], { code: 0 });
    assert.equal((await systemctl(['show', '-P', 'FreezerState', 'b-svc.service'])).stdout, 'frozen\n');
    await twins((u) => ['freeze', u], 'svc.service', ['FreezerState'], { code: 0 });
    await twins((u) => ['thaw', u], 'svc.service', ['FreezerState'], { code: 0 });
    assert.equal((await systemctl(['show', '-P', 'FreezerState', 'b-svc.service'])).stdout, 'running\n');
    // a glob, a missing unit in the middle, the same unit twice (systemctl stops at the repeat)
    await same(['freeze', 'sleep*'], { code: 0 });
    await same(['thaw', 'sleeper', 'nope.service', 'sleeper'], { code: 1 });
    assert.equal((await systemctl(['show', '-P', 'FreezerState', 'sleeper.service'])).stdout, 'running\n');
  });

  test('--json: each unit and its outcome', async () => {
    const r = await sysherd(['freeze', 'b-svc.service', 'nope.service', '--json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { verb: string; ok: boolean; what: null; units: { unit: string; ok: boolean; error: { name: string } | null }[] };
    assert.equal(doc.verb, 'freeze');
    assert.equal(doc.ok, false);
    assert.equal(doc.what, null);
    assert.deepEqual(doc.units.map((u) => [u.unit, u.ok]), [['b-svc.service', true], ['nope.service', false]]);
    assert.equal(doc.units[1]!.error!.name, 'org.freedesktop.systemd1.NoSuchUnit');
    const t = await sysherd(['thaw', 'b-svc.service', '--json']);
    assert.equal(t.code, 0, t.stderr);
    assert.deepEqual(JSON.parse(t.stdout), { verb: 'thaw', ok: true, what: null, units: [{ unit: 'b-svc.service', ok: true, error: null }] });
  });

  test('as uid 65534: polkit says no, nothing frozen', async () => {
    await same(['freeze', 'sleeper.service'], { uid: NOBODY, code: 1 });
    assert.equal((await systemctl(['show', '-P', 'FreezerState', 'sleeper.service'])).stdout, 'running\n');
  });
});

describe('clean', () => {
  const dirs = async (name: string): Promise<string> =>
    (await sh(`for d in /var/lib /var/cache /run /var/log /etc; do test -e $d/${name} && echo $d; done; true`)).stdout.replace(new RegExp(name, 'g'), 'X');

  test('--what=help lists the five types; bad --what values; a running unit', async () => {
    await same(['clean', '--what=help'], { code: 0 });
    await same(['--what=help', 'list-units'], { code: 0 });
    await same(['clean', '--what=', 'a-svc'], { code: 1 });
    await same(['clean', '--what=bogus', 'sleeper'], { code: 1 });
    await same(['clean', '--what=fdstore', 'sleeper'], { code: 1 });
    await same(['clean'], { code: 1 });
    await same(['clean', 'nope.service'], { code: 1 });
    await same(['clean', 'sleeper'], { code: 1 }); // running: "Unit is not inactive or has pending job."
    assert.match(await dirs('sleeper'), /\/var\/lib/);
  });

  test('the default (cache, runtime), then state and logs, then all: the same directories go', async () => {
    for (const u of ['a-dirs', 'b-dirs']) {
      assert.equal((await systemctl(['start', u])).code, 0);
      assert.equal((await systemctl(['stop', u])).code, 0);
    }
    assert.equal(await dirs('b-dirs'), '/var/lib\n/var/cache\n/run\n/var/log\n/etc\n');
    await twins((u) => ['clean', u], 'dirs.service', ['ActiveState', 'CleanResult'], { code: 0 });
    assert.equal(await dirs('b-dirs'), await dirs('a-dirs'));
    assert.equal(await dirs('b-dirs'), '/var/lib\n/var/log\n/etc\n');
    await twins((u) => ['clean', '--what=state', '--what=logs', u], 'dirs.service', ['CleanResult'], { code: 0 });
    assert.equal(await dirs('b-dirs'), '/etc\n');
    await twins((u) => ['clean', '--what=all', u], 'dirs.service', ['CleanResult'], { code: 0 });
    assert.equal(await dirs('b-dirs'), '');
    assert.equal(await dirs('a-dirs'), '');
  });

  test('--json names what was cleaned', async () => {
    const r = await sysherd(['clean', '--what=configuration,state', 'b-dirs.service', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      verb: 'clean',
      ok: true,
      what: ['configuration', 'state'],
      units: [{ unit: 'b-dirs.service', ok: true, error: null, cleanResult: 'success' }],
    });
  });
});

describe('set-property', () => {
  const PROPS = [
    'CPUWeight', 'StartupCPUWeight', 'CPUQuotaPerSecUSec', 'CPUQuotaPeriodUSec', 'MemoryMax', 'MemoryHigh', 'MemoryLow', 'MemoryMin',
    'MemorySwapMax', 'TasksMax', 'IOWeight', 'IODeviceWeight', 'IOReadBandwidthMax', 'DeviceAllow', 'IPAddressAllow', 'IPAddressDeny',
    'CPUAccounting', 'MemoryAccounting', 'TasksAccounting', 'IOAccounting', 'AllowedCPUs', 'Delegate', 'ManagedOOMMemoryPressure',
    'ManagedOOMMemoryPressureLimit', 'Description', 'DevicePolicy',
  ];

  test('bad input: argument counts, not an assignment, unknown properties, bad values: one line, exit 1, nothing changed', async () => {
    const before = (await systemctl(['show', '-p', PROPS.join(','), 'b-svc.service'])).stdout;
    await same(['set-property'], { code: 1 });
    await same(['set-property', 'b-svc'], { code: 1 });
    await same(['set-property', '', 'CPUWeight=1'], { code: 1 });
    for (const a of [
      'Foo=bar', 'Foo', 'CPUWeight=abc', 'CPUWeight=0', 'CPUWeight=10001', 'MemoryMax=abc', 'MemoryHigh=-1', 'MemoryMax=101%', 'TasksMax=x',
      'CPUQuota=0%', 'CPUQuota=abc', 'CPUQuotaPeriodSec=x', 'IODeviceWeight=/dev/null', 'IODeviceWeight=/dev/null x',
      'IOReadBandwidthMax=/dev/null', 'IOReadBandwidthMax=/dev/null 1X', 'AllowedCPUs=zz', 'IPAddressDeny=bogus', 'IPAddressDeny=10.0.0.1/33',
      'ManagedOOMMemoryPressureLimit=x', 'CPUAccounting=maybe', 'NoNewPrivileges=bogus', 'KillSignal=FOO', 'TimeoutSec=bogus',
      'User=foo', 'Delegate=cpu', 'Delegate=yes', 'Restart=always', 'ExecStart=/bin/true', 'LimitNOFILE=10', 'Environment=A=1',
      'RestartSec=5', 'StandardInputText=x', 'RuntimeDirectory=x',
    ]) {
      await same(['set-property', 'b-svc', a], { code: 1 });
      await same(['set-property', 'b-svc', 'CPUWeight=77', a], { code: 1 });
    }
    // the type decides what is known: a target takes no cgroup property
    await same(['set-property', 'iso.target', 'CPUWeight=20'], { code: 1 });
    await same(['set-property', 'nope.service', 'CPUWeight=20'], { code: 1 });
    for (const [unit, a] of [['dbus.socket', 'ListenStream=/x'], ['dbus.socket', 'TimeoutSec=5'], ['init.scope', 'RuntimeMaxSec=5'], ['init.scope', 'User=x'], ['tmp.mount', 'Options=ro'], ['systemd-ask-password-wall.path', 'PathChanged=/x']]) {
      await same(['set-property', unit!, a!], { code: 1 });
    }
    assert.equal((await systemctl(['show', '-p', PROPS.join(','), 'b-svc.service'])).stdout, before);
  });

  test('the cgroup and unit properties: what systemd reads back is the same', async () => {
    for (const a of [
      ['CPUWeight=50'], ['CPUWeight=idle'], ['CPUWeight='], ['StartupCPUWeight=300'], ['CPUQuota=150%'], ['CPUQuota=12.5%'], ['CPUQuota='],
      ['CPUQuotaPeriodSec=10ms'], ['MemoryMax=1G'], ['MemoryMax=1.5G'], ['MemoryMax=infinity'], ['MemoryHigh=50%'], ['MemoryLow=64M'],
      ['MemoryMin=1K'], ['MemoryLow='], ['MemorySwapMax=0'], ['TasksMax=50%'], ['TasksMax=4096'], ['TasksMax=infinity'], ['IOWeight=200'],
      ['IODeviceWeight=/dev/null 300'], ['IOReadBandwidthMax=/dev/null 1M'], ['IOReadBandwidthMax='], ['DeviceAllow=/dev/null rw'],
      ['DeviceAllow='], ['DevicePolicy=closed'], ['IPAddressAllow=10.0.0.0/8 192.168.1.1 ::1'], ['IPAddressAllow=localhost'],
      ['IPAddressDeny=any'], ['IPAddressDeny=link-local'], ['IPAddressDeny=multicast'], ['IPAddressDeny='], ['CPUAccounting=yes'],
      ['MemoryAccounting=no', 'TasksAccounting=off'], ['IOAccounting=1'], ['AllowedCPUs=0'], ['AllowedCPUs=0-1'],
      ['ManagedOOMMemoryPressure=kill'], ['ManagedOOMMemoryPressureLimit=42%'], ['Description=hello world'],
    ]) {
      await twins((u) => ['set-property', u, ...a], 'svc.service', PROPS, { code: 0 });
    }
    assert.equal((await systemctl(['show', '-P', 'Description', 'b-svc.service'])).stdout, 'hello world\n');
  });

  test('--runtime writes to /run, without it to /etc; a glob sets every match', async () => {
    await twins((u) => ['set-property', '--runtime', u, 'CPUWeight=31'], 'svc.service', ['CPUWeight', 'DropInPaths'], { code: 0 });
    const r = await sh('ls /run/systemd/system.control/b-svc.service.d /etc/systemd/system.control/b-svc.service.d');
    assert.match(r.stdout, /50-CPUWeight\.conf/);
    await same(['set-property', '*-svc.service', 'TasksMax=333'], { code: 0 });
    assert.equal((await systemctl(['show', '-P', 'TasksMax', 'b-svc.service'])).stdout, '333\n');
  });

  test('--json: per unit, the D-Bus properties sent', async () => {
    const r = await sysherd(['set-property', 'b-svc.service', 'CPUWeight=60', 'MemoryMax=infinity', 'TimeoutSec=5', '--json']);
    assert.equal(r.code, 1); // TimeoutSec: systemd refuses it on a unit that is not transient
    const doc = JSON.parse(r.stdout) as { units: { properties: unknown[]; ok: boolean; error: { name: string } }[] };
    assert.deepEqual(doc.units[0]!.properties, [
      { name: 'CPUWeight', signature: 't', value: 60 },
      { name: 'MemoryMax', signature: 't', value: null },
      { name: 'TimeoutStartUSec', signature: 't', value: 5000000 },
      { name: 'TimeoutStopUSec', signature: 't', value: 5000000 },
    ]);
    assert.equal(doc.units[0]!.error.name, 'org.freedesktop.DBus.Error.PropertyReadOnly');
    const ok = await sysherd(['set-property', 'b-svc.service', 'CPUWeight=61', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), {
      verb: 'set-property',
      ok: true,
      runtime: false,
      units: [{ unit: 'b-svc.service', ok: true, error: null, properties: [{ name: 'CPUWeight', signature: 't', value: 61 }] }],
    });
  });
});

describe('bind, mount-image', () => {
  test('argument counts, bad paths, units not running or without their own mount namespace: as systemctl', async () => {
    for (const args of [
      ['bind'], ['bind', 'ns'], ['bind', 'a', 'b', 'c', 'd'], ['bind', 'a-dirs', '/tmp'], ['bind', 'a-dirs', '/tmp', '/mnt/x'],
      ['bind', 'iso.target', '/tmp', '/mnt'], ['bind', 'ns', 'relative', '/mnt'], ['bind', 'sleeper', '/etc', '/mnt/x'],
      ['bind', '--mkdir', '--read-only', 'ns', '/etc', '/mnt/y'], ['bind', '--mkdir', 'ns', '/etc'],
      ['mount-image'], ['mount-image', 'ns', '/x.raw'], ['mount-image', 'a', 'b', 'c', 'd', 'e'], ['mount-image', 'sleeper', '/x.raw', '/mnt/img'],
      ['mount-image', 'ns', '/nonexist.raw', '/mnt/img'], ['mount-image', 'ns', '/nonexist.raw', '/mnt/img', 'root:ro'],
      ['mount-image', 'ns', '/nonexist.raw', '/mnt/img', 'ro'], ['mount-image', 'ns', '/nonexist.raw', '/mnt/img', 'bogus:ro'],
      ['mount-image', '--mkdir', '--read-only', 'ns', '/nonexist.raw', '/mnt/img'],
    ]) {
      await same(args);
    }
  });
});

describe('service-log-level, service-log-target', () => {
  test('units without BusName=, without LogControl1, not services; -q drops the hint', async () => {
    for (const args of [
      ['service-log-level'], ['service-log-level', 'a', 'b', 'c'], ['service-log-level', 'sleeper'], ['service-log-target', 'sleeper', 'console'],
      ['-q', 'service-log-level', 'sleeper'], ['service-log-level', 'nope'], ['service-log-level', 'iso.target'], ['service-log-level', 'polkit'],
      ['service-log-level', 'systemd-logind', 'bogus'], ['service-log-target', 'systemd-logind', 'bogus'], ['service-log-level', ''],
    ]) {
      await same(args, { code: 1 });
    }
  });

  test("systemd-logind's level and target: read, set, read back", async () => {
    await same(['service-log-level', 'systemd-logind'], { code: 0 });
    await same(['service-log-target', 'systemd-logind'], { code: 0 });
    const r = await sysherd(['service-log-level', 'systemd-logind', 'debug']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await systemctl(['service-log-level', 'systemd-logind'])).stdout, 'debug\n');
    await same(['service-log-level', 'systemd-logind'], { code: 0 });
    assert.equal((await sysherd(['service-log-target', 'systemd-logind', 'console'])).code, 0);
    assert.equal((await systemctl(['service-log-target', 'systemd-logind'])).stdout, 'console\n');
    const j = await sysherd(['service-log-level', 'systemd-logind', '--json']);
    assert.deepEqual(JSON.parse(j.stdout), { verb: 'service-log-level', destination: 'org.freedesktop.login1', unit: 'systemd-logind.service', property: 'LogLevel', set: false, value: 'debug' });
    await same(['service-log-level', 'systemd-logind', 'info'], { code: 0 });
    await same(['service-log-target', 'systemd-logind', 'auto'], { code: 0 });
    assert.equal((await sysherd(['service-log-level', 'systemd-logind'])).stdout, 'info\n');
  });
});

describe('list-automounts', () => {
  test('table, --all, --no-legend, patterns, -o json and json-pretty', async () => {
    for (const args of [
      ['list-automounts'], ['list-automounts', '--all'], ['list-automounts', '-a', '--no-legend'], ['list-automounts', '-a', '--full'],
      ['list-automounts', '-a', 'proc-*'], ['list-automounts', 'nomatch*'], ['list-automounts', '-a', '-o', 'json'],
      ['list-automounts', '-a', '-o', 'json-pretty'], ['list-automounts', '-o', 'json'],
    ]) {
      await same(args, { code: 0 });
    }
    const r = await sysherd(['list-automounts', '-a', '--json']);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.ok(doc.length >= 1);
    assert.deepEqual(Object.keys(doc[0]!), ['what', 'where', 'mounted', 'idle_timeout', 'unit']);
  });
});

describe('options of existing verbs', () => {
  test('-s help lists the signals whatever the verb; show -p "" shows nothing; load states in --type=', async () => {
    await same(['--signal', 'help'], { code: 0 });
    await same(['-s', 'help', 'list-jobs'], { code: 0 });
    await same(['kill', '-s', 'help'], { code: 0 });
    await same(['show', '--property', '', 'sleeper'], { code: 0 });
    await same(['show', '-p', '', 'sleeper', 'ns'], { code: 0 });
    await same(['show', '-p', '', '-p', 'Id', 'sleeper'], { code: 0 });
    await same(['list-units', '--type=loaded', '--no-legend'], { code: 0 });
    await same(['list-units', '--type=loaded,socket'], { code: 0 });
    await same(['list-units', '-t', 'masked'], { code: 0 });
    await same(['list-units', '--type', 'service,loaded', '--all', '--no-legend'], { code: 0 });
  });
});

describe('isolate (last: it stops what the target does not need)', () => {
  test('bad input: argument counts, targets that refuse isolation, a glob over nothing', async () => {
    await same(['isolate'], { code: 1 });
    await same(['isolate', 'a', 'b'], { code: 1 });
    await same(['isolate', 'foo'], { code: 4 });
    await same(['isolate', 'sysinit.target'], { code: 4 });
    await same(['isolate', 'nope.target'], { code: 4 });
    await same(['isolate', 'sleeper.service'], { code: 4 });
    await same(['isolate', 'iso*'], { code: 0 });
    assert.equal((await systemctl(['is-active', 'sleeper'])).stdout, 'active\n');
    await same(['isolate', 'iso'], { uid: NOBODY, code: 1 });
    assert.equal((await systemctl(['is-active', 'sleeper'])).stdout, 'active\n');
  });

  test('isolate iso.target: sysherd stops what systemctl stops', async () => {
    // isolate returns once its anchor job is done (systemctl's too): the stop jobs it queued may
    // still run, so the active set is read once no job is left
    const active = async (): Promise<string> => {
      for (let i = 0; i < 150 && (await systemctl(['list-jobs', '--no-legend'])).stdout.trim() !== ''; i++) await new Promise((r) => setTimeout(r, 200));
      return (await systemctl(['list-units', '--state=active', '--no-legend', '--plain', '--type=service,socket,target'])).stdout.replace(/ +/g, ' ');
    };
    const r = await sysherd(['isolate', 'iso', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { verb: string; jobMode: string; units: { unit: string; result: string }[]; auxiliary: unknown[] };
    assert.equal(doc.verb, 'isolate');
    assert.equal(doc.jobMode, 'isolate');
    assert.deepEqual(doc.units.map((u) => [u.unit, u.result]), [['iso.target', 'done']]);
    const afterOurs = await active();
    assert.equal((await systemctl(['is-active', 'sleeper'])).stdout, 'inactive\n');
    assert.match(afterOurs, /iso\.target/);
    // the same start state for systemctl: what sysherd stopped, started again
    for (const u of ['sleeper', 'ns', 'a-svc', 'b-svc', 'multi-user.target']) await systemctl(['start', u]);
    await same(['isolate', 'iso.target'], { code: 0 });
    assert.equal(await active(), afterOurs);
  });
});
