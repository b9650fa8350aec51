/**
 * JSON on stdout: pretty (2-space) or one line — like systemctl's `--json=pretty` /
 * `--json=short`. Always valid, `[]` when there is nothing.
 */
import type { IO } from './io.js';

export function renderJson(value: unknown, pretty: boolean): string {
  return `${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`;
}

/** Write `value`: `mode` `pretty`/`short`, or (omitted) pretty on a terminal, one line when piped. */
export function writeJson(io: IO, value: unknown, mode?: 'pretty' | 'short' | null): void {
  io.out.write(renderJson(value, mode ? mode === 'pretty' : io.outIsTTY));
}
