/**
 * Journal records rendered as journalctl/systemctl render them (systemd v252
 * src/shared/logs-show.c): `short`, `short-full`, `short-iso`, `short-iso-precise`,
 * `short-precise`, `short-monotonic`, `short-unix`, `with-unit`, `cat`, `verbose`, `json`,
 * `json-pretty`, `json-sse`, `json-seq`, `export`.
 *
 * Text modes do what systemd does to a message that is not plain text: SGR colour sequences and
 * tabs are stripped/expanded, and a message that still holds control characters or invalid UTF-8
 * is shown as `[N blob data]`; so nothing from a log line reaches the terminal as an escape.
 * Differences, both because `journalctl -o json` (our source) does not carry them: `verbose`
 * and `export` list the fields in journalctl's JSON order, not the journal file's; `json` keys
 * come in that order too (systemd's own order is a hash order that changes from run to run).
 */
import type { JournalEntry, JournalValue } from '../core/journal.js';
import { displayWidth, escapeTerminal } from './escape.js';
import { formatBytes, formatTimestamp } from './time.js';
import { AUDIT_COLORS, logColors } from './color.js';

export const JOURNAL_OUTPUT_MODES = [
  'short',
  'short-full',
  'short-iso',
  'short-iso-precise',
  'short-precise',
  'short-monotonic',
  'short-unix',
  'with-unit',
  'verbose',
  'export',
  'json',
  'json-pretty',
  'json-sse',
  'json-seq',
  'cat',
] as const;
export type JournalOutputMode = (typeof JOURNAL_OUTPUT_MODES)[number];

export function isJournalOutputMode(s: string): s is JournalOutputMode {
  return (JOURNAL_OUTPUT_MODES as readonly string[]).includes(s);
}

export interface JournalFormatOptions {
  /** `OUTPUT_FULL_WIDTH`: no ellipsizing (systemctl: `-l`, not a terminal, or a pager). */
  fullWidth: boolean;
  /** `OUTPUT_SHOW_ALL` (`-a`): print unprintable and long fields as they are. */
  showAll?: boolean;
  /** The terminal width for ellipsizing (when not fullWidth). */
  columns?: number;
  /** UTC instead of the local zone. */
  utc?: boolean;
  /** Colour lines by priority, as systemd (only on a terminal). */
  color?: boolean;
  /** Escape text for the terminal (`renderEntries` does). */
  escape?: boolean;
}

const PRINT_LINE_THRESHOLD = 3;
const PRINT_CHAR_THRESHOLD = 300;
const JSON_THRESHOLD = 4096;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function valueBytes(v: JournalValue | JournalValue[] | undefined): Buffer | undefined {
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  if (one === undefined) return undefined;
  return typeof one === 'string' ? Buffer.from(one, 'utf8') : one;
}

function fieldString(e: JournalEntry, k: string): string | undefined {
  return valueBytes(e.fields[k])?.toString('utf8');
}

/** systemd's `unichar_is_control`: C0 (but tab and newline), DEL and C1. */
function isControl(cp: number): boolean {
  return (cp < 0x20 && cp !== 0x09 && cp !== 0x0a) || (cp >= 0x7f && cp <= 0x9f);
}

/** systemd's `utf8_is_printable`: valid UTF-8 without control characters (newline allowed). */
export function utf8IsPrintable(b: Buffer): boolean {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return false;
  }
  for (const ch of s) if (isControl(ch.codePointAt(0)!)) return false;
  return true;
}

/** systemd v252's `strip_tab_ansi`: drop SGR (`ESC [ digits ; m`) and OSC (`ESC ] … BEL`) sequences, tabs → 8 spaces. */
export function stripTabAnsi(b: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x1b && b[i + 1] === 0x5b) {
      let j = i + 2;
      while (j < b.length && ((b[j]! >= 0x30 && b[j]! <= 0x39) || b[j] === 0x3b)) j++;
      if (j < b.length && b[j] === 0x6d) {
        i = j;
        continue;
      }
    }
    // OSC: ESC ] printable… BEL (terminal titles, hyperlinks)
    if (c === 0x1b && b[i + 1] === 0x5d) {
      let j = i + 2;
      while (j < b.length && b[j]! >= 0x20 && b[j]! <= 0x7e) j++;
      if (j < b.length && b[j] === 0x07) {
        i = j;
        continue;
      }
    }
    if (c === 0x09) out.push(0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20);
    else out.push(c);
  }
  return Buffer.from(out);
}

