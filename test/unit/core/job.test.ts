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
