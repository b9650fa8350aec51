/**
 * `org.freedesktop.systemd1.Manager`: method names after the D-Bus methods, arguments in D-Bus
 * order, hard-coded signatures, typed records back. Lifecycle methods subscribe to JobRemoved
 * *before* they enqueue, and return a `Job` that can be awaited without a race.
 */
import { Bus, variant, type ConnectOptions } from './bus.js';
import { ConnectionError, InvalidArgumentError, TimeoutError } from './errors.js';
import { Job } from './job.js';
import { isValidUnitName } from './names.js';
import { MANAGER_IFACE, MANAGER_PATH, ManagerSubscription, type SubscribeOptions } from './signal.js';
import type {
  EnableResult,
  EnqueuedJob,
  JobInfo,
  JobMode,
  JobType,
  KillWhom,
  UnitFileChange,
  UnitFileEntry,
  UnitProcess,
  UnitStatus,
} from './types.js';
import { UnitObject } from './unit.js';
import type { PropertyValue } from './unit-properties.js';

/**
 * How `Reexecute` ended: the connection dropped (`disconnected`), the bus daemon said the manager
 * left without replying (`no-reply`), no answer in time (`timeout`), or a reply (`reply`).
 */
export type ReexecuteEnd = 'disconnected' | 'no-reply' | 'timeout' | 'reply';

/** The unit lifecycle methods: one table, one implementation (systemctl's `unit_actions[]`). */
export const UNIT_ACTIONS = [
  { verb: 'start', method: 'StartUnit', jobType: 'start' },
  { verb: 'stop', method: 'StopUnit', jobType: 'stop' },
  { verb: 'reload', method: 'ReloadUnit', jobType: 'reload' },
  { verb: 'restart', method: 'RestartUnit', jobType: 'restart' },
  { verb: 'try-restart', method: 'TryRestartUnit', jobType: 'try-restart' },
  { verb: 'reload-or-restart', method: 'ReloadOrRestartUnit', jobType: 'reload-or-restart' },
  { verb: 'try-reload-or-restart', method: 'ReloadOrTryRestartUnit', jobType: 'reload-or-try-restart' },
  // systemctl's legacy aliases (its unit_actions[]): same method, same EnqueueUnitJob type
  { verb: 'condstop', method: 'StopUnit', jobType: 'stop', aliasOf: 'stop' },
  { verb: 'condrestart', method: 'TryRestartUnit', jobType: 'try-restart', aliasOf: 'try-restart' },
  { verb: 'reload-or-try-restart', method: 'ReloadOrTryRestartUnit', jobType: 'reload-or-try-restart', aliasOf: 'try-reload-or-restart' },
  { verb: 'condreload', method: 'ReloadOrTryRestartUnit', jobType: 'reload-or-try-restart', aliasOf: 'try-reload-or-restart' },
  { verb: 'force-reload', method: 'ReloadOrTryRestartUnit', jobType: 'reload-or-try-restart', aliasOf: 'try-reload-or-restart' },
] as const;
export type UnitAction = (typeof UNIT_ACTIONS)[number];
export type UnitActionVerb = UnitAction['verb'];
export type UnitActionMethod = UnitAction['method'];

export function unitAction(verb: string): UnitAction | undefined {
  return UNIT_ACTIONS.find((a) => a.verb === verb);
}

function decodeUnitStatus(r: unknown[]): UnitStatus {
  return {
    name: r[0] as string,
    description: r[1] as string,
    loadState: r[2] as string,
    activeState: r[3] as string,
    subState: r[4] as string,
    following: r[5] as string,
    unitPath: r[6] as string,
    jobId: r[7] as number,
    jobType: r[8] as string,
    jobPath: r[9] as string,
  };
}

/** `a(usssoo)`: ListJobs, GetJobAfter, GetJobBefore. */
function decodeJobInfos(v: unknown): JobInfo[] {
  return (v as unknown[][]).map((j) => ({
    id: j[0] as number,
    unit: j[1] as string,
    jobType: j[2] as string,
    state: j[3] as string,
    jobPath: j[4] as string,
    unitPath: j[5] as string,
  }));
}

