/**
 * `kill`, `reset-failed`, `daemon-reload`, `daemon-reexec` as systemctl 252 does them, and what
 * the action verbs share (`cancel` too): one call per unit or job, in the order given, no item
 * skipped because an earlier one failed; each failure is one line on stderr in systemctl's words
 * and makes the exit code 1 (these verbs of systemctl return EXIT_FAILURE for any error, a
 * permission error included); with `--json`, one result document on stdout.
 */
import type { ConnectOptions } from '../../core/bus.js';
import { BusError, busErrorMessage, InvalidArgumentError, SystemdError } from '../../core/errors.js';
import { expandUnitNames } from '../../core/expand.js';
import { signalFromString, signalHelp, signalName } from '../../core/kill-signal.js';
import { Manager, type ReexecuteEnd } from '../../core/manager.js';
import { openPolkitAgentMaybe } from '../../core/polkit-agent.js';
import type { KillWhom } from '../../core/types.js';
import { colors } from '../../output/color.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';

type JsonMode = 'pretty' | 'short' | null;

/** Why one call failed: the D-Bus error name (`null` when not from the bus) and its text. */
export interface ErrorRecord {
  name: string | null;
  message: string;
}

/** The outcome of one call on one unit (`kill`, `reset-failed`). */
export interface UnitOutcome {
  unit: string;
  ok: boolean;
  error: ErrorRecord | null;
}

export function errorRecord(e: unknown): ErrorRecord {
  // sd-bus's bus_error_message (AccessDenied → "Access denied", as systemctl says it)
  return { name: e instanceof SystemdError ? (e.dbusName ?? null) : null, message: busErrorMessage(e) };
}

/** One failure line on stderr, as main.ts's reportError prints an error (exit code set by the caller). */
export function writeFailure(io: IO, message: string): void {
  io.err.write(`${colors(io.errColor).red('sysherd:')} ${escapeTerminal(message).replace(/\.$/, '')}\n`);
}

/** An error of a whole verb, in systemctl's words, with systemctl's exit code for it (1). */
export function verbError(message: string, cause: unknown): BusError {
  return new BusError(message, { dbusName: cause instanceof SystemdError ? cause.dbusName : undefined, cause });
}

/**
 * systemctl's argument count checks (`verbs[]` min/max): "Too few arguments." / "Too many
 * arguments.", exit 1 — systemctl's own text, printed as it prints it (verbatim).
 */
export function checkArgCount(args: string[], min: number, max = Infinity): void {
  if (args.length < min) throw new InvalidArgumentError('Too few arguments.', { verbatim: true });
  if (args.length > max) throw new InvalidArgumentError('Too many arguments.', { verbatim: true });
}

/**
 * Open one connection, run `fn`, close it. With `polkit` (the local system manager, no
 * `--no-ask-password`), a polkit text agent runs meanwhile when stdin is a terminal and we are
 * not root, as systemctl's `polkit_agent_open_maybe`, so polkit can ask for a password.
 */
export async function withManager<T>(connect: ConnectOptions, fn: (m: Manager) => Promise<T>, polkit = false, io?: IO): Promise<T> {
  const agent = polkit ? await openPolkitAgentMaybe({ localSystem: true, askPassword: true }, (l) => io?.err.write(l)) : null;
  try {
    const m = await Manager.connect(connect);
    try {
      return await fn(m);
    } finally {
      m.close();
    }
  } finally {
    await agent?.close();
    if (agent && process.env.SYSHERD_DEBUG) io?.err.write('sysherd: polkit agent pkttyagent ended\n');
  }
}

/**
 * Unit arguments expanded as systemctl's `expand_unit_names`, its notices printed; an invalid name
 * gets both of systemctl's lines (`failure`: the second, as the verb words it).
 */
export async function expandUnits(
  m: Manager,
  args: string[],
  quiet: boolean,
  io: IO,
  opts: { suffix?: 'service' | 'target' | 'automount'; failure?: string } = {},
): Promise<string[]> {
  let r: Awaited<ReturnType<typeof expandUnitNames>>;
  try {
    r = await expandUnitNames(m, args, { warn: !quiet, ...(opts.suffix ? { suffix: opts.suffix } : {}) });
  } catch (e) {
    // an empty name: systemctl says both lines
    if (!(e instanceof InvalidArgumentError) || !e.message.startsWith('Failed to mangle name')) throw e;
    writeFailure(io, e.message);
    throw new InvalidArgumentError(opts.failure ?? 'Failed to expand names: Invalid argument');
  }
  for (const w of r.warnings) io.err.write(`${escapeTerminal(w)}\n`);
  return r.names;
}

// ── kill ─────────────────────────────────────────────────────────────────────────────────

export interface KillOptions {
  /** Run a polkit agent on a terminal (local system manager, no `--no-ask-password`). */
  polkit?: boolean;
  units: string[];
  /** `-s/--signal` as typed (default `SIGTERM`); `help` lists the signals. */
  signal: string | undefined;
  /** `--kill-whom` (default `all`). */
  whom: string | undefined;
  /** `--job-mode`: `fail` makes systemd fail if nothing was killed (`all-fail`, as systemctl). */
  jobMode: string | undefined;
  quiet: boolean;
  json: JsonMode;
  connect: ConnectOptions;
}

/** `kill --json`. */
export interface KillResult {
  verb: 'kill';
  ok: boolean;
  signal: number;
  signal_name: string;
  whom: string;
  units: UnitOutcome[];
}

