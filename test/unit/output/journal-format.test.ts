import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toEntry } from '../../../src/core/journal.ts';
import { entryToJson, renderEntries, renderEntry, stripTabAnsi, utf8IsPrintable } from '../../../src/output/journal-format.ts';

process.env.TZ = 'UTC';

const base = {
  __CURSOR: 's=1;i=2',
  __REALTIME_TIMESTAMP: '1795319312021077',
  __MONOTONIC_TIMESTAMP: '977494515',
  _BOOT_ID: '0db2627babf6403e9be34df0e6624480',
  _HOSTNAME: 'vm',
  SYSLOG_IDENTIFIER: 'sh',
  _COMM: 'sh',
  _PID: '66',
  PRIORITY: '6',
};

const full = { fullWidth: true };

describe('journal records as journalctl renders them', () => {
  it('short, short-iso, short-precise, short-iso-precise, short-unix, short-monotonic, short-full, cat', () => {
    const e = toEntry({ ...base, MESSAGE: 'hi' });
    const one = (mode: Parameters<typeof renderEntry>[1]) => renderEntry(e, mode, full).lines;
    assert.deepEqual(one('short'), ['Nov 22 03:48:32 vm sh[66]: hi']);
    assert.deepEqual(one('short-precise'), ['Nov 22 03:48:32.021077 vm sh[66]: hi']);
    assert.deepEqual(one('short-iso'), ['2026-11-22T03:48:32+0000 vm sh[66]: hi']);
    assert.deepEqual(one('short-iso-precise'), ['2026-11-22T03:48:32.021077+0000 vm sh[66]: hi']);
    assert.deepEqual(one('short-unix'), ['1795319312.021077 vm sh[66]: hi']);
    assert.deepEqual(one('short-monotonic'), ['[  977.494515] vm sh[66]: hi']);
    assert.deepEqual(one('short-full'), ['Sun 2026-11-22 03:48:32 UTC vm sh[66]: hi']);
    assert.deepEqual(one('cat'), ['hi']);
  });

  it('uses _SOURCE_REALTIME_TIMESTAMP when there is one (as v252)', () => {
    const e = toEntry({ ...base, _SOURCE_REALTIME_TIMESTAMP: '1795319311000001', MESSAGE: 'x' });
    assert.deepEqual(renderEntry(e, 'short-precise', full).lines, ['Nov 22 03:48:31.000001 vm sh[66]: x']);
  });

  it('falls back to _COMM, then "unknown"; SYSLOG_PID when there is no _PID', () => {
    const { SYSLOG_IDENTIFIER: _i, _PID: _p, ...rest } = base;
    assert.deepEqual(renderEntry(toEntry({ ...rest, SYSLOG_PID: '9', MESSAGE: 'm' }), 'short', full).lines, ['Nov 22 03:48:32 vm sh[9]: m']);
    const { _COMM: _c, ...bare } = rest;
    assert.deepEqual(renderEntry(toEntry({ ...bare, MESSAGE: 'm' }), 'short', full).lines, ['Nov 22 03:48:32 vm unknown: m']);
  });

  it('multi-line messages: later lines indented under the message', () => {
    const e = toEntry({ ...base, MESSAGE: 'first\nsecond\nthird\n' });
    const lines = renderEntry(e, 'short', full).lines;
    assert.deepEqual(lines, ['Nov 22 03:48:32 vm sh[66]: first', '                           second', '                           third']);
  });

  it('strips colour and OSC sequences, expands tabs; anything else unprintable is blob data', () => {
    assert.equal(stripTabAnsi(Buffer.from('a\x1b[31mred\x1b[0m\tb')).toString(), 'ared        b');
    assert.equal(stripTabAnsi(Buffer.from('t\x1b]0;title\x07x')).toString(), 'tx');
    assert.equal(stripTabAnsi(Buffer.from('c\x1b[2Jx')).toString(), 'c\x1b[2Jx');
    assert.equal(utf8IsPrintable(Buffer.from('ok ünï\n\t')), true);
    assert.equal(utf8IsPrintable(Buffer.from([0x61, 0xff])), false);
    assert.equal(utf8IsPrintable(Buffer.from('\x1b')), false);
    const red = toEntry({ ...base, MESSAGE: [...Buffer.from('log \x1b[31mred\x1b[0m line')] });
    assert.deepEqual(renderEntry(red, 'short', full).lines, ['Nov 22 03:48:32 vm sh[66]: log red line']);
    const clear = toEntry({ ...base, MESSAGE: [...Buffer.from('bad \x1b[2J')] });
    assert.deepEqual(renderEntry(clear, 'short', full).lines, ['Nov 22 03:48:32 vm sh[66]: [8B blob data]']);
  });

  it('renderEntries escapes every text line for the terminal (cat included), not JSON', () => {
    const e = toEntry({ ...base, MESSAGE: [...Buffer.from('bad \x1b[2J')] });
    assert.equal(renderEntries([e], 'cat', full).text, 'bad \\x1b[2J\n');
    const j = renderEntries([e], 'json', full).text;
    assert.deepEqual((JSON.parse(j) as { MESSAGE: number[] }).MESSAGE, [...Buffer.from('bad \x1b[2J')]);
  });

  it('json keeps every field as journalctl gave it; json-pretty is systemd\'s layout', () => {
    const e = toEntry({ ...base, MESSAGE: 'hi', MULTI: ['a', 'b'] });
    assert.deepEqual(entryToJson(e), { ...base, MESSAGE: 'hi', MULTI: ['a', 'b'] });
    const pretty = renderEntry(toEntry({ A: 'x', B: ['1', '2'] }), 'json-pretty', full).lines;
    assert.deepEqual(pretty, ['{', '\t"A" : "x",', '\t"B" : [', '\t\t"1",', '\t\t"2"', '\t]', '}']);
  });

  it('verbose: the precise timestamp and cursor, then the fields (no __ fields), blobs as blob data', () => {
    const e = toEntry({ ...base, MESSAGE: 'hi', BIN: [0x00, 0x01] });
    const lines = renderEntry(e, 'verbose', full).lines;
    assert.equal(lines[0], 'Sun 2026-11-22 03:48:32.021077 UTC [s=1;i=2]');
    assert.ok(lines.includes('    MESSAGE=hi'));
    assert.ok(lines.includes('    BIN=[2B blob data]'));
    assert.ok(!lines.some((l) => l.includes('__CURSOR')));
  });

  it('on a narrow terminal without a pager: long lines are cut as print_multiline does', () => {
    const e = toEntry({ ...base, MESSAGE: 'x'.repeat(100) });
    const r = renderEntry(e, 'short', { fullWidth: false, columns: 60 });
    assert.equal(r.ellipsized, true);
    assert.equal(r.lines.length, 1);
    // 27 columns of prefix, the message cut to the other 33 with … at 90% (ellipsize_mem)
    assert.equal(r.lines[0], `Nov 22 03:48:32 vm sh[66]: ${'x'.repeat(29)}…${'x'.repeat(3)}`);
    const short = renderEntry(toEntry({ ...base, MESSAGE: 'short' }), 'short', { fullWidth: false, columns: 60 });
    assert.equal(short.ellipsized, false);
  });
});
