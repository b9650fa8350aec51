/**
 * `--wait` of start/restart, as systemctl 252 (src/shared/bus-wait-for-units.c with
 * BUS_WAIT_FOR_INACTIVE | BUS_WAIT_NO_JOB): take a reference on each unit (`Unit.Ref`, so that
 * systemd keeps it loaded while we wait), listen to its `PropertiesChanged` and read its
 * properties once; a unit is done when its ActiveState is `inactive` or `failed` and no job is
 * pending on it. The manager must be subscribed (`Subscribe()`), or systemd sends no signals to
 * the bus.
 *
 *     const watch = await watchUntilInactive(bus, ['job.service']);
 *     const ended = await watch.done; // [{ unit: 'job.service', activeState: 'inactive' }]
 */
import type { Bus, BusSignal } from './bus.js';
import { SystemdError } from './errors.js';
import { unitObjectPath } from './names.js';
import { ManagerSubscription } from './signal.js';

const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';
const PROPS_IFACE = 'org.freedesktop.DBus.Properties';

/** How one watched unit ended. */
export interface UnitEnded {
  unit: string;
  /** `inactive`, `failed`; `null` when its properties could not be read (counted as failed, as systemctl). */
  activeState: string | null;
}

export interface UnitWatch {
  /** Resolves when every unit is done, in the order they were given. */
  done: Promise<UnitEnded[]>;
  /** Stop watching (also when not done): matches removed, references dropped. */
  close(): Promise<void>;
}

function propertiesMatch(path: string): string {
  return `type='signal',sender='org.freedesktop.systemd1',path='${path}',interface='${PROPS_IFACE}',member='PropertiesChanged'`;
}

/** Whether a unit in this state is done waiting (`wait_for_item_check_ready`). */
export function stoppedForGood(activeState: string | undefined, jobId: number | undefined): boolean {
  if (jobId !== 0) return false;
  return activeState === 'inactive' || activeState === 'failed';
}

/** Watch `units` until each is inactive or failed with no job (see the module comment). */
export async function watchUntilInactive(bus: Bus, units: string[]): Promise<UnitWatch> {
  const subscription = await ManagerSubscription.subscribe(bus);
  const items = units.map((unit) => ({
    unit,
    path: unitObjectPath(unit),
    activeState: undefined as string | undefined,
    jobId: undefined as number | undefined,
    ended: null as UnitEnded | null,
  }));
  let resolveDone!: (r: UnitEnded[]) => void;
  let rejectDone!: (e: SystemdError) => void;
  const done = new Promise<UnitEnded[]>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const check = (): void => {
    if (items.every((i) => i.ended !== null)) resolveDone(items.map((i) => i.ended!));
  };
  const update = (item: (typeof items)[number], props: Record<string, unknown>): void => {
    if (item.ended) return;
    if (typeof props.ActiveState === 'string') item.activeState = props.ActiveState;
    if (Array.isArray(props.Job)) item.jobId = Number(props.Job[0]);
    if (stoppedForGood(item.activeState, item.jobId)) {
      item.ended = { unit: item.unit, activeState: item.activeState! };
      check();
    }
  };
  const offSignal = bus.onSignal((s: BusSignal) => {
    if (s.interface !== PROPS_IFACE || s.member !== 'PropertiesChanged' || s.body[0] !== UNIT_IFACE) return;
    for (const item of items) if (item.path === s.path) update(item, (s.body[1] ?? {}) as Record<string, unknown>);
  });
  const offClose = bus.onClose((err) => rejectDone(err));
  const reffed: string[] = [];
  const matched: string[] = [];
  for (const item of items) {
    // as systemctl: the reference is best effort (its reply is not even awaited there)
    try {
      await bus.call({ path: item.path, interface: UNIT_IFACE, member: 'Ref', mutating: true });
      reffed.push(item.path);
    } catch {
      /* not reffed: still watched */
    }
    await bus.addMatch(propertiesMatch(item.path));
    matched.push(item.path);
    try {
      const [props] = await bus.call({ path: item.path, interface: PROPS_IFACE, member: 'GetAll', signature: 's', body: [UNIT_IFACE] });
      update(item, (props ?? {}) as Record<string, unknown>);
    } catch (e) {
      if (!(e instanceof SystemdError)) throw e;
      item.ended = { unit: item.unit, activeState: null };
    }
  }
  check();
  let closed = false;
  return {
    done,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      offSignal();
      offClose();
      if (bus.closed) return;
      for (const path of matched) await bus.removeMatch(propertiesMatch(path)).catch(() => undefined);
      for (const path of reffed) await bus.call({ path, interface: UNIT_IFACE, member: 'Unref' }).catch(() => undefined);
      await subscription.unsubscribe().catch(() => undefined);
    },
  };
}