function shallPrint(b: Buffer, o: JournalFormatOptions): boolean {
  if (o.showAll) return true;
  if (b.length >= PRINT_CHAR_THRESHOLD) return false;
  return utf8IsPrintable(b);
}

/** The timestamp a record is shown with: `_SOURCE_REALTIME_TIMESTAMP` when valid (as v252), else the journal's. */
function displayRealtime(e: JournalEntry): number {
  const s = fieldString(e, '_SOURCE_REALTIME_TIMESTAMP');
  if (s !== undefined && /^\d+$/.test(s)) {
    const n = Number(s);
    if (n > 0 && n < Number.MAX_SAFE_INTEGER) return n;
  }
  return e.realtime;
}

function displayMonotonic(e: JournalEntry): number {
  const s = fieldString(e, '_SOURCE_MONOTONIC_TIMESTAMP');
  if (s !== undefined && /^\d+$/.test(s)) return Number(s);
  return e.monotonic;
}

function localParts(usec: number, utc: boolean): { d: Date; get: (k: 'FullYear' | 'Month' | 'Date' | 'Hours' | 'Minutes' | 'Seconds') => number; offsetMin: number } {
  const d = new Date(Math.floor(usec / 1000));
  const get = (k: 'FullYear' | 'Month' | 'Date' | 'Hours' | 'Minutes' | 'Seconds'): number =>
    (utc ? (d as unknown as Record<string, () => number>)[`getUTC${k}`]!() : (d as unknown as Record<string, () => number>)[`get${k}`]!()) as number;
  return { d, get, offsetMin: utc ? 0 : -d.getTimezoneOffset() };
}

function tzOffset(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

function timestampText(e: JournalEntry, mode: JournalOutputMode, o: JournalFormatOptions): string {
  if (mode === 'short-monotonic') {
    const m = displayMonotonic(e);
    return `[${String(Math.floor(m / 1e6)).padStart(5, ' ')}.${pad(m % 1e6, 6)}]`;
  }
  const rt = displayRealtime(e);
  if (mode === 'short-full' || mode === 'with-unit') {
    return formatTimestamp(rt, o.utc ? 'utc' : 'pretty') ?? '';
  }
  if (mode === 'short-unix') return `${String(Math.floor(rt / 1e6)).padStart(10, ' ')}.${pad(rt % 1e6, 6)}`;
  const { get, offsetMin } = localParts(rt, o.utc === true);
  const usec = pad(rt % 1e6, 6);
  if (mode === 'short-iso' || mode === 'short-iso-precise') {
    const base = `${pad(get('FullYear'), 4)}-${pad(get('Month') + 1)}-${pad(get('Date'))}T${pad(get('Hours'))}:${pad(get('Minutes'))}:${pad(get('Seconds'))}`;
    return `${base}${mode === 'short-iso-precise' ? `.${usec}` : ''}${tzOffset(offsetMin)}`;
  }
  const base = `${MONTHS[get('Month')]} ${pad(get('Date'))} ${pad(get('Hours'))}:${pad(get('Minutes'))}:${pad(get('Seconds'))}`;
  return mode === 'short-precise' ? `${base}.${usec}` : base;
}

/** systemd's `ellipsize_mem` in a UTF-8 locale: `…` at `percent` of the width. */
function ellipsizeEnd(s: string, width: number, percent: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 1) return '…'.slice(0, width);
  const budget = width - 1;
  const left = Math.floor((budget * percent + 50) / 100);
  const right = budget - left;
  const chars = [...s];
  let l = '';
  let lw = 0;
  for (const ch of chars) {
    const w = displayWidth(ch);
    if (lw + w > left) break;
    l += ch;
    lw += w;
  }
  let r = '';
  let rw = 0;
  for (let i = chars.length - 1; i >= 0 && right > 0; i--) {
    const w = displayWidth(chars[i]!);
    if (rw + w > right) break;
    r = chars[i]! + r;
    rw += w;
  }
  return `${l}…${r}`;
}

/**
 * `print_multiline`: the message's lines, later ones indented by `prefix`, cut (unless full
 * width) to three lines / 300 characters / the terminal; with colours, as v252 with its empty
 * highlight at 0. `esc` escapes text for the terminal. Returns whether it cut.
 */
