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
