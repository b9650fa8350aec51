/**
 * Several units, one job type, one connection: systemctl's `start_unit` + `bus_wait_for_jobs`.
 *
 *     const report = await runTransaction(manager, ['a.service', 'b.service'], 'restart');
 *     report.exitCode;            // 0, or systemctl's exit code for the first failure
 *     report.units[0].result;     // 'done', 'failed', … (null: never queued, or not waited for)
 *     report.auxiliary;           // every other job the transactions pulled in, with its result
 *
 * Subscribe first, then enqueue one `EnqueueUnitJob` per unit, in order (a unit that cannot be
 * queued is recorded and the next one is still queued), then await every JobRemoved together.
 * Nothing is printed: hooks report each step as it happens (in the order systemctl prints them),
 * and the report holds typed records. Never throws for a unit's failure; throws only when the
 * connection fails.
 */
// `performance` is Node's global: importing node:perf_hooks cost every command ~2 ms of start-up
import { ConnectionError, InvalidArgumentError, SystemdError } from './errors.js';
import { isJobSuccess } from './job.js';
import type { Manager, UnitActionMethod } from './manager.js';
import { isValidUnitName, unitObjectPath } from './names.js';
import type { EnqueuedJob, JobMode, JobRemoved, JobResult, JobType } from './types.js';

const PROPS = 'org.freedesktop.DBus.Properties';
const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';
const UNIT_MASKED = 'org.freedesktop.systemd1.UnitMasked';
const INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs';
/** Calls in flight at once while queuing. */
const WINDOW = 64;

/** The job of one unit the caller asked for. */
export interface RequestedJob {
  /** The unit as requested. */
  unit: string;
  /** The unit's primary name as systemd reported it (differs from `unit` for an alias); `null` when not queued. */
  unitId: string | null;
  /** The job's id; `null` when it could not be queued (see `error`). */
  jobId: number | null;
  /** The job's object path; `null` when not queued. */
  jobPath: string | null;
  /**
   * The job's type as systemd queued it (`reload-or-restart` becomes `reload` or `restart`,
   * `try-restart` on an inactive unit stays `try-restart` and ends `done` at once); `null` when
   * not queued.
   */
  jobType: JobType | null;
  /** How the job ended (`done`, `failed`, …); `null` when not queued or not waited for. */
  result: JobResult | null;
  /** For a failed `.service` job: the service's `Result` (`exit-code`, `timeout`, …), else `null`. */
  serviceResult: string | null;
  /** Milliseconds from the enqueue call to the job's JobRemoved; `null` when it did not end here. */
  ms: number | null;
  /** The unit file changed on disk since it was loaded (systemctl warns to daemon-reload). */
  needDaemonReload: boolean;
  /** Why the job could not be queued (systemd's error), else `null`. */
  error: SystemdError | null;
  /**
   * `true` when the error is ignored as systemctl ignores it: a masked unit with `try-restart`
   * or `reload-or-try-restart`. Such a unit does not count as a failure.
   */
  ignored: boolean;
}

/** A job the transaction of a requested job pulled in (a dependency started, a dependent stopped). */
export interface AuxiliaryJob {
  unit: string;
  jobId: number;
  jobPath: string;
  jobType: JobType;
  /** The unit whose job pulled this one in. */
  anchor: string;
  /** How it ended; `null` when it had not ended when the requested jobs had (or not waited for). */
  result: JobResult | null;
}

export interface TransactionReport {
  /** The job type that was asked for (`restart`, `reload-or-try-restart`, …). */
  jobType: JobType;
  mode: JobMode;
  /** Whether the jobs were waited for (`false`: `--no-block`, results are `null`). */
  waited: boolean;
  /** One record per requested unit, in the order given. */
  units: RequestedJob[];
  /** Every auxiliary job of every transaction, in the order systemd listed them. */
  auxiliary: AuxiliaryJob[];
  /**
   * systemctl's exit code: 1 when a job that was waited for failed; otherwise the code of the
   * first unit that could not be queued (`NoSuchUnit` 5, `JobTypeNotApplicable` 3, …); else 0.
   */
  exitCode: number;
}

