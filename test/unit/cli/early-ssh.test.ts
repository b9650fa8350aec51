import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { earlyBridge, withDefaultVerb } from '../../../src/cli/early-ssh.ts';
import { normalizeArgv } from '../../../src/cli/context.ts';
import { aheadBridgeArgv, bridgeCommand } from '../../../src/core/ssh-argv.ts';

const early = (argv: string[]): ReturnType<typeof earlyBridge> => earlyBridge(argv, true);

describe('earlyBridge: which lines start ssh before they are parsed', () => {
  it('one host, in every spelling of -H, for a verb or the default list-units', () => {
    const want = { host: 'web1', kind: 'system' };
    assert.deepEqual(early(['-H', 'web1', 'list-units']), want);
    assert.deepEqual(early(['-Hweb1', 'status', 'x.service']), want);
    assert.deepEqual(early(['--host', 'web1']), want);
    assert.deepEqual(early(['--host=web1', '--all']), want);
    assert.deepEqual(early(['list-units', '-H', 'web1']), want);
    // the same host twice is one host
    assert.deepEqual(early(['-H', 'web1', '-H', 'web1,web1', 'is-active', 'x']), want);
    assert.deepEqual(early(['-H', 'root@[::1]:2222', 'list-units']), { host: 'root@[::1]:2222', kind: 'system' });
  });
  it('--user bridges to the user bus unless --system follows too', () => {
    assert.deepEqual(early(['--user', '-H', 'h', 'list-units']), { host: 'h', kind: 'user' });
    assert.deepEqual(early(['--user', '--system', '-H', 'h']), { host: 'h', kind: 'system' });
  });
  it('an option value is not the verb: the verb is found past it (VALUE_OPTIONS)', () => {
    assert.deepEqual(early(['-t', 'service', '-H', 'h', '--state', 'failed', 'list-units']), { host: 'h', kind: 'system' });
    // watch takes its own fleet: -H's value "watch" is a host, not the verb
    assert.deepEqual(early(['-H', 'watch', 'list-units']), { host: 'watch', kind: 'system' });
    assert.equal(early(['-o', 'json', 'watch', '-H', 'h']), undefined);
    // --kill-who is rewritten to --kill-whom before parsing; its value is no verb either way
    assert.deepEqual(early(['--kill-who', 'main', '-H', 'h', 'kill', 'x']), { host: 'h', kind: 'system' });
  });
  it('nothing without a host, for a fleet, or for verbs without a host', () => {
    assert.equal(early(['list-units']), undefined);
    assert.equal(early([]), undefined);
    assert.equal(early(['-H', 'a,b', 'list-units']), undefined);
    assert.equal(early(['-H', 'a', '-H', 'b', 'list-units']), undefined);
    // a hosts file is a fleet and is not read here (`--hosts -` would read stdin)
    assert.equal(early(['-H', 'a', '--hosts', '-', 'list-units']), undefined);
    assert.equal(early(['--hosts=/nonexistent', 'list-units']), undefined);
    for (const verb of ['watch', 'sandbox', 'demo', 'complete', 'completion', 'help']) assert.equal(early(['-H', 'h', verb]), undefined, verb);
    // `-H ''` (an unset $HOST) is the line's error, not an ssh to nowhere
    assert.equal(early(['-H', '', 'list-units']), undefined);
    // after `--` it is an argument, not an option
    assert.equal(early(['list-units', '--', '-H', 'h']), undefined);
  });
  it('nothing for help, --version, --timeout or --address lines', () => {
    for (const extra of [['-h'], ['--help'], ['--version'], ['--timeout', '5s'], ['--timeout=5s'], ['--address', 'unix:path=/x'], ['--address=unix:path=/x']]) {
      assert.equal(early(['-H', 'h', 'list-units', ...extra]), undefined, extra.join(' '));
      assert.equal(early([...extra, '-H', 'h', 'list-units']), undefined, extra.join(' '));
    }
  });
  it('nothing when ssh could prompt (stdin is a terminal)', () => {
    assert.equal(earlyBridge(['-H', 'h', 'list-units'], false), undefined);
  });
  it('gives the answer for the line as given that it gives for the line normalizeArgv makes of it', () => {
    const lines = [
      ['-H', 'h', '--failed'],
      ['--json=short', '-H', 'h', 'list-units'],
      ['-t', 'failed', '-H', 'h'],
      ['--type=service,masked', '-H', 'h', 'list-units'],
      ['--kill-who=main', '-H', 'h', 'kill', 'x'],
      ['--kill-who', 'main', '-H', 'h', 'kill', 'x'],
      ['--legend=no', '--host=h', 'list-timers'],
    ];
    for (const line of lines) assert.deepEqual(early(line), early(withDefaultVerb(normalizeArgv(line))), line.join(' '));
  });
});

describe('aheadBridgeArgv', () => {
  it("is ssh's argv of the bridge in batch mode with the default connect timeout, or nothing for a bad host", () => {
    assert.deepEqual(aheadBridgeArgv('admin@web1:2222', 'system'), ['-xT', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3', '-p', '2222', '-l', 'admin', '--', 'web1', 'systemd-stdio-bridge']);
    assert.deepEqual(aheadBridgeArgv('web1', 'user')?.slice(-5), ['--', 'web1', ...bridgeCommand('user')]);
    assert.equal(aheadBridgeArgv('-oProxyCommand=x', 'system'), undefined);
  });
});
