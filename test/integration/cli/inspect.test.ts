/**
 * show, cat, help, show-environment against systemctl 252 in ONE system-mode sandbox: both run
 * inside the sandbox's namespaces, stdout, stderr and exit codes compared byte for byte (values
 * that move on their own masked). `show` is compared for every property of several units, with
 * and without --all. JSON schemas checked field by field. Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../../src/sandbox/sandbox.js';
import { BIN, ensureBuilt } from '../../e2e/helpers.js';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.js';

let sb: BootedSandbox;

const UNITS: Record<string, string> = {
  'run.service': '[Unit]\nDescription=A running service\nDocumentation=man:true(1) https://example.com\n[Service]\nExecStart=/bin/sleep infinity\nEnvironment=FOO=bar "X=a b"\n',
  'run.service.d/override.conf': '[Service]\nEnvironment=Y=1\n',
  'run.service.d/zz.conf': '[Service]\nEnvironment=Z=2\n',
  'one.service': '[Unit]\nDescription=Oneshot exited\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStartPre=-/bin/true pre\nExecStart=/bin/echo hello\n',
  'bad.service': '[Unit]\nDescription=Fails\n[Service]\nExecStart=/bin/sh -c "exit 3"\n',
  'sock.socket': '[Unit]\nDescription=A socket\n[Socket]\nListenStream=/run/h4test.sock\n',
  'sock.service': '[Service]\nExecStart=/bin/cat\n',
  'tick.timer': '[Unit]\nDescription=A timer\n[Timer]\nOnCalendar=*-*-* 03:00:00\n',
  'tick.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
  'inst@.service': '[Unit]\nDescription=Instance %i\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true %i\n',
  'weird.service': [
    '[Unit]',
    'Description=Weird  "quoted" $stuff',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=/bin/echo "a b" 'c$d' e\\\\f`,
    'Environment="A=x\\"y" "B=c$$d" "C=back\\\\slash" D=é E=a*b "F=tab\\there" G=x`y',
    'CPUAffinity=0',
    'IPAddressDeny=10.0.0.0/8 ::1/128 fe80::/64',
    'RestrictNamespaces=net ipc',
    'CapabilityBoundingSet=CAP_NET_ADMIN CAP_CHOWN',
    'SystemCallFilter=@system-service',
    'UMask=0027',
    'MemoryMax=1G',
    'CPUWeight=50',
    'SuccessExitStatus=3 SIGUSR1',
    'LogExtraFields=FOO=bar',
    'BindPaths=/tmp:/mnt',
    '',
  ].join('\n'),
  'nodoc.service': '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n',
};

/** Values that move on their own between two calls (CPU, memory, I/O counters). */
const MOVING = /^(CPUUsageNSec|MemoryCurrent|MemoryAvailable|TasksCurrent|IOReadBytes|IOReadOperations|IOWriteBytes|IOWriteOperations|IPIngressBytes|IPIngressPackets|IPEgressBytes|IPEgressPackets|EffectiveCPUs|EffectiveMemoryNodes)=/;
/** Set-valued properties: their order is a hash table's, which moves when an idle unit is reloaded. */
const SETS = /^(After|Before|Wants|WantedBy|Requires|RequiredBy|Conflicts|ConflictedBy|PartOf|ConsistsOf|Triggers|TriggeredBy|Names|BindsTo|BoundBy|RequiresMountsFor|References|ReferencedBy|OnFailureOf|PropagatesReloadTo|ReloadPropagatedFrom|UpheldBy|Upholds)=/;

function normalize(s: string): string {
  return s
    .split('\n')
    .map((l) => (MOVING.test(l) ? l.replace(/=.*/, '=*') : SETS.test(l) ? l.replace(/=(.*)/, (_m, v: string) => `=${v.split(' ').sort().join(' ')}`) : l))
    .join('\n');
}

type Run = { code: number | null; stdout: string; stderr: string };

async function both(args: string[]): Promise<{ ctl: Run; herd: Run }> {
  const ctl = await execInSandbox(sb.dir, ['systemctl', ...args]);
  const herd = await execInSandbox(sb.dir, [process.execPath, BIN, ...args]);
  return { ctl, herd };
}

