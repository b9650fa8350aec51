import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANSI, columnWidths, renderTable, tableWidth, type Column } from '../../../src/output/table.ts';

type R = { a: string; d: string };
const cols: Column<R>[] = [
  { header: 'NAME', cell: (r) => r.a },
  { header: 'DESCRIPTION', cell: (r) => r.d },
];

describe('renderTable', () => {
  it('aligns columns without borders or trailing blanks', () => {
    const out = renderTable([{ a: 'x', d: 'first' }, { a: 'longer', d: 'second' }], cols, { header: true, columns: undefined });
    assert.equal(out, 'NAME   DESCRIPTION\nx      first\nlonger second\n');
  });
  it('shrinks to the terminal width by systemd weights (the wide column gives)', () => {
    const out = renderTable([{ a: 'x', d: 'a very long description indeed' }], cols, { header: false, columns: 20 });
    assert.equal(out, 'x a very long descr…\n');
  });
  it('escapes what systemd sent', () => {
    const out = renderTable([{ a: 'x', d: 'bad\x1b[31m' }], cols, { header: false, columns: undefined });
    assert.equal(out, 'x bad\\x1b[31m\n');
  });
  it('prints nothing for no rows and no header', () => {
    assert.equal(renderTable([], cols, { header: false, columns: 80 }), '');
  });
});

describe("columnWidths: systemd's format-table rules", () => {
  it('fits: every column as wide as it asks', () => {
    assert.deepEqual(columnWidths([1, 10, 6], [1, 1, 1], [1, 1, 1], 80), [1, 10, 6]);
    assert.deepEqual(columnWidths([1, 10, 6], [1, 1, 1], [1, 1, 1], undefined), [1, 10, 6]);
  });
  it('too wide: small columns keep their width, the wide ones share the rest equally', () => {
    // list-units at 60 columns: marker, UNIT, LOAD, ACTIVE, SUB, DESCRIPTION
    const w = columnWidths([1, 40, 6, 10, 9, 50], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], 60);
    assert.equal(w.reduce((a, b) => a + b, 0) + 5, 60);
    assert.equal(w[0], 1);
    assert.deepEqual([w[2], w[3], w[4]], [6, 10, 9]);
    assert.ok(Math.abs(w[1]! - w[5]!) <= 1, `UNIT and DESCRIPTION share: ${w.join(',')}`);
  });
  it('never narrower than the minimum, even when the terminal is narrower', () => {
    assert.deepEqual(columnWidths([5, 5], [1, 1], [1, 1], 1), [1, 1]);
  });
});

describe('renderTable with colours as systemd', () => {
  type Row = { n: string; bad: boolean };
  const cols2: Column<Row>[] = [
    { header: 'UNIT', cell: (r) => r.n, color: (r) => (r.bad ? ANSI.highlightRed : '') },
    { header: 'LOAD', cell: () => 'loaded' },
  ];
  it('a coloured cell colours the blank after it; the header is underlined', () => {
    const out = renderTable([{ n: 'a', bad: true }], cols2, { header: true, columns: undefined, color: true });
    assert.equal(out, `${ANSI.headerUnderline}UNIT${ANSI.normal}${ANSI.headerUnderline} LOAD  ${ANSI.normal}\n${ANSI.highlightRed}a   ${ANSI.normal}${ANSI.highlightRed} ${ANSI.normal}loaded\n`);
  });
  it('cuts the first column too (not only the last); a narrow column keeps its width', () => {
    const out = renderTable([{ n: 'a-very-long-unit-name.service', bad: false }], cols2, { header: false, columns: 20 });
    assert.equal(out, 'a-very-long-… loaded\n');
  });
  it('not cut when paged', () => {
    assert.equal(tableWidth({ columns: 60, paged: true }, false), undefined);
    assert.equal(tableWidth({ columns: 60 }, false), 60);
    assert.equal(tableWidth({ columns: 60 }, true), undefined);
  });
});
