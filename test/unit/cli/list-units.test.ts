import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRows, checkFilters, compareUnits, renderUnitTable, showUnit, unitLegend } from '../../../src/cli/run/list-units.ts';
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
  it("builds rows in compareUnits' order (shared type suffixes, upper case, no dot, non-ASCII, ties)", () => {
    const names = [
      'b.service', 'Z.mount', 'a.service', 'c.mount', 'a.Service', 'A.service', 'x.services', 'x.servic', 'nodot', 'Nodot',
      'é.service', 'É.service', 'a.b.service', 'a.b', 'foo@1.service', 'foo@10.service', 'foo@2.service', '.service', 'q.SOCKET', 'q.socket',
    ];
    const units = names.map((n, i) => unit(n, { description: String(i) }));
    const expected = [...units].sort(compareUnits).map((u) => u.description);
    assert.deepEqual(buildRows(units, { ...none, all: true }).map((r) => r.description), expected);
    assert.deepEqual(buildRows([...units].reverse(), { ...none, all: true }).map((r) => r.description), [...units].reverse().sort(compareUnits).map((u) => u.description));
  });
  it('builds rows with the JSON keys of systemctl -o json', () => {
    const rows = buildRows([unit('a.service')], none);
    assert.deepEqual(rows, [{ unit: 'a.service', load: 'loaded', active: 'active', sub: 'running', description: 'desc of a.service', job: null }]);
  });
});

describe('list-units filters', () => {
  it('rejects an unknown --state in one short line that points at --state=help', () => {
    const io = memoryIO();
    assert.throws(() => checkFilters({ states: ['running', 'bogus'], types: [] }, io), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.match(e.message, /'bogus'/);
      assert.equal(e.hint, "'sysherd --state=help' lists the valid states");
      return true;
    });
    checkFilters({ states: ['help'], types: [] }, io);
    assert.match(io.stdout(), /\bfailed\b/);
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
  it('marks failed units, adds JOB only when a job is pending; legend on stdout as systemctl 252', async () => {
    const io = memoryIO();
    const rows = buildRows([unit('a.service', { activeState: 'failed', subState: 'failed' }), unit('b.service', { jobId: 4, jobType: 'start' })], none);
    await renderUnitTable(rows, { all: false, legend: true, plain: false, full: false }, io);
    assert.equal(
      io.stdout(),
      [
        '  UNIT      LOAD   ACTIVE SUB     JOB   DESCRIPTION',
        '● a.service loaded failed failed        desc of a.service',
        '  b.service loaded active running start desc of b.service',
        '',
        'LOAD   = Reflects whether the unit definition was properly loaded.',
        'ACTIVE = The high-level unit activation state, i.e. generalization of SUB.',
        'SUB    = The low-level unit activation state, values depend on unit type.',
        'JOB    = Pending job for the unit.',
        '',
        '2 loaded units listed. Pass --all to see loaded but inactive units, too.',
        "To show all installed unit files use 'systemctl list-unit-files'.",
        '',
      ].join('\n'),
    );
    assert.equal(io.stderr(), '');
  });
  it('--no-legend prints rows only', async () => {
    const io = memoryIO();
    await renderUnitTable(buildRows([unit('a.service')], none), { all: false, legend: false, plain: true, full: false }, io);
    assert.equal(io.stdout(), 'a.service loaded active running desc of a.service\n');
    assert.equal(io.stderr(), '');
  });
  it('no rows: the header over nothing, then the count (plural, as systemctl)', async () => {
    const io = memoryIO();
    await renderUnitTable([], { all: true, legend: true, plain: false, full: false }, io);
    assert.equal(io.stdout(), "  UNIT LOAD ACTIVE SUB DESCRIPTION\n0 loaded units listed.\nTo show all installed unit files use 'systemctl list-unit-files'.\n");
    const plain = memoryIO();
    await renderUnitTable([], { all: false, legend: true, plain: true, full: false }, plain);
    assert.equal(
      plain.stdout(),
      "UNIT LOAD ACTIVE SUB DESCRIPTION\n0 loaded units listed. Pass --all to see loaded but inactive units, too.\nTo show all installed unit files use 'systemctl list-unit-files'.\n",
    );
    const none2 = memoryIO();
    await renderUnitTable([], { all: false, legend: false, plain: false, full: false }, none2);
    assert.equal(none2.stdout(), '');
  });
  it('the count line follows --all and --state as systemctl', () => {
    const io = memoryIO();
    assert.match(unitLegend(1, false, { all: false, states: ['failed'] }, io), /\n1 loaded units listed\.\n$/);
    assert.match(unitLegend(1, false, { all: false, states: ['inactive'] }, io), /\n1 loaded units listed\.\nTo show all installed unit files use 'systemctl list-unit-files'\.\n$/);
  });
});