function printMultiline(
  lines: string[],
  prefix: number,
  message: string,
  o: JournalFormatOptions,
  nColumns: number,
  c: { on: string; off: string; hl: string },
  esc: (s: string) => string,
): boolean {
  let ellipsized = false;
  if (message.length === 0) {
    lines.push('');
    return false;
  }
  const parts = message.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  let consumed = 0;
  for (let line = 0; line < parts.length; line++) {
    const text = parts[line]!;
    const len = Buffer.byteLength(text);
    const indent = line > 0 ? ' '.repeat(prefix) : '';
    consumed += len + 1;
    const tail = line + 1 === PRINT_LINE_THRESHOLD || consumed >= PRINT_CHAR_THRESHOLD;
    if (o.fullWidth || o.showAll || (prefix + len + 1 < nColumns && !tail)) {
      // the highlight (empty, at 0) only touches the first line, and only a non-empty one
      if (line === 0 && len > 0) lines.push(`${indent}${c.on}${c.hl}${c.on}${esc(text)}${c.off}`);
      else lines.push(`${indent}${c.on}${esc(text)}${c.off}`);
      continue;
    }
    ellipsized = true;
    if (prefix < nColumns && nColumns - prefix >= 3) {
      if (nColumns - prefix > len + 3) lines.push(`${indent}${c.on}${esc(text)}...${c.off}`);
      else lines.push(`${indent}${c.on}${esc(ellipsizeEnd(text, nColumns - prefix, tail ? 100 : 90))}${c.off}`);
    } else lines.push('...');
    if (tail) break;
  }
  return ellipsized;
}

function jsonValue(v: JournalValue | JournalValue[]): unknown {
  const one = (x: JournalValue): unknown => {
    if (typeof x === 'string') return x;
    return utf8IsPrintable(x) ? x.toString('utf8') : [...x];
  };
  return Array.isArray(v) ? v.map(one) : one(v);
}

/** The record as `journalctl -o json` prints it (fields > 4096 bytes as null unless showAll). */
export function entryToJson(e: JournalEntry, o: Pick<JournalFormatOptions, 'showAll'> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.fields)) {
    const b = valueBytes(v);
    // systemd compares the whole FIELD=value item with the threshold
    if (!o.showAll && !k.startsWith('__') && b !== undefined && k.length + 1 + b.length >= JSON_THRESHOLD) out[k] = null;
    else out[k] = jsonValue(v);
  }
  return out;
}

export interface RenderResult {
  /** The lines, each without its newline (several for multi-line messages and verbose). */
  lines: string[];
  /** Whether something was cut (systemctl then prints its `-l` hint). */
  ellipsized: boolean;
}