function decodeChanges(v: unknown): UnitFileChange[] {
  return (v as unknown[][]).map((c) => ({ type: c[0] as string, file: c[1] as string, destination: c[2] as string }));
}

/** Throw `InvalidArgumentError` for a name systemd would refuse: nothing is sent. */
export function assertUnitName(name: string): void {
  if (!isValidUnitName(name)) {
    throw new InvalidArgumentError(`invalid unit name "${name}"`, {
      hint: 'unit names are NAME.TYPE, e.g. nginx.service (use systemd-escape for other characters)',
    });
  }
}

/** The manager's own end methods (systemctl's `-f`). */
export type ManagerEndMethod = 'PowerOff' | 'Reboot' | 'Halt' | 'KExec' | 'Exit';

/** The systemd manager over one connection. */
export class Manager {
  readonly bus: Bus;
  private subscription: Promise<ManagerSubscription> | undefined;

  constructor(bus: Bus) {
    this.bus = bus;
  }

  /** Open a connection and wrap it. Close it with `close()`. */
  static async connect(opts: ConnectOptions = {}): Promise<Manager> {
    return new Manager(await Bus.connect(opts));
  }

  close(): void {
    this.bus.close();
  }

  private call(member: string, signature = '', body: unknown[] = [], mutating = false): Promise<unknown[]> {
    return this.bus.call({ path: MANAGER_PATH, interface: MANAGER_IFACE, member, signature, body, mutating });
  }

  /**
   * The subscription used for this connection's jobs (made once, before the first enqueue).
   * `all: false`: only the JobRemoved of this connection's own jobs are needed (SubscribeOptions);
   * a later call that wants every signal extends it.
   */
  async subscribe(opts: SubscribeOptions = {}): Promise<ManagerSubscription> {
    if (!this.subscription) {
      this.subscription = ManagerSubscription.subscribe(this.bus, opts);
      this.subscription.catch(() => {
        this.subscription = undefined;
      });
    }
    const sub = await this.subscription;
    if (opts.all ?? true) await sub.everything();
    return sub;
  }

  // ── units ──────────────────────────────────────────────────────────────────────────────

  /** ListUnits: every loaded unit. */
  async listUnits(): Promise<UnitStatus[]> {
    const [units] = await this.call('ListUnits');
    return (units as unknown[][]).map(decodeUnitStatus);
  }

  /** ListUnitsFiltered(as states). */
  async listUnitsFiltered(states: string[]): Promise<UnitStatus[]> {
    const [units] = await this.call('ListUnitsFiltered', 'as', [states]);
    return (units as unknown[][]).map(decodeUnitStatus);
  }

  /** ListUnitsByPatterns(as states, as patterns): also loads units matching a plain name. */
  async listUnitsByPatterns(states: string[], patterns: string[]): Promise<UnitStatus[]> {
    const [units] = await this.call('ListUnitsByPatterns', 'asas', [states, patterns]);
    return (units as unknown[][]).map(decodeUnitStatus);
  }

  /** GetUnit(s name): the unit's object; `NoSuchUnitError` when it is not loaded. */
  async getUnit(name: string): Promise<UnitObject> {
    assertUnitName(name);
    const [path] = await this.call('GetUnit', 's', [name]);
    return new UnitObject(this.bus, path as string, name);
  }

  /** LoadUnit(s name): load the unit if needed and return its object. */
  async loadUnit(name: string): Promise<UnitObject> {
    assertUnitName(name);
    const [path] = await this.call('LoadUnit', 's', [name]);
    return new UnitObject(this.bus, path as string, name);
  }

  /** GetUnitByPID(u pid). */
  async getUnitByPID(pid: number): Promise<UnitObject> {
    const [path] = await this.call('GetUnitByPID', 'u', [pid]);
    return new UnitObject(this.bus, path as string);
  }

  /**
   * GetUnitProcesses(s name): every process in the unit's cgroup tree, as `(cgroup path, pid,
   * command line)` (the command line as systemd quotes it, from /proc of the machine it runs on).
   */
  async getUnitProcesses(name: string): Promise<UnitProcess[]> {
    const [procs] = await this.call('GetUnitProcesses', 's', [name]);
    return (procs as unknown[][]).map((p) => ({ cgroup: p[0] as string, pid: p[1] as number, command: p[2] as string }));
  }

