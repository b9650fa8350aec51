/**
 * Integration tests of the core library against a REAL systemd in a system-mode sandbox:
 * - from the host, over the sandbox's system bus (`{ address: sb.busAddress }`, as root);
 * - inside the sandbox (fixtures/probe.ts, bundled with esbuild and piped to `node -` through
 *   nsenter): as uid 65534 against polkit, and as root over systemd's private socket;
 * - connection failures: no socket, and the bus going away while a job is awaited.
 * Needs root (the sandbox creates cgroups and namespaces).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import {
  Bus,
  ConnectionError,
  type Job,
  JobError,
  Manager,
  NoSuchUnitError,
  listUnitFiles,
  listUnits,
  startUnit,
  stopUnit,
  withConnection,
} from '../../../src/index.js';
import { execInSandbox } from '../../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.js';
import type { ErrorInfo } from './fixtures/error-info.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const SLEEPER = 'sysherd-sleep.service';
const FAILING = 'sysherd-fail.service';
const DIRECT_ONESHOT = 'sysherd-direct.service';

const UNITS: Record<string, string> = {
  [SLEEPER]: `[Unit]
Description=sysherd test: sleeps until stopped

[Service]
ExecStart=/bin/sleep infinity
`,
  [FAILING]: `[Unit]
Description=sysherd test: a oneshot that fails

[Service]
Type=oneshot
ExecStart=/bin/false
`,
  [DIRECT_ONESHOT]: `[Unit]
Description=sysherd test: a oneshot started over the private socket

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
`,
};


/** The probe, bundled once (esbuild, in memory). */
let bundle: Promise<string> | undefined;
function probeBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [path.join(here, 'fixtures', 'probe.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).then((r) => {
    const out = r.outputFiles[0];
    assert.ok(out, 'esbuild produced no output');
    return out.text;
  });
  return bundle;
}

/** Run the probe inside the sandbox; returns its parsed RESULT line. */
async function runProbe(
  sb: BootedSandbox,
  args: string[],
  opts: { uid?: number; env?: Record<string, string> } = {},
): Promise<Record<string, unknown>> {
  const envArgs = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const argv = [...(envArgs.length ? ['env', ...envArgs] : []), 'node', '--input-type=module', '-', ...args];
  const t0 = Date.now();
  const r = await execInSandbox(sb.dir, argv, { input: await probeBundle(), ...(opts.uid === undefined ? {} : { uid: opts.uid }) });
  const ms = Date.now() - t0;
  const detail = `exit ${String(r.code)} signal ${String(r.signal)} after ${ms} ms\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.equal(r.code, 0, `probe ${args.join(' ')} failed: ${detail}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `probe printed no RESULT line: ${detail}`);
  console.log(`# probe ${args[0]}${opts.uid === undefined ? '' : ` (uid ${opts.uid})`}: ${ms} ms`);
  return JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
}

