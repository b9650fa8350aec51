/** The message decoder (src/core/decode.ts), on messages built byte by byte. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type InMessage, decodeMessage, messageLength } from '../../../src/core/decode.ts';
import { Variant } from '../../../src/core/variant.ts';

/** A little-endian D-Bus writer: just what these messages need. */
class Writer {
  bytes: number[] = [];
  constructor(private readonly base = 0) {}
  align(n: number): void {
    while ((this.bytes.length + this.base) % n !== 0) this.bytes.push(0);
  }
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u32(v: number): void {
    this.align(4);
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.bytes.push(...b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u32(b.length);
    this.bytes.push(...b, 0);
  }
  sig(s: string): void {
    this.u8(s.length);
    this.bytes.push(...Buffer.from(s, 'latin1'), 0);
  }
}

/** A METHOD_RETURN with reply serial 7 and this signature/body: [16-byte header, fields + body]. */
function reply(signature: string, writeBody: (w: Writer) => void, serial = 42): [Buffer, Buffer] {
  const f = new Writer(16);
  // REPLY_SERIAL (5): u
  f.align(8);
  f.u8(5);
  f.sig('u');
  f.u32(7);
  // SENDER (7): s
  f.align(8);
  f.u8(7);
  f.sig('s');
  f.str(':1.23');
  // SIGNATURE (8): g
  f.align(8);
  f.u8(8);
  f.sig('g');
  f.sig(signature);
  const fieldsLength = f.bytes.length;
  f.align(8);
  const body = new Writer(0);
  writeBody(body);
  const header = Buffer.alloc(16);
  header.write('l', 0, 'latin1');
  header[1] = 2; // METHOD_RETURN
  header[3] = 1;
  header.writeUInt32LE(body.bytes.length, 4);
  header.writeUInt32LE(serial, 8);
  header.writeUInt32LE(fieldsLength, 12);
  return [header, Buffer.from([...f.bytes, ...body.bytes])];
}

function structs(w: Writer, rows: (string | number)[][], codes: string): void {
  // array length placeholder, then 8-aligned structs
  w.align(4);
  const lenAt = w.bytes.length;
  w.u32(0);
  w.align(8);
  const start = w.bytes.length;
  for (const r of rows) {
    w.align(8);
    [...codes].forEach((c, i) => (c === 'u' ? w.u32(r[i] as number) : w.str(r[i] as string)));
  }
  const len = w.bytes.length - start;
  const b = Buffer.alloc(4);
  b.writeUInt32LE(len);
  w.bytes.splice(lenAt, 4, ...b);
}

const unitRow = (i: number): (string | number)[] => [
  `u${i}.service`, `Ünït ${i} “quoted”`, 'loaded', i % 2 ? 'active' : 'inactive', 'running', '', `/org/freedesktop/systemd1/unit/u${i}_2eservice`, i, i ? 'start' : '', i ? `/org/freedesktop/systemd1/job/${i}` : '/',
];

/** Decode the message `reply()` built, plain or raw. */
function dec([h, data]: [Buffer, Buffer], raw = false): InMessage {
  return decodeMessage(Buffer.concat([h, data]), raw ? () => true : undefined);
}

describe('decodeMessage: the big replies', () => {
  it('reads a(ssssssouso) (ListUnits) into plain rows, with the header fields', () => {
    const rows = Array.from({ length: 60 }, (_, i) => unitRow(i));
    const m = dec(reply('a(ssssssouso)', (w) => structs(w, rows, 'ssssssouso')));
    assert.equal(m.serial, 42);
    assert.equal(m.replySerial, 7);
    assert.equal(m.sender, ':1.23');
    assert.equal(m.type, 2);
    assert.equal(m.signature, 'a(ssssssouso)');
    assert.deepEqual(m.body, [rows]);
  });
  it('a(ssssssouso): values repeated down a column, non-ASCII and invalid UTF-8 ones, at any buffer alignment', () => {
    // the decoder reuses a column's previous string when the bytes match (one comparison with
    // the array read as latin1): it must never reuse one for different bytes
    const cols = (i: number): (string | number)[] => [
      `u${i}.service`, ['Ünït', 'Ünït', 'abcd', 'a?cd', 'a?cd', 'abcd', 'x'][i % 7]!, 'loaded', i % 3 ? 'inactive' : 'active', i % 5 ? 'dead' : 'deaf', '',
      `/org/freedesktop/systemd1/unit/u${i}_2eservice`, 0, '', '/',
    ];
    const rows = Array.from({ length: 40 }, (_, i) => cols(i));
    const [h, data] = reply('a(ssssssouso)', (w) => structs(w, rows, 'ssssssouso'));
    // 'a?cd' on the wire as a, 0xff, c, d: invalid UTF-8, decoded as U+FFFD as Buffer#toString does
    for (let at = data.indexOf('a?cd'); at >= 0; at = data.indexOf('a?cd', at + 1)) data[at + 1] = 0xff;
    const bad = Buffer.from([0x61, 0xff, 0x63, 0x64]).toString('utf8');
    const want = rows.map((r) => r.map((v) => (v === 'a?cd' ? bad : v)));
    const whole = Buffer.concat([h, data]);
    for (const shift of [0, 1, 2, 3, 4]) {
      // the message at any offset of its memory (the decoder's Uint32Array view needs 4-aligned)
      const copy = Buffer.alloc(whole.length + 8).subarray(shift, shift + whole.length);
      whole.copy(copy);
      assert.deepEqual(decodeMessage(copy).body, [want], `at byte offset ${shift}`);
    }
  });
  it('reads a(ss) (ListUnitFiles) and a(usssoo) (ListJobs)', () => {
    const files = [['/etc/systemd/system/a.service', 'enabled'], ['/usr/lib/systemd/system/b.socket', 'static']];
    assert.deepEqual(dec(reply('a(ss)', (w) => structs(w, files, 'ss'))).body, [files]);
    const jobs = [[3, 'a.service', 'start', 'waiting', '/org/freedesktop/systemd1/job/3', '/org/freedesktop/systemd1/unit/a_2eservice']];
    assert.deepEqual(dec(reply('a(usssoo)', (w) => structs(w, jobs, 'usssoo'))).body, [jobs]);
  });
  it('an empty array', () => {
    assert.deepEqual(dec(reply('a(ss)', (w) => structs(w, [], 'ss'))).body, [[]]);
  });
  it('other signatures the generic way; the length of a message from its first 16 bytes; big-endian refused', () => {
    const [h, data] = reply('as', (w) => {
      w.u32(0);
    });
    assert.deepEqual(dec([h, data]).body, [[]]);
    assert.equal(messageLength(h), 16 + data.length);
    const be = Buffer.from(h);
    be[0] = 0x42; // 'B'
    assert.throws(() => messageLength(be), /big-endian D-Bus messages are not supported/);
    assert.throws(() => decodeMessage(Buffer.concat([be, data])), /big-endian/);
    assert.throws(() => decodeMessage(Buffer.concat([h, data, Buffer.alloc(8)])), /length mismatch/);
  });
  it('a body that does not match its signature throws', () => {
    assert.throws(() => dec(reply('a(ssssssouso)', (w) => structs(w, [['only', 'two']], 'ss'))));
  });
});

describe('decodeMessage: GetAll (a{sv}) and GetUnitProcesses (a(sus)), plain and raw', () => {
  const u64 = (w: Writer, hi: number, lo: number): void => {
    w.align(8);
    w.u32(lo);
    w.u32(hi);
  };
  /** One a{sv} entry: key, variant signature, value writer. */
  const entry = (w: Writer, key: string, sig: string, value: () => void): void => {
    w.align(8);
    w.str(key);
    w.sig(sig);
    value();
  };
  /** An array: its length patched in after the elements, which start at `align`. */
  const array = (w: Writer, align: number, elements: () => void): void => {
    w.align(4);
    const lenAt = w.bytes.length;
    w.u32(0);
    w.align(align);
    const start = w.bytes.length;
    elements();
    const b = Buffer.alloc(4);
    b.writeUInt32LE(w.bytes.length - start);
    w.bytes.splice(lenAt, 4, ...b);
  };
  const properties = (): [Buffer, Buffer] =>
    reply('a{sv}', (w) =>
      array(w, 8, () => {
        entry(w, 'Id', 's', () => w.str('a.service'));
        entry(w, 'Path', 'o', () => w.str('/org/freedesktop/systemd1/unit/a_2eservice'));
        entry(w, 'CanStart', 'b', () => w.u32(1));
        entry(w, 'NRestarts', 'u', () => w.u32(7));
        entry(w, 'ExecMainStatus', 'i', () => w.u32(0xfffffffd)); // -3
        entry(w, 'MemoryCurrent', 't', () => u64(w, 0xffffffff, 0xffffffff));
        entry(w, 'CPUQuotaPerSecUSec', 't', () => u64(w, 0xffffffff, 0xffffffff));
        entry(w, 'TimeoutUSec', 't', () => u64(w, 1, 5)); // 2^32 + 5
        entry(w, 'LimitNOFILE', 'x', () => u64(w, 0x7fffffff, 0xffffffff));
        entry(w, 'OOMScoreAdjust', 'x', () => u64(w, 0xffffffff, 0xfffffffe)); // -2
        entry(w, 'Nice', 'y', () => w.u8(5));
        entry(w, 'Names', 'as', () => array(w, 4, () => ['a.service', 'alias.service'].forEach((n) => w.str(n))));
        entry(w, 'Empty', 'a(ss)', () => array(w, 8, () => undefined));
        entry(w, 'Bytes', 'ay', () => array(w, 1, () => [1, 2, 255].forEach((b) => w.u8(b))));
        entry(w, 'Conditions', 'a(sbbsi)', () =>
          array(w, 8, () => {
            w.align(8);
            w.str('ConditionPathExists');
            w.u32(0);
            w.u32(1);
            w.str('/x');
            w.u32(0xffffffff); // -1
          }),
        );
        entry(w, 'Nested', 'v', () => {
          w.sig('s');
          w.str('inner');
        });
        entry(w, 'Dict', 'a{sv}', () => array(w, 8, () => entry(w, 'k', 'u', () => w.u32(1))));
      }),
    );
  it("plain: every type systemd's properties use; UINT64_MAX/INT64_MAX as null; nested variants and dicts", () => {
    assert.deepEqual(dec(properties()).body, [
      {
        Id: 'a.service',
        Path: '/org/freedesktop/systemd1/unit/a_2eservice',
        CanStart: true,
        NRestarts: 7,
        ExecMainStatus: -3,
        MemoryCurrent: null,
        CPUQuotaPerSecUSec: null,
        TimeoutUSec: 2 ** 32 + 5,
        LimitNOFILE: null,
        OOMScoreAdjust: -2,
        Nice: 5,
        Names: ['a.service', 'alias.service'],
        Empty: [],
        Bytes: Buffer.from([1, 2, 255]),
        Conditions: [['ConditionPathExists', false, true, '/x', -1]],
        Nested: 'inner',
        Dict: { k: 1 },
      },
    ]);
  });
  it('raw (show): Variants with their signatures, 64-bit integers as BigInt, markers kept', () => {
    const [props] = dec(properties(), true).body as [Record<string, Variant>];
    assert.ok(props.Id instanceof Variant);
    assert.deepEqual(props.Id, new Variant('s', 'a.service'));
    assert.deepEqual(props.MemoryCurrent, new Variant('t', 0xffff_ffff_ffff_ffffn));
    assert.deepEqual(props.TimeoutUSec, new Variant('t', 2n ** 32n + 5n));
    assert.deepEqual(props.LimitNOFILE, new Variant('x', 0x7fff_ffff_ffff_ffffn));
    assert.deepEqual(props.OOMScoreAdjust, new Variant('x', -2n));
    assert.deepEqual(props.Conditions, new Variant('a(sbbsi)', [['ConditionPathExists', false, true, '/x', -1]]));
    assert.deepEqual(props.Nested, new Variant('v', new Variant('s', 'inner')));
    assert.deepEqual(props.Dict, new Variant('a{sv}', { k: new Variant('u', 1) }));
    assert.deepEqual(props.Bytes, new Variant('ay', Buffer.from([1, 2, 255])));
  });
  it('a(sus)', () => {
    const rows = [['/system.slice/a.service', 42, '/bin/sleep 1'], ['/system.slice/a.service', 43, 'x']];
    assert.deepEqual(dec(reply('a(sus)', (w) => structs(w, rows, 'sus'))).body, [rows]);
  });
  it('a file descriptor (h) reads as its index (none are ever negotiated)', () => {
    assert.deepEqual(dec(reply('a{sv}', (w) => array(w, 8, () => entry(w, 'Fd', 'h', () => w.u32(0))))).body, [{ Fd: 0 }]);
  });
});
