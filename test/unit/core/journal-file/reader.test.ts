/** The pure parts of the journal reader: sd-journal's entry order, systemd's printable test, journalctl's JSON fields. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compareEntries, type EntryKey, entryObject, isPrintable } from '../../../../src/core/journal-file/reader.js';

const key = (k: Partial<EntryKey>): EntryKey => ({ seqnumId: 'a', seqnum: 1, bootId: 'b', monotonic: 10, realtime: 100, xorHash: 5n, ...k });

test('entries of one seqnum source are ordered by seqnum, whatever their clocks', () => {
  assert.equal(compareEntries(key({ seqnum: 1, realtime: 900 }), key({ seqnum: 2, realtime: 100 })), -1);
  assert.equal(compareEntries(key({ seqnum: 3 }), key({ seqnum: 2 })), 1);
});

test('other sources: monotonic time within a boot, else realtime, then the xor hash; identical entries compare 0', () => {
  assert.equal(compareEntries(key({ seqnumId: 'x', monotonic: 5, realtime: 900 }), key({ seqnumId: 'y', monotonic: 6, realtime: 100 })), -1);
  assert.equal(compareEntries(key({ seqnumId: 'x', bootId: 'b1', monotonic: 5, realtime: 900 }), key({ seqnumId: 'y', bootId: 'b2', monotonic: 6, realtime: 100 })), 1);
  assert.equal(compareEntries(key({ seqnumId: 'x', xorHash: 1n }), key({ seqnumId: 'y', xorHash: 2n })), -1);
  assert.equal(compareEntries(key({}), key({})), 0);
});

test("systemd's utf8_is_printable: tab and newline pass; other control characters, invalid UTF-8, noncharacters do not", () => {
  assert.ok(isPrintable(Buffer.from('plain text\twith tab\nand newline')));
  assert.ok(isPrintable(Buffer.from('ünïcödé ✓')));
  assert.ok(!isPrintable(Buffer.from([0x61, 0x01, 0x62])));
  assert.ok(!isPrintable(Buffer.from([0x61, 0x7f])));
  assert.ok(!isPrintable(Buffer.from([0xc2, 0x85]))); // U+0085, a C1 control
  assert.ok(!isPrintable(Buffer.from([0xff, 0x61])));
  assert.ok(!isPrintable(Buffer.from([0xc0, 0x80]))); // overlong NUL
  assert.ok(!isPrintable(Buffer.from('\uFFFE', 'utf8')));
  assert.ok(!isPrintable(Buffer.from('\uFDD0', 'utf8')));
  assert.ok(isPrintable(Buffer.alloc(0)));
});

test("an entry as journalctl -o json --all gives it: cursor, timestamps, _BOOT_ID once, repeated fields as arrays, bytes as Buffers", () => {
  const o = entryObject({
    seqnumId: '0123456789abcdef0123456789abcdef',
    seqnum: 0x2a,
    bootId: 'fedcba9876543210fedcba9876543210',
    monotonic: 0x10,
    realtime: 0x20,
    xorHash: 0xabcn,
    items: [Buffer.from('_BOOT_ID=fedcba9876543210fedcba9876543210'), Buffer.from('MESSAGE=hi'), Buffer.from('X=1'), Buffer.from('X=2'), Buffer.from([0x42, 0x3d, 0xff]), Buffer.from('no equals sign')],
  });
  assert.deepEqual(o, {
    __CURSOR: 's=0123456789abcdef0123456789abcdef;i=2a;b=fedcba9876543210fedcba9876543210;m=10;t=20;x=abc',
    __REALTIME_TIMESTAMP: '32',
    __MONOTONIC_TIMESTAMP: '16',
    _BOOT_ID: 'fedcba9876543210fedcba9876543210',
    MESSAGE: 'hi',
    X: ['1', '2'],
    B: Buffer.from([0xff]),
  });
});
