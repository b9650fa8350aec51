/**
 * The JSON OUTPUT section of the man page comes from the README, where each verb family
 * documents its `--json` (a `### … --json …` section): this turns those sections' markdown into
 * man(7) roff — paragraphs, lists, code blocks, key tables (as tagged paragraphs), inline code.
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

/** Markdown sections `### title` of `md` whose title matches `re`: title and body lines. */
export function sections(md: string, re: RegExp): { title: string; lines: string[] }[] {
  const out: { title: string; lines: string[] }[] = [];
  let cur: { title: string; lines: string[] } | null = null;
  let fence = false;
  let h2 = '';
  for (const line of md.split('\n')) {
    if (/^```/.test(line)) fence = !fence;
    const h = fence ? null : /^(#{1,3}) (.*)$/.exec(line);
    if (h) {
      const title = h[2]!.replace(/`/g, '');
      if (h[1] === '##') h2 = title;
      // "--json of these verbs": these are the section's
      cur = re.test(h[2]!) && h[1] === '###' ? { title: /\bthese\b/.test(title) ? `${h2}: --json` : title, lines: [] } : null;
      if (cur) out.push(cur);
      continue;
    }
    cur?.lines.push(line);
  }
  return out;
}

const cells = (row: string): string[] =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));

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
      out.push('.PP', '.RS 2', '.nf', ...code.map(roff), '.fi', '.RE');
      continue;
    }
    if (/^ {4}/.test(line) && para.length === 0) {
      const code: string[] = [];
      for (; i < lines.length && (/^ {4}/.test(lines[i]!) || (lines[i] === '' && /^ {4}/.test(lines[i + 1] ?? ''))); i++) code.push(lines[i]!.slice(4));
      i--;
      out.push('.PP', '.RS 2', '.nf', ...code.map(roff), '.fi', '.RE');
      continue;
    }
    if (/^\s*\|/.test(line)) {
      flush();
      const rows: string[][] = [];
      for (; i < lines.length && /^\s*\|/.test(lines[i]!); i++) rows.push(cells(lines[i]!));
      i--;
      // header, separator, then one tagged paragraph per row: KEY, then the other cells
      for (const r of rows.slice(2)) {
        const [key, ...rest] = r;
        out.push('.TP', inline(key ?? ''), inline(rest.filter((c) => c !== '').join('; ') || '\u2014'));
      }
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
