import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  isValidRebootParameter,
  logindStopErrno,
  parseExitCode,
  readSessions,
  SYSTEM_ACTIONS,
  systemAction,
} from '../../../src/core/power.ts';
import { parseSec } from '../../../src/core/kill-signal.ts';
import { localContainers } from '../../../src/cli/run/list-machines.ts';
import { machineTarget } from '../../../src/core/transport.ts';

describe('SYSTEM_ACTIONS: systemctl 252 action_table', () => {
  it('has every special verb with its target and job mode', () => {
    assert.deepEqual(
      SYSTEM_ACTIONS.map((a) => `${a.verb} ${a.target} ${a.mode}`),
      [
        'halt halt.target replace-irreversibly',
        'poweroff poweroff.target replace-irreversibly',
        'reboot reboot.target replace-irreversibly',
        'kexec kexec.target replace-irreversibly',
        'suspend suspend.target replace-irreversibly',
        'hibernate hibernate.target replace-irreversibly',
        'hybrid-sleep hybrid-sleep.target replace-irreversibly',
        'suspend-then-hibernate suspend-then-hibernate.target replace-irreversibly',
        'default default.target isolate',
        'rescue rescue.target isolate',
        'emergency emergency.target isolate',
        'exit exit.target replace-irreversibly',
      ],
    );
  });
  it('only default and exit work with --user; only reboot and exit take an argument', () => {
    assert.deepEqual(SYSTEM_ACTIONS.filter((a) => !a.systemOnly).map((a) => a.verb), ['default', 'exit']);
    assert.deepEqual(SYSTEM_ACTIONS.filter((a) => a.maxArgs > 0).map((a) => a.verb), ['reboot', 'exit']);
    assert.equal(systemAction('kexec')?.logind, 'Reboot');
    assert.equal(systemAction('kexec')?.managerMethod, 'KExec');
    assert.equal(systemAction('nope'), undefined);
  });
});

describe('parseExitCode: systemd safe_atou8', () => {
  it('takes 0-255 in decimal, hex, octal', () => {
    assert.equal(parseExitCode('3'), 3);
    assert.equal(parseExitCode('255'), 255);
    assert.equal(parseExitCode('0x10'), 16);
    assert.equal(parseExitCode('010'), 8);
    assert.equal(parseExitCode('0'), 0);
    assert.equal(parseExitCode(' 7'), 7);
  });
  it('refuses the rest', () => {
    for (const bad of ['256', '-1', 'bogus', '', '3x', '1.5', '08']) assert.equal(parseExitCode(bad), null, bad);
  });
});

describe('parseSec (kill-signal.ts): systemd parse_sec, as --boot-loader-menu reads it', () => {
  it('reads spans; bare numbers are seconds', () => {
    assert.deepEqual(parseSec('5'), { ok: true, value: 5_000_000n });
    assert.deepEqual(parseSec('1min 30s'), { ok: true, value: 90_000_000n });
    assert.deepEqual(parseSec('500ms'), { ok: true, value: 500_000n });
    assert.deepEqual(parseSec('infinity'), { ok: true, value: 2n ** 64n - 1n });
  });
  it('refuses what is not a span', () => {
    for (const bad of ['bogus', '', '5 parsecs', '-1']) assert.equal(parseSec(bad).ok, false, bad);
  });
});

describe('logindStopErrno: the logind errors after which systemctl does not try the manager', () => {
  it('access, not supported, in progress', () => {
    assert.equal(logindStopErrno('org.freedesktop.DBus.Error.InteractiveAuthorizationRequired'), 'EACCES');
    assert.equal(logindStopErrno('org.freedesktop.DBus.Error.AccessDenied'), 'EACCES');
    assert.equal(logindStopErrno('org.freedesktop.login1.SleepVerbNotSupported'), 'EOPNOTSUPP');
    assert.equal(logindStopErrno('org.freedesktop.DBus.Error.NotSupported'), 'EOPNOTSUPP');
    assert.equal(logindStopErrno('org.freedesktop.login1.OperationInProgress'), 'EINPROGRESS');
  });
  it('anything else: try the manager', () => {
    assert.equal(logindStopErrno('org.freedesktop.DBus.Error.ServiceUnknown'), null);
    assert.equal(logindStopErrno('org.freedesktop.systemd1.UnitMasked'), null);
    assert.equal(logindStopErrno(undefined), null);
  });
});

describe('reboot parameter, sessions, containers', () => {
  it('a reboot parameter is ASCII of at most 255 bytes', () => {
    assert.ok(isValidRebootParameter('recovery'));
    assert.ok(!isValidRebootParameter('é'));
    assert.ok(!isValidRebootParameter('x'.repeat(256)));
  });
  it('reads logind session files as sd-login', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-sessions-'));
    try {
      fs.writeFileSync(path.join(dir, '2'), 'UID=1000\nUSER=alice\nCLASS=user\nTYPE=tty\nTTY=/dev/tty2\n');
      fs.writeFileSync(path.join(dir, '1'), 'UID=0\nCLASS=greeter\nTYPE=x11\nSEAT=seat0\n');
      fs.writeFileSync(path.join(dir, '1.ref'), '');
      assert.deepEqual(readSessions(dir), [
        { id: '1', uid: 0, class: 'greeter', type: 'x11', tty: null, seat: 'seat0', service: null },
        { id: '2', uid: 1000, class: 'user', type: 'tty', tty: '/dev/tty2', seat: null, service: null },
      ]);
      assert.deepEqual(readSessions(path.join(dir, 'missing')), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('lists the containers machined registered, not VMs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-machines-'));
    try {
      fs.writeFileSync(path.join(dir, 'web'), 'NAME=web\nCLASS=container\n');
      fs.writeFileSync(path.join(dir, 'vm1'), 'NAME=vm1\nCLASS=vm\n');
      fs.writeFileSync(path.join(dir, 'unit:machine-web.scope'), 'web');
      assert.deepEqual(localContainers(dir), ['web']);
      assert.deepEqual(localContainers(path.join(dir, 'missing')), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('-M NAME: the bus target runs systemd-stdio-bridge, never through a shell', () => {
    const t = machineTarget('web', 'system');
    assert.equal(t.address, 'machine:web');
    assert.equal(t.direct, false);
    assert.equal(typeof t.stream, 'function');
    assert.throws(() => machineTarget('', 'system'), /invalid machine name/);
  });
});
