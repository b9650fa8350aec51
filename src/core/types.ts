/**
 * Typed records and string unions of the systemd D-Bus API (org.freedesktop.systemd1(5)).
 * Records returned by Manager methods use camelCase fields in D-Bus order; unit properties keep
 * their D-Bus names (see `unit.ts`).
 */

/** How a job is queued (the `mode` argument of StartUnit & co). */
export type JobMode =
  | 'replace'
  | 'fail'
  | 'isolate'
  | 'ignore-dependencies'
  | 'ignore-requirements'
  | 'flush'
  | 'triggering'
  | 'restart-dependencies';

/** The type of a job. */
export type JobType =
  | 'start'
  | 'verify-active'
  | 'stop'
  | 'reload'
  | 'restart'
  | 'try-restart'
  | 'reload-or-start'
  | 'try-reload'
  | 'nop'
  | (string & {});

/** Where a queued job is: waiting for others, or running. */
export type JobState = 'waiting' | 'running';

/** How a job ended (the `result` of JobRemoved). `done` and `skipped` are success. */
export type JobResult =
  | 'done'
  | 'skipped'
  | 'canceled'
  | 'timeout'
  | 'failed'
  | 'dependency'
  | 'invalid'
  | 'assert'
  | 'unsupported'
  | 'collected'
  | 'once';

export type LoadState = 'stub' | 'loaded' | 'not-found' | 'bad-setting' | 'error' | 'merged' | 'masked';
export type ActiveState = 'active' | 'reloading' | 'inactive' | 'failed' | 'activating' | 'deactivating' | 'maintenance';

/** Who gets the signal of KillUnit. */
export type KillWhom = 'main' | 'control' | 'all';

/** One entry of ListUnits / ListUnitsFiltered / ListUnitsByPatterns, `a(ssssssouso)`. */
export interface UnitStatus {
  /** The primary unit name, e.g. `nginx.service`. */
  name: string;
  /** The human-readable description (from systemd: escape before printing). */
  description: string;
  loadState: LoadState | (string & {});
  activeState: ActiveState | (string & {});
  /** Unit-type specific state, e.g. `running`, `exited`, `dead`. */
  subState: string;
  /** A unit this one follows (device aliases), or `''`. */
  following: string;
  /** The unit's object path. */
  unitPath: string;
  /** The id of the job queued for the unit, 0 when none. */
  jobId: number;
  /** The type of that job, `''` when none. */
  jobType: string;
  /** That job's object path, `/` when none. */
  jobPath: string;
}

/** One entry of ListJobs, `a(usssoo)`. */
export interface JobInfo {
  id: number;
  unit: string;
  jobType: JobType;
  state: JobState | (string & {});
  jobPath: string;
  unitPath: string;
}

/** One entry of ListUnitFiles, `a(ss)`. */
export interface UnitFileEntry {
  path: string;
  /** `enabled`, `disabled`, `static`, `masked`, `linked`, `alias`, `generated`, … */
  state: string;
}

/** One change made by Enable/Disable/Mask/UnmaskUnitFiles, `a(sss)`. */
export interface UnitFileChange {
  /** `symlink`, `unlink`, … */
  type: string;
  /** The file changed. */
  file: string;
  /** The link target, for `symlink`. */
  destination: string;
}

/** The reply of EnableUnitFiles, `(ba(sss))`. */
export interface EnableResult {
  /** Whether the unit files had an [Install] section. */
  carriesInstallInfo: boolean;
  changes: UnitFileChange[];
}

/** The JobRemoved signal, `(uoss)`. */
export interface JobRemoved {
  id: number;
  jobPath: string;
  unit: string;
  result: JobResult | (string & {});
}

/** The reply of EnqueueUnitJob: the job and every job the transaction pulled in. */
export interface EnqueuedJob {
  id: number;
  jobPath: string;
  unit: string;
  unitPath: string;
  jobType: JobType;
  affected: { id: number; jobPath: string; unit: string; unitPath: string; jobType: JobType }[];
}

/** One entry of GetUnitProcesses, `a(sus)`. */
export interface UnitProcess {
  /** The cgroup path, relative to the manager's root (`/system.slice/nginx.service`). */
  cgroup: string;
  pid: number;
  /** The command line as systemd quotes it (may hold anything: escape before printing). */
  command: string;
}