  // ── jobs ───────────────────────────────────────────────────────────────────────────────

  /** Enqueue one of the lifecycle methods of `UNIT_ACTIONS`, subscribed first. */
  async enqueue(method: UnitActionMethod, name: string, mode: JobMode = 'replace'): Promise<Job> {
    assertUnitName(name);
    const action = UNIT_ACTIONS.find((a) => a.method === method);
    // its own job's JobRemoved comes without Subscribe() (the manager tracks who queued it)
    const subscription = await this.subscribe({ all: false });
    const [path] = await this.call(method, 'ss', [name, mode], true);
    return new Job(this.bus, path as string, { unit: name, jobType: action?.jobType ?? '', subscription });
  }

  startUnit(name: string, mode: JobMode = 'replace'): Promise<Job> {
    return this.enqueue('StartUnit', name, mode);
  }
  stopUnit(name: string, mode: JobMode = 'replace'): Promise<Job> {
    return this.enqueue('StopUnit', name, mode);
  }
  reloadUnit(name: string, mode: JobMode = 'replace'): Promise<Job> {
    return this.enqueue('ReloadUnit', name, mode);
  }
  restartUnit(name: string, mode: JobMode = 'replace'): Promise<Job> {
    return this.enqueue('RestartUnit', name, mode);
  }
  tryRestartUnit(name: string, mode: JobMode = 'replace'): Promise<Job> {
    return this.enqueue('TryRestartUnit', name, mode);
  }
  reloadOrRestartUnit(name: string, mode: JobMode = 'replace'): Promise<Job> {
    return this.enqueue('ReloadOrRestartUnit', name, mode);
  }
  reloadOrTryRestartUnit(name: string, mode: JobMode = 'replace'): Promise<Job> {
    return this.enqueue('ReloadOrTryRestartUnit', name, mode);
  }

  /**
   * EnqueueMarkedJobs() → ao: a try-restart job for every unit marked `needs-restart`, else a
   * try-reload for `needs-reload` (the Markers property); the job paths.
   */
  async enqueueMarkedJobs(): Promise<string[]> {
    const [paths] = await this.call('EnqueueMarkedJobs', '', [], true);
    return paths as string[];
  }

  /**
   * EnqueueUnitJob(s name, s job_type, s job_mode): like StartUnit & co, but the reply lists every
   * job the transaction pulled in (dependents stopped with a unit, dependencies started).
   */
  async enqueueUnitJob(name: string, jobType: JobType, mode: JobMode = 'replace'): Promise<{ job: Job; enqueued: EnqueuedJob }> {
    assertUnitName(name);
    const subscription = await this.subscribe({ all: false });
    const r = await this.call('EnqueueUnitJob', 'sss', [name, jobType, mode], true);
    const affected = (r[5] as unknown[][]).map((a) => ({
      id: a[0] as number,
      jobPath: a[1] as string,
      unit: a[2] as string,
      unitPath: a[3] as string,
      jobType: a[4] as string,
    }));
    const enqueued: EnqueuedJob = {
      id: r[0] as number,
      jobPath: r[1] as string,
      unit: r[2] as string,
      unitPath: r[3] as string,
      jobType: r[4] as string,
      affected,
    };
    return { job: new Job(this.bus, enqueued.jobPath, { unit: enqueued.unit, jobType: enqueued.jobType, subscription }), enqueued };
  }

  /** ListJobs: every queued job. */
  async listJobs(): Promise<JobInfo[]> {
    const [jobs] = await this.call('ListJobs');
    return decodeJobInfos(jobs);
  }

  /** GetJob(u id): the job object; `NoSuchJob` error when it is gone. */
  async getJob(id: number): Promise<Job> {
    const [path] = await this.call('GetJob', 'u', [id]);
    return new Job(this.bus, path as string);
  }

  /** CancelJob(u id). */
  async cancelJob(id: number): Promise<void> {
    await this.call('CancelJob', 'u', [id], true);
  }

  /** ClearJobs: cancel every queued job (`systemctl cancel` without ids). */
  async clearJobs(): Promise<void> {
    await this.call('ClearJobs', '', [], true);
  }

