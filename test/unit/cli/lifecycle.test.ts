import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BusError, NoSuchUnitError, PermissionError } from '../../../src/core/errors.ts';
import { UNIT_ACTIONS } from '../../../src/core/manager.ts';
import { enqueueFailureLines, finalLine, lifecycleJson } from '../../../src/cli/run/lifecycle.ts';
import { gerund, progressText } from '../../../src/output/job-progress.ts';
import type { TransactionReport } from '../../../src/core/transaction.ts';

describe('lifecycle verbs', () => {
  it('one table with systemctl 252 unit_actions[] and its aliases', () => {
    const rows = Object.fromEntries(UNIT_ACTIONS.map((a) => [a.verb, [a.method, a.jobType]]));
    assert.deepEqual(rows, {
      start: ['StartUnit', 'start'],
      stop: ['StopUnit', 'stop'],
      condstop: ['StopUnit', 'stop'],
      reload: ['ReloadUnit', 'reload'],
      restart: ['RestartUnit', 'restart'],
      'try-restart': ['TryRestartUnit', 'try-restart'],
      condrestart: ['TryRestartUnit', 'try-restart'],
      'reload-or-restart': ['ReloadOrRestartUnit', 'reload-or-restart'],
      'try-reload-or-restart': ['ReloadOrTryRestartUnit', 'reload-or-try-restart'],
      'reload-or-try-restart': ['ReloadOrTryRestartUnit', 'reload-or-try-restart'],
      condreload: ['ReloadOrTryRestartUnit', 'reload-or-try-restart'],
      'force-reload': ['ReloadOrTryRestartUnit', 'reload-or-try-restart'],
    });
  });

  it('enqueue failures as start_unit_one words them', () => {
    const nsu = new NoSuchUnitError('Unit x.service not found.', { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' });
    assert.deepEqual(enqueueFailureLines('start', 'x.service', nsu, false), ['Failed to start x.service: Unit x.service not found.']);
    const bad = new BusError('Unit x.service has a bad unit file setting.', { dbusName: 'org.freedesktop.systemd1.BadUnitSetting' });
    assert.deepEqual(enqueueFailureLines('reload-or-try-restart', 'x.service', bad, true), [
      'Failed to reload-or-try-restart x.service: Unit x.service has a bad unit file setting.',
      "See user logs and 'sysherd --user status x.service' for details.",
    ]);
    const denied = new PermissionError('Rejected send message, 2 matched rules; …', { dbusName: 'org.freedesktop.DBus.Error.AccessDenied' });
    assert.deepEqual(enqueueFailureLines('stop', '-x.service', denied, false), [
      'Failed to stop -x.service: Access denied',
      "See system logs and 'sysherd status -- -x.service' for details.",
    ]);
  });

  it('--json: the report as one document', () => {
    const report: TransactionReport = {
      jobType: 'stop',
      mode: 'replace',
      waited: true,
      exitCode: 5,
      units: [
        { unit: 'a.service', unitId: 'a.service', jobId: 7, jobPath: '/j/7', jobType: 'stop', result: 'done', serviceResult: null, ms: 3, needDaemonReload: false, error: null, ignored: false },
        {
          unit: 'b.service',
          unitId: null,
          jobId: null,
          jobPath: null,
          jobType: null,
          result: null,
          serviceResult: null,
          ms: null,
          needDaemonReload: false,
          error: new NoSuchUnitError('Unit b.service not loaded.', { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' }),
          ignored: false,
        },
      ],
      auxiliary: [{ unit: 'c.service', jobId: 8, jobPath: '/j/8', jobType: 'stop', anchor: 'a.service', result: 'done' }],
    };
    assert.deepEqual(lifecycleJson('condstop', report), {
      verb: 'condstop',
      jobType: 'stop',
      jobMode: 'replace',
      waited: true,
      units: [
        { unit: 'a.service', job: 7, type: 'stop', result: 'done', serviceResult: null, ms: 3, error: null },
        { unit: 'b.service', job: null, type: null, result: null, serviceResult: null, ms: null, error: { name: 'org.freedesktop.systemd1.NoSuchUnit', message: 'Unit b.service not loaded.' } },
      ],
      auxiliary: [{ unit: 'c.service', job: 8, type: 'stop', anchor: 'a.service', result: 'done' }],
      exitCode: 5,
    });
  });

  it('the spinner names the work', () => {
    assert.equal(gerund('restart'), 'Restarting');
    assert.equal(gerund('stop'), 'Stopping');
    assert.equal(gerund('reload-or-restart'), 'Reloading or restarting');
    assert.equal(gerund('try-restart'), 'Restarting (if active)');
    assert.equal(gerund('force-reload'), 'Reloading or restarting (if active)');
    assert.equal(progressText('restart', ['nginx.service'], 0, 1), 'Restarting nginx.service…');
    assert.equal(progressText('start', ['a.service', 'b.service', 'c.service'], 1, 3), 'Starting 3 units… 1/3 done');
    assert.equal(progressText('start', ['a.service'], 0, 1, false), 'Starting a.service...');
    assert.equal(progressText('condrestart', ['a.service'], 0, 1), 'Restarting a.service (if active)…');
  });
  it('names the units still pending (three, then a count)', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((n) => `${n}.service`);
    assert.equal(progressText('start', five.slice(0, 3), 1, 3, true, ['b.service', 'c.service']), 'Starting 3 units… 1/3 done, waiting for b.service, c.service');
    assert.equal(progressText('start', five, 0, 5, true, five), 'Starting 5 units… 0/5 done, waiting for a.service, b.service, c.service and 2 more');
  });
});

describe('the final line after a start that ended done', () => {
  const job = { unit: 'broken.service', unitId: 'broken.service', jobId: 1, jobPath: '/j/1', jobType: 'start', result: 'done', serviceResult: null, ms: 5, needDaemonReload: false, error: null, ignored: false } as const;
  const outcome = (activeState: string, oneShot = false) => ({ activeState, result: activeState === 'failed' ? 'exit-code' : 'success', code: 'exited' as const, status: activeState === 'failed' ? 3 : 0, signal: null, oneShot, young: false });
  it('a service that failed at once: ✖ and what happened', () => {
    assert.deepEqual(finalLine({ ...job }, outcome('failed')), { ok: false, text: 'broken.service start done in 5 ms, but it failed (exit-code): code=exited, status=3' });
  });
  it('inactive again: ✖, unless it is a one-shot (that is what it does)', () => {
    assert.equal(finalLine({ ...job }, outcome('inactive')).ok, false);
    assert.equal(finalLine({ ...job }, outcome('inactive', true)).ok, true);
    assert.deepEqual(finalLine({ ...job }, outcome('active')), { ok: true, text: 'broken.service start done in 5 ms' });
    assert.deepEqual(finalLine({ ...job }, null), { ok: true, text: 'broken.service start done in 5 ms' });
  });
});
