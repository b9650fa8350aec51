/** What the action verbs share (run/manage.ts), pure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkArgCount, errorRecord, finish, verbError, writeFailure } from '../../../src/cli/run/manage.ts';
import { BusError, InvalidArgumentError, PermissionError, fromDBusError } from '../../../src/core/errors.ts';
import { memoryIO } from '../../../src/output/io.ts';

describe('action verbs', () => {
  it('argument counts fail in systemctl words, exit 1', () => {
    assert.throws(() => checkArgCount([], 1), (e: unknown) => e instanceof InvalidArgumentError && e.message === 'Too few arguments.' && e.exitCode === 1);
    assert.throws(() => checkArgCount(['x'], 0, 0), { message: 'Too many arguments.' });
    checkArgCount([], 0, 0);
    checkArgCount(['a', 'b'], 1);
  });
  it('a permission error of these verbs is exit 1, as systemctl (not 4), with the D-Bus name kept', () => {
    const denied = fromDBusError('org.freedesktop.DBus.Error.InteractiveAuthorizationRequired', 'Interactive authentication required.');
    const e = verbError(`Reload daemon failed: ${errorRecord(denied).message}`, denied);
    assert.ok(e instanceof BusError);
    assert.equal(e.exitCode, 1);
    assert.equal(e.message, 'Reload daemon failed: Interactive authentication required.');
    assert.equal(e.dbusName, 'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired');
    // the bus daemon's long AccessDenied text reads "Access denied", as sd-bus's bus_error_message
    assert.deepEqual(errorRecord(new PermissionError('Rejected send message, 2 matched rules; …', { dbusName: 'org.freedesktop.DBus.Error.AccessDenied' })), {
      name: 'org.freedesktop.DBus.Error.AccessDenied',
      message: 'Access denied',
    });
    assert.deepEqual(errorRecord(new Error('x')), { name: null, message: 'x' });
  });
  it('a failed item: one line as reportError prints it, exit code 1 on the IO, JSON on stdout', () => {
    const io = memoryIO();
    writeFailure(io, 'Failed to kill unit a.service: Unit a.service not loaded.');
    finish({ ok: false }, 'short', io);
    assert.equal(io.stderr(), 'sysherd: Failed to kill unit a.service: Unit a.service not loaded\n');
    assert.equal(io.stdout(), '{"ok":false}\n');
    assert.equal(io.exitCode, 1);
    const ok = memoryIO();
    finish({ ok: true }, null, ok);
    assert.equal(ok.exitCode, undefined);
    assert.equal(ok.stdout(), '');
  });
});