/** Render one record. Returns no lines for records a mode skips (e.g. short without MESSAGE). */
export function renderEntry(e: JournalEntry, mode: JournalOutputMode, o: JournalFormatOptions): RenderResult {
  const nColumns = o.columns ?? 80;
  if (mode === 'json' || mode === 'json-pretty' || mode === 'json-sse' || mode === 'json-seq') {
    const obj = entryToJson(e, o);
    if (mode === 'json') return { lines: [JSON.stringify(obj)], ellipsized: false };
    if (mode === 'json-sse') return { lines: [`data: ${JSON.stringify(obj)}`, ''], ellipsized: false };
    if (mode === 'json-seq') return { lines: [`\x1e${JSON.stringify(obj)}`], ellipsized: false };
    // systemd's pretty JSON: `"KEY" : value`, tab indented
    const body = Object.entries(obj).map(([k, v]) => `\t${JSON.stringify(k)} : ${JSON.stringify(v, null, '\t').replace(/\n/g, '\n\t')}`);
    return { lines: ['{', ...body.map((l, i) => (i + 1 < body.length ? `${l},` : l)).join('\n').split('\n'), '}'], ellipsized: false };
  }
  if (mode === 'cat') {
    const m = e.messageBytes;
    if (m === null) return { lines: [], ellipsized: false };
    // cat prints the message as it is (but the CLI escapes it before a terminal)
    return { lines: m.toString('utf8').split('\n'), ellipsized: false };
  }
  if (mode === 'verbose' || mode === 'export') {
    const lines: string[] = [];
    if (mode === 'verbose') {
      const ts = formatTimestamp(displayRealtime(e), o.utc ? 'us+utc' : 'us') ?? '(no timestamp)';
      lines.push(`${ts} [${e.cursor}]`);
    } else {
      lines.push(`__CURSOR=${e.cursor}`, `__REALTIME_TIMESTAMP=${e.realtime}`, `__MONOTONIC_TIMESTAMP=${e.monotonic}`, `_BOOT_ID=${e.bootId}`);
    }
    for (const [k, v] of Object.entries(e.fields)) {
      if (k.startsWith('__') || (mode === 'export' && k === '_BOOT_ID')) continue;
      for (const one of Array.isArray(v) ? v : [v]) {
        const b = typeof one === 'string' ? Buffer.from(one, 'utf8') : one;
        if (mode === 'export') {
          lines.push(utf8IsPrintable(b) && !b.includes(0x0a) ? `${k}=${b.toString('utf8')}` : `${k}=[${formatBytes(b.length)} binary]`);
          continue;
        }
        const length = k.length + 1 + b.length;
        if (o.showAll || ((length < PRINT_CHAR_THRESHOLD || o.fullWidth) && utf8IsPrintable(Buffer.concat([Buffer.from(`${k}=`), b])))) {
          const text = b.toString('utf8').split('\n');
          if (text[text.length - 1] === '' && text.length > 1) text.pop();
          lines.push(`    ${k}=${text[0] ?? ''}`);
          for (const t of text.slice(1)) lines.push(' '.repeat(4 + k.length + 1) + t);
        } else {
          lines.push(`    ${k}=[${formatBytes(b.length)} blob data]`);
        }
      }
    }
    if (mode === 'export') lines.push('');
    return { lines, ellipsized: false };
  }
  // the short family
  const raw = e.messageBytes;
  if (raw === null) return { lines: [], ellipsized: false };
  const message = o.showAll ? raw : stripTabAnsi(raw);
  let head = timestampText(e, mode, o);
  const host = fieldString(e, '_HOSTNAME');
  if (host !== undefined && shallPrint(Buffer.from(host), o)) head += ` ${host}`;
  const unit = fieldString(e, '_SYSTEMD_UNIT');
  const userUnit = fieldString(e, '_SYSTEMD_USER_UNIT');
  const ident = fieldString(e, 'SYSLOG_IDENTIFIER');
  const comm = fieldString(e, '_COMM');
  if (mode === 'with-unit' && ((unit !== undefined && shallPrint(Buffer.from(unit), o)) || (userUnit !== undefined && shallPrint(Buffer.from(userUnit), o)))) {
    if (unit !== undefined) head += ` ${unit}`;
    if (userUnit !== undefined) head += unit !== undefined ? `/${userUnit}` : ` ${userUnit}`;
  } else if (ident !== undefined && shallPrint(Buffer.from(ident), o)) head += ` ${ident}`;
  else if (comm !== undefined && shallPrint(Buffer.from(comm), o)) head += ` ${comm}`;
  else head += ' unknown';
  const pid = fieldString(e, '_PID');
  const fakePid = fieldString(e, 'SYSLOG_PID');
  if (pid !== undefined && shallPrint(Buffer.from(pid), o)) head += `[${pid}]`;
  else if (fakePid !== undefined && shallPrint(Buffer.from(fakePid), o)) head += `[${fakePid}]`;
  head += ': ';
  if (!o.showAll && !utf8IsPrintable(message)) {
    return { lines: [`${o.escape ? escapeTerminal(head) : head}[${formatBytes(message.length)} blob data]`], ellipsized: false };
  }
  const lines: string[] = [];
  const esc = o.escape ? escapeTerminal : (t: string): string => t;
  const priority = e.priority ?? 6;
  let c = logColors(priority, o.color === true);
  if (o.color && c.on === '' && e.transport === 'audit') c = AUDIT_COLORS;
  const ellipsized = printMultiline(lines, Buffer.byteLength(head), message.toString('utf8'), o, nColumns, c, esc);
  if (lines.length > 0) lines[0] = esc(head) + lines[0];
  return { lines, ellipsized };
}

/** Render records to text: one string with a newline after each line; all text escaped for a terminal. */
export function renderEntries(entries: JournalEntry[], mode: JournalOutputMode, o: JournalFormatOptions): { text: string; ellipsized: boolean } {
  let text = '';
  let ellipsized = false;
  // the short family escapes its own text (around its colours); other text modes are escaped here
  const selfEscaped = mode.startsWith('short') || mode === 'with-unit';
  for (const e of entries) {
    const r = renderEntry(e, mode, { ...o, escape: true });
    ellipsized ||= r.ellipsized;
    for (const l of r.lines) text += `${mode.startsWith('json') || selfEscaped ? l : escapeTerminal(l)}\n`;
  }
  return { text, ellipsized };
}
