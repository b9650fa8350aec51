import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTable, type Column } from '../../../src/output/table.ts';

type R = { a: string; d: string };
const cols: Column<R>[] = [
  { header: 'NAME', cell: (r) => r.a },
  { header: 'DESCRIPTION', cell: (r) => r.d, flex: true },
];

describe('renderTable', () => {
  it('aligns columns without borders or trailing blanks', () => {
    const out = renderTable([{ a: 'x', d: 'first' }, { a: 'longer', d: 'second' }], cols, { header: true, columns: undefined });
    assert.equal(out, 'NAME   DESCRIPTION\nx      first\nlonger second\n');
  });
  it('cuts the flex column to the terminal width', () => {
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
