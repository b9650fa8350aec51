/** `--wait`'s rule for a unit that is done (bus-wait-for-units.c, BUS_WAIT_FOR_INACTIVE|BUS_WAIT_NO_JOB). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stoppedForGood } from '../../../src/core/wait-units.ts';

describe('stoppedForGood', () => {
  it('inactive or failed with no job', () => {
    assert.equal(stoppedForGood('inactive', 0), true);
    assert.equal(stoppedForGood('failed', 0), true);
  });
  it('not while a job is pending or not yet known', () => {
    assert.equal(stoppedForGood('inactive', 12), false);
    assert.equal(stoppedForGood('inactive', undefined), false);
  });
  it('not in any other state', () => {
    for (const s of ['active', 'activating', 'deactivating', 'reloading', 'maintenance', undefined]) assert.equal(stoppedForGood(s, 0), false, String(s));
  });
});