  /** GetJobAfter(u id): the jobs ordered after this one, waiting for it (`list-jobs --after`). */
  async getJobAfter(id: number): Promise<JobInfo[]> {
    const [jobs] = await this.call('GetJobAfter', 'u', [id]);
    return decodeJobInfos(jobs);
  }

  /** GetJobBefore(u id): the jobs ordered before this one, that it waits for (`list-jobs --before`). */
  async getJobBefore(id: number): Promise<JobInfo[]> {
    const [jobs] = await this.call('GetJobBefore', 'u', [id]);
    return decodeJobInfos(jobs);
  }

  // ── other unit operations ──────────────────────────────────────────────────────────────

  /** ResetFailedUnit(s name). */
  async resetFailedUnit(name: string): Promise<void> {
    assertUnitName(name);
    await this.call('ResetFailedUnit', 's', [name], true);
  }

  /** ResetFailed: every unit. */
  async resetFailed(): Promise<void> {
    await this.call('ResetFailed', '', [], true);
  }

  /** CleanUnit(s name, as mask): remove the unit's runtime/state/cache/logs/configuration directories (`all` by default). */
  async cleanUnit(name: string, mask: string[] = ['all']): Promise<void> {
    assertUnitName(name);
    await this.call('CleanUnit', 'sas', [name, mask], true);
  }

  /** FreezeUnit(s name): freeze the unit's processes (cgroup freezer). */
  async freezeUnit(name: string): Promise<void> {
    assertUnitName(name);
    await this.call('FreezeUnit', 's', [name], true);
  }

  /** ThawUnit(s name). */
  async thawUnit(name: string): Promise<void> {
    assertUnitName(name);
    await this.call('ThawUnit', 's', [name], true);
  }

  /** KillUnit(s name, s whom, i signal). */
  async killUnit(name: string, whom: KillWhom, signal: number): Promise<void> {
    assertUnitName(name);
    await this.call('KillUnit', 'ssi', [name, whom, signal], true);
  }

  /**
   * Reload: `daemon-reload`. The manager is back once the reply arrives. The reply only comes
   * after the reload (generators rerun, each allowed 90 s), so the call waits long: as systemctl,
   * twice the default job timeout (180 s), or `timeout` ms.
   */
  async reload(timeout = Math.max(this.bus.timeout, 180_000)): Promise<void> {
    await this.bus.call({ path: MANAGER_PATH, interface: MANAGER_IFACE, member: 'Reload', mutating: true, timeout });
  }

  /**
   * Reexecute: `daemon-reexec`. systemd serializes its state, executes itself again and never
   * replies: the call ends when the connection drops (systemd's private socket), when the bus
   * daemon answers NoReply for it, or at the timeout (systemctl waits twice the default, 180 s).
   * Those three are success, as in systemctl; an error reply (polkit said no) throws. Resolves
   * with how it ended; on `'disconnected'` this Manager's connection is closed.
   */
  async reexecute(timeout = Math.max(this.bus.timeout, 180_000)): Promise<ReexecuteEnd> {
    try {
      await this.bus.call({ path: MANAGER_PATH, interface: MANAGER_IFACE, member: 'Reexecute', mutating: true, timeout });
      return 'reply';
    } catch (e) {
      if (e instanceof ConnectionError) return 'disconnected';
      if (e instanceof TimeoutError) return e.dbusName === undefined ? 'timeout' : 'no-reply';
      throw e;
    }
  }

  // ── unit files ─────────────────────────────────────────────────────────────────────────

  /** ListUnitFiles: every installed unit file and its state. */
  async listUnitFiles(): Promise<UnitFileEntry[]> {
    const [files] = await this.call('ListUnitFiles');
    return (files as unknown[][]).map((f) => ({ path: f[0] as string, state: f[1] as string }));
  }

  /** ListUnitFilesByPatterns(as states, as patterns). */
  async listUnitFilesByPatterns(states: string[], patterns: string[]): Promise<UnitFileEntry[]> {
    const [files] = await this.call('ListUnitFilesByPatterns', 'asas', [states, patterns]);
    return (files as unknown[][]).map((f) => ({ path: f[0] as string, state: f[1] as string }));
  }

