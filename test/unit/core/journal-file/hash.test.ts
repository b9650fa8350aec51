import assert from 'node:assert/strict';
import { test } from 'node:test';

import { jenkinsHash64, siphash24 } from '../../../../src/core/journal-file/hash.js';

const seq = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);

test('SipHash-2-4: the reference vectors (key 00…0f, messages 00…n-1)', () => {
  const key = seq(16);
  assert.equal(siphash24(seq(0), key), 0x726fdb47dd0e0e31n);
  assert.equal(siphash24(seq(1), key), 0x74f839c593dc67fdn);
  assert.equal(siphash24(seq(8), key), 0x93f5f5799a932462n);
  assert.equal(siphash24(seq(15), key), 0xa129ca6149be45e5n);
  assert.equal(siphash24(seq(63), key), 0x958a324ceb064572n);
});

test("Jenkins lookup3 hashlittle2 with seeds 0, as systemd's jenkins_hash64", () => {
  // lookup3.c's driver5: hashlittle2("", 0, &c, &b) and "Four score and seven years ago"
  assert.equal(jenkinsHash64(new Uint8Array(0)), 0xdeadbeefdeadbeefn);
  assert.equal(jenkinsHash64(Buffer.from('Four score and seven years ago')), 0x17770551ce7226e6n);
});