/** Same stdout, stderr (with sysherd for systemctl) and exit code; `norm` masks what moves. */
async function assertSame(args: string[], norm: (s: string) => string = (s) => s): Promise<Run> {
  const { ctl, herd } = await both(args);
  const ctx = `${args.join(' ')}\n--- systemctl stderr ---\n${ctl.stderr}\n--- sysherd stderr ---\n${herd.stderr}`;
  assert.equal(herd.code, ctl.code, `exit code of ${ctx}`);
  assert.equal(norm(herd.stdout), norm(ctl.stdout), `stdout of ${ctx}`);
  assert.equal(herd.stderr, ctl.stderr, `stderr of ${ctx}`);
  return herd;
}

before(async () => {
  ensureBuilt();
  sb = await bootSandbox('system', { units: UNITS });
  const r = await execInSandbox(sb.dir, ['systemctl', 'start', 'run.service', 'one.service', 'sock.socket', 'tick.timer', 'inst@a.service', 'weird.service', 'nodoc.service']);
  assert.equal(r.code, 0, r.stderr);
  await execInSandbox(sb.dir, ['systemctl', 'start', 'bad.service']); // fails: exit 3
  await execInSandbox(sb.dir, ['systemctl', 'mask', 'masked.service']);
  await execInSandbox(sb.dir, ['systemctl', 'set-environment', 'Q=a b', "R=it's", 'T=x\\y', 'U=é']);
});
after(() => sb?.stop());

describe('show: every property, as systemctl', () => {
  for (const unit of ['run.service', 'one.service', 'bad.service', 'sock.socket', 'tick.timer', 'multi-user.target', 'tmp.mount', 'inst@a.service', 'weird.service', 'init.scope', 'system.slice', 'nosuch.service']) {
    test(unit, async () => {
      const out = await assertSame(['show', unit], normalize);
      assert.ok(out.stdout.split('\n').length > 10, out.stdout);
      await assertSame(['show', '--all', unit], normalize);
    });
  }
  test('the manager', async () => {
    await assertSame(['show'], normalize);
    await assertSame(['show', '--all'], normalize);
  });
  test('-p, -P, --value, several units, patterns, a job id that does not exist', async () => {
    await assertSame(['show', '-p', 'MainPID,StatusText,Id', 'run.service']);
    await assertSame(['show', '-P', 'ExecStart', 'one.service']);
    await assertSame(['show', '-p', 'Id,Names', '--value', 'run.service', 'one.service']);
    await assertSame(['show', '-p', 'Id', 'r*', 'o*']);
    await assertSame(['show', '-a', '-p', 'Id', 'r*', 'b*']);
    await assertSame(['show', '-p', 'NoSuchProperty', 'run.service']);
    await assertSame(['show', '-p', 'Id', 'run']);
    const r = await both(['show', '99999']);
    assert.equal(r.herd.code, r.ctl.code);
    assert.equal(r.herd.stderr, `sysherd: ${r.ctl.stderr.replace(/\.\n$/, '\n')}`);
  });
  test('--json: typed values', async () => {
    const { herd } = await both(['show', '--json', 'run.service', 'one.service', '-p', 'Id,MainPID,ActiveState,CanStart,ExecStart,TimeoutStopUSec,MemoryMax,ActiveEnterTimestamp,InactiveExitTimestamp,Job,Documentation,InvocationID']);
    assert.equal(herd.code, 0, herd.stderr);
    const [run, one] = JSON.parse(herd.stdout) as Record<string, unknown>[];
    assert.equal(run!.Id, 'run.service');
    assert.equal(typeof run!.MainPID, 'number');
    assert.ok((run!.MainPID as number) > 0);
    assert.equal(run!.ActiveState, 'active');
    assert.equal(run!.CanStart, true);
    assert.equal(run!.TimeoutStopUSec, 90_000_000);
    assert.equal(run!.MemoryMax, null); // infinity
    assert.equal(typeof run!.ActiveEnterTimestamp, 'number');
    assert.equal(run!.Job, null);
    assert.deepEqual(run!.Documentation, ['man:true(1)', 'https://example.com']);
    assert.match(run!.InvocationID as string, /^[0-9a-f]{32}$/);
    const exec = (one!.ExecStart as Record<string, unknown>[])[0]!;
    assert.deepEqual(Object.keys(exec), ['path', 'argv', 'ignoreErrors', 'startTimestamp', 'startTimestampMonotonic', 'exitTimestamp', 'exitTimestampMonotonic', 'pid', 'code', 'status']);
    assert.equal(exec.path, '/bin/echo');
    assert.deepEqual(exec.argv, ['/bin/echo', 'hello']);
    assert.equal(exec.ignoreErrors, false);
    // systemd keeps no exec status for a oneshot's ExecStart= once done (systemctl: code=(null))
    assert.equal(exec.code, null);
    assert.equal(exec.status, 0);
    assert.equal(exec.pid, 0);
    assert.equal(exec.startTimestamp, null);
    const mgr = await both(['show', '--json', '-p', 'Version,NNames,Environment']);
    const [m] = JSON.parse(mgr.herd.stdout) as Record<string, unknown>[];
    assert.match(m!.Version as string, /^252/);
    assert.equal(typeof m!.NNames, 'number');
    assert.ok(Array.isArray(m!.Environment));
  });
});

