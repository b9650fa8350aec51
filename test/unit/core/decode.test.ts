/** The signature-specific decoder of big replies (src/core/decode.ts), on messages built byte by byte. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFast, installFastDecoder } from '../../../src/core/decode.ts';

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

describe('decodeFast', () => {
  it('reads a(ssssssouso) (ListUnits) into plain rows, and blanks the signature field', () => {
    const rows = Array.from({ length: 60 }, (_, i) => unitRow(i));
    const [h, data] = reply('a(ssssssouso)', (w) => structs(w, rows, 'ssssssouso'));
    const r = decodeFast(h, data, 0);
    assert.ok(r);
    assert.equal(r.serial, 42);
    assert.deepEqual(r.body, [rows]);
    assert.equal(data.indexOf(Buffer.from([8, 1, 0x67])), -1, 'the SIGNATURE field code is still there');
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
    for (const shift of [0, 1, 2, 3, 4]) {
      const copy = Buffer.alloc(data.length + 8).subarray(shift, shift + data.length);
      data.copy(copy);
      assert.deepEqual(decodeFast(h, copy, 0)?.body, [want], `at byte offset ${shift}`);
    }
  });
  it('reads a(ss) (ListUnitFiles) and a(usssoo) (ListJobs)', () => {
    const files = [['/etc/systemd/system/a.service', 'enabled'], ['/usr/lib/systemd/system/b.socket', 'static']];
    const [h, data] = reply('a(ss)', (w) => structs(w, files, 'ss'));
    assert.deepEqual(decodeFast(h, data, 0)?.body, [files]);
    const jobs = [[3, 'a.service', 'start', 'waiting', '/org/freedesktop/systemd1/job/3', '/org/freedesktop/systemd1/unit/a_2eservice']];
    const [h2, d2] = reply('a(usssoo)', (w) => structs(w, jobs, 'usssoo'));
    assert.deepEqual(decodeFast(h2, d2, 0)?.body, [jobs]);
  });
  it('an empty array', () => {
    const [h, data] = reply('a(ss)', (w) => structs(w, [], 'ss'));
    assert.deepEqual(decodeFast(h, data, 0)?.body, [[]]);
  });
  it('leaves other signatures, small bodies, signals and errors alone', () => {
    const [h, data] = reply('as', (w) => {
      w.u32(0);
    });
    assert.equal(decodeFast(h, data, 0), null);
    const rows = [unitRow(1)];
    const [h2, d2] = reply('a(ssssssouso)', (w) => structs(w, rows, 'ssssssouso'));
    assert.equal(decodeFast(h2, d2), null, 'below the size threshold');
    const sig = Buffer.from(h2);
    sig[1] = 4; // SIGNAL
    assert.equal(decodeFast(sig, d2, 0), null);
    const be = Buffer.from(h2);
    be[0] = 0x42; // 'B'
    assert.equal(decodeFast(be, d2, 0), null);
  });
  it('a body that does not match its signature throws before anything is changed', () => {
    const [h, data] = reply('a(ssssssouso)', (w) => structs(w, [['only', 'two']], 'ss'));
    const before = Buffer.from(data);
    assert.throws(() => decodeFast(h, data, 0));
    assert.deepEqual(data, before);
  });
});

describe('decodeFast: GetAll (a{sv}) and GetUnitProcesses (a(sus)), as plain() of dbus-next would give them', () => {
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
  it("every type systemd's properties use; UINT64_MAX/INT64_MAX as null; nested variants and dicts", () => {
    const [h, data] = reply('a{sv}', (w) =>
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
    const r = decodeFast(h, data, 0);
    assert.deepEqual(r?.body, [
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
  it('a(sus)', () => {
    const rows = [['/system.slice/a.service', 42, '/bin/sleep 1'], ['/system.slice/a.service', 43, 'x']];
    const [h, data] = reply('a(sus)', (w) => structs(w, rows, 'sus'));
    assert.deepEqual(decodeFast(h, data, 0)?.body, [rows]);
  });
  it('a reply whose call wants dbus-next\'s Variants (show) is left alone', () => {
    const [h, data] = reply('a{sv}', (w) => array(w, 8, () => entry(w, 'Id', 's', () => w.str('a.service'))));
    assert.equal(decodeFast(h, data, 0, (callSerial) => callSerial === 7), null);
    assert.ok(decodeFast(h, data, 0, (callSerial) => callSerial === 8));
  });
  it('a file descriptor (h) is dbus-next\'s', () => {
    const [h, data] = reply('a{sv}', (w) => array(w, 8, () => entry(w, 'Fd', 'h', () => w.u32(0))));
    assert.throws(() => decodeFast(h, data, 0));
  });
});

describe('installFastDecoder', () => {
  it('follows dbus-next\'s two reads per message and hands the body out once, by serial', () => {
    const rows = Array.from({ length: 100 }, (_, i) => unitRow(i));
    const [h, data] = reply('a(ssssssouso)', (w) => structs(w, rows, 'ssssssouso'), 99);
    const queue: (Buffer | null)[] = [h, null, data];
    const stream = { read: (_n?: number): Buffer | null => queue.shift() ?? null };
    const fast = installFastDecoder(stream)!;
    assert.equal(stream.read(16), h);
    assert.equal(stream.read(data.length), null); // not all there yet: dbus-next retries
    assert.equal(stream.read(data.length), data);
    assert.deepEqual(fast.take(99), [rows]);
    assert.equal(fast.take(99), undefined);
    assert.equal(installFastDecoder({}), null);
  });
});
