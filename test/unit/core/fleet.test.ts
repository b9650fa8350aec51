import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoSuchUnitError } from '../../../src/core/errors.ts';
import { mapBounded, onHosts } from '../../../src/core/fleet.ts';

describe('mapBounded', () => {
  it('never runs more than the limit at once, and keeps the order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 3, 2, 4, 0], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 30, 20, 40, 0]);
    assert.equal(peak, 2);
  });
  it('an empty list is an empty result', async () => {
    assert.deepEqual(await mapBounded([], 4, async () => 1), []);
  });
});

describe('onHosts', () => {
  it('one host failing does not stop the others; each gets its host in the options', async () => {
    const seen: string[] = [];
    const r = await onHosts(['a', 'b', 'c'], async (c, host) => {
      seen.push(c.host);
      if (host === 'b') throw new NoSuchUnitError('Unit x.service not found.', { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' });
      return host.toUpperCase();
    }, { bus: 'user', parallel: 1 });
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.deepEqual(r, [
      { host: 'a', ok: true, result: 'A' },
      { host: 'b', ok: false, error: { message: 'Unit x.service not found.', dbusName: 'org.freedesktop.systemd1.NoSuchUnit', exitCode: 5 } },
      { host: 'c', ok: true, result: 'C' },
    ]);
  });
});
