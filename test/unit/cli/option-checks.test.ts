/**
 * systemctl 252's parse-time checks of option values and combinations (option-checks.ts): the
 * same text as systemctl (its one-line errors), `--timestamp=help` printing the table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkParsedOptions, checkTimestampStyle } from '../../../src/cli/option-checks.ts';
import { dependencyKind, timestampStyle, withDependencies } from '../../../src/cli/context.ts';
import type { IO } from '../../../src/output/io.ts';

function io(): IO & { text: () => string } {
  let out = '';
  return { out: { write: (s: string) => ((out += s), true) }, text: () => out } as unknown as IO & { text: () => string };
}

describe('--timestamp values', () => {
  it('a style or help passes; anything else is "Invalid value: X."', () => {
    for (const ok of ['pretty', 'unix', 'us', 'utc', 'us+utc', '\u00b5s', '\u03bcs+utc', 'help']) assert.equal(checkTimestampStyle(ok), ok);
    assert.throws(() => checkTimestampStyle('bogus'), { message: 'Invalid value: bogus.' });
    assert.throws(() => checkTimestampStyle(''), { message: 'Invalid value: .' });
  });
  it('--timestamp=help prints the table and stops the verb', () => {
    const o = io();
    assert.equal(checkParsedOptions('show', [], { timestamp: 'help' }, o), false);
    assert.equal(o.text(), 'pretty\nus\nutc\nus+utc\nunix\n');
  });
  it('the style a verb gets: pretty without the option, µs spellings mapped', () => {
    assert.equal(timestampStyle({}), 'pretty');
    assert.equal(timestampStyle({ timestamp: '\u00b5s+utc' }), 'us+utc');
  });
});

describe('combinations', () => {
  const check = (verb: string, args: string[], g: Parameters<typeof checkParsedOptions>[2]) => checkParsedOptions(verb, args, g, io());
  it('--wait only with start and restart (after the argument count, as systemctl)', () => {
    for (const verb of ['stop', 'reload', 'try-restart', 'condrestart', 'force-reload', 'isolate']) {
      assert.throws(() => check(verb, ['a'], { wait: true }), { message: "--wait may only be used with the 'start' or 'restart' commands." }, verb);
    }
    assert.equal(check('stop', [], { wait: true }), true, 'the verb says "Too few arguments." first');
    assert.equal(check('isolate', ['a', 'b'], { wait: true }), true, 'the verb says "Too many arguments." first');
    assert.equal(check('list-units', [], { wait: true }), true, 'other verbs ignore --wait');
    assert.equal(check('restart', ['a'], { wait: true }), true);
  });
  it('--wait with --no-block', () => {
    assert.throws(() => check('start', ['a'], { wait: true, block: false }), { message: '--wait may not be combined with --no-block.' });
    assert.equal(check('start', ['a'], { wait: true }), true);
  });
  it('--marked: only reload-or-restart, no units, no --wait, no -T', () => {
    assert.throws(() => check('restart', [], { marked: true }), { message: "--marked may only be used with 'reload-or-restart'." });
    assert.throws(() => check('reload-or-restart', ['a'], { marked: true }), { message: "No additional arguments allowed with 'reload-or-restart --marked'." });
    assert.throws(() => check('reload-or-restart', [], { marked: true, wait: true }), { message: '--marked --wait is not supported.' });
    assert.throws(() => check('reload-or-restart', [], { marked: true, showTransaction: true }), { message: '--marked --show-transaction is not supported.' });
    assert.equal(check('reload-or-restart', [], { marked: true }), true);
  });
  it('reload-or-restart without --marked needs units', () => {
    assert.throws(() => check('reload-or-restart', [], {}), { message: 'List of units to restart/reload is required.' });
    assert.equal(check('reload-or-restart', ['a'], {}), true);
    assert.equal(check('list-units', [], {}), true);
  });
  it('errors exit 1 as systemctl', () => {
    try {
      check('restart', [], { marked: true });
      assert.fail('no error');
    } catch (e) {
      assert.equal((e as { exitCode: number }).exitCode, 1);
    }
  });
});

describe('-s help', () => {
  it('lists the signals and stops the verb', () => {
    const o = io();
    assert.equal(checkParsedOptions('list-units', [], { signal: 'help' }, o), false);
    assert.match(o.text(), /^0\nHUP\nINT\n/); // systemctl's table starts at 0
  });
});

describe('--with-dependencies and the kind of dependencies', () => {
  it('forward by default; --reverse, --after, --before', () => {
    assert.equal(withDependencies({}), undefined);
    assert.equal(withDependencies({ withDependencies: true }), 'forward');
    assert.equal(withDependencies({ withDependencies: true, reverse: true }), 'reverse');
    assert.equal(dependencyKind({ after: true }), 'after');
    assert.equal(dependencyKind({ before: true }), 'before');
  });
});
