/**
 * JSON on stdout: pretty (2-space) on a terminal, one line when piped — like systemctl's
 * `--json=pretty` / `--json=short`. Always valid, `[]` when there is nothing.
 */
import type { IO } from './io.js';

export function renderJson(value: unknown, pretty: boolean): string {
  return `${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`;
}

export function writeJson(io: IO, value: unknown): void {
  io.out.write(renderJson(value, io.outIsTTY));
}
