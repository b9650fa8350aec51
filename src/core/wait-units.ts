/**
 * `--wait` of start/restart, as systemctl 252 (src/shared/bus-wait-for-units.c with
 * BUS_WAIT_FOR_INACTIVE | BUS_WAIT_NO_JOB): take a reference on each unit (`Unit.Ref`, so that
 * systemd keeps it loaded while we wait), listen to its `PropertiesChanged` and read its
 * properties (all units' calls at once); a unit is done when its ActiveState is `inactive` or `failed` and no job is
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
    /** Its GetAll is under way; `signals`: how many of its signals came meanwhile. */
    reading: false,
    signals: 0,
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
    for (const item of items) {
      if (item.path !== s.path) continue;
      if (item.reading) item.signals++;
      update(item, (s.body[1] ?? {}) as Record<string, unknown>);
    }
  });
  /**
   * A unit's properties, read once its match is there. A reply's promise settles after the
   * messages read with it were dispatched: a signal that came while the GetAll was under way may
   * be older or newer than the reply, so the unit is read again (a few times at most; systemctl's
   * callbacks run in the order of the messages and need none of this).
   */
  const read = (item: (typeof items)[number], tries = 0): Promise<unknown> => {
    item.reading = true;
    item.signals = 0;
    return bus.call({ path: item.path, interface: PROPS_IFACE, member: 'GetAll', signature: 's', body: [UNIT_IFACE] }).then(
      ([p]) => {
        item.reading = false;
        if (item.signals > 0 && tries < 5 && !item.ended) return read(item, tries + 1);
        update(item, (p ?? {}) as Record<string, unknown>);
        return null;
      },
      (e: unknown) => {
        item.reading = false;
        if (!(e instanceof SystemdError)) return e;
        item.ended ??= { unit: item.unit, activeState: null };
        return null;
      },
    );
  };
  const offClose = bus.onClose((err) => rejectDone(err));
  // every unit's Ref, match and GetAll go out at once, as systemctl's async calls (one write,
  // one round trip for them all, not three per unit in turn). The bus daemon takes a match before
  // it passes on the calls sent after it, so no change after the GetAll is missed.
  const sent = items.map((item) => ({
    // as systemctl: the reference is best effort (its reply is not even awaited there)
    ref: bus.call({ path: item.path, interface: UNIT_IFACE, member: 'Ref', mutating: true }).then(
      () => true,
      () => false,
    ),
    match: bus.addMatch(propertiesMatch(item.path)).then(
      () => null,
      (e: unknown) => e,
    ),
    props: read(item),
  }));
  const reffed: string[] = [];
  const matched: string[] = [];
  let failed: unknown = null;
  for (const [i, item] of items.entries()) {
    if (await sent[i]!.ref) reffed.push(item.path);
    const e = await sent[i]!.match;
    if (e === null) matched.push(item.path);
    else failed ??= e;
    failed ??= await sent[i]!.props;
  }
  const close = async (): Promise<void> => {
    offSignal();
    offClose();
    if (bus.closed) return;
    for (const path of matched) await bus.removeMatch(propertiesMatch(path)).catch(() => undefined);
    for (const path of reffed) await bus.call({ path, interface: UNIT_IFACE, member: 'Unref' }).catch(() => undefined);
    await subscription.unsubscribe().catch(() => undefined);
  };
  if (failed !== null) {
    await close();
    throw failed;
  }
  check();
  let closed = false;
  return {
    done,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}
