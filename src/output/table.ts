/**
 * Borderless column tables in systemd's style (v252 src/shared/format-table.c, `table_print`):
 * columns separated by one blank, no trailing blanks, and — when the table is wider than the
 * terminal — every column shrunk by systemd's rules: each column first gets its minimum width
 * (1), then what is left is shared out by weight (all systemctl's tables use the default weight,
 * 100, for every cell), a column never getting more than it asked for; a cell wider than its
 * column is cut at the end with `…` (systemd's `ellipsize(…, 100)`). So at 60 columns
 * `list-units` cuts both UNIT and DESCRIPTION (`systemd-tmpfiles…`), as systemctl does.
 *
 * Colours: a column may give a cell a colour as systemd's `TABLE_SET_BOTH_COLORS` does — the
 * cell and the blank to its right are coloured (so systemctl's `● name` of a failed unit is one
 * red span), written with systemd's own escape sequences; the header row is underlined across
 * its blanks. `style` (a `colors()` style) is the older way to colour a cell's text only.
 *
 * Drawn here rather than with cli-table3: its layout checks every cell against all rows above
 * (for row spans), O(rows²), and builds a new ANSI regex for every width it measures. Measured on
 * 1,126 unit rows: cli-table3 90–120 ms (even drawn in chunks), this 2–3 ms.
 */
import { ANSI as SD } from './color.js';
import { displayWidth, ellipsize, escapeTerminal } from './escape.js';

/**
 * The table's spans, from the one palette (color.ts: systemd's terminal-util.h): systemd's
 * `ansi_*_underline()` are the colour followed by `ANSI_UNDERLINE` (`\x1b[0;4m`, which resets
 * the colour: systemctl's underlined red is in fact only underlined), byte for byte.
 */
export const ANSI = {
  normal: SD.normal,
  underline: SD.normal + SD.underline,
  /** The header row's underline (`ansi_underline()` too). */
  headerUnderline: SD.normal + SD.underline,
  highlight: SD.highlight,
  grey: SD.grey,
  greyUnderline: SD.grey + SD.underline,
  highlightRed: SD.red,
  highlightRedUnderline: SD.red + SD.underline,
  highlightGreen: SD.green,
  highlightGreenUnderline: SD.green + SD.underline,
  highlightYellow: SD.yellow,
  highlightYellowUnderline: SD.yellow + SD.underline,
} as const;

/** systemd's default cell weight (format-table.c DEFAULT_WEIGHT). */
const DEFAULT_WEIGHT = 100;

export interface Column<R> {
  /** Header text (`UNIT`, `LOAD`, …); `''` for the marker column. */
  header: string;
  /** The cell text (plain; escaped here) for a row. */
  cell: (row: R) => string;
  /** Optional colouring of the (already escaped and cut) cell text; must not change its width. */
  style?: (text: string, row: R) => string;
  /**
   * systemd's cell colour (an escape sequence from `ANSI`, `''` for none), used for the cell and
   * the blank after it; only when `TableOptions.color` is on.
   */
  color?: (row: R) => string;
  /** Weight when the table is shrunk (default 100, as every systemctl table). */
  weight?: number;
  /** Never narrower than this (default 1). */
  minWidth?: number;
}

export interface TableOptions {
  /** Print the header row. */
  header: boolean;
  /**
   * Terminal width to shrink the table to; `undefined` → never cut (`--full`, not a terminal,
   * or output going to a pager: systemd's `pager_have() || !isatty(STDOUT_FILENO)`).
   */
  columns: number | undefined;
  /** Style for header cells (underline on a terminal) when `color` is off. */
  headerStyle?: (s: string) => string;
  /** Colour as systemd does (`Column.color`, underlined header row); off: plain text and `style`. */
  color?: boolean;
}

/**
 * The width to shrink a table to: the terminal's, but none with `--full`, when not on a terminal
 * (`io.columns` is unset then) or when the output goes into a pager (systemd's `table_print`).
 */
export function tableWidth(io: { columns: number | undefined; paged?: boolean }, full: boolean): number | undefined {
  return full || io.paged ? undefined : io.columns;
}

/**
 * The width of each column, as `table_print`'s first pass: `requested` (the widest cell), the
 * terminal width `available` (or `undefined`: no limit).
 */
