/**
 * Global flags, shared by every verb, and how they become connection options.
 */
import type { ConnectOptions } from '../core/bus.js';
import { InvalidArgumentError } from '../core/errors.js';

/** The flags every verb accepts (`sysherd --user list-units`, `sysherd list-units --json`). */
export interface GlobalOptions {
  user?: boolean;
  system?: boolean;
  json?: boolean;
  address?: string;
  timeout?: string;
  askPassword?: boolean;
}

/** Turn the global flags into connection options. Bad values → `InvalidArgumentError`. */
export function connectOptions(g: GlobalOptions): ConnectOptions {
  if (g.user && g.system) throw new InvalidArgumentError('--user and --system cannot be used together', { hint: 'pick one scope' });
  const opts: ConnectOptions = { bus: g.user ? 'user' : 'system' };
  if (g.address) opts.address = g.address;
  if (g.timeout !== undefined) opts.timeout = parseTimeout(g.timeout);
  if (g.askPassword) opts.interactive = true;
  return opts;
}

/** `25`, `25s`, `500ms`, `2min` → milliseconds (systemd's time span syntax, the common units). */
export function parseTimeout(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/.exec(s);
  if (!m) throw new InvalidArgumentError(`invalid --timeout value '${s}'`, { hint: 'use a time span such as 10s, 500ms or 2min' });
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' || unit === 'sec' ? n * 1000 : unit === 'h' ? n * 3_600_000 : n * 60_000;
  if (ms <= 0) throw new InvalidArgumentError(`invalid --timeout value '${s}': must be more than 0`, { hint: 'use a time span such as 10s' });
  return Math.round(ms);
}

/** Comma-separated, repeatable option values: `--state=failed,running --state exited`. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)];
}
