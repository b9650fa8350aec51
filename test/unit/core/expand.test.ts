import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandUnitNames, mangleUnitNames } from '../../../src/core/expand.ts';
import { InvalidArgumentError } from '../../../src/core/errors.ts';
import type { Manager } from '../../../src/core/manager.ts';
import type { UnitStatus } from '../../../src/core/types.ts';

const unit = (name: string, activeState: string, extra: Partial<UnitStatus> = {}): UnitStatus => ({
  name,
  description: '',
  loadState: 'loaded',
  activeState,
  subState: '',
  following: '',
  unitPath: '/',
  jobId: 0,
  jobType: '',
  jobPath: '/',
  ...extra,
});

function fakeManager(units: UnitStatus[]): { manager: Manager; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const manager = {
    listUnitsByPatterns: async (states: string[], patterns: string[]) => {
      calls.push([states, patterns]);
      return units;
    },
  } as unknown as Manager;
  return { manager, calls };
}

describe('expandUnitNames (systemctl expand_unit_names)', () => {
  it('mangles plain names without asking the manager', async () => {
    const { manager, calls } = fakeManager([]);
    const r = await expandUnitNames(manager, ['nginx', '/dev/sda', '/home/x', 'foo@bar', 'a b']);
    assert.deepEqual(r.names, ['nginx.service', 'dev-sda.device', 'home-x.mount', 'foo@bar.service', 'a\\x20b.service']);
    assert.deepEqual(r.warnings, ['Invalid unit name "a b" escaped as "a\\x20b" (maybe you should use systemd-escape?).']);
    assert.equal(r.expanded, false);
    assert.equal(calls.length, 0);
  });
  it('appends glob matches after the plain names, filtered as a listing', async () => {
    const { manager, calls } = fakeManager([
      unit('ok.service', 'active'),
      unit('off.service', 'inactive'),
      unit('queued.service', 'inactive', { jobId: 3 }),
      unit('dev-x.device', 'active', { following: 'sys-x.device' }),
    ]);
    const r = await expandUnitNames(manager, ['o*', 'plain'], { states: [] });
    assert.deepEqual(calls, [[[], ['o*']]]);
    assert.deepEqual(r.names, ['plain.service', 'ok.service', 'queued.service']);
    assert.equal(r.expanded, true);
    const all = await expandUnitNames(manager, ['*'], { all: true, types: ['service'] });
    assert.deepEqual(all.names, ['ok.service', 'off.service', 'queued.service']);
  });
  it('a glob matching nothing expands to nothing', async () => {
    const { manager } = fakeManager([]);
    assert.deepEqual((await expandUnitNames(manager, ['zz*'])).names, []);
  });
  it('-q drops the notices; an empty argument fails as systemctl', () => {
    assert.deepEqual(mangleUnitNames(['a b'], { warn: false }).warnings, []);
    assert.throws(() => mangleUnitNames(['']), (e: unknown) => e instanceof InvalidArgumentError && e.message === 'Failed to mangle name: Invalid argument');
    assert.deepEqual(mangleUnitNames(['x'], { suffix: 'socket' }).names, ['x.socket']);
  });
});
