import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BusError,
  LoadFailedError,
  NoSuchUnitError,
  NotApplicableError,
  PermissionError,
  SystemdError,
  TimeoutError,
  fromDBusError,
} from '../../../src/core/errors.ts';

describe('fromDBusError', () => {
  const cases: [string, Function, number, boolean, boolean][] = [
    ['org.freedesktop.DBus.Error.AccessDenied', PermissionError, 4, true, false],
    ['org.freedesktop.DBus.Error.InteractiveAuthorizationRequired', PermissionError, 1, true, false],
    ['org.freedesktop.systemd1.TransactionIsDestructive', PermissionError, 4, true, false],
    ['org.freedesktop.PolicyKit1.Error.NotAuthorized', PermissionError, 1, true, false],
    ['org.freedesktop.systemd1.NoSuchUnit', NoSuchUnitError, 5, false, true],
    ['org.freedesktop.systemd1.JobTypeNotApplicable', NotApplicableError, 3, false, false],
    ['org.freedesktop.DBus.Error.NotSupported', NotApplicableError, 3, false, false],
    ['org.freedesktop.systemd1.LoadFailed', LoadFailedError, 6, false, false],
    ['org.freedesktop.DBus.Error.NoReply', TimeoutError, 1, false, false],
    ['org.freedesktop.DBus.Error.Failed', BusError, 1, false, false],
  ];
  for (const [name, cls, code, perm, nsu] of cases) {
    it(`${name} → ${cls.name}, exit ${code}`, () => {
      const e = fromDBusError(name, 'text of it');
      assert.ok(e instanceof cls);
      assert.ok(e instanceof SystemdError);
      assert.equal(e.exitCode, code);
      assert.equal(e.isPermission, perm);
      assert.equal(e.isNoSuchUnit, nsu);
      assert.equal(e.dbusName, name);
      assert.equal(e.message, 'text of it');
    });
  }
  it('uses the name when the text is empty', () => {
    assert.equal(fromDBusError('org.example.Boom', '').message, 'org.example.Boom');
  });
});
