/**
 * Changing state the Shepherd way: start-service (with the dependencies the transaction pulled
 * in), stop-service (with every dependent it took down), start-in-the-background and
 * perform-service-action. Jobs are enqueued with EnqueueUnitJob, whose reply lists every job of
 * the transaction; each is awaited by its JobRemoved (subscribed before the enqueue).
 */
import { SystemdError } from '../core/errors.js';
import { Job, explainJobResult, isJobSuccess } from '../core/job.js';
import type { Manager } from '../core/manager.js';
import { MANAGER_IFACE, MANAGER_PATH } from '../core/signal.js';
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

/** EnqueueUnitJob and wait for every job of the transaction. */
export async function runTransaction(m: Manager, unit: string, jobType: 'start' | 'stop' | 'restart' | 'reload', mode: JobMode): Promise<TransactionResult> {
  const { job, enqueued } = await m.enqueueUnitJob(unit, jobType, mode);
  const others = enqueued.affected.filter((a) => a.jobPath !== enqueued.jobPath);
  const wait = (path: string): Promise<JobRemoved> => (job.subscription ? job.subscription.awaitJobRemoved(path) : new Job(m.bus, path).awaitSignal().catch(() => ({ id: 0, jobPath: path, unit: '', result: 'failed' })));
  const [main, ...rest] = await Promise.all([wait(enqueued.jobPath), ...others.map((o) => wait(o.jobPath))]);
  return { main: main!, others: rest.map((r, i) => ({ ...r, jobType: others[i]!.jobType })) };
}

/** The reason a job failed, in systemctl's words (reads Service.Result for services). */
async function reason(m: Manager, removed: JobRemoved, jobType: string): Promise<string> {
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
  const t = await runTransaction(m, before.unit, 'start', opts.mode);
  const started = t.others.filter((o) => (o.jobType === 'start' || o.jobType === 'restart') && o.result === 'done').map((o) => serviceName(o.unit));
  const after = await snapshot(m, before.unit, name);
  const ok = isJobSuccess(t.main.result) && (statusSymbol(after.props.ActiveState) !== 'stopped' || isOneShot(after));
  if (ok) started.push(base.service);
  return {
    ...base,
    alreadyRunning: false,
    started,
    status: statusSymbol(after.props.ActiveState),
    runningValue: ok ? runningValue(after) || true : false,
    reason: ok ? null : await reason(m, { ...t.main, unit: before.unit }, 'start'),
  };
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
  const t = await runTransaction(m, before.unit, 'stop', mode);
  const stopped = t.others.filter((o) => o.jobType === 'stop' && isJobSuccess(o.result)).map((o) => serviceName(o.unit));
  const ok = isJobSuccess(t.main.result);
  if (ok) stopped.push(service);
  return { service, unit: before.unit, wasRunning: true, stopped, reason: ok ? null : await reason(m, { ...t.main, unit: before.unit }, 'stop') };
}

/** A Manager method herd actions use that has no wrapper (yet) in the core. */
export async function managerCall(m: Manager, member: string, signature: string, body: unknown[]): Promise<unknown[]> {
  return m.bus.call({ path: MANAGER_PATH, interface: MANAGER_IFACE, member, signature, body, mutating: true });
}
