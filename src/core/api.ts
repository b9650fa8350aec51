/**
 * One-off operations: each opens its own connection, does its work and closes it. Lifecycle calls
 * wait for their job by default (signal-driven); `wait: false` returns the `Job` instead (its
 * connection then stays open until `job.bus.close()`).
 */
import type { ConnectOptions } from './bus.js';
import type { Job } from './job.js';
import { Manager, type ReexecuteEnd, type UnitActionMethod } from './manager.js';
import type {
  EnableResult,
  JobInfo,
  JobMode,
  JobRemoved,
  KillWhom,
  UnitFileChange,
  UnitFileEntry,
  UnitStatus,
} from './types.js';
import type { JobType } from './types.js';
import { expandUnitNames } from './expand.js';
import { runTransaction, type TransactionOptions, type TransactionReport } from './transaction.js';

/**
 * Run `fn` with one connection, closed afterwards whatever happens. For several calls in a row:
 * `withConnection({ bus: 'user' }, async (m) => { const u = await m.getUnit('x.service'); … })`.
 */
export async function withConnection<T>(opts: ConnectOptions, fn: (manager: Manager) => Promise<T>): Promise<T> {
  const manager = await Manager.connect(opts);
  try {
    return await fn(manager);
  } finally {
    manager.close();
  }
}

export interface ListUnitsOptions extends ConnectOptions {
  /** Glob patterns on unit names (`ssh*`, `*.socket`), matched against the loaded units only. */
  patterns?: string[];
  /** Load, active or sub states to keep (`failed`, `running`, `loaded`…). */
  states?: string[];
}

/** Loaded units, optionally filtered by state and name patterns (ListUnitsByPatterns). */
export function listUnits(opts: ListUnitsOptions = {}): Promise<UnitStatus[]> {
  return withConnection(opts, (m) =>
    opts.patterns?.length || opts.states?.length ? m.listUnitsByPatterns(opts.states ?? [], opts.patterns ?? []) : m.listUnits(),
  );
}

/** Queued jobs. */
export function listJobs(opts: ConnectOptions = {}): Promise<JobInfo[]> {
  return withConnection(opts, (m) => m.listJobs());
}

/** Installed unit files and their enablement state. */
export function listUnitFiles(opts: ConnectOptions & { patterns?: string[]; states?: string[] } = {}): Promise<UnitFileEntry[]> {
  return withConnection(opts, (m) =>
    opts.patterns?.length || opts.states?.length ? m.listUnitFilesByPatterns(opts.states ?? [], opts.patterns ?? []) : m.listUnitFiles(),
  );
}

/** The enablement state of one unit file (`enabled`, `disabled`, `static`, `masked`, …). */
export function unitFileState(file: string, opts: ConnectOptions = {}): Promise<string> {
  return withConnection(opts, (m) => m.getUnitFileState(file));
}

/** `daemon-reload`. */
export function reload(opts: ConnectOptions = {}): Promise<void> {
  return withConnection(opts, (m) => m.reload());
}

/** `daemon-reexec`: resolves once systemd went away to execute itself again (how: see `ReexecuteEnd`). */
export function reexecute(opts: ConnectOptions = {}): Promise<ReexecuteEnd> {
  return withConnection(opts, (m) => m.reexecute());
}

/** Cancel one queued job by its id (CancelJob). */
export function cancelJob(id: number, opts: ConnectOptions = {}): Promise<void> {
  return withConnection(opts, (m) => m.cancelJob(id));
}

/** Cancel every queued job (ClearJobs). */
export function clearJobs(opts: ConnectOptions = {}): Promise<void> {
  return withConnection(opts, (m) => m.clearJobs());
}

/** Forget the failed state of every unit (ResetFailed). */
export function resetFailed(opts: ConnectOptions = {}): Promise<void> {
  return withConnection(opts, (m) => m.resetFailed());
}

export interface JobOptions extends ConnectOptions {
  /** How the job is queued (default `replace`). */
  mode?: JobMode;
  /** Wait for the job to finish (default `true`). */
  wait?: boolean;
  /** Give up waiting for the job after this many ms (default: wait as long as systemd does). */
  jobTimeout?: number;
}

/**
 * Enqueue a lifecycle job and (by default) wait for it. Resolves with the JobRemoved record, or
 * with the `Job` when `wait: false`. A job that does not end in `done`/`skipped` rejects with
 * `JobError`.
 */
export async function runUnitJob(method: UnitActionMethod, name: string, opts: JobOptions & { wait: false }): Promise<Job>;
export async function runUnitJob(method: UnitActionMethod, name: string, opts?: JobOptions): Promise<JobRemoved>;
export async function runUnitJob(method: UnitActionMethod, name: string, opts: JobOptions = {}): Promise<JobRemoved | Job> {
  const manager = await Manager.connect(opts);
  let keepOpen = false;
  try {
    const job = await manager.enqueue(method, name, opts.mode ?? 'replace');
    if (opts.wait === false) {
      keepOpen = true;
      return job;
    }
    return await job.awaitSignal(opts.jobTimeout === undefined ? {} : { timeout: opts.jobTimeout });
  } finally {
    if (!keepOpen) manager.close();
  }
}

