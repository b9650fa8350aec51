/**
 * Integration tests of the Manager / UnitObject / Job / Signal layer against a real
 * `systemd --user` in a sandbox (one shared sandbox for the file; a second, short-lived one for
 * the test that stops its bus under a waiting job). Needs root.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Bus,
  type CallSpec,
  type ConnectOptions,
  ConnectionError,
  InvalidArgumentError,
  Job,
  JobError,
  type JobRemoved,
  Manager,
  ManagerSubscription,
  NoSuchUnitError,
  Signal,
  TimeoutError,
  UnitObject,
  listJobs,
  startUnit,
  stopUnit,
  resetFailedUnit,
  runTransaction,
  withConnection,
} from '../../../src/index.ts';
import { MANAGER_IFACE, MANAGER_PATH } from '../../../src/core/signal.ts';
import { watchUntilInactive } from '../../../src/core/wait-units.ts';
import { type BootedSandbox, bootSandbox } from '../../helpers/sandbox.ts';

const UNITS: Record<string, string> = {
  'many@.service': `[Unit]
Description=many %i

[Service]
Type=oneshot
ExecStart=/bin/true
`,
  'brief@.service': `[Service]
ExecStart=/bin/sleep 0.%i
`,
  'brief-fail.service': `[Service]
ExecStart=/bin/sh -c 'sleep 0.2; exit 1'
`,
  'long.service': `[Service]
Type=oneshot
ExecStart=/bin/sleep 30
`,
  'short.service': `[Service]
Type=oneshot
ExecStart=/bin/sleep 0.5
`,
  'daemon.service': `[Unit]
Description=sysherd daemon

[Service]
ExecStart=/bin/sleep infinity
`,
  'inf.service': `[Service]
Type=oneshot
RemainAfterExit=yes
TimeoutStartSec=infinity
ExecStart=/bin/true
`,
  'lazy.service': `[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
`,
  'base.service': `[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
`,
  'needs.service': `[Unit]
Requires=base.service
After=base.service

[Service]
Type=oneshot
ExecStart=/bin/true
`,
};

let sb: BootedSandbox | undefined;
let o: ConnectOptions;

function sandbox(): BootedSandbox {
  assert.ok(sb, 'the sandbox did not boot');
  return sb;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected a rejection');
}

/** Watch every call the connection makes: `hook` sees its spec and the promise of its reply. */
function spyOnCalls(bus: Bus, hook: (spec: CallSpec, reply: Promise<unknown[]>) => void): void {
  const real = bus.call.bind(bus);
  bus.call = (spec: CallSpec) => {
    const reply = real(spec);
    hook(spec, reply);
    return reply;
  };
}

/** Resolve with `p`'s outcome, or with 'pending' when it has not settled within `ms`. */
function settleWithin<T>(p: Promise<T>, ms: number): Promise<{ ok: T } | { err: unknown } | 'pending'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('pending'), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve({ ok: v });
      },
      (e: unknown) => {
        clearTimeout(timer);
        resolve({ err: e });
      },
    );
  });
}

/** Stop a oneshot whose start job was canceled (its process dies of SIGTERM: failed), forget the failure. */
async function stopOneshot(name: string): Promise<void> {
  await stopUnit(name, o);
  await resetFailedUnit(name, o).catch(() => undefined);
  const st = await withConnection(o, async (m) => (await m.loadUnit(name)).state());
  assert.equal(st, 'inactive');
}

/** Every pid in a cgroup subtree, with its command name. */
function cgroupProcs(dir: string): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  const walk = (d: string): void => {
    for (const line of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push({ pid: Number(line), comm: fs.readFileSync(`/proc/${line}/comm`, 'utf8').trim() });
      } catch {
        // gone meanwhile
      }
    }
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(dir);
  return out;
}

/**
 * Run `fn` with a process of the sandbox stopped (SIGSTOP), continued afterwards whatever
 * happens: no reply can come from it meanwhile, which makes timeouts deterministic.
 */
