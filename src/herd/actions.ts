/**
 * Changing state the Shepherd way: start-service (with the dependencies the transaction pulled
 * in), stop-service (with every dependent it took down), start-in-the-background and
 * perform-service-action. Jobs go through the core's transaction (EnqueueUnitJob, whose reply
 * lists every job of the transaction; each awaited by its JobRemoved, subscribed first).
 */
import { JobError, SystemdError } from '../core/errors.js';
import { Job, explainJobResult, isJobSuccess } from '../core/job.js';
import type { Manager } from '../core/manager.js';
import { runTransaction } from '../core/transaction.js';
import { SETTLE_MS, unitOutcome, youngMainProcess } from '../core/outcome.js';
import { exitText } from './render.js';
import type { JobMode, JobRemoved } from '../core/types.js';
import { serviceName } from './names.js';
import { BUILTIN_ACTIONS, customActions, isOneShot, runningValue, snapshot, statusSymbol, type RunningValue, type Snapshot } from './service.js';

/** herd's "service 'x' does not have an action 'y'" (exit 1). */
export class NoSuchActionError extends SystemdError {
  override name = 'NoSuchActionError';
  constructor(service: string, action: string) {
    super(`service '${service}' does not have an action '${action}'`, {
      hint: `Run 'sysherd herd doc ${service} list-actions' to list supported actions.`,
    });
  }
}

/** herd's "failed to start service x" (exit 1), with systemd's reason. */
export class StartFailedError extends SystemdError {
  override name = 'StartFailedError';
  constructor(service: string, reason: string) {
    super(`failed to start service ${service}`, { hint: reason });
  }
}

/** Every action of a unit: herd's built-in ones, then those systemd supports for its type. */
export function actionsOf(s: Snapshot): string[] {
  return [...BUILTIN_ACTIONS, ...customActions(s)];
}

/** One line of documentation per action (`herd doc S action A`). */
export const ACTION_DOCS: Record<string, string> = {
  start: 'Start the service and the units it requires; print its running value.',
  stop: 'Stop the service and every unit that depends on it.',
  restart: 'Stop, then start the service (RestartUnit).',
  status: "Show the service's status and recent history.",
  enable: 'Enable the unit file: start the service at boot.',
  disable: 'Disable the unit file.',
  doc: "Show the service's documentation and actions.",
  reload: 'Reload the service\'s configuration (ExecReload=).',
  kill: 'Send a signal (default SIGTERM; argument: SIGNAL) to its processes (--kill-whom).',
  clean: 'Remove its runtime, state, cache, logs or configuration directories (arguments: what, default all it has).',
  freeze: 'Freeze its processes (cgroup freezer).',
  thaw: 'Thaw its frozen processes.',
  'reset-failed': 'Forget its failed state and restart counter.',
};

/** A transaction's outcome: the main job and every job it pulled in. */
export interface TransactionResult {
  main: JobRemoved;
  /** The other jobs of the transaction, in the order EnqueueUnitJob listed them. */
  others: (JobRemoved & { jobType: string })[];
}

/**
 * One unit's transaction (the core's `runTransaction`: EnqueueUnitJob, every JobRemoved), and
 * the auxiliary jobs that were still running when the unit's own job ended awaited too (a
 * dependent stopped in parallel, a dependency wanted without ordering).
 */
export async function herdTransaction(m: Manager, unit: string, jobType: 'start' | 'stop' | 'restart' | 'reload', mode: JobMode): Promise<TransactionResult> {
  const report = await runTransaction(m, [unit], jobType, { mode, checkNeedDaemonReload: false });
  const req = report.units[0]!;
  if (req.error) throw req.error;
  const others = await Promise.all(
    report.auxiliary.map(async (a) => {
      let result: string | null = a.result;
      if (result === null) {
        const r = await new Job(m.bus, a.jobPath, { unit: a.unit, jobType: a.jobType }).awaitSignal().catch((e: unknown) => {
          if (e instanceof JobError) return { result: String(e.result) };
          throw e;
        });
        result = r.result === 'unknown' ? 'done' : r.result; // ended before we could listen
      }
      return { id: a.jobId, jobPath: a.jobPath, unit: a.unit, result, jobType: a.jobType };
    }),
  );
  return { main: { id: req.jobId ?? 0, jobPath: req.jobPath ?? '', unit: req.unitId ?? unit, result: req.result ?? 'unknown' }, others };
}

