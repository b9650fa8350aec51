import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainJobResult, isJobSuccess } from '../../../src/core/job.ts';
import { decodeManagerSignal } from '../../../src/core/signal.ts';

describe('job results', () => {
  it('done and skipped are success, the rest are not', () => {
    assert.equal(isJobSuccess('done'), true);
    assert.equal(isJobSuccess('skipped'), true);
    for (const r of ['canceled', 'timeout', 'failed', 'dependency', 'invalid', 'assert', 'unsupported', 'collected', 'once']) {
      assert.equal(isJobSuccess(r), false, r);
    }
  });
  it('explains results the way systemctl does', () => {
    assert.equal(explainJobResult('canceled', 'a.service', 'start'), 'Job for a.service canceled.');
    assert.equal(explainJobResult('dependency', 'a.service', 'start'), 'A dependency job for a.service failed.');
    assert.equal(explainJobResult('invalid', 'a.service', 'reload'), 'a.service is not active, cannot reload.');
    assert.equal(explainJobResult('failed', 'a.service', 'start', 'exit-code'), 'Job for a.service failed because the control process exited with error code.');
    assert.equal(explainJobResult('failed', 'a.service', 'start', 'start-limit-hit'), 'Job for a.service failed because start of the service was attempted too often.');
    assert.equal(explainJobResult('failed', 'a.mount', 'start'), 'Job for a.mount failed.');
    // systemd 252's words (bus-wait-for-jobs.c), one table with the CLI's
    assert.equal(explainJobResult('failed', 'a.service', 'start', 'protocol'), 'Job for a.service failed because the service did not take the steps required by its unit configuration.');
    assert.equal(explainJobResult('failed', 'a.service', 'start', 'oom-kill'), 'Job for a.service failed because of an out-of-memory (OOM) siutation.');
    assert.equal(explainJobResult('once', 'a.service', 'start'), "Unit a.service was started already once and can't be started again.");
  });
  it('decodes manager signals', () => {
    assert.deepEqual(decodeManagerSignal('JobRemoved', [7, '/org/freedesktop/systemd1/job/7', 'a.service', 'done']), {
      name: 'JobRemoved',
      value: { id: 7, jobPath: '/org/freedesktop/systemd1/job/7', unit: 'a.service', result: 'done' },
    });
    assert.equal(decodeManagerSignal('Bogus', []), undefined);
  });
});

describe('jobFailureLines (systemctl 252 check_wait_response)', () => {
  it('says what systemctl says for each result', async () => {
    const { jobFailureLines } = await import('../../../src/core/job.ts');
    assert.deepEqual(jobFailureLines('done', 'a.service', null), []);
    assert.deepEqual(jobFailureLines('skipped', 'a.service', null), []);
    assert.deepEqual(jobFailureLines('failed', 'a.service', 'exit-code', { program: 'sysherd' }), [
      'Job for a.service failed because the control process exited with error code.',
      'See "sysherd status a.service" and "journalctl -xeu a.service" for details.',
    ]);
    assert.deepEqual(jobFailureLines('failed', 'a.service', 'start-limit-hit', { program: 'sysherd', extraArgs: ['--user'] }), [
      'Job for a.service failed because start of the service was attempted too often.',
      'See "sysherd --user status a.service" and "journalctl --user -xeu a.service" for details.',
      'To force a start use "sysherd --user reset-failed a.service"',
      'followed by "sysherd --user start a.service" again.',
    ]);
    assert.deepEqual(jobFailureLines('failed', 'a.service', 'success'), [
      'Job for a.service failed.',
      'See "systemctl status a.service" and "journalctl -xeu a.service" for details.',
    ]);
    assert.deepEqual(jobFailureLines('failed', 'a.mount', null), ['Job failed. See "journalctl -xe" for details.']);
    assert.deepEqual(jobFailureLines('dependency', 'a.service', null), ["A dependency job for a.service failed. See 'journalctl -xe' for details."]);
    assert.deepEqual(jobFailureLines('invalid', 'a.service', null), ['a.service is not active, cannot reload.']);
    assert.deepEqual(jobFailureLines('timeout', 'a.device', null), ['Job for a.device timed out.']);
    assert.deepEqual(jobFailureLines('canceled', 'a.service', null), ['Job for a.service canceled.']);
  });
  it('quotes unit names for the shell as shell_maybe_quote', async () => {
    const { shellMaybeQuote, jobFailureLines } = await import('../../../src/core/job.ts');
    assert.equal(shellMaybeQuote('a.service'), 'a.service');
    assert.equal(shellMaybeQuote('a\\x20b.service'), '"a\\\\x20b.service"');
    assert.equal(shellMaybeQuote('a$b'), '"a\\$b"');
    assert.match(jobFailureLines('failed', 'a\\x20b.service', 'signal')[1]!, /status "a\\\\x20b\.service"/);
  });
});
