import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRows, checkFilters, compareUnits, renderUnitTable, showUnit } from '../../../src/cli/run/list-units.ts';
import type { UnitStatus } from '../../../src/core/types.ts';
import { memoryIO } from '../../../src/output/io.ts';
import { InvalidArgumentError } from '../../../src/core/errors.ts';

function unit(name: string, over: Partial<UnitStatus> = {}): UnitStatus {
  return {
    name,
    description: `desc of ${name}`,
    loadState: 'loaded',
    activeState: 'active',
    subState: 'running',
    following: '',
    unitPath: '/x',
    jobId: 0,
    jobType: '',
    jobPath: '/',
    ...over,
  };
}
const none = { all: false, states: [] as string[], types: [] as string[] };

describe('list-units filtering (systemctl output_show_unit)', () => {
  it('hides inactive units without a job unless --all', () => {
    assert.equal(showUnit(unit('a.service', { activeState: 'inactive' }), none), false);
    assert.equal(showUnit(unit('a.service', { activeState: 'inactive', jobId: 3, jobType: 'start' }), none), true);
    assert.equal(showUnit(unit('a.service', { activeState: 'inactive' }), { ...none, all: true }), true);
    assert.equal(showUnit(unit('a.service', { activeState: 'failed' }), none), true);
  });
  it('hides following units unless --all; --state shows inactive ones', () => {
    assert.equal(showUnit(unit('a.device', { following: 'b.device' }), none), false);
    assert.equal(showUnit(unit('a.service', { activeState: 'inactive' }), { ...none, states: ['inactive'] }), true);
  });
  it('filters by type', () => {
    assert.equal(showUnit(unit('a.socket'), { ...none, types: ['service'] }), false);
    assert.equal(showUnit(unit('a.socket'), { ...none, types: ['service', 'socket'] }), true);
  });
  it('sorts by type, then name, case-insensitively', () => {
    const names = [unit('b.service'), unit('Z.mount'), unit('a.service'), unit('c.mount')].sort(compareUnits).map((u) => u.name);
    assert.deepEqual(names, ['c.mount', 'Z.mount', 'a.service', 'b.service']);
  });
  it('builds rows with the JSON keys of systemctl -o json', () => {
    const rows = buildRows([unit('a.service')], none);
    assert.deepEqual(rows, [{ unit: 'a.service', load: 'loaded', active: 'active', sub: 'running', description: 'desc of a.service', job: null }]);
  });
});

describe('list-units filters', () => {
  it('rejects an unknown --state, listing the valid ones', () => {
    const io = memoryIO();
    assert.throws(() => checkFilters({ states: ['running', 'bogus'], types: [] }, io), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.match(e.message, /'bogus'/);
      assert.match(e.hint ?? '', /failed/);
      return true;
    });
  });
  it('rejects an unknown --type', () => {
    assert.throws(() => checkFilters({ states: [], types: ['servce'] }, memoryIO()), /unknown --type value 'servce'/);
  });
  it('--state=help and --type=help print the lists and stop', () => {
    const io = memoryIO();
    assert.equal(checkFilters({ states: ['help'], types: [] }, io), false);
    assert.match(io.stdout(), /Available unit load states:\nstub\n/);
    const io2 = memoryIO();
    assert.equal(checkFilters({ states: [], types: ['help'] }, io2), false);
    assert.match(io2.stdout(), /service\n/);
  });
});

describe('list-units table', () => {
  it('marks failed units, adds JOB only when a job is pending, legend on stderr', async () => {
    const io = memoryIO();
    const rows = buildRows([unit('a.service', { activeState: 'failed', subState: 'failed' }), unit('b.service', { jobId: 4, jobType: 'start' })], none);
    await renderUnitTable(rows, { all: false, legend: true, plain: false, full: false }, io);
    const lines = io.stdout().split('\n');
    assert.equal(lines[0], '  UNIT      LOAD   ACTIVE SUB     JOB   DESCRIPTION');
    assert.equal(lines[1], '● a.service loaded failed failed        desc of a.service');
    assert.equal(lines[2], '  b.service loaded active running start desc of b.service');
    assert.match(io.stderr(), /JOB    = Pending job for the unit\./);
    assert.match(io.stderr(), /2 loaded units listed\. Pass --all/);
  });
  it('--no-legend prints rows only; no rows → only the count', async () => {
    const io = memoryIO();
    await renderUnitTable(buildRows([unit('a.service')], none), { all: false, legend: false, plain: true, full: false }, io);
    assert.equal(io.stdout(), 'a.service loaded active running desc of a.service\n');
    assert.equal(io.stderr(), '');
    const io2 = memoryIO();
    await renderUnitTable([], { all: true, legend: true, plain: false, full: false }, io2);
    assert.equal(io2.stdout(), '');
    assert.equal(io2.stderr(), '0 loaded units listed.\n');
  });
});
