/**
 * Unit objects and their properties: one `GetAll` per interface, typed records keeping the D-Bus
 * property names (see org.freedesktop.systemd1(5)). 64-bit values are numbers (µs timestamps,
 * bytes), `null` where systemd says "unset" (UINT64_MAX).
 */
import type { Bus } from './bus.js';
import type { ActiveState, LoadState } from './types.js';

const PROPS = 'org.freedesktop.DBus.Properties';

/** The D-Bus interfaces a unit object can have. */
export type UnitInterface =
  | 'org.freedesktop.systemd1.Unit'
  | 'org.freedesktop.systemd1.Service'
  | 'org.freedesktop.systemd1.Socket'
  | 'org.freedesktop.systemd1.Timer'
  | 'org.freedesktop.systemd1.Mount'
  | 'org.freedesktop.systemd1.Path'
  | 'org.freedesktop.systemd1.Slice'
  | 'org.freedesktop.systemd1.Scope'
  | 'org.freedesktop.systemd1.Target'
  | 'org.freedesktop.systemd1.Device'
  | 'org.freedesktop.systemd1.Swap'
  | 'org.freedesktop.systemd1.Automount';

/** Properties of `org.freedesktop.systemd1.Unit` (the commonly used ones typed; all present). */
export interface UnitProperties {
  Id: string;
  Names: string[];
  Following: string;
  Requires: string[];
  Wants: string[];
  BindsTo: string[];
  PartOf: string[];
  RequiredBy: string[];
  WantedBy: string[];
  ConsistsOf: string[];
  Conflicts: string[];
  Before: string[];
  After: string[];
  TriggeredBy: string[];
  Triggers: string[];
  Description: string;
  LoadState: LoadState | (string & {});
  ActiveState: ActiveState | (string & {});
  FreezerState: string;
  SubState: string;
  FragmentPath: string;
  SourcePath: string;
  DropInPaths: string[];
  UnitFileState: string;
  UnitFilePreset: string;
  /** Timestamps in µs since the epoch; 0 when it never happened. */
  StateChangeTimestamp: number;
  StateChangeTimestampMonotonic: number;
  InactiveExitTimestamp: number;
  ActiveEnterTimestamp: number;
  ActiveExitTimestamp: number;
  InactiveEnterTimestamp: number;
  CanStart: boolean;
  CanStop: boolean;
  CanReload: boolean;
  CanIsolate: boolean;
  /** The queued job: `[id, path]`, `[0, '/']` when none. */
  Job: [number, string];
  StopWhenUnneeded: boolean;
  RefuseManualStart: boolean;
  RefuseManualStop: boolean;
  ConditionResult: boolean;
  AssertResult: boolean;
  ConditionTimestamp: number;
  AssertTimestamp: number;
  InvocationID: Buffer;
  /** Why loading failed: `[D-Bus error name, message]`, `['', '']` when it did not. */
  LoadError: [string, string];
  Transient: boolean;
  Perpetual: boolean;
  [property: string]: unknown;
}

/** One ExecStart=/ExecStop=… entry of a service, `a(sasbttttuii)`. */
export interface ExecCommand {
  path: string;
  argv: string[];
  ignoreErrors: boolean;
  startTimestamp: number;
  startTimestampMonotonic: number;
  exitTimestamp: number;
  exitTimestampMonotonic: number;
  pid: number;
  /** `si_code` of the exit: 1 exited, 2 killed, 3 dumped. */
  code: number;
  status: number;
}

/** Properties of `org.freedesktop.systemd1.Service` (commonly used ones typed; all present). */
export interface ServiceProperties {
  Type: string;
  Restart: string;
  PIDFile: string;
  NotifyAccess: string;
  RestartUSec: number;
  TimeoutStartUSec: number | null;
  TimeoutStopUSec: number | null;
  RuntimeMaxUSec: number | null;
  WatchdogUSec: number;
  RemainAfterExit: boolean;
  /** `success`, `exit-code`, `signal`, `core-dump`, `timeout`, `watchdog`, `start-limit-hit`, `resources`, `protocol`, `oom`. */
  Result: string;
  MainPID: number;
  ControlPID: number;
  StatusText: string;
  StatusErrno: number;
  NRestarts: number;
  ExecMainStartTimestamp: number;
  ExecMainExitTimestamp: number;
  ExecMainPID: number;
  /** `si_code` of the main process's exit: 1 exited, 2 killed, 3 dumped. */
  ExecMainCode: number;
  ExecMainStatus: number;
  ExecStart: ExecCommand[];
  MemoryCurrent: number | null;
  TasksCurrent: number | null;
  CPUUsageNSec: number | null;
  ControlGroup: string;
  [property: string]: unknown;
}

/** The service properties of signature `a(sasbttttuii)`. */
const EXEC_PROPERTIES = ['ExecCondition', 'ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStop', 'ExecStopPost'];

function asExecCommands(v: unknown): ExecCommand[] {
  if (!Array.isArray(v)) return [];
  return v.map((e) => {
    const a = e as unknown[];
    return {
      path: a[0] as string,
      argv: a[1] as string[],
      ignoreErrors: a[2] as boolean,
      startTimestamp: a[3] as number,
      startTimestampMonotonic: a[4] as number,
      exitTimestamp: a[5] as number,
      exitTimestampMonotonic: a[6] as number,
      pid: a[7] as number,
      code: a[8] as number,
      status: a[9] as number,
    };
  });
}

/** A unit's object on the bus. */
export class UnitObject {
  readonly bus: Bus;
  readonly path: string;
  /** The name the unit was looked up by (may be an alias of `Id`). */
  readonly name: string;

  constructor(bus: Bus, path: string, name = '') {
    this.bus = bus;
    this.path = path;
    this.name = name;
  }

  /** Every property of one interface, in one call, as plain data. */
  async getAll(iface: UnitInterface): Promise<Record<string, unknown>> {
    const [props] = await this.bus.call({ path: this.path, interface: PROPS, member: 'GetAll', signature: 's', body: [iface] });
    return (props ?? {}) as Record<string, unknown>;
  }

  /**
   * Every interface's properties in one call (`GetAll("")`, sd-bus's "all interfaces"), one
   * record, as systemctl's `bus_map_all_properties` reads them: the Unit interface's and the
   * type's (Service, Socket, …) names do not overlap.
   */
  async getAllInterfaces(): Promise<Record<string, unknown>> {
    const [props] = await this.bus.call({ path: this.path, interface: PROPS, member: 'GetAll', signature: 's', body: [''] });
    return (props ?? {}) as Record<string, unknown>;
  }

  /** One property. */
  async get(iface: UnitInterface, property: string): Promise<unknown> {
    const [v] = await this.bus.call({ path: this.path, interface: PROPS, member: 'Get', signature: 'ss', body: [iface, property] });
    return v;
  }

  /** The `org.freedesktop.systemd1.Unit` properties. */
  async unitProperties(): Promise<UnitProperties> {
    return (await this.getAll('org.freedesktop.systemd1.Unit')) as UnitProperties;
  }

  /** The `org.freedesktop.systemd1.Service` properties (only for `.service` units). */
  async serviceProperties(): Promise<ServiceProperties> {
    const p = await this.getAll('org.freedesktop.systemd1.Service');
    for (const k of EXEC_PROPERTIES) if (k in p) p[k] = asExecCommands(p[k]);
    return p as ServiceProperties;
  }

  /** The unit's ActiveState (`active`, `inactive`, `failed`, …). */
  async state(): Promise<ActiveState | (string & {})> {
    return (await this.get('org.freedesktop.systemd1.Unit', 'ActiveState')) as string;
  }
}