  /** GetUnitFileState(s file): `enabled`, `disabled`, `static`, `masked`, … */
  async getUnitFileState(file: string): Promise<string> {
    const [state] = await this.call('GetUnitFileState', 's', [file]);
    return state as string;
  }

  /** EnableUnitFiles(as files, b runtime, b force). */
  async enableUnitFiles(files: string[], runtime = false, force = false): Promise<EnableResult> {
    const [carries, changes] = await this.call('EnableUnitFiles', 'asbb', [files, runtime, force], true);
    return { carriesInstallInfo: carries as boolean, changes: decodeChanges(changes) };
  }

  /** DisableUnitFiles(as files, b runtime). */
  async disableUnitFiles(files: string[], runtime = false): Promise<UnitFileChange[]> {
    const [changes] = await this.call('DisableUnitFiles', 'asb', [files, runtime], true);
    return decodeChanges(changes);
  }

  /** MaskUnitFiles(as files, b runtime, b force). */
  async maskUnitFiles(files: string[], runtime = false, force = false): Promise<UnitFileChange[]> {
    const [changes] = await this.call('MaskUnitFiles', 'asbb', [files, runtime, force], true);
    return decodeChanges(changes);
  }

  /** UnmaskUnitFiles(as files, b runtime). */
  async unmaskUnitFiles(files: string[], runtime = false): Promise<UnitFileChange[]> {
    const [changes] = await this.call('UnmaskUnitFiles', 'asb', [files, runtime], true);
    return decodeChanges(changes);
  }

  /** ReenableUnitFiles(as files, b runtime, b force): disable, then enable again. */
  async reenableUnitFiles(files: string[], runtime = false, force = false): Promise<EnableResult> {
    const [carries, changes] = await this.call('ReenableUnitFiles', 'asbb', [files, runtime, force], true);
    return { carriesInstallInfo: carries as boolean, changes: decodeChanges(changes) };
  }

  /** PresetUnitFiles(as files, b runtime, b force): enable or disable as the preset policy says. */
  async presetUnitFiles(files: string[], runtime = false, force = false): Promise<EnableResult> {
    const [carries, changes] = await this.call('PresetUnitFiles', 'asbb', [files, runtime, force], true);
    return { carriesInstallInfo: carries as boolean, changes: decodeChanges(changes) };
  }

  /** PresetUnitFilesWithMode(as files, s mode, b runtime, b force); mode: full, enable-only, disable-only. */
  async presetUnitFilesWithMode(files: string[], mode: string, runtime = false, force = false): Promise<EnableResult> {
    const [carries, changes] = await this.call('PresetUnitFilesWithMode', 'assbb', [files, mode, runtime, force], true);
    return { carriesInstallInfo: carries as boolean, changes: decodeChanges(changes) };
  }

  /** PresetAllUnitFiles(s mode, b runtime, b force): the preset policy applied to every unit file. */
  async presetAllUnitFiles(mode: string, runtime = false, force = false): Promise<UnitFileChange[]> {
    const [changes] = await this.call('PresetAllUnitFiles', 'sbb', [mode, runtime, force], true);
    return decodeChanges(changes);
  }

  /** RevertUnitFiles(as files): remove drop-ins and overriding copies in /etc and /run, unmask. */
  async revertUnitFiles(files: string[]): Promise<UnitFileChange[]> {
    const [changes] = await this.call('RevertUnitFiles', 'as', [files], true);
    return decodeChanges(changes);
  }

  /** LinkUnitFiles(as files, b runtime, b force): link unit files from outside the search path into it. */
  async linkUnitFiles(files: string[], runtime = false, force = false): Promise<UnitFileChange[]> {
    const [changes] = await this.call('LinkUnitFiles', 'asbb', [files, runtime, force], true);
    return decodeChanges(changes);
  }

  /** AddDependencyUnitFiles(as files, s target, s type, b runtime, b force); type: Wants or Requires. */
  async addDependencyUnitFiles(files: string[], target: string, type: 'Wants' | 'Requires', runtime = false, force = false): Promise<UnitFileChange[]> {
    const [changes] = await this.call('AddDependencyUnitFiles', 'asssbb', [files, target, type, runtime, force], true);
    return decodeChanges(changes);
  }