describe('cat', () => {
  test('fragment and drop-ins, several units, masked, not found, templates', async () => {
    await assertSame(['cat', 'run.service']);
    await assertSame(['cat', 'run.service', 'one.service']);
    await assertSame(['cat', 'masked.service']);
    await assertSame(['cat', 'nosuch.service']);
    await assertSame(['cat', 'run', 'one', 'nosuch', 'masked', 'multi-user.target']);
    await assertSame(['cat', 'inst@.service']);
    await assertSame(['cat', 'inst@a.service']);
    await assertSame(['cat', 'nosuch@.service']);
    await assertSame(['cat', 's*']);
  });
  test('--json', async () => {
    const { herd } = await both(['cat', '--json', 'run.service', 'masked.service']);
    assert.equal(herd.code, 0, herd.stderr);
    const [run, masked] = JSON.parse(herd.stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(run!), ['unit', 'loadState', 'fragment', 'dropIns', 'needDaemonReload']);
    assert.deepEqual(run!.fragment, { path: '/etc/systemd/system/run.service', content: UNITS['run.service'] });
    assert.deepEqual(run!.dropIns, [
      { path: '/etc/systemd/system/run.service.d/override.conf', content: UNITS['run.service.d/override.conf'] },
      { path: '/etc/systemd/system/run.service.d/zz.conf', content: UNITS['run.service.d/zz.conf'] },
    ]);
    assert.equal(run!.needDaemonReload, false);
    assert.deepEqual(masked, { unit: 'masked.service', loadState: 'masked', fragment: null, dropIns: [], needDaemonReload: false });
    const none = await both(['cat', '--json', 'nosuch.service']);
    assert.equal(none.herd.code, 1);
    assert.deepEqual(JSON.parse(none.herd.stdout), [{ unit: 'nosuch.service', loadState: 'not-found', fragment: null, dropIns: [], needDaemonReload: false }]);
  });
});

describe('help and show-environment', () => {
  test('help runs man on the man: pages, as systemctl', async () => {
    const env = ['env', 'MANPAGER=cat', 'PAGER=cat', 'MANWIDTH=80'];
    const ctl = await execInSandbox(sb.dir, [...env, 'systemctl', 'help', 'run.service', 'nodoc.service', 'multi-user.target']);
    const herd = await execInSandbox(sb.dir, [...env, process.execPath, BIN, 'help', 'run.service', 'nodoc.service', 'multi-user.target']);
    assert.equal(herd.code, ctl.code);
    assert.equal(herd.stdout, ctl.stdout);
    // man's own troff warnings come and go (man caches formatted pages)
    const noTroff = (e: string) => e.replace(/^troff: .*\n/gm, '');
    assert.equal(noTroff(herd.stderr), noTroff(ctl.stderr));
    assert.match(herd.stdout, /TRUE\(1\)/);
    await assertSame(['help', 'nosuch.service']);
    const none = await both(['help']);
    assert.equal(none.herd.code, none.ctl.code);
    const json = await both(['help', '--json', 'run.service']);
    assert.deepEqual(JSON.parse(json.herd.stdout), [{ unit: 'run.service', documentation: ['man:true(1)', 'https://example.com'], manPages: [['man', '1', 'true']] }]);
  });
  test('show-environment', async () => {
    const out = await assertSame(['show-environment']);
    assert.match(out.stdout, /^Q=\$'a b'$/m);
    const { herd } = await both(['show-environment', '--json']);
    const env = JSON.parse(herd.stdout) as Record<string, string>;
    assert.equal(env.Q, 'a b');
    assert.equal(env.R, "it's");
    assert.equal(env.T, 'x\\y');
  });
});
