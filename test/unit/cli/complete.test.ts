/** `sysherd __complete`: how it reads a command line, and which units each verb is offered. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { optionTable, parseCompletionLine } from '../../../src/cli/complete.ts';
import { buildProgram } from '../../../src/cli/main.ts';
import { passesFilter, ruleOf, sourceNames } from '../../../src/cli/run/complete.ts';
import type { UnitFileEntry, UnitStatus } from '../../../src/core/types.ts';
import { memoryIO } from '../../../src/output/io.ts';

const table = optionTable(buildProgram(memoryIO()));
const parse = (line: string) => parseCompletionLine(line.split(' '), table);

function unit(name: string, activeState: string, loadState = 'loaded'): UnitStatus {
  return { name, description: '', loadState, activeState, subState: '', following: '', unitPath: '', jobId: 0, jobType: '', jobPath: '' };
}
const file = (name: string, state: string): UnitFileEntry => ({ path: `/etc/systemd/system/${name}`, state });

describe('parseCompletionLine', () => {
  it('finds the verb, its arguments and the word at the cursor', () => {
    assert.deepEqual(parse('start a.service b'), { user: false, remote: false, what: { kind: 'units', verb: 'start', args: ['a.service'] }, prefix: 'b' });
  });
  it('honours --user anywhere, and skips option values', () => {
    const r = parse('-t service --user --job-mode fail restart ');
    assert.equal(r?.user, true);
    assert.deepEqual(r?.what, { kind: 'units', verb: 'restart', args: [] });
    assert.equal(r?.prefix, '');
  });
  it('takes --address', () => {
    assert.equal(parse('--address unix:path=/x status s')?.address, 'unix:path=/x');
    assert.equal(parse('--address=unix:path=/y status s')?.address, 'unix:path=/y');
  });
  it('an option value: -p NAME and --property=NAME', () => {
    assert.deepEqual(parse('show -p Acti')?.what, { kind: 'option', option: '--property' });
    assert.deepEqual(parse('show --property=Id,Na'), { user: false, remote: false, what: { kind: 'option', option: '--property' }, prefix: 'Id,Na' });
    assert.deepEqual(parse('kill -s SIGT')?.what, { kind: 'option', option: '--signal' });
  });
  it('no verb yet: nothing to ask', () => {
    assert.equal(parse('--user st'), null);
  });
  it('-H: remote, not completed', () => {
    assert.equal(parse('-H host status x')?.remote, true);
  });
});

describe('candidates, as systemctl chooses them', () => {
  const units = [unit('a.service', 'active'), unit('b.service', 'inactive'), unit('c.service', 'failed'), unit('m.service', 'inactive', 'masked'), unit('t@1.service', 'active')];
  const files = [file('b.service', 'disabled'), file('d.service', 'disabled'), file('e.service', 'enabled'), file('m.service', 'masked'), file('t@.service', 'disabled'), file('a.service', 'enabled')];
  const names = (verb: string): string[] => sourceNames(ruleOf(verb), { units, files }).sort();
  it('start: unit files not masked and loaded units that are inactive or failed; no templates (then filtered by ActiveState=inactive, CanStart=yes)', () => {
    assert.deepEqual(names('start'), ['a.service', 'b.service', 'c.service', 'd.service', 'e.service']);
  });
  it('restart: unit files not masked and the units list-units shows, failed ones included', () => {
    assert.deepEqual(names('restart'), ['a.service', 'b.service', 'c.service', 'd.service', 'e.service', 't@1.service']);
  });
  it('status: loaded units and unit files, no templates; cat: templates too', () => {
    assert.deepEqual(names('status'), ['a.service', 'b.service', 'c.service', 'd.service', 'e.service', 'm.service', 't@1.service']);
    assert.ok(names('cat').includes('t@.service'));
  });
  it('enable: disabled unit files and the template names (foo@); unmask: masked ones; reset-failed: failed units', () => {
    assert.deepEqual(names('enable'), ['b.service', 'd.service', 't@', 't@.service']);
    assert.deepEqual(names('unmask'), ['m.service']);
    assert.deepEqual(names('reset-failed'), ['c.service']);
    assert.deepEqual(names('list-jobs'), []);
  });
  it('a property filter passes when one alternative matches every property (booleans as yes/no)', () => {
    assert.equal(passesFilter({ ActiveState: 'failed', CanStart: true }, [{ CanStart: 'yes' }]), true);
    assert.equal(passesFilter({ ActiveState: 'failed', CanStart: true }, [{ ActiveState: 'inactive', CanStart: 'yes' }]), false);
    assert.equal(passesFilter({ ActiveState: 'activating', CanStop: true }, [{ ActiveState: 'active', CanStop: 'yes' }, { ActiveState: 'activating', CanStop: 'yes' }]), true);
  });
});
