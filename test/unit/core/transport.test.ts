import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHost, parseHost } from '../../../src/core/address.ts';
import { InvalidArgumentError } from '../../../src/core/errors.ts';
import { bridgeCommand, remoteCommandArgv, remoteTarget, shellQuote, sshArgv, sshFailure } from '../../../src/core/transport.ts';

describe('parseHost', () => {
  it('reads [USER@]HOST[:PORT] as systemctl -H', () => {
    assert.deepEqual(parseHost('web1'), { host: 'web1' });
    assert.deepEqual(parseHost('root@web1'), { host: 'web1', user: 'root' });
    assert.deepEqual(parseHost('root@web1:2222'), { host: 'web1', user: 'root', port: 2222 });
    assert.deepEqual(parseHost('10.0.0.1:22'), { host: '10.0.0.1', port: 22 });
    assert.deepEqual(parseHost('[::1]:2222'), { host: '::1', port: 2222 });
    assert.deepEqual(parseHost('fe80::1'), { host: 'fe80::1' });
    assert.deepEqual(parseHost('me@[::1]'), { host: '::1', user: 'me' });
  });
  it('refuses what ssh would take as an option or a shell would split', () => {
    for (const bad of ['', '-oProxyCommand=x', 'a b', 'web1:0', 'web1:99999', 'web1:x', '@web1', '[::1', 'a;b', 'a/b']) {
      assert.throws(() => parseHost(bad), Error, bad);
    }
  });
  it('refuses a user part ssh >= 9.6 refuses (misc.c valid_ruser): shell metacharacters, a leading -, control characters', () => {
    for (const bad of ['a$(id)`id`;x@h', '`id`@h', 'a;b@h', "o'brien@h", 'a"b@h', 'a&b@h', 'a|b@h', 'a<b@h', 'a>b@h', 'a(b@h', 'a{b@h', 'a}b@h', '-oProxyCommand=x@h', 'a\x01b@h', 'a\\@h', 'a b@h', 'a\tb@h']) {
      assert.throws(() => parseHost(bad), /invalid user in host/, bad);
    }
    for (const good of ['root', 'first.last', 'DOMAIN\\user', 'web$', 'a-b_c', 'user+tag', 'x@y']) {
      assert.equal(parseHost(`${good}@h`).user, good);
    }
  });
  it('formats back', () => {
    for (const s of ['web1', 'root@web1:2222', '[::1]:22', 'fe80::1']) assert.equal(formatHost(parseHost(s)), s);
  });
});

describe('sshArgv', () => {
  it('is an argument list: -xT, batch mode, a connect timeout, port and user, then -- HOST COMMAND', () => {
    assert.deepEqual(sshArgv({ host: 'web1', user: 'admin', port: 2222 }, ['systemd-stdio-bridge'], { batch: true, connectTimeout: 2500 }), [
      '-xT', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=3', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3',
      '-p', '2222', '-l', 'admin', '--', 'web1', 'systemd-stdio-bridge',
    ]);
  });
  it('prompts only when asked to (stdin is a terminal)', () => {
    assert.ok(!sshArgv({ host: 'h' }, ['x'], { batch: false }).includes('BatchMode=yes'));
  });
  it('--user reaches the remote user manager', () => {
    const user = bridgeCommand('user');
    assert.deepEqual(user.slice(0, 2), ['sh', '-c']);
    assert.match(user[2]!, /^'exec systemd-stdio-bridge --user "--bus-path=\$\{DBUS_SESSION_BUS_ADDRESS:-unix:path=\$\{XDG_RUNTIME_DIR:\?/);
    assert.deepEqual(bridgeCommand('system'), ['systemd-stdio-bridge']);
  });
});

describe('remote commands are quoted for the remote shell', () => {
  it('quotes every word that is not plainly safe', () => {
    assert.equal(shellQuote('journalctl'), 'journalctl');
    assert.equal(shellQuote('--output=json'), '--output=json');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote('a b'), "'a b'");
    assert.equal(shellQuote("it's; rm -rf /"), "'it'\\''s; rm -rf /'");
    assert.equal(shellQuote('$(id)'), "'$(id)'");
  });
  it('builds the ssh argv of a remote journalctl', () => {
    const argv = remoteCommandArgv('root@h:22', ['journalctl', '--output=json', '_SYSTEMD_UNIT=a b.service'], { batch: true, connectTimeout: 1000 });
    assert.deepEqual(argv.slice(-6), ['root', '--', 'h', 'journalctl', '--output=json', "'_SYSTEMD_UNIT=a b.service'"]);
  });
});

describe('sshFailure', () => {
  it("says ssh's last stderr line, else what the exit means", () => {
    assert.equal(sshFailure(255, null, 'Warning: x\nroot@h: Permission denied (publickey).\n'), 'root@h: Permission denied (publickey)');
    assert.equal(sshFailure(127, null, ''), 'systemd-stdio-bridge not found on the host');
    assert.equal(sshFailure(null, 'SIGTERM', ''), 'ssh was killed by SIGTERM');
  });
});

describe('remoteTarget', () => {
  it('is a stream target with a bounded connect timeout; a bad host is an invalid argument', () => {
    const t = remoteTarget('web1', 'system', { timeout: 60_000, batch: true });
    assert.equal(t.address, 'ssh://web1');
    assert.equal(t.direct, false);
    assert.equal(t.connectTimeout, 15_000);
    assert.equal(remoteTarget('web1', 'system', { timeout: 2000, batch: true }).connectTimeout, 2000);
    assert.equal(remoteTarget('web1', 'system', { batch: false }).connectTimeout, 120_000); // a person may be typing a password
    assert.throws(() => remoteTarget('-oProxyCommand=x', 'system'), InvalidArgumentError);
  });
});