export async function runKill(opts: KillOptions, io: IO): Promise<KillResult | undefined> {
  if (opts.signal === 'help') {
    io.out.write(signalHelp());
    return undefined;
  }
  const signo = opts.signal === undefined ? 15 : signalFromString(opts.signal);
  checkArgCount(opts.units, 1);
  let whom = opts.whom ?? 'all';
  if (opts.jobMode === 'fail') whom = `${whom}-fail`;
  const result = await withManager(opts.connect, async (m) => {
    const names = await expandUnits(m, opts.units, opts.quiet, io);
    const units: UnitOutcome[] = [];
    for (const unit of names) {
      try {
        await m.killUnit(unit, whom as KillWhom, signo);
        units.push({ unit, ok: true, error: null });
      } catch (e) {
        const error = errorRecord(e);
        writeFailure(io, `Failed to kill unit ${unit}: ${error.message}`);
        units.push({ unit, ok: false, error });
      }
    }
    return { verb: 'kill', ok: units.every((u) => u.ok), signal: signo, signal_name: signalName(signo), whom, units } satisfies KillResult;
  }, opts.polkit, io);
  finish(result, opts.json, io);
  return result;
}

// ── reset-failed ─────────────────────────────────────────────────────────────────────────

export interface ResetFailedOptions {
  /** Run a polkit agent on a terminal (local system manager, no `--no-ask-password`). */
  polkit?: boolean;
  patterns: string[];
  quiet: boolean;
  json: JsonMode;
  connect: ConnectOptions;
}

/**
 * `reset-failed --json`. With patterns, `units` holds one outcome per unit they expanded to;
 * without (`all: true`, one ResetFailed call), the units that were failed just before it.
 */
export interface ResetFailedResult {
  verb: 'reset-failed';
  ok: boolean;
  all: boolean;
  units: UnitOutcome[];
}

export async function runResetFailed(opts: ResetFailedOptions, io: IO): Promise<ResetFailedResult> {
  const result = await withManager(opts.connect, async (m): Promise<ResetFailedResult> => {
    if (opts.patterns.length === 0) {
      const failed = opts.json ? await m.listUnitsFiltered(['failed']) : [];
      try {
        await m.resetFailed();
      } catch (e) {
        throw verbError(`Failed to execute operation: ${errorRecord(e).message}`, e);
      }
      return { verb: 'reset-failed', ok: true, all: true, units: failed.map((u) => ({ unit: u.name, ok: true, error: null })) };
    }
    const names = await expandUnits(m, opts.patterns, opts.quiet, io);
    const units: UnitOutcome[] = [];
    for (const unit of names) {
      try {
        await m.resetFailedUnit(unit);
        units.push({ unit, ok: true, error: null });
      } catch (e) {
        const error = errorRecord(e);
        writeFailure(io, `Failed to reset failed state of unit ${unit}: ${error.message}`);
        units.push({ unit, ok: false, error });
      }
    }
    return { verb: 'reset-failed', ok: units.every((u) => u.ok), all: false, units };
  }, opts.polkit, io);
  finish(result, opts.json, io);
  return result;
}

// ── daemon-reload, daemon-reexec ─────────────────────────────────────────────────────────

export interface DaemonOptions {
  /** Run a polkit agent on a terminal (local system manager, no `--no-ask-password`). */
  polkit?: boolean;
  args: string[];
  json: JsonMode;
  connect: ConnectOptions;
}

/**
 * `daemon-reload --json` / `daemon-reexec --json`. `ended` (daemon-reexec only): how the call
 * ended, `disconnected` (systemd's private socket dropped), `no-reply` (the bus daemon said the
 * manager left without replying), `timeout`, or `reply`.
 */
export interface DaemonResult {
  verb: 'daemon-reload' | 'daemon-reexec';
  ok: true;
  duration_ms: number;
  ended?: ReexecuteEnd;
}

export async function runDaemonReload(opts: DaemonOptions, io: IO): Promise<DaemonResult> {
  checkArgCount(opts.args, 0, 0);
  const t0 = performance.now();
  await withManager(opts.connect, async (m) => {
    try {
      await m.reload();
    } catch (e) {
      throw verbError(`Reload daemon failed: ${errorRecord(e).message}`, e);
    }
  }, opts.polkit, io);
  const result: DaemonResult = { verb: 'daemon-reload', ok: true, duration_ms: Math.round(performance.now() - t0) };
  if (opts.json) writeJson(io, result, opts.json);
  return result;
}

export async function runDaemonReexec(opts: DaemonOptions, io: IO): Promise<DaemonResult> {
  checkArgCount(opts.args, 0, 0);
  const t0 = performance.now();
  const ended = await withManager(opts.connect, async (m) => {
    try {
      return await m.reexecute();
    } catch (e) {
      throw verbError(`Reexecute daemon failed: ${errorRecord(e).message}`, e);
    }
  }, opts.polkit, io);
  const result: DaemonResult = { verb: 'daemon-reexec', ok: true, duration_ms: Math.round(performance.now() - t0), ended };
  if (opts.json) writeJson(io, result, opts.json);
  return result;
}

/** Print the JSON document if asked; any failed item makes the exit code 1. */
export function finish(result: { ok: boolean }, json: JsonMode, io: IO): void {
  if (json) writeJson(io, result, json);
  if (!result.ok) io.exitCode = 1;
}
