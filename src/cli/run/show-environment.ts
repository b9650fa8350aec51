/**
 * `show-environment`: the manager's environment block (Manager.Environment), one `NAME=value` a
 * line with the value quoted as systemctl 252 quotes it (`shell_maybe_quote(…, SHELL_ESCAPE_POSIX)`:
 * `$'…'` when needed). `--json`: an object NAME → value.
 */
import type { ConnectOptions } from '../../core/bus.js';
import { BusError } from '../../core/errors.js';
import { Manager } from '../../core/manager.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { withPager } from '../../output/pager.js';
import { shellMaybeQuote } from '../../output/properties.js';

export interface ShowEnvironmentOptions {
  json: 'pretty' | 'short' | null;
  pager: boolean;
  connect: ConnectOptions;
}

export async function runShowEnvironment(opts: ShowEnvironmentOptions, io: IO): Promise<void> {
  const manager = await Manager.connect(opts.connect);
  let env: string[];
  try {
    env = (await manager.getProperty('Environment')) as string[];
  } finally {
    manager.close();
  }
  if (env.some((e) => !e.includes('='))) throw new BusError('Invalid environment block');
  if (opts.json) {
    const obj: Record<string, string> = {};
    for (const e of env) obj[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
    writeJson(io, obj, opts.json);
    return;
  }
  await withPager(io, { enabled: opts.pager }, async (out) => {
    for (const e of env) {
      const i = e.indexOf('=');
      out.out.write(`${escapeTerminal(e.slice(0, i))}=${escapeTerminal(shellMaybeQuote(e.slice(i + 1), true))}\n`);
    }
  });
}
