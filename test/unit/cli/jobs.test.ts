/**
 * list-jobs' table and cancel's id parsing, pure (the expected bytes are systemctl 252's, taken
 * in a sandbox: see test/e2e/jobs.test.ts for the live comparison).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJobIds, renderJobTable, showJob, type JobRow } from '../../../src/cli/run/jobs.ts';
import { InvalidArgumentError } from '../../../src/core/errors.ts';
import { memoryIO } from '../../../src/output/io.ts';

const rows: JobRow[] = [
  { job: 41286, unit: 'after-slow.service', type: 'start', state: 'waiting' },
  { job: 438, unit: 'slow.service', type: 'start', state: 'running' },
];
const plain = { legend: true, full: false, skipped: false };

describe('list-jobs table', () => {
  it('draws systemctl 252 columns, left-aligned, legend on stdout', () => {
    const io = memoryIO();
    renderJobTable(rows, plain, io);
    assert.equal(
      io.stdout(),
      'JOB   UNIT               TYPE  STATE\n41286 after-slow.service start waiting\n438   slow.service       start running\n\n2 jobs listed.\n',
    );
    assert.equal(io.stderr(), '');
  });
  it('says "1 jobs listed." as systemctl does', () => {
    const io = memoryIO();
    renderJobTable(rows.slice(1), plain, io);
    assert.match(io.stdout(), /\n\n1 jobs listed\.\n$/);
  });
  it('--no-legend: rows only; nothing at all when empty', () => {
    const io = memoryIO();
    renderJobTable(rows, { ...plain, legend: false }, io);
    assert.equal(io.stdout(), '41286 after-slow.service start waiting\n438   slow.service       start running\n');
    const none = memoryIO();
    renderJobTable([], { ...plain, legend: false }, none);
    assert.equal(none.stdout(), '');
  });
  it('empty: "No jobs running.", or "No jobs listed." when patterns hid some', () => {
    const a = memoryIO();
    renderJobTable([], plain, a);
    assert.equal(a.stdout(), 'No jobs running.\n');
    const b = memoryIO();
    renderJobTable([], { ...plain, skipped: true }, b);
    assert.equal(b.stdout(), 'No jobs listed.\n');
  });
  it('--after/--before rows: tree glyph, a tab, "-" in the empty cells; a tab is one column wide', () => {
    const io = memoryIO();
    renderJobTable(
      [
        { ...rows[1]!, blocking: [{ job: 41286, unit: 'after-slow.service', type: 'start' }] },
        { ...rows[0]!, waiting_for: [{ job: 438, unit: 'slow.service', type: 'start' }] },
      ],
      plain,
      io,
    );
    assert.equal(
      io.stdout(),
      [
        'JOB   UNIT                                           TYPE  STATE',
        '438   slow.service                                   start running',
        '└─    \tblocking job 41286 (after-slow.service/start) -     -',
        '41286 after-slow.service                             start waiting',
        '└─    \twaiting for job 438 (slow.service/start)      -     -',
        '',
        '2 jobs listed.',
        '',
      ].join('\n'),
    );
  });
  it('ASCII glyph without UTF-8', () => {
    const io = memoryIO({ unicode: false });
    renderJobTable([{ ...rows[1]!, blocking: [{ job: 1, unit: 'a.service', type: 'stop' }] }], plain, io);
    assert.match(io.stdout(), /\n`-  \tblocking job 1 \(a\.service\/stop\) -     -\n/);
  });
  it('on a terminal: running rows bold (unit, state), header underlined, UNIT cut to the width', () => {
    const io = memoryIO({ color: true, columns: 40 });
    const long = 'a-very-long-unit-name-that-goes-on-and-on.service';
    renderJobTable([{ job: 7, unit: long, type: 'start', state: 'running' }], plain, io);
    const out = io.stdout();
    assert.match(out, /\x1b\[4mJOB\x1b\[24m/);
    assert.match(out, /\x1b\[1ma-very-long-unit-name…\x1b\[22m start \x1b\[1mrunning\x1b\[22m/);
    for (const line of out.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) assert.ok(line.length <= 40, line);
    const full = memoryIO({ columns: 40 });
    renderJobTable([{ job: 7, unit: long, type: 'start', state: 'running' }], { ...plain, full: true }, full);
    assert.ok(full.stdout().includes(long));
  });
  it('patterns match the unit name as fnmatch', () => {
    assert.equal(showJob('a.service', []), true);
    assert.equal(showJob('after-slow.service', ['after*']), true);
    assert.equal(showJob('after-slow.service', ['x*', '*.service']), true);
    assert.equal(showJob('after-slow.service', ['*.socket']), false);
    assert.equal(showJob('a1.service', ['a[0-9].service']), true);
  });
});

describe('cancel job ids', () => {
  it('parses as safe_atou32', () => {
    assert.deepEqual(parseJobIds(['12', '0x10', '010', ' 7', '+3']), [12, 16, 8, 7, 3]);
  });
  it('refuses a bad id with systemctl words, before sending anything', () => {
    assert.throws(() => parseJobIds(['12', 'abc']), (e: unknown) => e instanceof InvalidArgumentError && e.message === 'Failed to parse job id "abc": Invalid argument' && e.exitCode === 1);
    assert.throws(() => parseJobIds(['-1']), { message: 'Failed to parse job id "-1": Numerical result out of range' });
    assert.throws(() => parseJobIds(['4294967296']), { message: 'Failed to parse job id "4294967296": Numerical result out of range' });
  });
});
