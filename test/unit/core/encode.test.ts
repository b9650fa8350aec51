/** The method-call marshaller (src/core/encode.ts): byte for byte what dbus-next's own writes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as dbus from '@jellybrick/dbus-next';
import { type CallMessage, encodeMethodCall } from '../../../src/core/encode.ts';

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