  /** GetDefaultTarget(): the unit default.target links to (`graphical.target`, …). */
  async getDefaultTarget(): Promise<string> {
    const [name] = await this.call('GetDefaultTarget');
    return name as string;
  }

  /** SetDefaultTarget(s name, b force): link default.target to `name`. */
  async setDefaultTarget(name: string, force = true): Promise<UnitFileChange[]> {
    const [changes] = await this.call('SetDefaultTarget', 'sb', [name, force], true);
    return decodeChanges(changes);
  }

  /** GetUnitFileLinks(s name, b runtime): the symlinks that enable a unit file (`is-enabled --full`). */
  async getUnitFileLinks(name: string, runtime = false): Promise<string[]> {
    const [links] = await this.call('GetUnitFileLinks', 'sb', [name, runtime]);
    return links as string[];
  }

  // ── the system's state: the manager's own shutdown, exit code and root switch ────────────

  /** PowerOff(), Reboot(), Halt(), KExec() or Exit() (systemctl's `-f`): no unit is started. */
  async callEndMethod(method: ManagerEndMethod): Promise<void> {
    await this.call(method, '', [], true);
  }

  /** SetExitCode(y number): the manager's exit code when it exits (containers, `--user`). */
  async setExitCode(code: number): Promise<void> {
    await this.call('SetExitCode', 'y', [code], true);
  }

  /** SwitchRoot(s new_root, s init): systemd refuses it outside an initrd. */
  async switchRoot(newRoot: string, init: string): Promise<void> {
    await this.call('SwitchRoot', 'ss', [newRoot, init], true);
  }

  // ── the manager itself ─────────────────────────────────────────────────────────────────

  /** A property of the manager object (`Version`, `SystemState`, …). */
  async getProperty(name: string): Promise<unknown> {
    const [v] = await this.bus.call({
      path: MANAGER_PATH,
      interface: 'org.freedesktop.DBus.Properties',
      member: 'Get',
      signature: 'ss',
      body: [MANAGER_IFACE, name],
    });
    return v;
  }

  /** Set a property of the manager object (`ServiceWatchdogs`, …) with Properties.Set. */
  async setProperty(name: string, signature: string, value: unknown): Promise<void> {
    await this.bus.call({
      path: MANAGER_PATH,
      interface: 'org.freedesktop.DBus.Properties',
      member: 'Set',
      signature: 'ssv',
      body: [MANAGER_IFACE, name, variant(signature, value)],
      mutating: true,
    });
  }

  /** SetEnvironment(as assignments): `NAME=VALUE` into the manager's environment. */
  async setEnvironment(assignments: string[]): Promise<void> {
    await this.call('SetEnvironment', 'as', [assignments], true);
  }

  /** UnsetEnvironment(as names): names (or `NAME=VALUE`, removed only with that value). */
  async unsetEnvironment(names: string[]): Promise<void> {
    await this.call('UnsetEnvironment', 'as', [names], true);
  }

  // ── unit operations of the unit verbs ──────────────────────────────────────────────────

  /** RefUnit(s name): keep the unit loaded while this connection lives (needs a bus daemon). */
  async refUnit(name: string): Promise<void> {
    await this.call('RefUnit', 's', [name], true);
  }

  /** SetUnitProperties(s name, b runtime, a(sv) properties): what `set-property` sends. */
  async setUnitProperties(name: string, runtime: boolean, properties: PropertyValue[]): Promise<void> {
    const body = properties.map((p) => [p.name, variant(p.signature, p.value)]);
    await this.call('SetUnitProperties', 'sba(sv)', [name, runtime, body], true);
  }

  /** BindMountUnit(s name, s source, s destination, b read_only, b mkdir). */
  async bindMountUnit(name: string, source: string, destination: string, readOnly: boolean, mkdir: boolean): Promise<void> {
    await this.call('BindMountUnit', 'sssbb', [name, source, destination, readOnly, mkdir], true);
  }

  /** MountImageUnit(s name, s source, s destination, b read_only, b mkdir, a(ss) options). */
  async mountImageUnit(name: string, source: string, destination: string, readOnly: boolean, mkdir: boolean, options: [string, string][]): Promise<void> {
    await this.call('MountImageUnit', 'sssbba(ss)', [name, source, destination, readOnly, mkdir, options], true);
  }
}
