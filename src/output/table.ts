/**
 * Borderless column tables in systemctl's style, drawn with cli-table3. This module is loaded
 * only when a table is drawn (it pulls in cli-table3).
 */
import Table from 'cli-table3';
import { displayWidth, ellipsize, escapeTerminal } from './escape.js';

export interface Column<R> {
  /** Header text (`UNIT`, `LOAD`, …); `''` for the marker column. */
  header: string;
  /** The cell text (plain; escaped here) for a row. */
  cell: (row: R) => string;
  /** Optional colouring of the (already escaped and cut) cell text. */
  style?: (text: string, row: R) => string;
  /** This column takes what width is left and is cut with `…` (the description). */
  flex?: boolean;
}

export interface TableOptions {
  /** Print the header row. */
  header: boolean;
  /** Terminal width: cut the flex column so rows fit; `undefined` → never cut. */
  columns: number | undefined;
  /** Style for header cells (underline on a terminal). */
  headerStyle?: (s: string) => string;
}

const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '',
};

/** Render rows as text lines (each ending in `\n`), `''` when there are no rows and no header. */
export function renderTable<R>(rows: R[], cols: Column<R>[], opts: TableOptions): string {
  const cells = rows.map((r) => cols.map((c) => escapeTerminal(c.cell(r))));
  // widths of the fixed columns, then what is left for the flex column
  const widths = cols.map((c, i) =>
    Math.max(opts.header ? displayWidth(c.header) : 0, ...cells.map((row) => displayWidth(row[i]!))),
  );
  const flex = cols.findIndex((c) => c.flex);
  if (flex >= 0 && opts.columns !== undefined) {
    const fixed = widths.reduce((sum, w, i) => (i === flex ? sum : sum + w + 1), 0);
    const room = Math.max(opts.columns - fixed, displayWidth(cols[flex]!.header), 10);
    for (const row of cells) row[flex] = ellipsize(row[flex]!, room);
  }
  const table = new Table({
    chars: NO_BORDER,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 1, compact: true },
  });
  if (opts.header) {
    table.push(cols.map((c) => (opts.headerStyle && c.header ? opts.headerStyle(c.header) : c.header)));
  }
  rows.forEach((r, ri) => {
    table.push(cols.map((c, ci) => (c.style ? c.style(cells[ri]![ci]!, r) : cells[ri]![ci]!)));
  });
  if (table.length === 0) return '';
  // cli-table3 pads the last column too; systemctl does not leave trailing blanks
  return `${table
    .toString()
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')}\n`;
}