export interface TransactionHooks {
  /** A job was queued (after its NeedDaemonReload check). */
  onEnqueued?(job: RequestedJob, enqueued: EnqueuedJob): void;
  /** A unit could not be queued (`job.error`; `job.ignored` for a masked unit with try-*). */
  onEnqueueFailed?(job: RequestedJob): void;
  /** Every job is queued; waiting starts (not called with `wait: false`). */
  onWaiting?(pending: number, total: number): void;
  /** A requested job ended, in the order the JobRemoved signals came. */
  onJobRemoved?(job: RequestedJob, done: number, total: number): void;
  /** An auxiliary job ended. */
  onAuxiliaryRemoved?(job: AuxiliaryJob): void;
}

export interface TransactionOptions {
  /** How the jobs are queued (`--job-mode`); default `replace`. */
  mode?: JobMode;
  /** Wait for the jobs (default `true`); `false` is `--no-block`. */
  wait?: boolean;
  /** Read each unit's NeedDaemonReload after queuing its job (default `true`, as systemctl). */
  checkNeedDaemonReload?: boolean;
  hooks?: TransactionHooks;
  /**
   * How jobs are queued: `EnqueueUnitJob` (its reply lists the auxiliary jobs), `classic`
   * (StartUnit & co: no auxiliary jobs), or `auto` (default): EnqueueUnitJob, and the classic
   * methods from the first time the bus policy refuses EnqueueUnitJob (the system bus lets
   * unprivileged callers use StartUnit & co only; polkit then decides).
   */
  method?: 'EnqueueUnitJob' | 'classic' | 'auto';
  /**
   * Record the results of the auxiliary jobs too (default `true`). They come only to a connection
   * that asked the manager for every signal (`Subscribe()`); without it only the requested jobs'
   * JobRemoved arrive (the manager tracks who queued them, as systemctl relies on) and each
   * auxiliary `result` stays `null`, but systemd does not serialise and send every unit's
   * PropertiesChanged meanwhile (less work for PID 1; restart of 200 units in the bench's user
   * sandbox: 870 ms against systemctl's 856, 11 interleaved rounds, within the noise of before).
   */
  auxiliaryResults?: boolean;
}

/** The classic method of an EnqueueUnitJob type. */
const CLASSIC_METHODS: Record<string, UnitActionMethod> = {
  start: 'StartUnit',
  stop: 'StopUnit',
  reload: 'ReloadUnit',
  restart: 'RestartUnit',
  'try-restart': 'TryRestartUnit',
  'reload-or-restart': 'ReloadOrRestartUnit',
  'reload-or-try-restart': 'ReloadOrTryRestartUnit',
};

function refusedByBusPolicy(e: unknown): boolean {
  return e instanceof SystemdError && e.dbusName === 'org.freedesktop.DBus.Error.AccessDenied' && e.message.startsWith('Rejected send message');
}

async function enqueueOne(
  manager: Manager,
  unit: string,
  jobType: JobType,
  mode: JobMode,
  method: 'EnqueueUnitJob' | 'classic' | 'auto',
  state: { classic: boolean },
): Promise<EnqueuedJob> {
  const classic = CLASSIC_METHODS[jobType];
  if (method === 'EnqueueUnitJob' || !classic || (method === 'auto' && !state.classic)) {
    try {
      return (await manager.enqueueUnitJob(unit, jobType, mode)).enqueued;
    } catch (e) {
      if (method !== 'auto' || !classic || !refusedByBusPolicy(e)) throw e;
      state.classic = true;
    }
  }
  const job = await manager.enqueue(classic!, unit, mode);
  return { id: job.id, jobPath: job.path, unit, unitPath: unitObjectPath(unit), jobType, affected: [] };
}

/** A requested job not queued yet: every field empty. */
export function requestedJob(unit: string): RequestedJob {
  return { unit, unitId: null, jobId: null, jobPath: null, jobType: null, result: null, serviceResult: null, ms: null, needDaemonReload: false, error: null, ignored: false };
}

/** What a failed JobRemoved of a requested job means for systemctl: everything but done/skipped. */
export function isFailedResult(result: string | null): boolean {
  return result !== null && !isJobSuccess(result);
}

async function getUnitProperty(manager: Manager, unitPath: string, iface: string, name: string): Promise<unknown> {
  const [v] = await manager.bus.call({ path: unitPath, interface: PROPS, member: 'Get', signature: 'ss', body: [iface, name] });
  return v;
}

/**
 * systemctl's `need_daemon_reload`: GetUnit (does not load it) + NeedDaemonReload; errors are
 * `false`. With the unit's object path (known once a job was queued for it, so it is loaded), one
 * call instead of two: a Get on a unit's path would load the unit, GetUnit never does.
 */
