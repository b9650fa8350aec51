/** The marshallers (src/core/encode.ts for simple calls, marshal.ts for any message): byte for byte what dbus-next's own writes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as dbus from '@jellybrick/dbus-next';
import { type CallMessage, encodeMethodCall } from '../../../src/core/encode.ts';
import { marshalMessage } from '../../../src/core/marshal.ts';
import { decodeMessage } from '../../../src/core/decode.ts';
import { Variant } from '../../../src/core/variant.ts';

/** The bytes dbus-next's connection writes for `m` (its `_write` on a stream that keeps them). */
function dbusNextBytes(m: CallMessage): Buffer {
  const probe = dbus.sessionBus({ busAddress: 'none:' }); // its connection fails, asynchronously
  (probe as unknown as NodeJS.EventEmitter).on('error', () => undefined);
  const conn = (probe as unknown as { _connection: { stream: unknown; _write(msg: unknown): void } })._connection;
  const out: Buffer[] = [];
  conn.stream = { writable: true, write: (b: Buffer) => out.push(b) };
  const msg = new dbus.Message({ ...m, serial: m.serial ?? undefined } as ConstructorParameters<typeof dbus.Message>[0]);
  msg.serial = m.serial;
  conn._write(msg);
  assert.equal(out.length, 1);
  return out[0]!;
}

const call = (serial: number, member: string, signature: string, body: unknown[], extra: Partial<CallMessage> = {}): CallMessage => ({
  serial,
  destination: 'org.freedesktop.systemd1',
  path: '/org/freedesktop/systemd1/unit/nginx_2eservice',
  interface: 'org.freedesktop.DBus.Properties',
  member,
  signature,
  body,
  flags: 0,
  ...extra,
});

describe('encodeMethodCall', () => {
  const cases: [string, CallMessage][] = [
    ['GetAll("") (every interface)', call(7, 'GetAll', 's', [''])],
    ['GetAll of an interface', call(8, 'GetAll', 's', ['org.freedesktop.systemd1.Unit'])],
    ['Get (two strings)', call(9, 'Get', 'ss', ['org.freedesktop.systemd1.Unit', 'ActiveState'])],
    ['no body', call(10, 'ListUnits', '', [], { path: '/org/freedesktop/systemd1', interface: 'org.freedesktop.systemd1.Manager' })],
    ['a serial past 2^16, a flag', call(70_000, 'StartUnit', 'ss', ['a.service', 'replace'], { flags: 4 })],
    ['string arrays (ListUnitsByPatterns)', call(11, 'ListUnitsByPatterns', 'asas', [['active', 'failed'], ['*.service', 'ünïcode-é.service']])],
    ['empty arrays', call(12, 'ListUnitsFiltered', 'as', [[]])],
    ['u, i, b and an object path', call(13, 'Mixed', 'uibos', [4_000_000_000, -5, true, '/a/b', 'x'])],
    ['false, 0, a string after an odd length', call(14, 'Mixed', 'sbsu', ['abc', false, 'de', 0])],
    ['no destination (a direct connection)', call(15, 'GetAll', 's', ['org.freedesktop.systemd1.Service'], { destination: undefined })],
    ['multi-byte names in header fields', call(16, 'GetAll', 's', ['x'], { path: '/org/freedesktop/systemd1/unit/caf_c3_a9_2eservice' })],
  ];
  for (const [name, m] of cases) {
    it(name, () => {
      const ours = encodeMethodCall(m);
      assert.ok(ours, 'not encoded');
      assert.deepEqual([...ours], [...dbusNextBytes(m)]);
    });
  }

  it('leaves to dbus-next what it does not write: other types, NULs, wrong values, no serial', () => {
    assert.equal(encodeMethodCall(call(1, 'Set', 'ssv', ['a', 'b', 1])), null);
    assert.ok(encodeMethodCall(call(1, 'KillUnit', 'ssi', ['a', 'all', 9]))); // i is written
    assert.equal(encodeMethodCall(call(1, 'GetUnitByPID', 't', [1])), null);
    assert.equal(encodeMethodCall(call(1, 'X', 'a(ss)', [[]])), null);
    assert.equal(encodeMethodCall(call(1, 'X', 's', ['a\0b'])), null);
    assert.equal(encodeMethodCall(call(1, 'X', 's', [5])), null);
    assert.equal(encodeMethodCall(call(1, 'X', 'u', [-1])), null);
    assert.equal(encodeMethodCall(call(1, 'X', 'b', [1])), null);
    assert.equal(encodeMethodCall(call(1, 'X', 'ss', ['one'])), null);
    assert.equal(encodeMethodCall(call(1, 'X', 's', ['one', 'two'])), null);
    assert.equal(encodeMethodCall(call(0, 'X', 's', ['one'])), null);
  });
});