type JobFn = {
  (name: string, opts: JobOptions & { wait: false }): Promise<Job>;
  (name: string, opts?: JobOptions): Promise<JobRemoved>;
};
const jobFn = (method: UnitActionMethod): JobFn =>
  ((name: string, opts?: JobOptions) => runUnitJob(method, name, opts as JobOptions)) as JobFn;

/** StartUnit, waiting for the job by default. */
export const startUnit = jobFn('StartUnit');
/** StopUnit, waiting for the job by default. */
export const stopUnit = jobFn('StopUnit');
/** RestartUnit, waiting for the job by default. */
export const restartUnit = jobFn('RestartUnit');
/** ReloadUnit, waiting for the job by default. */
export const reloadUnit = jobFn('ReloadUnit');
/** TryRestartUnit, waiting for the job by default. */
export const tryRestartUnit = jobFn('TryRestartUnit');
/** ReloadOrRestartUnit, waiting for the job by default. */
export const reloadOrRestartUnit = jobFn('ReloadOrRestartUnit');
/** ReloadOrTryRestartUnit, waiting for the job by default. */
export const reloadOrTryRestartUnit = jobFn('ReloadOrTryRestartUnit');

/** Forget a unit's failed state (and its restart counter). */
export function resetFailedUnit(name: string, opts: ConnectOptions = {}): Promise<void> {
  return withConnection(opts, (m) => m.resetFailedUnit(name));
}

/** Send a signal to a unit's processes (`whom`: `all` by default; `signal`: 15 by default). */
export function killUnit(name: string, opts: ConnectOptions & { whom?: KillWhom; signal?: number } = {}): Promise<void> {
  return withConnection(opts, (m) => m.killUnit(name, opts.whom ?? 'all', opts.signal ?? 15));
}

export interface UnitFileOptions extends ConnectOptions {
  /** Change /run (until reboot) rather than /etc. */
  runtime?: boolean;
  /** Replace conflicting symlinks. */
  force?: boolean;
}

/** Enable unit files (create their [Install] symlinks). */
export function enableUnitFiles(files: string[], opts: UnitFileOptions = {}): Promise<EnableResult> {
  return withConnection(opts, (m) => m.enableUnitFiles(files, opts.runtime ?? false, opts.force ?? false));
}

/** Disable unit files (remove their symlinks). */
export function disableUnitFiles(files: string[], opts: UnitFileOptions = {}): Promise<UnitFileChange[]> {
  return withConnection(opts, (m) => m.disableUnitFiles(files, opts.runtime ?? false));
}

/** Mask unit files (link them to /dev/null). */
export function maskUnitFiles(files: string[], opts: UnitFileOptions = {}): Promise<UnitFileChange[]> {
  return withConnection(opts, (m) => m.maskUnitFiles(files, opts.runtime ?? false, opts.force ?? false));
}

/** Unmask unit files. */
export function unmaskUnitFiles(files: string[], opts: UnitFileOptions = {}): Promise<UnitFileChange[]> {
  return withConnection(opts, (m) => m.unmaskUnitFiles(files, opts.runtime ?? false));
}

/** Re-enable unit files: remove their symlinks, then create them again from [Install]. */
export function reenableUnitFiles(files: string[], opts: UnitFileOptions = {}): Promise<EnableResult> {
  return withConnection(opts, (m) => m.reenableUnitFiles(files, opts.runtime ?? false, opts.force ?? false));
}

/** The symlinks that enable a unit file (as `systemctl is-enabled --full` lists them). */
export function unitFileLinks(file: string, opts: ConnectOptions & { runtime?: boolean } = {}): Promise<string[]> {
  return withConnection(opts, (m) => m.getUnitFileLinks(file, opts.runtime ?? false));
}

/**
 * Several units, one job type, one connection (systemctl's `start a b c`): the arguments are
 * mangled and globs expanded as systemctl's (`nginx` → `nginx.service`), one job is queued per
 * unit, and every job is awaited together (unless `wait: false`). Never rejects for a unit's
 * failure: read `report.units[i].result` / `.error` and `report.exitCode`.
 *
 *     const { report } = await runUnitJobs(['nginx', 'php-fpm'], 'restart');
 */
export async function runUnitJobs(
  units: string[],
  jobType: JobType,
  opts: ConnectOptions & Omit<TransactionOptions, 'hooks'> = {},
): Promise<{ report: TransactionReport; warnings: string[] }> {
  return withConnection(opts, async (m) => {
    const { names, warnings } = await expandUnitNames(m, units);
    return { report: await runTransaction(m, names, jobType, opts), warnings };
  });
}
