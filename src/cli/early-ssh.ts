/**
 * `-H HOST`: should ssh to the host start before the line is parsed, and to which bus? One answer
 * for both places that start it:
 * - the shim (bin/sysherd.js) requires this module's build, dist/cli/early-ssh.js (a small file of
 *   its own, src/build/build-cli.mjs), before it reads the bundle, and calls `startEarlySsh`: ssh's
 *   connection set-up (TCP, key exchange, authentication) then overlaps loading the bundle;
 * - main.ts asks `earlyBridge` on the same argv and starts it itself (transport.ts
 *   `startBridgeEarly`), or takes the shim's (ssh-ahead.ts), and ends whatever the bus did not take.
 * Kept small: whatever it imports is in the early file too.
 */
import type { BusKind } from '../core/address.js';
import { spawnAhead } from '../core/ssh-ahead.js';
import { SSH, aheadBridgeArgv, defaultBatch } from '../core/ssh-argv.js';
import { hostList, isFleet, splitHostFlags, verbOf } from './fleet.js';

/** Global options that take a value (their value is not a verb). */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set(['--address', '--timeout', '--json-mode', '-o', '--output', '-t', '--type', '--state', '-p', '--property', '-P', '-n', '--lines', '--log-history', '--job-mode', '-s', '--signal', '--kill-whom', '--kill-who', '-H', '--host', '--hosts', '--parallel', '--what', '--timestamp', '-M', '--machine', '--message', '--check-inhibitors', '--boot-loader-menu', '--boot-loader-entry', '--reboot-argument', '--preset-mode', '--root', '--image', '--timeout-boot', '--uid']);

/**
 * As `systemctl` alone lists units, so does `sysherd` (also `sysherd --all --user`): with no verb
 * on the line, `list-units` is meant. An unknown word stays an unknown verb.
 */
export function withDefaultVerb(argv: string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (!a.startsWith('-')) return argv;
    if (a === '-h' || a === '--help' || a === '--version') return argv;
    if (VALUE_OPTIONS.has(a)) i++;
  }
  return ['list-units', ...argv];
}

/** Verbs that take a fleet themselves (watch merges live streams) or have no host at all. */
export const NOT_FANNED_OUT: ReadonlySet<string> = new Set(['watch', 'sandbox', 'demo', 'complete', 'completion', 'help']);

/** Options after which an early ssh would not be the one the bus opens (or none is wanted). */
const EARLY_SSH_BLOCKERS = new Set(['-h', '--help', '--version', '--timeout', '--address']);

/** The bus an early ssh bridges to. */
export interface EarlyBridge {
  host: string;
  kind: BusKind;
}

/**
 * The host and bus to start ssh to before the line is parsed, or undefined: only in batch mode
 * (ssh must not prompt for a line that turns out wrong), only for one host (`-H HOST`, not a
 * fleet), never for help, --version, --timeout or --address lines. `argv`: the command line as
 * given (the shim has nothing else); what normalizeArgv rewrites does not change the answer.
 * `batch`: whether ssh may not prompt (default `defaultBatch()`: stdin is not a terminal).
 */
export function earlyBridge(argv: string[], batch?: boolean): EarlyBridge | undefined {
  const line = withDefaultVerb(argv);
  const verb = verbOf(line, VALUE_OPTIONS);
  if (verb === undefined || NOT_FANNED_OUT.has(verb)) return undefined;
  if (line.some((a) => EARLY_SSH_BLOCKERS.has(a) || a.startsWith('--timeout=') || a.startsWith('--address='))) return undefined;
  const { flags } = splitHostFlags(line, VALUE_OPTIONS);
  if (flags.host === undefined || flags.hosts !== undefined) return undefined; // none, or a fleet (its file is not read here)
  let hosts: string[];
  try {
    hosts = hostList(flags);
  } catch {
    return undefined; // `-H ''`: the line reports it
  }
  if (isFleet(flags, hosts) || hosts.length !== 1) return undefined;
  // asked last: process.stdin.isTTY sets up stdin (~1 ms), which a line without -H never needs
  if (!(batch ?? defaultBatch())) return undefined;
  return { host: hosts[0]!, kind: line.includes('--user') && !line.includes('--system') ? 'user' : 'system' };
}

/**
 * The shim's entry (bin/sysherd.js, before it reads the bundle): for a line `earlyBridge` accepts,
 * spawn ssh's bridge now and leave it for the bundle (ssh-ahead.ts).
 */
export function startEarlySsh(argv: string[]): void {
  const early = earlyBridge(argv);
  if (early === undefined) return;
  const ssh = aheadBridgeArgv(early.host, early.kind);
  if (ssh !== undefined) spawnAhead(SSH, ssh);
}