async function withPaused<T>(pid: number, fn: () => Promise<T>): Promise<T> {
  process.kill(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

const GET_VERSION: CallSpec = {
  path: MANAGER_PATH,
  interface: 'org.freedesktop.DBus.Properties',
  member: 'Get',
  signature: 'ss',
  body: [MANAGER_IFACE, 'Version'],
};

before(
  async () => {
    sb = await bootSandbox('user', { units: UNITS });
    o = { address: sb.busAddress, bus: 'user' };
  },
  { timeout: 30_000 },
);

after(() => sb?.stop());

describe('many jobs at once', () => {
  test('500 oneshot instances on one withConnection Manager: every JobRemoved arrives, all done', { timeout: 25_000 }, async () => {
    const N = 500;
    const names = Array.from({ length: N }, (_, i) => `many@m${i}.service`);
    const t0 = performance.now();
    const results = await withConnection(o, (m) => Promise.all(names.map((n) => m.startUnit(n).then((job) => job.awaitSignal().then((r) => ({ job, r }))))));
    const ms = performance.now() - t0;
    console.log(`500 jobs via Manager.startUnit + Job.awaitSignal: ${ms.toFixed(0)} ms`);
    assert.equal(results.length, N);
    for (const [i, { job, r }] of results.entries()) {
      assert.equal(r.result, 'done', `${names[i]}: ${r.result}`);
      assert.equal(r.unit, names[i]);
      assert.equal(r.jobPath, job.path);
      assert.equal(r.id, job.id);
    }
    assert.equal(new Set(results.map(({ r }) => r.id)).size, N, 'job ids are not unique');
    // no job left behind
    assert.ok(!(await listJobs(o)).some((j) => j.unit.startsWith('many@m')));
  });

  test('500 oneshot instances through the Signal API (subscribeManager, awaitJobRemoved, unsubscribe)', { timeout: 25_000 }, async () => {
    const N = 500;
    const names = Array.from({ length: N }, (_, i) => `many@s${i}.service`);
    const bus = await Bus.connect(o);
    try {
      const t0 = performance.now();
      const sub = await Signal.subscribeManager(bus);
      assert.ok(sub instanceof ManagerSubscription);
      let jobNew = 0;
      const off = sub.on('JobNew', (e) => {
        if (e.unit.startsWith('many@s')) jobNew++;
      });
      // enqueue with plain calls: nothing but the subscription above listens
      const paths = await Promise.all(
        names.map(async (n) => {
          const [p] = await bus.call({ path: MANAGER_PATH, interface: MANAGER_IFACE, member: 'StartUnit', signature: 'ss', body: [n, 'replace'] });
          return p as string;
        }),
      );
      const removed = await Promise.all(paths.map((p) => Signal.awaitJobRemoved(sub, p)));
      const ms = performance.now() - t0;
      console.log(`500 jobs via Signal.subscribeManager + StartUnit + Signal.awaitJobRemoved: ${ms.toFixed(0)} ms`);
      off();
      for (const [i, r] of removed.entries()) {
        assert.equal(r.result, 'done');
        assert.equal(r.unit, names[i]);
        assert.equal(r.jobPath, paths[i]);
      }
      assert.equal(jobNew, N, 'not every JobNew was seen');
      await Signal.unsubscribe(sub);
      // an ended subscription refuses new waits instead of hanging
      const err = await rejection(Signal.awaitJobRemoved(sub, '/org/freedesktop/systemd1/job/1'));
      assert.ok(err instanceof ConnectionError, String(err));
      // the connection itself is still usable
      assert.equal(typeof (await bus.call(GET_VERSION))[0], 'string');
    } finally {
      bus.close();
    }
  });
});

describe('Manager', () => {
  test('an invalid unit name: InvalidArgumentError and nothing is sent', { timeout: 10_000 }, async () => {
    await withConnection(o, async (m) => {
      const sent: string[] = [];
      spyOnCalls(m.bus, (spec) => sent.push(spec.member));
      for (const bad of ['bad name.service', 'noext', 'a.nosuchtype', '']) {
        for (const attempt of [() => m.startUnit(bad), () => m.getUnit(bad), () => m.loadUnit(bad), () => m.killUnit(bad, 'all', 15), () => m.enqueueUnitJob(bad, 'start')]) {
          const err = await rejection(attempt());
          assert.ok(err instanceof InvalidArgumentError, `${JSON.stringify(bad)}: ${String(err)}`);
          assert.equal(err.exitCode, 1);
        }
      }
      assert.deepEqual(sent, [], 'calls went out for invalid names');
      // the spy sees valid calls
      await m.getUnit('default.target');
      assert.deepEqual(sent, ['GetUnit']);
    });
  });

  test('enqueueUnitJob lists the jobs the transaction pulled in', { timeout: 10_000 }, async () => {
    await withConnection(o, async (m) => {
      const { job, enqueued } = await m.enqueueUnitJob('needs.service', 'start');
      assert.equal(enqueued.unit, 'needs.service');
      assert.equal(enqueued.jobType, 'start');
      assert.equal(enqueued.jobPath, job.path);
      assert.equal(enqueued.unitPath, '/org/freedesktop/systemd1/unit/needs_2eservice');
      assert.deepEqual(
        enqueued.affected.map((a) => [a.unit, a.jobType]),
        [['base.service', 'start']],
      );
      assert.deepEqual(await job.awaitSignal(), { id: enqueued.id, jobPath: enqueued.jobPath, unit: 'needs.service', result: 'done' });
      assert.equal(await (await m.getUnit('base.service')).state(), 'active');
    });
  });

  test("runTransaction: auxiliary results only with Subscribe(); without it (auxiliaryResults: false) the requested job's JobRemoved still arrives", { timeout: 20_000 }, async () => {
    for (const auxiliaryResults of [false, true]) {
      await stopUnit('needs.service', o).catch(() => undefined);
      await stopUnit('base.service', o).catch(() => undefined);
      await withConnection(o, async (m) => {
        const members: string[] = [];
        spyOnCalls(m.bus, (spec) => members.push(spec.member));
        const report = await runTransaction(m, ['needs.service'], 'start', { auxiliaryResults });
        assert.equal(report.units[0]?.result, 'done', JSON.stringify(report));
        assert.deepEqual(report.auxiliary.map((a) => a.unit), ['base.service']);
        assert.equal(report.auxiliary[0]?.result, auxiliaryResults ? 'done' : null);
        assert.equal(members.includes('Subscribe'), auxiliaryResults, members.join(' '));
      });
    }
  });

  test('getProperty reads manager properties', { timeout: 10_000 }, async () => {
    await withConnection(o, async (m) => {
      assert.match(String(await m.getProperty('Version')), /^\d+/);
      assert.equal(await m.getProperty('SystemState'), 'running');
    });
  });
});

describe('watchUntilInactive (--wait)', () => {
  test('units ending while they are read: each ends once, inactive or failed; every Ref and GetAll in flight at once', { timeout: 20_000 }, async () => {
    const names = [...['05', '1', '15', '2', '25', '3', '01', '4', '02', '5'].map((i) => `brief@${i}.service`), 'brief-fail.service'];
    await withConnection(o, async (m) => {
      for (const n of names) await m.startUnit(n, 'replace');
      let pending = 0;
      let most = 0;
      spyOnCalls(m.bus, (_spec, reply) => {
        most = Math.max(most, ++pending);
        const settled = (): void => void pending--;
        reply.then(settled, settled);
      });
      const watch = await watchUntilInactive(m.bus, names);
      try {
        const ended = await watch.done;
        assert.deepEqual(
          ended.map((e) => [e.unit, e.activeState]),
          names.map((n) => [n, n === 'brief-fail.service' ? 'failed' : 'inactive']),
        );
      } finally {
        await watch.close();
      }
      // Ref and GetAll of every unit went out together (one round trip, not three per unit)
      assert.ok(most >= 2 * names.length, `at most ${most} calls were in flight at once`);
    });
    await resetFailedUnit('brief-fail.service', o);
  });
});

describe('Job', () => {
  test('Job.await (polling) returns once the job is gone', { timeout: 10_000 }, async () => {
    await withConnection(o, async (m) => {
      const t0 = Date.now();
      const job = await m.startUnit('short.service');
      assert.ok(['running', 'waiting'].includes(await job.state()));
      await job.await({ interval: 50 });
      const ms = Date.now() - t0;
      assert.ok(ms >= 400, `await returned after ${ms} ms, before the 0.5 s job could finish`);
      assert.equal(await job.state(), 'gone');
      assert.ok(!(await m.listJobs()).some((j) => j.id === job.id));
      // the result is there for awaitSignal too (buffered by the subscription)
      assert.equal((await job.awaitSignal()).result, 'done');
    });
  });

  test('awaitSignal twice, at once and afterwards, gives the same JobRemoved', { timeout: 10_000 }, async () => {
    await withConnection(o, async (m) => {
      const job = await m.startUnit('short.service');
      const [a, b] = await Promise.all([job.awaitSignal(), job.awaitSignal()]);
      assert.equal(a.result, 'done');
      assert.deepEqual(b, a);
      assert.deepEqual(await job.awaitSignal({ timeout: 100 }), a);
    });
  });

  test('Job.await with a timeout on a long job rejects with TimeoutError', { timeout: 10_000 }, async () => {
    await withConnection(o, async (m) => {
      const job = await m.startUnit('long.service');
      try {
        const err = await rejection(job.await({ interval: 50, timeout: 300 }));
        assert.ok(err instanceof TimeoutError, String(err));
        assert.equal(await job.state(), 'running');
      } finally {
        assert.equal(await job.cancel(), true);
      }
    });
    await stopOneshot('long.service');
  });

  test('Job.awaitSignal with a timeout on a long job rejects with TimeoutError; the job is still there', { timeout: 10_000 }, async () => {
    await withConnection(o, async (m) => {
      const job = await m.startUnit('long.service');
      const t0 = Date.now();
      const err = await rejection(job.awaitSignal({ timeout: 300 }));
      const ms = Date.now() - t0;
      assert.ok(err instanceof TimeoutError, String(err));
      assert.ok(ms >= 280 && ms < 2000, `timed out after ${ms} ms`);
      assert.equal(await job.state(), 'running');
      assert.ok((await m.listJobs()).some((j) => j.id === job.id));
      assert.equal(await job.cancel(), true);
      // the JobRemoved of the cancel still reaches a new wait
      const e2 = await rejection(job.awaitSignal({ timeout: 5000 }));
      assert.ok(e2 instanceof JobError, String(e2));
      assert.equal(e2.result, 'canceled');
      assert.equal(await job.cancel(), false);
    });
    await stopOneshot('long.service');
  });

  test('a Job from getJob (no subscription) can be awaited by signal', { timeout: 10_000 }, async () => {
    const started = await startUnit('short.service', { ...o, wait: false });
    try {
      await withConnection(o, async (m) => {
        const job = await m.getJob(started.id);
        assert.ok(job instanceof Job);
        assert.equal(job.path, started.path);
        assert.equal(job.subscription, undefined);
        const r = await job.awaitSignal({ timeout: 5000 });
        assert.equal(r.result, 'done');
        assert.equal(r.jobPath, started.path);
        assert.equal(r.unit, 'short.service');
      });
    } finally {
      started.bus.close();
    }
  });

  test('closing the connection locally while a job is awaited settles the wait', { timeout: 10_000 }, async () => {
    // bus.ts: close() → "Pending calls reject"; signal.ts: awaitJobRemoved "Rejects … with
    // ConnectionError when the connection closes".
    const job = await startUnit('long.service', { ...o, wait: false });
    try {
      const waiting = job.awaitSignal();
      job.bus.close();
      const outcome = await settleWithin(waiting, 1000);
      assert.notEqual(outcome, 'pending', 'awaitSignal() never settles after job.bus.close()');
      assert.ok(typeof outcome === 'object' && 'err' in outcome && outcome.err instanceof ConnectionError, `settled with ${JSON.stringify(outcome)}`);
      // and a wait started after the close fails at once
      const again = await settleWithin(job.awaitSignal(), 1000);
      assert.ok(typeof again === 'object' && 'err' in again && again.err instanceof ConnectionError, `settled with ${String(again)}`);
    } finally {
      job.bus.close();
      await withConnection(o, (m) => m.cancelJob(job.id)).catch(() => undefined);
      await stopOneshot('long.service');
    }
  });
});

describe('UnitObject', () => {
  test('getUnit / loadUnit', { timeout: 10_000 }, async () => {
    await withConnection(o, async (m) => {
      // lazy.service is touched by no other test: not loaded, so GetUnit fails and LoadUnit loads it
      const err = await rejection(m.getUnit('lazy.service'));
      assert.ok(err instanceof NoSuchUnitError, String(err));
      assert.equal(err.isNoSuchUnit, true);
      assert.equal(err.message, 'Unit lazy.service not loaded.');
      const loaded = await m.loadUnit('lazy.service');
      assert.ok(loaded instanceof UnitObject);
      assert.equal(loaded.path, '/org/freedesktop/systemd1/unit/lazy_2eservice');
      assert.equal(loaded.name, 'lazy.service');
      assert.equal(await loaded.state(), 'inactive');
      assert.equal(await loaded.get('org.freedesktop.systemd1.Unit', 'LoadState'), 'loaded');

      // once started (RemainAfterExit) it stays loaded: GetUnit finds the same object
      assert.equal((await (await m.startUnit('lazy.service')).awaitSignal()).result, 'done');
      const got = await m.getUnit('lazy.service');
      assert.equal(got.path, loaded.path);
      assert.equal(await got.state(), 'active');
      assert.equal(await loaded.state(), 'active');
      assert.equal((await (await m.stopUnit('lazy.service')).awaitSignal()).result, 'done');

      // a missing unit: LoadUnit gives an object whose LoadState says so
      const missing = await m.loadUnit('missing.service');
      const mp = await missing.unitProperties();
      assert.equal(mp.LoadState, 'not-found');
      assert.deepEqual(mp.LoadError, ['org.freedesktop.systemd1.NoSuchUnit', 'Unit missing.service not found.']);
    });
  });

  test('unitProperties() of a running service; JSON.stringify works on it', { timeout: 10_000 }, async () => {
    await startUnit('daemon.service', o);
    try {
      await withConnection(o, async (m) => {
        const u = await m.getUnit('daemon.service');
        const p = await u.unitProperties();
        assert.equal(p.Id, 'daemon.service');
        assert.deepEqual(p.Names, ['daemon.service']);
        assert.equal(p.Description, 'sysherd daemon');
        assert.equal(p.LoadState, 'loaded');
        assert.equal(p.ActiveState, 'active');
        assert.equal(p.SubState, 'running');
        assert.equal(p.FragmentPath, path.join(sandbox().unitDir, 'daemon.service'));
        assert.equal(p.CanStart, true);
        assert.deepEqual(p.Job, [0, '/']);
        assert.deepEqual(p.LoadError, ['', '']);
        assert.equal(typeof p.ActiveEnterTimestamp, 'number');
        assert.ok(p.ActiveEnterTimestamp > 1_600_000_000_000_000, 'ActiveEnterTimestamp is not µs since the epoch');
        assert.ok(Buffer.isBuffer(p.InvocationID) && p.InvocationID.length === 16);
        const bigints = Object.entries(p).filter(([, v]) => typeof v === 'bigint');
        assert.deepEqual(bigints, [], 'BigInt values left in unitProperties()');
        const json = JSON.stringify(p);
        const back = JSON.parse(json) as Record<string, unknown>;
        assert.equal(back.Id, 'daemon.service');
        assert.equal(back.ActiveEnterTimestamp, p.ActiveEnterTimestamp);
      });
    } finally {
      await stopUnit('daemon.service', o);
    }
  });

  test('serviceProperties(): MainPID, ExecStart, TimeoutStartUSec, Result', { timeout: 10_000 }, async () => {
    await startUnit('daemon.service', o);
    await startUnit('inf.service', o);
    try {
      await withConnection(o, async (m) => {
        const d = await (await m.getUnit('daemon.service')).serviceProperties();
        assert.ok(d.MainPID > 0, `MainPID ${d.MainPID}`);
        assert.equal(fs.readFileSync(`/proc/${d.MainPID}/comm`, 'utf8').trim(), 'sleep');
        assert.equal(d.Type, 'simple');
        assert.equal(d.Result, 'success');
        assert.equal(d.ExecStart.length, 1);
        const e = d.ExecStart[0]!;
        assert.equal(e.path, '/bin/sleep');
        assert.deepEqual(e.argv, ['/bin/sleep', 'infinity']);
        assert.equal(e.pid, d.MainPID);
        assert.equal(e.ignoreErrors, false);
        assert.equal(d.TimeoutStartUSec, 90_000_000);
        assert.ok(d.ControlGroup.endsWith('/daemon.service'), d.ControlGroup);
        assert.doesNotThrow(() => JSON.stringify(d));

        // TimeoutStartSec=infinity is UINT64_MAX on the bus: null here
        const i = await (await m.getUnit('inf.service')).serviceProperties();
        assert.equal(i.TimeoutStartUSec, null);
        assert.equal(i.MainPID, 0);
        assert.equal(i.Result, 'success');
        assert.equal(i.ExecStart[0]?.path, '/bin/true');
        assert.equal(i.ExecStart[0]?.code, 1, 'CLD_EXITED');
        assert.equal(i.ExecStart[0]?.status, 0);
        assert.deepEqual(i.ExecReload, []);
      });
    } finally {
      await stopUnit('daemon.service', o);
      await stopUnit('inf.service', o);
    }
  });
});

describe('timeouts and lost connections', () => {
  test('Bus.connect({ timeout: 1 }) then a call to a paused systemd: TimeoutError', { timeout: 15_000 }, async () => {
    const pid1 = sandbox().pid1;
    assert.ok(pid1 !== null && pid1 > 0);
    // systemd is stopped: whether or not the 1 ms connect makes it (the bus daemon still
    // answers), a call to systemd cannot be answered in time.
    await withPaused(pid1, async () => {
      let bus: Bus | undefined;
      const connectErrors: unknown[] = [];
      for (let i = 0; i < 50 && !bus; i++) {
        try {
          bus = await Bus.connect({ ...o, timeout: 1 });
        } catch (e) {
          connectErrors.push(e);
        }
      }
      // a connect that did not make it in 1 ms must fail clearly
      for (const e of connectErrors) {
        assert.ok(e instanceof ConnectionError, String(e));
        assert.match(e.message, /no answer within/);
        assert.equal(e.address, sandbox().busAddress);
      }
      assert.ok(bus, `50 connects with a 1 ms timeout all failed: ${String(connectErrors[0])}`);
      try {
        assert.equal(bus.timeout, 1);
        const t0 = Date.now();
        const err = await rejection(bus.call(GET_VERSION));
        assert.ok(err instanceof TimeoutError, String(err));
        assert.match(err.message, /Properties\.Get got no reply within/);
        assert.ok(Date.now() - t0 < 1000);
        assert.equal(bus.closed, false, 'a timed-out call must not close the connection');
      } finally {
        bus.close();
      }
    });
  });

  test('a timed-out call leaves the connection usable once systemd answers again', { timeout: 15_000 }, async () => {
    const bus = await Bus.connect(o);
    try {
      const err = await withPaused(sandbox().pid1!, () => rejection(bus.call({ ...GET_VERSION, timeout: 200 })));
      assert.ok(err instanceof TimeoutError, String(err));
      assert.match(err.message, /within 200 ms/);
      // the late reply to the first call is dropped; the next call gets its own reply
      const [v] = await bus.call(GET_VERSION);
      assert.equal(typeof v, 'string');
      const m = new Manager(bus);
      assert.equal(await m.getProperty('SystemState'), 'running');
    } finally {
      bus.close();
    }
  });

  test('connecting to a bus daemon that does not answer fails clearly with ConnectionError', { timeout: 15_000 }, async () => {
    const daemon = cgroupProcs(sandbox().cgroup).find((p) => p.comm === 'dbus-daemon');
    assert.ok(daemon, 'no dbus-daemon in the sandbox');
    const t0 = Date.now();
    const err = await withPaused(daemon.pid, () => rejection(Bus.connect({ ...o, timeout: 300 })));
    const ms = Date.now() - t0;
    assert.ok(err instanceof ConnectionError, String(err));
    assert.equal(err.address, sandbox().busAddress);
    assert.ok(err.message.includes(sandbox().busAddress), err.message);
    assert.match(err.message, /no answer/);
    assert.ok(ms >= 250 && ms < 2000, `failed after ${ms} ms`);
    // the bus works again
    assert.equal(await withConnection(o, (m) => m.getProperty('SystemState')), 'running');
  });

  test('connect errors state the timeout that expired', { timeout: 15_000 }, async () => {
    // Calls format their timeout as "0.2 s" (bus.ts formatSeconds); a connect that gives up
    // after 300 ms should not claim "no answer within 0 s".
    const daemon = cgroupProcs(sandbox().cgroup).find((p) => p.comm === 'dbus-daemon');
    assert.ok(daemon, 'no dbus-daemon in the sandbox');
    const err = await withPaused(daemon.pid, () => rejection(Bus.connect({ ...o, timeout: 300 })));
    assert.ok(err instanceof ConnectionError, String(err));
    assert.doesNotMatch(err.message, /within 0 s/);
    assert.match(err.message, /within 300 ms/);
  });

  test('the bus going away while a job is awaited: ConnectionError within 1 s, nothing hangs', { timeout: 30_000 }, async (t) => {
    let sb2: BootedSandbox | undefined = await bootSandbox('user', {
      units: { 'hang.service': '[Service]\nType=oneshot\nExecStart=/bin/sleep 30\n' },
    });
    t.after(() => sb2?.stop());
    const o2: ConnectOptions = { address: sb2.busAddress, bus: 'user' };
    const job = await startUnit('hang.service', { ...o2, wait: false });
    try {
      assert.ok(['running', 'waiting'].includes(await job.state()));
      let rejectedAt = 0;
      const waiting = job.awaitSignal().then(
        (r: JobRemoved) => r,
        (e: unknown) => {
          rejectedAt = Date.now();
          throw e;
        },
      );
      waiting.catch(() => undefined);
      const t0 = Date.now();
      const stopping = sb2.stop();
      const outcome = await settleWithin(waiting, 5000);
      await stopping;
      sb2 = undefined;
      assert.ok(typeof outcome === 'object' && 'err' in outcome, `awaitSignal settled with ${JSON.stringify(outcome)}`);
      const err = outcome.err;
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /went away|closed|failed/);
      const ms = rejectedAt - t0;
      console.log(`awaitSignal rejected ${ms} ms after the sandbox stop began`);
      assert.ok(ms < 1000, `rejected ${ms} ms after the stop began`);
      assert.equal(job.bus.closed, true);
      // every later use fails at once with ConnectionError
      const e2 = await rejection(job.state());
      assert.ok(e2 instanceof ConnectionError, String(e2));
      const e3 = await rejection(job.awaitSignal());
      assert.ok(e3 instanceof ConnectionError, String(e3));
      const e4 = await rejection(job.cancel());
      assert.ok(e4 instanceof ConnectionError, String(e4));
    } finally {
      job.bus.close();
    }
  });
});
