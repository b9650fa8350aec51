import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';

import { ANSI, Paint, colors, logColors, urlifyEnabled, type Colors, type StyleName } from '../../../src/output/color.ts';

describe('the palette', () => {
  it("systemd 252's own sequences (terminal-util.h)", () => {
    assert.equal(ANSI.red, '\x1b[0;1;31m');
    assert.equal(ANSI.green, '\x1b[0;1;32m');
    assert.equal(ANSI.yellow, '\x1b[0;1;38;5;185m');
    assert.equal(ANSI.grey, '\x1b[0;38;5;245m');
    assert.equal(ANSI.highlight, '\x1b[0;1;39m');
    assert.equal(ANSI.normal, '\x1b[0m');
  });

  it('colours and hyperlinks only when on; SYSTEMD_URLIFY wins over colours', () => {
    const off = new Paint(false, false, 'h');
    assert.equal(off.activeOn('failed'), '');
    assert.equal(off.wrap(ANSI.red, 'x'), 'x');
    assert.equal(off.path('/etc/x'), '/etc/x');
    const on = new Paint(true, true, 'h');
    assert.equal(on.activeOn('failed'), '\x1b[0;1;31m');
    assert.equal(on.activeOn('active'), '\x1b[0;1;32m');
    assert.equal(on.enableOn('disabled'), '\x1b[0;1;38;5;185m');
    assert.equal(on.wrap(ANSI.red, 'x'), '\x1b[0;1;31mx\x1b[0m');
    assert.equal(on.path('/etc/x'), '\x1b]8;;file://h/etc/x\x07/etc/x\x1b]8;;\x07');
    assert.equal(urlifyEnabled(true, {}), true);
    assert.equal(urlifyEnabled(true, { SYSTEMD_URLIFY: '0' }), false);
    assert.equal(urlifyEnabled(false, { SYSTEMD_URLIFY: 'yes' }), true);
  });

  it("the journal's colours by priority (get_log_colors), none when off", () => {
    assert.deepEqual(logColors(3, true), { on: ANSI.red, off: ANSI.normal, hl: ANSI.highlight });
    assert.deepEqual(logColors(7, true).on, ANSI.grey);
    assert.deepEqual(logColors(6, true), { on: '', off: '', hl: '' });
    assert.deepEqual(logColors(0, false), { on: '', off: '', hl: '' });
  });

  it('chalk where the bytes are our own: a no-op when off', () => {
    assert.equal(colors(false).red('x'), 'x');
    assert.equal(colors(true).red('x'), '\x1b[31mx\x1b[39m');
  });

  it("colors() writes chalk's bytes (level 1 on, 0 off): every style, chains of up to three, nested, multi-line, CRLF, empty", () => {
    const names: StyleName[] = ['bold', 'dim', 'underline', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'gray'];
    const chains: StyleName[][] = [[]];
    for (const a of names) {
      chains.push([a]);
      for (const b of names) {
        chains.push([a, b]);
        chains.push([a, b, names[(names.indexOf(a) + names.indexOf(b)) % names.length]!]);
      }
    }
    for (const on of [true, false]) {
      const ours = colors(on);
      const theirs = new Chalk({ level: on ? 1 : 0 });
      const inner = [ours.red('in'), ours.bold.green('bold green'), ours.underline('u')];
      const texts = ['x', '', 'two words', 'a\nb', 'a\r\nb\n', '\n', `pre ${inner[0]} post`, `${inner[1]} and ${inner[2]}\nnext ${inner[0]}`, '\x1b[39m\x1b[22m raw closes', 'ünïcode ●'];
      for (const chain of chains) {
        const pick = (c: unknown): ((...t: unknown[]) => string) => chain.reduce<unknown>((x, n) => (x as Record<string, unknown>)[n], c) as (...t: unknown[]) => string;
        const o = chain.length === 0 ? (ours as Colors) : pick(ours);
        const t = chain.length === 0 ? theirs : pick(theirs);
        for (const text of texts) assert.equal(o(text), t(text), `${on ? 'on' : 'off'} ${chain.join('.')} ${JSON.stringify(text)}`);
        assert.equal(o(42), t(42));
        assert.equal(o('a', 'b', 3), t('a', 'b', 3));
      }
    }
  });
});
