/** systemctl 252's property formatting (bus_print_property + print_property), on decoded values. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cpuSetToRangeString,
  formatDouble,
  formatProperty,
  propertyJson,
  shellMaybeQuote,
  signalToString,
  structFields,
} from '../../../src/output/properties.ts';

const p = (name: string, signature: string, value: unknown) => ({ name, signature, value });
const UINT64_MAX = 0xffff_ffff_ffff_ffffn;

describe('formatProperty', () => {
  it('strings, booleans, empty values only with --all, --value', () => {
    assert.deepEqual(formatProperty(p('Id', 's', 'a.service')), ['Id=a.service']);
    assert.deepEqual(formatProperty(p('StatusText', 's', '')), []);
    assert.deepEqual(formatProperty(p('StatusText', 's', ''), { showEmpty: true }), ['StatusText=']);
    assert.deepEqual(formatProperty(p('Description', 's', 'two\nlines')), ['Description=[unprintable]']);
    assert.deepEqual(formatProperty(p('CanStart', 'b', true)), ['CanStart=yes']);
    assert.deepEqual(formatProperty(p('CanStart', 'b', false), { onlyValue: true }), ['no']);
  });
  it('64-bit: timestamps, time spans, [not set], infinity, [no data], masks', () => {
    process.env.TZ = 'UTC';
    assert.deepEqual(formatProperty(p('ActiveEnterTimestamp', 't', 1_795_319_329_123_456n)), ['ActiveEnterTimestamp=Sun 2026-11-22 03:48:49 UTC']);
    assert.deepEqual(formatProperty(p('ActiveEnterTimestamp', 't', 0n)), []);
    assert.deepEqual(formatProperty(p('ActiveEnterTimestampMonotonic', 't', 5n)), ['ActiveEnterTimestampMonotonic=5']);
    assert.deepEqual(formatProperty(p('TimeoutStopUSec', 't', 90_000_000n)), ['TimeoutStopUSec=1min 30s']);
    assert.deepEqual(formatProperty(p('RuntimeMaxUSec', 't', UINT64_MAX)), ['RuntimeMaxUSec=infinity']);
    assert.deepEqual(formatProperty(p('CPUWeight', 't', UINT64_MAX)), ['CPUWeight=[not set]']);
    assert.deepEqual(formatProperty(p('CPUUsageNSec', 't', UINT64_MAX)), ['CPUUsageNSec=[not set]']);
    assert.deepEqual(formatProperty(p('MemoryMax', 't', UINT64_MAX)), ['MemoryMax=infinity']);
    assert.deepEqual(formatProperty(p('LimitNOFILE', 't', UINT64_MAX)), ['LimitNOFILE=infinity']);
    assert.deepEqual(formatProperty(p('IPIngressBytes', 't', UINT64_MAX)), ['IPIngressBytes=[no data]']);
    assert.deepEqual(formatProperty(p('MemoryHigh', 't', 1024n)), ['MemoryHigh=1024']);
    assert.deepEqual(formatProperty(p('CoredumpFilter', 't', 0x33n)), ['CoredumpFilter=0x33']);
    assert.deepEqual(formatProperty(p('RestrictNamespaces', 't', UINT64_MAX)), ['RestrictNamespaces=no']);
    assert.deepEqual(formatProperty(p('RestrictNamespaces', 't', 0n)), ['RestrictNamespaces=yes']);
    assert.deepEqual(formatProperty(p('RestrictNamespaces', 't', 0x4800_0000n)), ['RestrictNamespaces=ipc net']);
    assert.deepEqual(formatProperty(p('MountFlags', 't', 0n)), []);
    assert.deepEqual(formatProperty(p('CapabilityBoundingSet', 't', 0b1001n)), ['CapabilityBoundingSet=cap_chown cap_fowner']);
  });
  it('32-bit: modes in octal, UID unset', () => {
    assert.deepEqual(formatProperty(p('UMask', 'u', 0o22)), ['UMask=0022']);
    assert.deepEqual(formatProperty(p('UID', 'u', 0xffff_ffff)), ['UID=[not set]']);
    assert.deepEqual(formatProperty(p('NRestarts', 'u', 3)), ['NRestarts=3']);
    assert.deepEqual(formatProperty(p('FailureActionExitStatus', 'i', -1)), []);
    assert.deepEqual(formatProperty(p('FailureActionExitStatus', 'i', -1), { showEmpty: true }), ['FailureActionExitStatus=[not set]']);
    assert.deepEqual(formatProperty(p('NUMAPolicy', 'i', 0)), ['NUMAPolicy=default']);
  });
  it('types systemctl does not print: [unprintable] with --all only', () => {
    assert.deepEqual(formatProperty(p('TTYRows', 'q', 24)), []);
    assert.deepEqual(formatProperty(p('TTYRows', 'q', 24), { showEmpty: true }), ['TTYRows=[unprintable]']);
  });
  it('string lists are shell-quoted', () => {
    assert.deepEqual(formatProperty(p('Environment', 'as', ['A=1', 'X=a b', 'Q=x"y'])), ['Environment=A=1 "X=a b" "Q=x\\"y"']);
    assert.deepEqual(formatProperty(p('Documentation', 'as', ['man:true(1)'])), ['Documentation="man:true(1)"']);
    assert.deepEqual(formatProperty(p('Wants', 'as', [])), []);
    assert.deepEqual(formatProperty(p('Wants', 'as', []), { showEmpty: true }), ['Wants=']);
  });
  it('structs: Job, Unit, LoadError, filters, exit statuses, Exec records', () => {
    assert.deepEqual(formatProperty(p('Job', '(uo)', [0, '/'])), []);
    assert.deepEqual(formatProperty(p('Job', '(uo)', [42, '/org/freedesktop/systemd1/job/42'])), ['Job=42']);
    assert.deepEqual(formatProperty(p('Unit', '(so)', ['a.service', '/x'])), ['Unit=a.service']);
    assert.deepEqual(formatProperty(p('LoadError', '(ss)', ['org.freedesktop.systemd1.NoSuchUnit', 'Unit x not found.'])), ['LoadError=org.freedesktop.systemd1.NoSuchUnit "Unit x not found."']);
    assert.deepEqual(formatProperty(p('SystemCallFilter', '(bas)', [false, ['a', 'b']])), ['SystemCallFilter=~a b']);
    assert.deepEqual(formatProperty(p('SuccessExitStatus', '(aiai)', [[3], [10]])), ['SuccessExitStatus=3 USR1']);
    process.env.TZ = 'UTC';
    const exec = ['/bin/echo', ['/bin/echo', 'hi'], false, 1_795_319_329_000_000n, 1n, 1_795_319_330_000_000n, 2n, 77, 1, 0];
    assert.deepEqual(formatProperty(p('ExecStart', 'a(sasbttttuii)', [exec])), [
      'ExecStart={ path=/bin/echo ; argv[]=/bin/echo hi ; ignore_errors=no ; start_time=[Sun 2026-11-22 03:48:49 UTC] ; stop_time=[Sun 2026-11-22 03:48:50 UTC] ; pid=77 ; code=exited ; status=0 }',
    ]);
    const killed = ['/bin/sleep', ['/bin/sleep', '9'], true, 0n, 0n, 0n, 0n, 0, 2, 15];
    assert.deepEqual(formatProperty(p('ExecStop', 'a(sasbttttuii)', [killed])), [
      'ExecStop={ path=/bin/sleep ; argv[]=/bin/sleep 9 ; ignore_errors=yes ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=killed ; status=15/TERM }',
    ]);
    const ex = ['/bin/true', ['/bin/true'], ['ignore-failure'], 0n, 0n, 0n, 0n, 0, 0, 0];
    assert.deepEqual(formatProperty(p('ExecStartEx', 'a(sasasttttuii)', [ex])), [
      'ExecStartEx={ path=/bin/true ; argv[]=/bin/true ; flags=ignore-failure ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }',
    ]);
  });
  it('arrays of records: Listen, timers, devices, IP addresses, CPU sets', () => {
    assert.deepEqual(formatProperty(p('Listen', 'a(ss)', [['Stream', '/run/a.sock'], ['Datagram', '/run/b']])), ['Listen=/run/a.sock (Stream)', 'Listen=/run/b (Datagram)']);
    assert.deepEqual(formatProperty(p('TimersMonotonic', 'a(stt)', [['OnBootUSec', 3_600_000_000n, 3_600_000_000n]])), ['TimersMonotonic={ OnBootUSec=1h ; next_elapse=1h }']);
    assert.deepEqual(formatProperty(p('DeviceAllow', 'a(ss)', [['/dev/null', 'rw']])), ['DeviceAllow=/dev/null rw']);
    assert.deepEqual(
      formatProperty(p('IPAddressDeny', 'a(iayu)', [[2, Buffer.from([10, 0, 0, 0]), 8], [10, Buffer.from('00000000000000000000000000000001', 'hex'), 128], [10, Buffer.from('fe800000000000000000000000000000', 'hex'), 64]])),
      ['IPAddressDeny=10.0.0.0/8 ::1/128 fe80::/64'],
    );
    assert.deepEqual(formatProperty(p('CPUAffinity', 'ay', Buffer.from([0b1011_0111]))), ['CPUAffinity=0-2 4-5 7']);
    assert.equal(cpuSetToRangeString(Buffer.from([])), '');
  });
});

describe('helpers', () => {
  it('shellMaybeQuote, plain and POSIX', () => {
    assert.equal(shellMaybeQuote('plain'), 'plain');
    assert.equal(shellMaybeQuote('é'), 'é');
    assert.equal(shellMaybeQuote('a b'), '"a b"');
    assert.equal(shellMaybeQuote('x$y`z\\'), '"x\\$y\\`z\\\\"');
    assert.equal(shellMaybeQuote('tab\there\n'), '"tab\\there\\n"');
    assert.equal(shellMaybeQuote('a b', true), "$'a b'");
    assert.equal(shellMaybeQuote("it's", true), "$'it\\'s'");
    assert.equal(shellMaybeQuote('x\\y', true), "$'x\\\\y'");
  });
  it('signal names, %g, struct signatures', () => {
    assert.equal(signalToString(15), 'TERM');
    assert.equal(signalToString(34), 'RTMIN+0'); // systemd 252's signal_to_string: no RTMIN of its own
    assert.equal(signalToString(36), 'RTMIN+2');
    assert.equal(signalToString(0), '0');
    assert.equal(formatDouble(0.5), '0.5');
    assert.equal(formatDouble(1234567), '1.23457e+06');
    assert.equal(formatDouble(100), '100');
    assert.deepEqual(structFields('(sasbttttuii)'), ['s', 'as', 'b', 't', 't', 't', 't', 'u', 'i', 'i']);
    assert.deepEqual(structFields('(sa(ss)ay)'), ['s', 'a(ss)', 'ay']);
  });
  it('propertyJson: numbers, null for unset, records for Exec and Job', () => {
    assert.equal(propertyJson(p('MainPID', 'u', 12)), 12);
    assert.equal(propertyJson(p('MemoryMax', 't', UINT64_MAX)), null);
    assert.equal(propertyJson(p('TimeoutStopUSec', 't', 90_000_000n)), 90_000_000);
    assert.equal(propertyJson(p('ActiveEnterTimestamp', 't', 0n)), null);
    assert.equal(propertyJson(p('InvocationID', 'ay', Buffer.from('ab01', 'hex'))), 'ab01');
    assert.deepEqual(propertyJson(p('Job', '(uo)', [7, '/j/7'])), { id: 7, path: '/j/7' });
    assert.deepEqual(propertyJson(p('Listen', 'a(ss)', [['Stream', '/run/a']])), [['Stream', '/run/a']]);
    const [rec] = propertyJson(p('ExecStart', 'a(sasbttttuii)', [['/bin/x', ['/bin/x'], false, 5n, 1n, 0n, 0n, 3, 1, 0]])) as Record<string, unknown>[];
    assert.deepEqual(rec, { path: '/bin/x', argv: ['/bin/x'], ignoreErrors: false, startTimestamp: 5, startTimestampMonotonic: 1, exitTimestamp: null, exitTimestampMonotonic: null, pid: 3, code: 'exited', status: 0 });
  });
});
