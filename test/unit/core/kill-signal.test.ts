/**
 * Signal strings and C integer parsing as systemd 252 does them. The expectations were taken
 * from systemctl 252 itself in a sandbox (`systemctl kill -s X`, `systemctl cancel X`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/core/errors.ts';
import { parseSignal, safeAtoi, safeAtou32, signalFromString, signalHelp, signalName, signalToString } from '../../../src/core/kill-signal.ts';

describe('signal_from_string', () => {
  it('takes names with and without SIG, upper case only', () => {
    assert.equal(signalFromString('HUP'), 1);
    assert.equal(signalFromString('SIGHUP'), 1);
    assert.equal(signalFromString('SIGUSR1'), 10);
    assert.equal(signalFromString('KILL'), 9);
    assert.equal(signalFromString('SYS'), 31);
    for (const bad of ['hup', 'sighup', 'IOT', 'SIGCLD', 'SIG9', 'FOO', '', 'SIG']) {
      assert.throws(() => signalFromString(bad), (e: unknown) => e instanceof InvalidArgumentError && e.message === `Failed to parse signal string "${bad}".` && e.exitCode === 1, bad);
    }
  });
  it('takes numbers 1…64 as safe_atoi reads them', () => {
    assert.equal(signalFromString('9'), 9);
    assert.equal(signalFromString(' 9'), 9);
    assert.equal(signalFromString('0x9'), 9);
    assert.equal(signalFromString('011'), 9);
    assert.equal(signalFromString('64'), 64);
    for (const bad of ['0', '65', '-1', '9 ', '1e1', '99999999999999999999']) assert.equal(parseSignal(bad).ok, false, bad);
    assert.deepEqual(parseSignal('65'), { ok: false, errno: 'ERANGE' });
  });
  it('takes RTMIN+n and RTMAX-n within the real-time range', () => {
    assert.equal(signalFromString('RTMIN'), 34);
    assert.equal(signalFromString('RTMIN+3'), 37);
    assert.equal(signalFromString('SIGRTMIN+3'), 37);
    assert.equal(signalFromString('RTMIN+30'), 64);
    assert.equal(signalFromString('RTMAX'), 64);
    assert.equal(signalFromString('RTMAX-1'), 63);
    assert.equal(signalFromString('RTMAX-30'), 34);
    for (const bad of ['RTMIN+31', 'RTMIN-1', 'RTMAX+1', 'RTMAX-31', 'rtmin', 'RTMIN3', 'RTMIN+']) assert.equal(parseSignal(bad).ok, false, bad);
  });
  it('prints names as signal_to_string, and -s help as systemctl (65 lines, 0 first)', () => {
    assert.equal(signalToString(15), 'TERM');
    assert.equal(signalToString(32), '32');
    assert.equal(signalToString(37), 'RTMIN+3');
    assert.equal(signalName(15), 'SIGTERM');
    assert.equal(signalName(37), 'SIGRTMIN+3');
    assert.equal(signalName(33), '33');
    const help = signalHelp().split('\n');
    assert.equal(help.length, 66);
    assert.deepEqual(help.slice(0, 3), ['0', 'HUP', 'INT']);
    assert.deepEqual(help.slice(31, 35), ['SYS', '32', '33', 'RTMIN+0']);
    assert.equal(help[64], 'RTMIN+30');
    assert.equal(help[65], '');
  });
});

describe('safe_atou32 (job ids)', () => {
  it('reads C integers with systemd prefixes', () => {
    const cases: [string, number][] = [['12', 12], [' 12', 12], ['\t12', 12], ['+12', 12], ['0x10', 16], ['010', 8], ['00012', 10], ['0b11', 3], ['0o7', 7], ['0', 0], ['-0', 0], ['4294967295', 4294967295]];
    for (const [s, n] of cases) assert.deepEqual(safeAtou32(s), { ok: true, value: n }, JSON.stringify(s));
  });
  it('refuses what systemctl refuses, with its errno', () => {
    const cases: [string, string][] = [['abc', 'EINVAL'], ['', 'EINVAL'], ['12 ', 'EINVAL'], ['1e3', 'EINVAL'], ['0x', 'EINVAL'], ['08', 'EINVAL'], ['-1', 'ERANGE'], [' -1', 'ERANGE'], ['4294967296', 'ERANGE'], ['99999999999999999999999', 'ERANGE']];
    for (const [s, errno] of cases) assert.deepEqual(safeAtou32(s), { ok: false, errno }, JSON.stringify(s));
  });
  it('safe_atoi is signed within an int', () => {
    assert.deepEqual(safeAtoi('-5'), { ok: true, value: -5 });
    assert.deepEqual(safeAtoi('2147483647'), { ok: true, value: 2147483647 });
    assert.deepEqual(safeAtoi('2147483648'), { ok: false, errno: 'ERANGE' });
    assert.deepEqual(safeAtoi('-2147483648'), { ok: true, value: -2147483648 });
  });
});
