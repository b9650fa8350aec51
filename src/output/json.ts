/**
 * JSON on stdout: pretty (2-space) or one line — like systemctl's `--json=pretty` /
 * `--json=short`. Always valid, `[]` when there is nothing.
 */
import type { IO } from './io.js';

/** `keys`: only these object keys, in this order (JSON.stringify's property list), at every depth. */
export function renderJson(value: unknown, pretty: boolean, keys?: readonly string[]): string {
  return `${JSON.stringify(value, keys ? [...keys] : null, pretty ? 2 : undefined)}\n`;
}

/** Write `value`: `mode` `pretty`/`short`, or (omitted) pretty on a terminal, one line when piped. */
export function writeJson(io: IO, value: unknown, mode?: 'pretty' | 'short' | null, keys?: readonly string[]): void {
  io.out.write(renderJson(value, mode ? mode === 'pretty' : io.outIsTTY, keys));
}

/** systemd's pretty JSON (json_variant_dump with JSON_FORMAT_PRETTY): tabs, `"key" : value`. */
export function systemdPrettyJson(v: unknown, indent = ''): string {
  const next = `${indent}\t`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => `${next}${systemdPrettyJson(x, next)}`).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${next}${JSON.stringify(k)} : ${systemdPrettyJson(x, next)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Table JSON as systemctl writes it: one line, or (pretty) systemd's own layout. */
export function writeTableJson(io: IO, rows: unknown[], mode: 'pretty' | 'short'): void {
  if (mode === 'pretty') io.out.write(`${systemdPrettyJson(rows)}\n`);
  else writeJson(io, rows, 'short');
}

/** `text` indented by `indent` after its first line (a value nested at that depth in pretty JSON). */
function nest(text: string, indent: string): string {
  return indent === '' ? text : text.replace(/\n/g, `\n${indent}`);
}

/**
 * A JSON array written one element at a time, byte for byte what `writeJson` writes for the whole
 * array (pretty: 2 spaces; short: one line), so a verb over thousands of units never holds them
 * all. `head`/`tail` wrap it (e.g. `{"system":…,"units":` and `}`); `depth` is the array's nesting
 * depth in pretty mode. Nothing is written until the first element or `end()`.
 */
export class JsonArrayWriter {
  private count = 0;
  private done = false;
  private readonly indent: string;
  constructor(
    private readonly write: (text: string) => void | Promise<void>,
    private readonly pretty: boolean,
    private readonly head = '',
    private readonly tail = '',
    depth = 0,
  ) {
    this.indent = pretty ? '  '.repeat(depth) : '';
  }
  /** Whether anything was written. */
  get started(): boolean {
    return this.count > 0 || this.done;
  }
  get ended(): boolean {
    return this.done;
  }
  push(value: unknown): void | Promise<void> {
    const inner = this.pretty ? `${this.indent}  ` : '';
    const body = nest(JSON.stringify(value, null, this.pretty ? 2 : undefined) ?? 'null', inner);
    const sep = this.count === 0 ? `${this.head}[` : ',';
    this.count++;
    return this.write(this.pretty ? `${sep}\n${inner}${body}` : `${sep}${body}`);
  }
  end(): void | Promise<void> {
    this.done = true;
    if (this.count === 0) return this.write(`${this.head}[]${this.tail}\n`);
    return this.write(`${this.pretty ? `\n${this.indent}` : ''}]${this.tail}\n`);
  }
}

/** `head`/`tail` around an array of `units` under an object with `fields` first: `{"a":…,"units":[…]}`. */
export function objectAround(fields: Record<string, unknown>, arrayKey: string, pretty: boolean): { head: string; tail: string; depth: number } {
  if (!pretty) {
    const before = Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'},`);
    return { head: `{${before.join('')}${JSON.stringify(arrayKey)}:`, tail: '}', depth: 1 };
  }
  const before = Object.entries(fields).map(([k, v]) => `  ${JSON.stringify(k)}: ${nest(JSON.stringify(v, null, 2) ?? 'null', '  ')},\n`);
  return { head: `{\n${before.join('')}  ${JSON.stringify(arrayKey)}: `, tail: '\n}', depth: 1 };
}
