/**
 * One operation on many hosts at once: each host on its own connection (ssh + the bridge, see
 * transport.ts) with its own timeout, at most `parallel` at a time, one host's failure never
 * stopping the others. Results come back in the order of the hosts given.
 */
import type { ConnectOptions } from './bus.js';
import { SystemdError } from './errors.js';

/** A host that did its part: `result` is what the operation returned there. */
export interface FleetSuccess<T> {
  host: string;
  ok: true;
  result: T;
}

/** Why a host failed, as the CLI's `--json` says it. */
export interface FleetErrorInfo {
  message: string;
  /** The D-Bus error name, `null` when the error did not come from the bus. */
  dbusName: string | null;
  /** systemctl's exit code for it (70 for a bug of sysherd). */
  exitCode: number;
}

export interface FleetFailure {
  host: string;
  ok: false;
  error: FleetErrorInfo;
}

export type FleetResult<T> = FleetSuccess<T> | FleetFailure;

/** Default number of hosts reached at once. */
export const DEFAULT_PARALLEL = 16;

export interface FleetOptions extends Omit<ConnectOptions, 'host' | 'address'> {
  /** Hosts reached at once (default 16). */
  parallel?: number;
  /** Called as each host settles (for progress): counts so far. */
  onSettled?: (r: FleetResult<unknown>, done: number, failed: number) => void;
}

/** A thrown error as `{message, dbusName, exitCode}`. */
export function errorInfo(e: unknown): FleetErrorInfo {
  if (e instanceof SystemdError) return { message: e.message, dbusName: e.dbusName ?? null, exitCode: e.exitCode };
  return { message: e instanceof Error ? e.message : String(e), dbusName: null, exitCode: 70 };
}

/** Run `fn(item)` for every item, at most `limit` at once; results in item order. */
export async function mapBounded<I, O>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  const n = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

/**
 * Run `fn` once per host with connection options for that host:
 *
 *   const r = await onHosts(['web1', 'web2'], (c) => listUnits({ ...c, states: ['failed'] }));
 *   for (const h of r) console.log(h.host, h.ok ? h.result.length : h.error.message);
 *
 * Never rejects for a host's failure: it is that host's `{ok: false, error}`.
 */
export async function onHosts<T>(
  hosts: readonly string[],
  fn: (connect: ConnectOptions & { host: string }, host: string) => Promise<T>,
  opts: FleetOptions = {},
): Promise<FleetResult<T>[]> {
  const { parallel, onSettled, ...connect } = opts;
  let done = 0;
  let failed = 0;
  return mapBounded(hosts, parallel ?? DEFAULT_PARALLEL, async (host) => {
    let r: FleetResult<T>;
    try {
      r = { host, ok: true, result: await fn({ ...connect, host }, host) };
    } catch (e) {
      r = { host, ok: false, error: errorInfo(e) };
      failed++;
    }
    done++;
    onSettled?.(r, done, failed);
    return r;
  });
}