/** Settles within `ms`, or fails the test with `what`. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('core library against a system-mode sandbox', () => {
  let sb: BootedSandbox | undefined;
  let opts: { address: string; timeout: number };

  before(async () => {
    const t0 = Date.now();
    // bundle while the sandbox boots
    const [booted] = await Promise.all([bootSandbox('system', { units: UNITS }), probeBundle()]);
    sb = booted;
    opts = { address: sb.busAddress, timeout: 10_000 };
    console.log(`# system sandbox booted (and probe bundled) in ${Date.now() - t0} ms`);
  });
  after(() => sb?.stop());

  // ── 1. from the host, over the sandbox's system bus, as root ────────────────────────────

  test('listUnits finds sandbox.target active and dbus.service', async () => {
    const units = await listUnits(opts);
    const target = units.find((u) => u.name === 'sandbox.target');
    assert.ok(target, `sandbox.target not listed among ${units.length} units`);
    assert.equal(target.loadState, 'loaded');
    assert.equal(target.activeState, 'active');
    assert.equal(target.unitPath, '/org/freedesktop/systemd1/unit/sandbox_2etarget');
    const dbusService = units.find((u) => u.name === 'dbus.service');
    assert.ok(dbusService, 'dbus.service not listed');
    assert.equal(dbusService.loadState, 'loaded');
    assert.equal(dbusService.activeState, 'active', 'the bus we talk over is served by dbus.service');
    assert.equal(dbusService.subState, 'running');
    // the filtered variant (ListUnitsByPatterns) agrees
    const filtered = await listUnits({ ...opts, patterns: ['sandbox.*'], states: ['active'] });
    assert.deepEqual(
      filtered.map((u) => u.name),
      ['sandbox.target'],
    );
  });

  test('startUnit/stopUnit of a dropped-in service, with ActiveState checked', async () => {
    const started = await startUnit(SLEEPER, opts);
    assert.equal(started.unit, SLEEPER);
    assert.equal(started.result, 'done');
    assert.match(started.jobPath, /^\/org\/freedesktop\/systemd1\/job\/\d+$/);
    assert.equal(started.id, Number(started.jobPath.split('/').pop()));

    const running = await withConnection(opts, async (m) => {
      const u = await m.getUnit(SLEEPER);
      return { state: await u.state(), svc: await u.serviceProperties() };
    });
    assert.equal(running.state, 'active');
    assert.equal(running.svc.MainPID > 0, true, `MainPID ${running.svc.MainPID}`);
    assert.deepEqual(running.svc.ExecStart[0]?.argv, ['/bin/sleep', 'infinity']);

    const stopped = await stopUnit(SLEEPER, opts);
    assert.equal(stopped.result, 'done');
    assert.equal(stopped.unit, SLEEPER);
    // LoadUnit, not GetUnit: the stopped unit may already have been garbage-collected
    const props = await withConnection(opts, async (m) => (await m.loadUnit(SLEEPER)).unitProperties());
    assert.equal(props.ActiveState, 'inactive');
    assert.equal(props.SubState, 'dead');
    // and its process is gone (MainPID is a pid of the sandbox's pid namespace)
    const proc = await execInSandbox(sb!.dir, ['test', '-e', `/proc/${running.svc.MainPID}`]);
    assert.notEqual(proc.code, 0, `the sleep (pid ${running.svc.MainPID}) still runs`);
  });

  test('a failing oneshot rejects with JobError explained as systemctl does', async () => {
    const err = await startUnit(FAILING, opts).then(
      () => assert.fail(`${FAILING} started although ExecStart=/bin/false`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof JobError, `not a JobError: ${String(err)}`);
    assert.equal(err.unit, FAILING);
    assert.equal(err.jobType, 'start');
    assert.equal(err.result, 'failed');
    assert.match(err.jobPath, /^\/org\/freedesktop\/systemd1\/job\/\d+$/);
    assert.equal(err.message, `Job for ${FAILING} failed because the control process exited with error code.`);
    assert.equal(err.exitCode, 1);
    assert.equal(err.isPermission, false);
    const state = await withConnection(opts, async (m) => (await m.getUnit(FAILING)).state());
    assert.equal(state, 'failed');
  });

  test('getUnit + unitProperties, and NoSuchUnitError for a unit that is not loaded', async () => {
    await withConnection(opts, async (m) => {
      const u = await m.getUnit('sandbox.target');
      assert.equal(u.path, '/org/freedesktop/systemd1/unit/sandbox_2etarget');
      const p = await u.unitProperties();
      assert.equal(p.Id, 'sandbox.target');
      assert.equal(p.LoadState, 'loaded');
      assert.equal(p.ActiveState, 'active');
      assert.equal(p.SubState, 'active');
      assert.equal(p.FragmentPath, '/etc/systemd/system/sandbox.target');
      assert.ok(Array.isArray(p.Names) && p.Names.includes('sandbox.target'));
      assert.equal(typeof p.ActiveEnterTimestamp, 'number');
      assert.ok(p.ActiveEnterTimestamp > 0);
      assert.deepEqual(p.Job, [0, '/']);

      const missing = await m.getUnit('sysherd-no-such-unit.service').then(
        () => assert.fail('GetUnit of an unknown unit succeeded'),
        (e: unknown) => e,
      );
      assert.ok(missing instanceof NoSuchUnitError, `not a NoSuchUnitError: ${String(missing)}`);
      assert.equal(missing.dbusName, 'org.freedesktop.systemd1.NoSuchUnit');
      assert.equal(missing.isNoSuchUnit, true);
      assert.equal(missing.exitCode, 5);
    });
  });

  test('listUnitFiles includes the dropped-in units', async () => {
    const files = await listUnitFiles(opts);
    for (const name of [SLEEPER, FAILING, DIRECT_ONESHOT]) {
      const f = files.find((x) => x.path === `/etc/systemd/system/${name}`);
      assert.ok(f, `${name} not in ListUnitFiles (${files.length} entries)`);
      assert.equal(f.state, 'static', `${name} has no [Install] section`);
    }
    const byPattern = await listUnitFiles({ ...opts, patterns: ['sysherd-*'] });
    assert.deepEqual(
      byPattern.map((f) => path.basename(f.path)).sort(),
      [DIRECT_ONESHOT, FAILING, SLEEPER].sort(),
    );
  });

  // ── 2. polkit: uid 65534 inside the sandbox ─────────────────────────────────────────────

  test('as uid 65534 inside: reads succeed, startUnit fails with a permission error (polkit)', async () => {
    const r = await runProbe(sb!, ['unprivileged', SLEEPER], { uid: 65534 });
    assert.equal(r.fatal, undefined, `probe failed: ${JSON.stringify(r)}`);
    assert.equal(r.uid, 65534);
    assert.deepEqual(r.problems, []);
    // not root: the library must not try systemd's private socket
    assert.equal(r.address, 'unix:path=/run/dbus/system_bus_socket');
    assert.equal(r.direct, false);
    assert.equal(typeof r.listed, 'number');
    assert.ok((r.listed as number) > 10, `listUnits as 65534 listed ${String(r.listed)} units`);
    assert.equal(r.listedSandboxTarget, true);
    assert.equal(r.started, undefined, 'startUnit as uid 65534 succeeded');
    const e = r.error as ErrorInfo;
    console.log(`# polkit answered uid 65534: ${e.dbusName} (${e.message})`);
    assert.equal(e.name, 'PermissionError');
    assert.equal(e.dbusName, 'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired');
    assert.equal(e.isPermission, true);
    // systemctl's translate_bus_error_to_exit_status: only AccessDenied & co are 4 (checked: systemctl start as 65534 exits 1)
    assert.equal(e.exitCode, 1);
    assert.equal(e.message, 'Interactive authentication required.');
    // allowing interactive authorization changes nothing without a polkit agent: still denied
    const ie = r.interactiveError as ErrorInfo;
    assert.ok(ie, 'startUnit({ interactive: true }) as uid 65534 succeeded');
    console.log(`# with ALLOW_INTERACTIVE_AUTHORIZATION: ${ie.dbusName} (${ie.message})`);
    assert.equal(ie.isPermission, true, `interactive: ${JSON.stringify(ie)}`);
    assert.equal(ie.exitCode, ie.dbusName === 'org.freedesktop.DBus.Error.AccessDenied' ? 4 : 1);
    // and the unit was not started by either attempt
    const state = await withConnection(opts, async (m) => (await m.loadUnit(SLEEPER)).state());
    assert.equal(state, 'inactive');
  });

  // ── 3. root inside: systemd's private socket ────────────────────────────────────────────

  test("as root inside without DBUS_SYSTEM_BUS_ADDRESS: systemd's private socket, Hello error swallowed, jobs work", async () => {
    const r = await runProbe(sb!, ['direct', DIRECT_ONESHOT]);
    assert.equal(r.fatal, undefined, `probe failed: ${JSON.stringify(r)}`);
    assert.equal(r.uid, 0);
    assert.equal(r.envAddress, null);
    assert.equal(r.address, 'unix:path=/run/systemd/private');
    assert.equal(r.direct, true);
    assert.deepEqual(r.problems, [], 'no unhandled error or exception');
    assert.equal(r.closedAfterHello, false, 'the connection survived the automatic Hello');
    // the socket really does answer Hello with an error: that is what was swallowed
    const hello = r.helloError as ErrorInfo | null;
    assert.ok(hello, 'Hello on the private socket succeeded?');
    console.log(`# Hello on systemd's private socket: ${hello.dbusName} (${hello.message})`);
    assert.equal(hello.dbusName, 'org.freedesktop.DBus.Error.UnknownObject');
    assert.equal(hello.message, "Unknown object '/org/freedesktop/DBus'.");
    assert.ok((r.listed as number) > 10, `listUnits listed ${String(r.listed)}`);
    assert.equal(r.sandboxTarget, 'active');
    const removed = r.removed as { id: number; jobPath: string; unit: string; result: string };
    assert.equal(removed.unit, DIRECT_ONESHOT);
    assert.equal(removed.result, 'done');
    assert.equal(removed.jobPath, r.jobPath);
    assert.equal(r.stateAfter, 'active');
    assert.equal(r.closedAtEnd, false);
    // seen from the host too
    const state = await withConnection(opts, async (m) => (await m.getUnit(DIRECT_ONESHOT)).state());
    assert.equal(state, 'active');
  });

  test('as root inside with DBUS_SYSTEM_BUS_ADDRESS set: that address is used, not the private socket', async () => {
    const address = 'unix:path=/run/dbus/system_bus_socket';
    const r = await runProbe(sb!, ['env'], { env: { DBUS_SYSTEM_BUS_ADDRESS: address } });
    assert.equal(r.fatal, undefined, `probe failed: ${JSON.stringify(r)}`);
    assert.equal(r.uid, 0);
    assert.equal(r.envAddress, address);
    assert.equal(r.address, address);
    assert.equal(r.direct, false);
    assert.ok((r.listed as number) > 10);
    assert.deepEqual(r.problems, []);
  });

  // ── 4. no bus ───────────────────────────────────────────────────────────────────────────

  test('Bus.connect to a socket that does not exist rejects with ConnectionError within 1 s', async () => {
    const address = 'unix:path=/nonexistent/sock';
    const t0 = Date.now();
    const err = await within(1000, 'Bus.connect', Bus.connect({ address })).then(
      () => assert.fail('connected to a socket that does not exist'),
      (e: unknown) => e,
    );
    const ms = Date.now() - t0;
    assert.ok(err instanceof ConnectionError, `not a ConnectionError: ${String(err)}`);
    assert.ok(ms < 1000, `took ${ms} ms`);
    assert.ok(err.message.includes(address), `message does not name the address: ${err.message}`);
    assert.match(err.message, /no such socket/);
    assert.equal(err.address, address);
    assert.equal(err.exitCode, 1);
    // the one-off functions report it the same way
    await assert.rejects(within(1000, 'listUnits', listUnits({ address })), (e: unknown) => e instanceof ConnectionError && /no such socket/.test(e.message));
  });

  // ── 5. the bus goes away while a job is awaited ─────────────────────────────────────────

  test('stopping the sandbox while a job is awaited rejects with ConnectionError within 1 s', async () => {
    const t0 = Date.now();
    const sb2 = await bootSandbox('system', {
      units: {
        'sysherd-slow.service': `[Unit]
Description=sysherd test: a oneshot that takes 30 s

[Service]
Type=oneshot
ExecStart=/bin/sleep 30
`,
      },
    });
    console.log(`# second system sandbox booted in ${Date.now() - t0} ms`);
    let job: Job | undefined;
    try {
      const j = await startUnit('sysherd-slow.service', { address: sb2.busAddress, timeout: 10_000, wait: false });
      job = j;
      assert.equal(j.unit, 'sysherd-slow.service');
      assert.equal(j.jobType, 'start');
      // queued in systemd: right after boot it may still wait for the boot transaction
      assert.ok(['waiting', 'running'].includes(await j.state()), 'the job is queued');
      let settledAt = 0;
      const waiting = j.awaitSignal().finally(() => {
        settledAt = Date.now();
      });
      waiting.catch(() => undefined);
      // still waiting: the job runs for 30 s
      const early = await Promise.race([waiting.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 200))]);
      assert.equal(early, 'pending');

      const stopAt = Date.now();
      const stopping = sb2.stop();
      const err = await within(5000, 'awaitSignal after the sandbox was stopped', waiting).then(
        () => assert.fail('awaitSignal resolved although systemd went away'),
        (e: unknown) => e,
      );
      const ms = settledAt - stopAt;
      await stopping;
      console.log(`# awaitSignal rejected ${ms} ms after stop began (stop took ${Date.now() - stopAt} ms)`);
      assert.ok(err instanceof ConnectionError, `not a ConnectionError: ${String(err)}`);
      assert.ok(ms < 1000, `rejected only after ${ms} ms`);
      assert.ok(err.message.includes(sb2.busAddress.replace(/^unix:path=/, '')), err.message);
      assert.equal(j.bus.closed, true);
      // the closed connection fails fast from now on
      await assert.rejects(within(1000, 'call on a closed connection', j.state()), ConnectionError);
    } finally {
      job?.bus.close();
      await sb2.stop();
    }
  });

  test('the shared sandbox survived the second one', async () => {
    const m = await Manager.connect(opts);
    try {
      // degraded: sysherd-fail.service failed above
      assert.ok(['running', 'degraded'].includes(String(await m.getProperty('SystemState'))));
      assert.equal((await (await m.getUnit('sandbox.target')).state()), 'active');
    } finally {
      m.close();
    }
  });
});
