/**
 * Markdown → man(7) roff, for the manual's topics (manual.ts): paragraphs, bullet and numbered
 * lists, fenced and indented code, simple tables (as tagged paragraphs: the first cell the tag,
 * the others after it — no tbl, so the page needs no preprocessor and renders warning-free),
 * inline code, bold, emphasis and links. Headings are the caller's (manual.ts).
 */
import { roff } from './roff.ts';

/** `text` with inline markdown (`code`, **bold**, *em*, [links](…)) as roff. */
export function inline(text: string): string {
  text = text.replace(/\\\|/g, '|'); // a pipe escaped for tables
  const out: string[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])|\[([^\]]+)\]\([^)]*\)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    out.push(roff(text.slice(last, m.index)));
    if (m[1] !== undefined) out.push(`\\fB${roff(m[1])}\\fR`);
    else if (m[2] !== undefined) out.push(`\\fB${roff(m[2])}\\fR`);
    else if (m[3] !== undefined) out.push(`\\fI${roff(m[3])}\\fR`);
    else out.push(roff(m[4]!));
    last = m.index + m[0].length;
  }
  out.push(roff(text.slice(last)));
  const s = out.join('');
  return /^[.']/.test(s) ? `\\&${s}` : s;
}

const cells = (row: string): string[] =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));

/**
 * A table (header, separator, rows) as tagged paragraphs: the first cell is the tag; with more
 * than two columns each other cell is labelled with its column's header (`type: string`), the
 * last one only when its header says something.
 */
export function tableToRoff(rows: string[][]): string[] {
  const [header = [], , ...body] = rows;
  const out: string[] = [];
  const labelled = header.length > 2;
  for (const r of body) {
    const [key, ...rest] = r;
    const parts = rest
      .map((c, i) => ({ c, h: header[i + 1] ?? '' }))
      .filter(({ c }) => c !== '')
      .map(({ c, h }) => (labelled && h !== '' ? `${h}: ${c}` : c));
    out.push('.TP', inline(key ?? ''), inline(parts.join('; ') || '\u2014'));
  }
  return out;
}

/** Markdown block lines → roff lines. */
export function toRoff(lines: string[]): string[] {
  const out: string[] = [];
  let para: string[] = [];
  const flush = (): void => {
    if (para.length) out.push(inline(para.join(' ')));
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]!); i++) code.push(lines[i]!);
      if (out[out.length - 1] !== '.PP') out.push('.PP');
      out.push('.RS 2', '.nf', ...code.map(roff), '.fi', '.RE');
      continue;
    }
    if (/^ {4}/.test(line) && para.length === 0) {
      const code: string[] = [];
      for (; i < lines.length && (/^ {4}/.test(lines[i]!) || (lines[i] === '' && /^ {4}/.test(lines[i + 1] ?? ''))); i++) code.push(lines[i]!.slice(4));
      i--;
      if (out[out.length - 1] !== '.PP') out.push('.PP');
      out.push('.RS 2', '.nf', ...code.map(roff), '.fi', '.RE');
      continue;
    }
    if (/^\s*\|/.test(line)) {
      flush();
      const rows: string[][] = [];
      for (; i < lines.length && /^\s*\|/.test(lines[i]!); i++) rows.push(cells(lines[i]!));
      i--;
      out.push(...tableToRoff(rows));
      out.push('.PP');
      continue;
    }
    const bullet = /^(\s*)(?:[-*]|\d+\.) (.*)$/.exec(line);
    if (bullet) {
      flush();
      para = [bullet[2]!];
      for (i++; i < lines.length && /^\s{2,}\S/.test(lines[i]!) && !/^\s*(?:[-*]|\d+\.) /.test(lines[i]!); i++) para.push(lines[i]!.trim());
      i--;
      out.push('.IP \\(bu 2');
      flush();
      continue;
    }
    const sub = /^#{4,} (.*)$/.exec(line);
    if (sub) {
      flush();
      out.push('.PP', `\\fB${inline(sub[1]!)}\\fR`);
      continue;
    }
    if (line.trim() === '') {
      flush();
      if (out.length && out[out.length - 1] !== '.PP') out.push('.PP');
      continue;
    }
    para.push(line.trim());
  }
  flush();
  while (out[0] === '.PP') out.shift();
  while (out[out.length - 1] === '.PP') out.pop();
  return out;
}
