/**
 * What a unit did after a start job ended `done`: a job's result says systemd carried the job
 * out, not that the service stayed up — a `Type=simple` service that exits at once has its start
 * job `done` and is failed (or inactive) a moment later. Read once the job ended: the unit's
 * ActiveState and, for a service, its Result and how its main process ended.
 */
import type { Manager } from './manager.js';
import { signalName } from './kill-signal.js';
import { unitObjectPath } from './names.js';
import { UnitObject } from './unit.js';

export interface UnitOutcome {
  activeState: string;
  /** `Service.Result` (`exit-code`, `signal`, …); `null` for other unit types. */
  result: string | null;
  /** How the main process ended: `exited`, `killed`, `dumped`; `null` when it has not (or no service). */
  code: 'exited' | 'killed' | 'dumped' | null;
  /** Its exit status, or the signal number. */
  status: number | null;
  /** The signal's name when killed or dumped (`SIGKILL`). */
  signal: string | null;
  /** `Type=oneshot` without RemainAfterExit: inactive after a start is what it does. */
  oneShot: boolean;
  /** A running main process started less than a second ago (by the unit's own clock): it may yet exit. */
  young: boolean;
}

/**
 * How long a service whose main process has only just started is given before its start is
 * called a success: a `Type=simple` service that exits at once (`ExecStart=sh -c 'exit 3'`) is
 * still active when the job's `done` arrives; a few milliseconds later it is failed. How soon we
 * look depends on how fast we are, so we look again after this long.
 */
export const SETTLE_MS = 100;

const CLD: Record<number, UnitOutcome['code']> = { 1: 'exited', 2: 'killed', 3: 'dumped' };

/** A service's properties say its main process runs and started less than a second ago (by the unit's own clock): it may yet exit. */
export function youngMainProcess(s: Record<string, unknown>): boolean {
  return Number(s.MainPID ?? 0) > 0 && typeof s.ExecMainStartTimestamp === 'number' && Math.abs(Date.now() * 1000 - s.ExecMainStartTimestamp) < 1_000_000;
}

/** The unit's outcome now; `null` when it cannot be read (unloaded already, no permission). */
export async function unitOutcome(manager: Manager, unit: string): Promise<UnitOutcome | null> {
  try {
    // one GetAll of every interface (the unit, just the subject of a job, is loaded; the Unit and
    // Service property names do not overlap); the service's fields only for a service
    const u = await new UnitObject(manager.bus, unitObjectPath(unit), unit).getAllInterfaces();
    const s: Record<string, unknown> = unit.endsWith('.service') ? u : {};
    const code = CLD[Number(s.ExecMainCode ?? 0)] ?? null;
    const status = code === null ? null : Number(s.ExecMainStatus ?? 0);
    return {
      activeState: String(u.ActiveState ?? ''),
      result: typeof s.Result === 'string' ? s.Result : null,
      code,
      status,
      signal: code !== null && code !== 'exited' && status !== null ? signalName(status) : null,
      oneShot: s.Type === 'oneshot' && s.RemainAfterExit !== true,
      young: youngMainProcess(s),
    };
  } catch {
    return null;
  }
}

/**
 * The outcome of a start that ended `done`, settled: read now, and when the service is up with a
 * main process younger than a second, read again SETTLE_MS later (a quick exit shows by then).
 */
export async function settledOutcome(manager: Manager, unit: string): Promise<UnitOutcome | null> {
  const first = await unitOutcome(manager, unit);
  if (first === null || wentDown(first) || !first.young) return first;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return (await unitOutcome(manager, unit)) ?? first;
}

/** Did a start that ended `done` leave the unit down (failed, or inactive when it is no one-shot)? */
export function wentDown(o: UnitOutcome | null): boolean {
  if (o === null) return false;
  return o.activeState === 'failed' || (o.activeState === 'inactive' && !o.oneShot);
}

/** What happened, in the words of systemctl status's `Main PID: … (code=exited, status=3)`. */
export function outcomeText(o: UnitOutcome): string {
  const state = o.activeState === 'failed' ? `it failed${o.result && o.result !== 'success' ? ` (${o.result})` : ''}` : 'it is inactive again';
  if (o.code === null) return state;
  const status = o.code === 'exited' ? String(o.status) : (o.signal ?? String(o.status));
  return `${state}: code=${o.code}, status=${status}`;
}