export function columnWidths(requested: number[], minimum: number[], weights: number[], available: number | undefined): number[] {
  const n = requested.length;
  let tableRequested = n - 1;
  let tableMinimum = n - 1;
  let weightSum = 0;
  for (let j = 0; j < n; j++) {
    weightSum += weights[j]!;
    tableMinimum += minimum[j]!;
    tableRequested += requested[j]!;
  }
  let effective = available === undefined ? tableRequested : Math.min(tableRequested, available);
  if (effective < tableMinimum) effective = tableMinimum;
  const width: number[] = new Array<number>(n);
  if (effective >= tableRequested) {
    // room for everything: systemd would spread any extra by weight, but extra is 0 unless a
    // width was forced, which no table here does
    let extra = effective - tableRequested;
    for (let j = 0; j < n; j++) {
      width[j] = weightSum === 0 ? requested[j]! + Math.floor(extra / (n - j)) : requested[j]! + Math.floor((extra * weights[j]!) / weightSum);
      if (width[j]! < minimum[j]!) width[j] = minimum[j]!;
      const delta = Math.max(width[j]! - requested[j]!, 0);
      extra = extra > delta ? extra - delta : 0;
      weightSum -= weights[j]!;
    }
    return width;
  }
  // compress: each column its minimum, the rest shared by weight; a column whose share covers
  // what it asked for gets exactly that, and the sharing starts over without it
  let extra = effective - tableMinimum;
  const unset = -1;
  width.fill(unset);
  let finalize = false;
  for (;;) {
    let restart = false;
    for (let j = 0; j < n; j++) {
      if (width[j] !== unset) continue;
      let w = weightSum === 0 ? minimum[j]! + Math.floor(extra / (n - j)) : minimum[j]! + Math.floor((extra * weights[j]!) / weightSum);
      if (w >= requested[j]!) {
        w = requested[j]!;
        restart = true;
      } else if (!finalize) continue;
      width[j] = w;
      extra -= w - minimum[j]!;
      weightSum -= weights[j]!;
      if (restart && !finalize) break;
    }
    if (finalize) break;
    if (!restart) finalize = true;
  }
  return width;
}

/** Render rows as text lines (each ending in `\n`), `''` when there are no rows and no header. */
export function renderTable<R>(rows: R[], cols: Column<R>[], opts: TableOptions): string {
  // loops, each cell's width measured once (3,228 rows × 6 columns: list-units --all)
  const n = cols.length;
  const cells: string[][] = new Array(rows.length);
  const widths: number[][] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const texts: string[] = new Array(n);
    const ws: number[] = new Array(n);
    for (let j = 0; j < n; j++) {
      texts[j] = escapeTerminal(cols[j]!.cell(r));
      ws[j] = displayWidth(texts[j]!);
    }
    cells[i] = texts;
    widths[i] = ws;
  }
  if (n === 0 || (rows.length === 0 && !opts.header)) return '';
  const minimum = cols.map((c) => Math.max(c.minWidth ?? 1, 1));
  const requested = cols.map((c, j) => (opts.header ? Math.max(displayWidth(c.header), minimum[j]!) : 0));
  const weights = cols.map((c) => (opts.header ? (c.weight ?? DEFAULT_WEIGHT) : 0));
  for (const ws of widths) {
    for (let j = 0; j < n; j++) {
      const w = Math.max(ws[j]!, minimum[j]!);
      if (w > requested[j]!) requested[j] = w;
      weights[j]! += cols[j]!.weight ?? DEFAULT_WEIGHT;
    }
  }
  const width = columnWidths(requested, minimum, weights, opts.columns);
  const color = opts.color === true;
  const last = n - 1;

  const line = (texts: string[], ws: number[] | undefined, header: boolean, row: R | undefined): string => {
    let out = '';
    let gap: string | undefined;
    for (let j = 0; j < n; j++) {
      const col = cols[j]!;
      const cellColor = color && row !== undefined ? col.color?.(row) || undefined : undefined;
      let field = texts[j]!;
      const l = ws === undefined ? displayWidth(field) : ws[j]!;
      if (l > width[j]!) field = ellipsize(field, width[j]!);
      else if (l < width[j]!) {
        // trailing blanks of the last column go (its own too), unless systemd keeps them for a colour
        if (j === last && (!color || (cellColor === undefined && !header))) field = trimSpacesEnd(field);
        else field += ' '.repeat(width[j]! - l);
      }
      if (color) {
        if (gap) out += gap;
        else if (header) out += ANSI.headerUnderline;
      }
      if (j > 0) out += ' ';
      if (color) {
        if (gap || (cellColor && header)) out += ANSI.normal;
        if (cellColor) out += cellColor;
        else if (gap && header) out += ANSI.headerUnderline;
        out += field;
        if (cellColor || header) out += ANSI.normal;
      } else if (header) {
        out += opts.headerStyle && field.trim() !== '' ? opts.headerStyle(trimSpacesEnd(field)) + field.slice(trimSpacesEnd(field).length) : field;
      } else {
        out += col.style && row !== undefined ? styleKeepingPad(field, (t) => col.style!(t, row)) : field;
      }
      gap = cellColor;
    }
    return `${color ? out : trimSpacesEnd(out)}\n`;
  };
  let out = '';
  if (opts.header) out += line(cols.map((c) => escapeTerminal(c.header)), undefined, true, undefined);
  for (let i = 0; i < rows.length; i++) out += line(cells[i]!, widths[i], false, rows[i]);
  return out;
}

/** `s` without its trailing blanks (U+0020 only, as `/ +$/`; a loop, not a regexp per line). */
function trimSpacesEnd(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** Apply `style` to the text of a padded cell, not to its padding. */
function styleKeepingPad(field: string, style: (t: string) => string): string {
  const text = trimSpacesEnd(field);
  return style(text) + field.slice(text.length);
}