/** The reason a job failed, in systemctl's words (reads Service.Result for services). */
export async function reason(m: Manager, removed: JobRemoved, jobType: string): Promise<string> {
  let serviceResult: string | undefined;
  if (removed.unit.endsWith('.service')) {
    try {
      const s = await snapshot(m, removed.unit);
      const r = s.typeProps.Result;
      if (typeof r === 'string' && r !== 'success') serviceResult = r;
    } catch {
      /* gone: explain without it */
    }
  }
  return explainJobResult(removed.result, removed.unit, jobType, serviceResult);
}

/** `herd start`'s record, one per service asked for. */
export interface StartRecord {
  service: string;
  unit: string;
  alreadyRunning: boolean;
  background: boolean;
  /** Units the transaction started, dependencies first, the service last (display names). */
  started: string[];
  status: 'stopped' | 'starting' | 'running' | 'stopping';
  runningValue: RunningValue;
  /** Why it failed, `null` when it did not. */
  reason: string | null;
  /** The job id (background starts), `null` otherwise. */
  job: number | null;
}

/** start-service / start-in-the-background. */
export async function startService(m: Manager, name: string, unit: string, opts: { background: boolean; mode: JobMode }): Promise<StartRecord> {
  const before = await snapshot(m, unit, name);
  const base = { service: serviceName(before.unit), unit: before.unit, background: opts.background, job: null };
  if (statusSymbol(before.props.ActiveState) === 'running') {
    return { ...base, alreadyRunning: true, started: [], status: 'running', runningValue: runningValue(before), reason: null };
  }
  if (opts.background) {
    const { enqueued } = await m.enqueueUnitJob(before.unit, 'start', opts.mode);
    return { ...base, alreadyRunning: false, started: [], status: 'starting', runningValue: false, reason: null, job: enqueued.id };
  }
  const t = await herdTransaction(m, before.unit, 'start', opts.mode);
  const started = t.others.filter((o) => (o.jobType === 'start' || o.jobType === 'restart') && o.result === 'done').map((o) => serviceName(o.unit));
  let after = await snapshot(m, before.unit, name);
  if (isJobSuccess(t.main.result) && statusSymbol(after.props.ActiveState) !== 'stopped' && youngMainProcess(after.typeProps)) {
    // up now, its main process just started: one that exits at once is down a moment later
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    after = await snapshot(m, before.unit, name);
  }
  const ok = isJobSuccess(t.main.result) && (statusSymbol(after.props.ActiveState) !== 'stopped' || isOneShot(after));
  if (ok) started.push(base.service);
  return {
    ...base,
    alreadyRunning: false,
    started,
    status: statusSymbol(after.props.ActiveState),
    runningValue: ok ? runningValue(after) || true : false,
    reason: ok ? null : isJobSuccess(t.main.result) ? await downReason(m, before.unit) : await reason(m, { ...t.main, unit: before.unit }, 'start'),
  };
}

/**
 * Why a service whose start job ended `done` is not running: it exited (or was killed) at once.
 * In herd's words for an exit ("Process exited with code 3."), else its state.
 */
export async function downReason(m: Manager, unit: string): Promise<string> {
  const o = await unitOutcome(m, unit);
  if (o === null) return 'it stopped at once';
  if (o.code !== null && o.status !== null) return exitText({ code: o.code, status: o.status, signal: o.signal });
  return `it is ${o.activeState} at once${o.result && o.result !== 'success' ? ` (${o.result})` : ''}`;
}

/** `herd stop`'s record. */
export interface StopRecord {
  service: string;
  unit: string;
  wasRunning: boolean;
  /** What was stopped: dependents first, the service last (stop-service's list). */
  stopped: string[];
  reason: string | null;
}

/** stop-service. */
export async function stopService(m: Manager, name: string, unit: string, mode: JobMode): Promise<StopRecord> {
  const before = await snapshot(m, unit, name);
  const service = serviceName(before.unit);
  if (statusSymbol(before.props.ActiveState) === 'stopped') {
    return { service, unit: before.unit, wasRunning: false, stopped: [service], reason: null };
  }
  const t = await herdTransaction(m, before.unit, 'stop', mode);
  const stopped = t.others.filter((o) => o.jobType === 'stop' && isJobSuccess(o.result)).map((o) => serviceName(o.unit));
  const ok = isJobSuccess(t.main.result);
  if (ok) stopped.push(service);
  return { service, unit: before.unit, wasRunning: true, stopped, reason: ok ? null : await reason(m, { ...t.main, unit: before.unit }, 'stop') };
}
