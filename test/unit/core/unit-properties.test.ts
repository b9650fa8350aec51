/**
 * systemctl 252's set-property parser (core/unit-properties.ts): the values systemd's parsers
 * give, the D-Bus names and signatures systemctl sends, and its error texts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  cpuSetToBytes,
  parseAddressPrefix,
  parseCpuSet,
  parsePermyriad,
  parsePermyriadUnbounded,
  parseSec,
  parseSize,
  parseUnitPropertyAssignment,
  parseUnitPropertyAssignments,
  splitWords,
  uint32ScaleFromPermyriad,
  UINT64_MAX,
} from '../../../src/core/unit-properties.js';

const one = (assignment: string, type = 'service'): { name: string; signature: string; value: unknown } => {
  const r = parseUnitPropertyAssignment(type, assignment);
  assert.equal(r.length, 1);
  return r[0]!;
};
const err = (assignment: string, message: string, type = 'service'): void => {
  assert.throws(() => parseUnitPropertyAssignment(type, assignment), (e: Error) => e.message === message);
};

describe('systemd value parsers', () => {
  test('parse_size: IEC and SI suffixes, fractions, sums; errors', () => {
    assert.deepEqual(parseSize('1G', 1024), { ok: true, value: 1073741824n });
    assert.deepEqual(parseSize('1.5K', 1024), { ok: true, value: 1536n });
    assert.deepEqual(parseSize('1G 512M', 1024), { ok: true, value: 1610612736n });
    assert.deepEqual(parseSize('1M', 1000), { ok: true, value: 1000000n });
    assert.deepEqual(parseSize('42', 1024), { ok: true, value: 42n });
    assert.deepEqual(parseSize('10B', 1024), { ok: true, value: 10n });
    assert.deepEqual(parseSize('abc', 1024), { ok: false, errno: 'EINVAL' });
    assert.deepEqual(parseSize('-1', 1024), { ok: false, errno: 'ERANGE' });
    assert.deepEqual(parseSize('1X', 1024), { ok: false, errno: 'EINVAL' });
    assert.deepEqual(parseSize('20E', 1024), { ok: false, errno: 'ERANGE' });
  });

  test('parse_sec: units, sums, bare seconds, infinity', () => {
    assert.deepEqual(parseSec('5'), { ok: true, value: 5000000n });
    assert.deepEqual(parseSec('10ms'), { ok: true, value: 10000n });
    assert.deepEqual(parseSec('1min 30s'), { ok: true, value: 90000000n });
    assert.deepEqual(parseSec('1.5s'), { ok: true, value: 1500000n });
    assert.deepEqual(parseSec('2h'), { ok: true, value: 7200000000n });
    assert.deepEqual(parseSec('infinity'), { ok: true, value: UINT64_MAX });
    assert.equal(parseSec('x').ok, false);
    assert.equal(parseSec('').ok, false);
    assert.deepEqual(parseSec('-1s'), { ok: false, errno: 'ERANGE' });
  });

  test('parse_permyriad: %, ‰, ‱ with systemd’s decimals; the 2^32 scale', () => {
    assert.equal(parsePermyriad('50%'), 5000);
    assert.equal(parsePermyriad('12.5%'), 1250);
    assert.equal(parsePermyriad('12.34%'), 1234);
    assert.equal(parsePermyriad('5‰'), 50);
    assert.equal(parsePermyriad('7‱'), 7);
    assert.equal(parsePermyriad('101%'), 'ERANGE');
    assert.equal(parsePermyriadUnbounded('150%'), 15000);
    assert.equal(parsePermyriad('12.345%'), 'EINVAL');
    assert.equal(parsePermyriad('x%'), 'EINVAL');
    assert.equal(parsePermyriad('50'), 'EINVAL');
    assert.equal(uint32ScaleFromPermyriad(10000), 0xffffffff);
    assert.equal(uint32ScaleFromPermyriad(5000), 2147483648);
    assert.equal(uint32ScaleFromPermyriad(0), 0);
  });

  test('CPU sets, address prefixes, word lists', () => {
    assert.deepEqual(parseCpuSet('0-2 5,7'), [0, 1, 2, 5, 7]);
    assert.equal(parseCpuSet('zz'), null);
    assert.equal(parseCpuSet('3-1'), null);
    assert.deepEqual([...cpuSetToBytes([0, 1, 9])], [3, 2]);
    assert.deepEqual(parseAddressPrefix('10.0.0.0/8'), [2, Buffer.from([10, 0, 0, 0]), 8]);
    assert.deepEqual(parseAddressPrefix('192.168.1.1'), [2, Buffer.from([192, 168, 1, 1]), 32]);
    const v6 = parseAddressPrefix('fe80::1/64')!;
    assert.equal(v6[0], 10);
    assert.equal(v6[1].toString('hex'), 'fe800000000000000000000000000001');
    assert.equal(v6[2], 64);
    assert.equal(parseAddressPrefix('::1')![2], 128);
    assert.equal(parseAddressPrefix('10.0.0.1/33'), null);
    assert.equal(parseAddressPrefix('bogus'), null);
    assert.equal(parseAddressPrefix('1:2:3:4:5:6:7:8:9'), null);
    assert.deepEqual(splitWords('a "b c" d\\ e'), ['a', 'b c', 'd e']);
    assert.equal(splitWords('"open'), null);
  });
});

describe('bus_append_unit_property_assignment', () => {
  test('cgroup properties: D-Bus names, signatures, values', () => {
    assert.deepEqual(one('CPUWeight=50'), { name: 'CPUWeight', signature: 't', value: 50n });
    assert.deepEqual(one('CPUWeight=idle'), { name: 'CPUWeight', signature: 't', value: 0n });
    assert.deepEqual(one('CPUWeight='), { name: 'CPUWeight', signature: 't', value: UINT64_MAX });
    assert.deepEqual(one('CPUQuota=150%'), { name: 'CPUQuotaPerSecUSec', signature: 't', value: 1500000n });
    assert.deepEqual(one('CPUQuota='), { name: 'CPUQuotaPerSecUSec', signature: 't', value: UINT64_MAX });
    assert.deepEqual(one('CPUQuotaPeriodSec=10ms'), { name: 'CPUQuotaPeriodUSec', signature: 't', value: 10000n });
    assert.deepEqual(one('MemoryMax=1G'), { name: 'MemoryMax', signature: 't', value: 1073741824n });
    assert.deepEqual(one('MemoryMax=infinity'), { name: 'MemoryMax', signature: 't', value: UINT64_MAX });
    assert.deepEqual(one('MemoryLow='), { name: 'MemoryLow', signature: 't', value: 0n });
    assert.deepEqual(one('MemoryHigh='), { name: 'MemoryHigh', signature: 't', value: UINT64_MAX });
    assert.deepEqual(one('MemoryHigh=50%'), { name: 'MemoryHighScale', signature: 'u', value: 2147483648 });
    assert.deepEqual(one('TasksMax=4096'), { name: 'TasksMax', signature: 't', value: 4096n });
    assert.deepEqual(one('TasksMax=10%'), { name: 'TasksMaxScale', signature: 'u', value: uint32ScaleFromPermyriad(1000) });
    assert.deepEqual(one('IOWeight=200'), { name: 'IOWeight', signature: 't', value: 200n });
    assert.deepEqual(one('IODeviceWeight=/dev/sda 300'), { name: 'IODeviceWeight', signature: 'a(st)', value: [['/dev/sda', 300n]] });
    assert.deepEqual(one('IOReadBandwidthMax=/dev/sda 1M'), { name: 'IOReadBandwidthMax', signature: 'a(st)', value: [['/dev/sda', 1000000n]] });
    assert.deepEqual(one('IOWriteIOPSMax=/dev/sda infinity'), { name: 'IOWriteIOPSMax', signature: 'a(st)', value: [['/dev/sda', UINT64_MAX]] });
    assert.deepEqual(one('DeviceAllow=/dev/null rw'), { name: 'DeviceAllow', signature: 'a(ss)', value: [['/dev/null', 'rw']] });
    assert.deepEqual(one('DeviceAllow=/dev/null'), { name: 'DeviceAllow', signature: 'a(ss)', value: [['/dev/null', '']] });
    assert.deepEqual(one('DeviceAllow='), { name: 'DeviceAllow', signature: 'a(ss)', value: [] });
    assert.deepEqual(one('IPAddressDeny=any').value, [[2, Buffer.alloc(4), 0], [10, Buffer.alloc(16), 0]]);
    assert.equal((one('IPAddressAllow=localhost').value as unknown[][])[0]![2], 8);
    assert.deepEqual(one('CPUAccounting=yes'), { name: 'CPUAccounting', signature: 'b', value: true });
    assert.deepEqual(one('AllowedCPUs=0-1'), { name: 'AllowedCPUs', signature: 'ay', value: Buffer.from([3]) });
    assert.deepEqual(one('Delegate=yes'), { name: 'Delegate', signature: 'b', value: true });
    assert.deepEqual(one('Delegate=cpu memory'), { name: 'DelegateControllers', signature: 'as', value: ['cpu', 'memory'] });
    assert.deepEqual(one('ManagedOOMMemoryPressureLimit=50%'), { name: 'ManagedOOMMemoryPressureLimit', signature: 'u', value: 2147483648 });
    assert.deepEqual(one('ManagedOOMSwap=kill'), { name: 'ManagedOOMSwap', signature: 's', value: 'kill' });
    assert.deepEqual(one('CPUWeight=5', 'slice'), { name: 'CPUWeight', signature: 't', value: 5n });
  });

  test('unit, kill, exec and service properties', () => {
    assert.deepEqual(one('Description=a b'), { name: 'Description', signature: 's', value: 'a b' });
    assert.deepEqual(one('Description=x', 'target'), { name: 'Description', signature: 's', value: 'x' });
    assert.deepEqual(one('Markers=needs-restart'), { name: 'Markers', signature: 'as', value: ['needs-restart'] });
    assert.deepEqual(one('After=a.service b.service'), { name: 'After', signature: 'as', value: ['a.service', 'b.service'] });
    assert.deepEqual(one('ConditionPathExists=|!/x'), { name: 'Conditions', signature: 'a(sbbs)', value: [['ConditionPathExists', true, true, '/x']] });
    assert.deepEqual(one('JobTimeoutSec=5'), { name: 'JobTimeoutUSec', signature: 't', value: 5000000n });
    assert.deepEqual(one('KillSignal=SIGHUP'), { name: 'KillSignal', signature: 'i', value: 1 });
    assert.deepEqual(one('User=foo'), { name: 'User', signature: 's', value: 'foo' });
    assert.deepEqual(one('SyslogLevel=debug'), { name: 'SyslogLevel', signature: 'i', value: 7 });
    assert.deepEqual(parseUnitPropertyAssignment('service', 'TimeoutSec=5').map((p) => p.name), ['TimeoutStartUSec', 'TimeoutStopUSec']);
    assert.deepEqual(one('TimeoutIdleSec=1min', 'automount'), { name: 'TimeoutIdleUSec', signature: 't', value: 60000000n });
    assert.equal(parseUnitPropertyAssignments('service', ['CPUWeight=1', 'MemoryMax=1K']).length, 2);
    // names systemd refuses on a loaded unit: sent unparsed, under systemctl's wire name
    assert.deepEqual(one('ExecStart=/bin/true'), { name: 'ExecStart', signature: 's', value: '/bin/true' });
    assert.deepEqual(one('RestartSec=5'), { name: 'RestartUSec', signature: 't', value: 5000000n });
    assert.deepEqual(one('LimitNOFILE=10'), { name: 'LimitNOFILE', signature: 's', value: '10' });
    assert.deepEqual(one('OnCalendar=daily', 'timer'), { name: 'TimersCalendar', signature: 's', value: 'daily' });
    assert.deepEqual(one('OnBootSec=5', 'timer'), { name: 'TimersMonotonic', signature: 's', value: '5' });
    assert.deepEqual(one('PathChanged=/x', 'path'), { name: 'Paths', signature: 's', value: '/x' });
    assert.deepEqual(one('ListenStream=/x', 'socket'), { name: 'Listen', signature: 's', value: '/x' });
    assert.deepEqual(one('TimeoutSec=5', 'mount'), { name: 'TimeoutUSec', signature: 's', value: '5' });
    assert.deepEqual(one('RuntimeMaxSec=5', 'scope'), { name: 'RuntimeMaxUSec', signature: 's', value: '5' });
    err('ListenStream=/x', 'Unknown assignment: ListenStream=/x', 'service');
  });

  test("systemctl's error texts", () => {
    err('Foo=bar', 'Unknown assignment: Foo=bar');
    err('Foo', 'Not an assignment: Foo');
    err('CPUWeight=20', 'Unknown assignment: CPUWeight=20', 'target');
    err('User=x', 'Unknown assignment: User=x', 'slice');
    err('CPUWeight=abc', 'Failed to parse CPUWeight=abc: Invalid argument');
    err('CPUWeight=0', 'Failed to parse CPUWeight=0: Numerical result out of range');
    err('MemoryMax=abc', 'Failed to parse MemoryMax=abc: Invalid argument');
    err('MemoryHigh=-1', 'Failed to parse MemoryHigh=-1: Numerical result out of range');
    err('TasksMax=x', 'Failed to parse TasksMax=x: Invalid argument');
    err('CPUQuota=0%', 'CPU quota too small.');
    err('CPUQuota=abc', "CPU quota 'abc' invalid.");
    err('CPUQuotaPeriodSec=x', "CPU quota period 'x' invalid.");
    err('IODeviceWeight=/dev/sda', 'Failed to parse IODeviceWeight value /dev/sda.');
    err('IODeviceWeight=/dev/sda x', 'Failed to parse IODeviceWeight value x: Invalid argument');
    err('IOReadBandwidthMax=/dev/sda 1X', 'Failed to parse byte value 1X: Invalid argument');
    err('AllowedCPUs=zz', 'Failed to parse AllowedCPUs value: zz');
    err('IPAddressDeny=bogus', 'Failed to parse IP address prefix: bogus');
    err('ManagedOOMMemoryPressureLimit=x', 'Failed to parse ManagedOOMMemoryPressureLimit value: x');
    err('NoNewPrivileges=bogus', 'Failed to parse NoNewPrivileges: bogus');
    err('KillSignal=FOO', 'Failed to parse KillSignal: FOO');
    err('TimeoutSec=bogus', 'Failed to parse TimeoutStartSec=bogus: Invalid argument');
    err('After="open', 'Invalid syntax: "open');
  });
});
