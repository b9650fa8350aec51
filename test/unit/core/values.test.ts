import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromBigInt, normalize } from '../../../src/core/values.ts';

class FakeVariant {
  constructor(public signature: string, public value: unknown) {}
}
const isVariant = (o: object): o is { value: unknown } => o instanceof FakeVariant;

describe('values', () => {
  it('maps UINT64_MAX and INT64_MAX to null, other BigInts to numbers', () => {
    assert.equal(fromBigInt(0xffffffffffffffffn), null);
    assert.equal(fromBigInt(0x7fffffffffffffffn), null);
    assert.equal(fromBigInt(1_700_000_000_000_000n), 1_700_000_000_000_000);
  });
  it('normalizes nested bodies so JSON.stringify works', () => {
    const body = [{ A: new FakeVariant('t', 0xffffffffffffffffn), B: new FakeVariant('as', ['x']), C: [[1n, 'y']] }];
    const out = normalize(body, isVariant);
    assert.deepEqual(out, [{ A: null, B: ['x'], C: [[1, 'y']] }]);
    assert.doesNotThrow(() => JSON.stringify(out));
  });
});
