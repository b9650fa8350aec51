import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayWidth, ellipsize, escapeTerminal } from '../../../src/output/escape.ts';
import { renderJson } from '../../../src/output/json.ts';

describe('escapeTerminal', () => {
  it('makes escape sequences, line breaks and bidi overrides visible', () => {
    assert.equal(escapeTerminal('evil\x1b[2J\x1b]0;title\x07'), 'evil\\x1b[2J\\x1b]0;title\\x07');
    assert.equal(escapeTerminal('a\nb\tc'), 'a\\nb\\tc');
    assert.equal(escapeTerminal('x\u202ey'), 'x\\u{202e}y');
    assert.equal(escapeTerminal('\u009b31m'), '\\x9b31m');
    assert.equal(escapeTerminal('Ünïcödé ok ●'), 'Ünïcödé ok ●');
  });
});

describe('widths', () => {
  it('counts wide characters twice and combining marks not at all', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('日本'), 4);
    assert.equal(displayWidth('e\u0301'), 1);
  });
  it('ellipsizes to the width', () => {
    assert.equal(ellipsize('abcdef', 4), 'abc…');
    assert.equal(ellipsize('abc', 4), 'abc');
    assert.equal(displayWidth(ellipsize('日本語テキスト', 5)), 5);
  });
});

describe('renderJson', () => {
  it('is valid JSON, pretty or short, and [] when empty', () => {
    assert.equal(renderJson([], false), '[]\n');
    assert.equal(renderJson([{ a: 1 }], false), '[{"a":1}]\n');
    assert.equal(renderJson([{ a: 1 }], true), '[\n  {\n    "a": 1\n  }\n]\n');
    assert.deepEqual(JSON.parse(renderJson({ d: 'evil\x1b[2J' }, false)), { d: 'evil\x1b[2J' });
  });
});

describe('terminalColumns', () => {
  it("takes the terminal's width, else $COLUMNS, else 80 (a pty may report 0)", async () => {
    const { terminalColumns } = await import('../../../src/output/io.ts');
    assert.equal(terminalColumns(120, {}), 120);
    assert.equal(terminalColumns(0, { COLUMNS: '100' }), 100);
    assert.equal(terminalColumns(undefined, { COLUMNS: 'wide' }), 80);
    assert.equal(terminalColumns(0, {}), 80);
  });
});
