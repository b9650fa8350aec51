import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decompressPayload, lz4Block, OBJECT_COMPRESSED_LZ4, OBJECT_COMPRESSED_XZ, UnsupportedJournalError } from '../../../../src/core/journal-file/decompress.js';

/** journald's LZ4 payload: the size as le64, then the block. */
function lz4Payload(size: number, block: number[]): Buffer {
  const b = Buffer.alloc(8 + block.length);
  b.writeBigUInt64LE(BigInt(size), 0);
  Buffer.from(block).copy(b, 8);
  return b;
}

test('an LZ4 block: literals, an overlapping match, long lengths, the last literals', () => {
  // "abc" then a match of 22 at distance 3 (length 15+3+4), then the literals "XYZ"
  const block = [0x3f, 0x61, 0x62, 0x63, 0x03, 0x00, 0x03, 0x30, 0x58, 0x59, 0x5a];
  const out = decompressPayload(OBJECT_COMPRESSED_LZ4, lz4Payload(28, block));
  assert.equal(out.toString('latin1'), `${'abc'.repeat(9).slice(0, 25)}XYZ`);
});

test('an LZ4 block that lies about its size, or points before the start, is refused', () => {
  assert.throws(() => decompressPayload(OBJECT_COMPRESSED_LZ4, lz4Payload(10, [0x30, 0x61, 0x62, 0x63])), UnsupportedJournalError);
  assert.throws(() => lz4Block(Uint8Array.from([0x10, 0x61, 0x09, 0x00]), new Uint8Array(10)), UnsupportedJournalError);
});

test('XZ is left to journalctl', () => {
  assert.throws(() => decompressPayload(OBJECT_COMPRESSED_XZ, Buffer.from('x')), UnsupportedJournalError);
});