export async function needDaemonReload(manager: Manager, unit: string, unitPath?: string): Promise<boolean> {
  try {
    if (unitPath) return (await getUnitProperty(manager, unitPath, UNIT_IFACE, 'NeedDaemonReload')) === true;
    const u = await manager.getUnit(unit);
    return (await u.get(UNIT_IFACE, 'NeedDaemonReload')) === true;
  } catch {
    return false;
  }
}

/** `Service.Result` of a failed service (systemctl's `bus_job_get_service_result`), or `null`. */
export async function serviceResultOf(manager: Manager, unit: string): Promise<string | null> {
  if (!unit.endsWith('.service')) return null;
  try {
    const v = await getUnitProperty(manager, unitObjectPath(unit), 'org.freedesktop.systemd1.Service', 'Result');
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * The active units that can start this one again (sockets, paths, timers in `TriggeredBy`), as
 * systemctl checks after `stop`: nothing for a masked unit; errors give `[]`.
 */
export async function activeTriggeringUnits(manager: Manager, unit: string): Promise<string[]> {
  try {
    const path = unitObjectPath(unit);
    if ((await getUnitProperty(manager, path, UNIT_IFACE, 'LoadState')) === 'masked') return [];
    const triggeredBy = (await getUnitProperty(manager, path, UNIT_IFACE, 'TriggeredBy')) as string[];
    const active: string[] = [];
    for (const t of triggeredBy ?? []) {
      const state = await getUnitProperty(manager, unitObjectPath(t), UNIT_IFACE, 'ActiveState');
      if (state === 'active' || state === 'reloading') active.push(t);
    }
    return active;
  } catch {
    return [];
  }
}

function asSystemdError(e: unknown): SystemdError {
  if (e instanceof SystemdError) return e;
  return new SystemdError(e instanceof Error ? e.message : String(e), { cause: e });
}

/**
 * Queue `jobType` (an EnqueueUnitJob type: `start`, `stop`, `reload`, `restart`, `try-restart`,
 * `reload-or-restart`, `reload-or-try-restart`, …) for every unit on `manager`'s connection and,
 * unless `wait: false`, await every requested job. Unit names are used as given (mangle or expand
 * them first: `expandUnitNames`).
 */
export async function runTransaction(
  manager: Manager,
  units: string[],
  jobType: JobType,
  opts: TransactionOptions = {},
): Promise<TransactionReport> {
  const mode = opts.mode ?? 'replace';
  const wait = opts.wait ?? true;
  const hooks = opts.hooks ?? {};
  const state = { classic: false };
  const report: TransactionReport = { jobType, mode, waited: wait, units: [], auxiliary: [], exitCode: 0 };
  const sub = await manager.subscribe({ all: opts.auxiliaryResults ?? true });

  // every JobRemoved from here on: a job can end before its enqueue reply is handled
  const early = new Map<string, { removed: JobRemoved; at: number }>();
  const requested = new Map<string, { job: RequestedJob; started: number }>();
  const aux = new Map<string, AuxiliaryJob>();
  let enqueuing = true;
  let pending = 0;
  let done = 0;
  // as systemctl, jobs are reported once every job is queued (it reads signals only then)
  let enqueueDone!: () => void;
  let chain: Promise<void> = new Promise<void>((r) => (enqueueDone = r));
  let allDone: (() => void) | undefined;
  let failed: ((e: SystemdError) => void) | undefined;

  const finishRequested = (entry: { job: RequestedJob; started: number }, removed: JobRemoved, at: number): void => {
    entry.job.result = removed.result as JobResult;
    entry.job.unitId = removed.unit;
    entry.job.ms = Math.round(at - entry.started);
    chain = chain.then(async () => {
      if (isFailedResult(removed.result) && removed.result === 'failed') entry.job.serviceResult = await serviceResultOf(manager, removed.unit);
      done++;
      pending--;
      hooks.onJobRemoved?.(entry.job, done, requested.size);
      if (!enqueuing && pending === 0) allDone?.();
    });
  };
  const finishAux = (a: AuxiliaryJob, removed: JobRemoved): void => {
    a.result = removed.result as JobResult;
    hooks.onAuxiliaryRemoved?.(a);
  };
  const offSignal = sub.on('JobRemoved', (removed) => {
    const at = performance.now();
    sub.takeJobRemoved(removed.jobPath); // we handle it: keep the subscription's buffer empty
    const r = requested.get(removed.jobPath);
    if (r) return finishRequested(r, removed, at);
    // kept while queuing even when it ends an auxiliary job: a unit queued later can get that
    // very job as its own (systemd merges `start b` into the start of b that `start a` pulled in)
    if (enqueuing) early.set(removed.jobPath, { removed, at });
    const a = aux.get(removed.jobPath);
    if (a) finishAux(a, removed);
  });
  let closedWith: SystemdError | undefined;
  const offClose = manager.bus.onClose((err) => {
    closedWith = err;
    failed?.(err);
  });

  try {
    // pipelined: up to WINDOW calls in flight, handled strictly in order (the manager takes them
    // in the order they arrive, as systemctl's one-by-one calls)
    const attempts: { started: number; outcome: Promise<{ ok: true; enqueued: EnqueuedJob; ndr: boolean } | { ok: false; error: unknown }> }[] = [];
    const launch = (i: number): void => {
      const unit = units[i]!;
      const started = performance.now();
      const outcome = (async () => {
        // the manager's own answer, without asking it (Manager refuses to send an invalid name)
        if (!isValidUnitName(unit)) throw new InvalidArgumentError(`Unit name ${unit} is not valid.`, { dbusName: INVALID_ARGS });
        const enqueued = await enqueueOne(manager, unit, jobType, mode, opts.method ?? 'auto', state);
        const ndr = opts.checkNeedDaemonReload !== false ? await needDaemonReload(manager, unit, enqueued.unitPath) : false;
        return { ok: true as const, enqueued, ndr };
      })().catch((error: unknown) => ({ ok: false as const, error }));
      attempts[i] = { started, outcome };
    };
    for (let i = 0; i < Math.min(WINDOW, units.length); i++) launch(i);
    for (let i = 0; i < units.length; i++) {
      const unit = units[i]!;
      const job = requestedJob(unit);
      report.units.push(job);
      const { started, outcome } = attempts[i]!;
      const r = await outcome;
      if (i + WINDOW < units.length) launch(i + WINDOW);
      if (!r.ok) {
        job.error = asSystemdError(r.error);
        if (job.error instanceof ConnectionError) throw job.error;
        job.ignored = job.error.dbusName === UNIT_MASKED && (jobType === 'try-restart' || jobType === 'reload-or-try-restart');
        if (!job.ignored && report.exitCode === 0) report.exitCode = job.error.exitCode;
        hooks.onEnqueueFailed?.(job);
        continue;
      }
      const enqueued = r.enqueued;
      job.jobId = enqueued.id;
      job.unitId = enqueued.unit;
      job.jobPath = enqueued.jobPath;
      job.jobType = enqueued.jobType;
      for (const a of enqueued.affected) {
        const rec: AuxiliaryJob = { unit: a.unit, jobId: a.id, jobPath: a.jobPath, jobType: a.jobType, anchor: unit, result: null };
        report.auxiliary.push(rec);
        if (wait) {
          aux.set(a.jobPath, rec);
          const got = early.get(a.jobPath);
          if (got) finishAux(rec, got.removed);
        }
      }
      job.needDaemonReload = r.ndr;
      hooks.onEnqueued?.(job, enqueued);
      if (wait) {
        const entry = { job, started };
        requested.set(enqueued.jobPath, entry);
        pending++;
        const got = early.get(enqueued.jobPath);
        if (got) {
          early.delete(enqueued.jobPath);
          finishRequested(entry, got.removed, got.at);
        }
      }
    }
    enqueuing = false;
    early.clear();
    enqueueDone();
    if (wait) {
      hooks.onWaiting?.(pending, requested.size);
      await new Promise<void>((resolve, reject) => {
        allDone = resolve;
        failed = reject;
        // closed while the jobs were being queued: say why, as the bus said it (it names the host)
        if (manager.bus.closed) reject(closedWith ?? new ConnectionError(`the connection to ${manager.bus.address} closed while waiting for jobs`));
        // the chain may have finished every job already
        void chain.then(() => {
          if (pending === 0) resolve();
        });
      });
      await chain;
      if (report.units.some((u) => isFailedResult(u.result))) report.exitCode = 1;
    }
    return report;
  } finally {
    offSignal();
    offClose();
  }
}