/** Our Variant as dbus-next's, deeply (for its marshaller). */
function toDbusNext(v: unknown): unknown {
  if (v instanceof Variant) return new dbus.Variant(v.signature, toDbusNext(v.value));
  if (Array.isArray(v)) return v.map(toDbusNext);
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toDbusNext(x)]));
  return v;
}

describe('marshalMessage (the generic marshaller)', () => {
  const cases: [string, CallMessage][] = [
    ['a simple call, as encodeMethodCall', call(7, 'GetAll', 's', [''])],
    ['Properties.Set with a variant', call(8, 'Set', 'ssv', ['org.freedesktop.LogControl1', 'LogLevel', new Variant('s', 'debug')])],
    ['SetUnitProperties: a(sv) of several types', call(9, 'SetUnitProperties', 'sba(sv)', ['a.service', true, [['CPUWeight', new Variant('t', 100n)], ['Description', new Variant('s', 'x')], ['Environment', new Variant('as', ['A=1', 'B=2'])], ['Nice', new Variant('i', -5)]]])],
    ['MountImageUnit: a(ss) after booleans', call(10, 'MountImageUnit', 'sssbba(ss)', ['a.service', '/img', '/mnt', true, false, [['root', 'ro'], ['usr', '']]])],
    ['64-bit integers (t from a number, x negative), a double, a byte, 16-bit', call(11, 'X', 'txdynq', [2 ** 40, -3n, 1.5, 200, -2, 65535])],
    ['a dict a{sv}, nested variants, ay', call(12, 'X', 'a{sv}ay', [{ a: new Variant('v', new Variant('u', 1)), b: new Variant('a{ss}', { k: 'v' }) }, Buffer.from([1, 2, 3])])],
    ['a struct, an empty array of structs, a signature', call(13, 'X', '(sub)a(tt)g', [['s', 2, false], [], 'a{sv}'])],
  ];
  for (const [name, m] of cases) {
    it(name, () => {
      const ours = marshalMessage({ type: 1, ...m, serial: m.serial! });
      const theirs = dbusNextBytes({ ...m, body: toDbusNext(m.body) as unknown[] });
      assert.deepEqual([...ours], [...theirs]);
      const back = decodeMessage(ours, () => true);
      assert.equal(back.member, m.member);
      assert.equal(back.signature, m.signature);
    });
  }
  it('a reply and an error (reply serial, error name), read back', () => {
    const r = decodeMessage(marshalMessage({ type: 3, serial: 5, replySerial: 4, destination: ':1.9', errorName: 'org.freedesktop.DBus.Error.UnknownMethod', signature: 's', body: ['no'] }));
    assert.deepEqual([r.type, r.serial, r.replySerial, r.destination, r.errorName, r.body], [3, 5, 4, ':1.9', 'org.freedesktop.DBus.Error.UnknownMethod', ['no']]);
  });
  it('refuses what does not fit, before writing anything', () => {
    const bad: [string, unknown[]][] = [
      ['u', [-1]],
      ['y', [256]],
      ['i', [2 ** 31]],
      ['t', [-1n]],
      ['s', ['a\0b']],
      ['o', ['not/a/path']],
      ['v', ['no variant']],
      ['(ss)', [['one']]],
      ['as', ['not an array']],
      ['ss', ['one']],
      ['a{', [{}]],
      ['z', [1]],
    ];
    for (const [sig, body] of bad) assert.throws(() => marshalMessage({ type: 1, serial: 1, path: '/', member: 'X', signature: sig, body }), RangeError, sig);
  });
});
