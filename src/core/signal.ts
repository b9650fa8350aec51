/**
 * Manager signals. A `ManagerSubscription` installs its listener and match rule and (unless only
 * the connection's own jobs matter) calls `Subscribe()` *before* anything is enqueued, then buffers every `JobRemoved` by job path, so a
 * signal that arrives in the same read as the reply of StartUnit is never lost
 * (systemctl's bus-wait-for-jobs.c, go-systemd's startJob).
 */
import type { Bus, BusSignal } from './bus.js';
import { ConnectionError, SystemdError, TimeoutError } from './errors.js';
import type { JobRemoved } from './types.js';

export const MANAGER_PATH = '/org/freedesktop/systemd1';
export const MANAGER_IFACE = 'org.freedesktop.systemd1.Manager';
const MANAGER_MATCH = `type='signal',sender='org.freedesktop.systemd1',path='${MANAGER_PATH}',interface='${MANAGER_IFACE}'`;

/** The manager signals, with their bodies as typed records. */
export interface ManagerEvents {
  JobNew: { id: number; jobPath: string; unit: string };
  JobRemoved: JobRemoved;
  UnitNew: { unit: string; unitPath: string };
  UnitRemoved: { unit: string; unitPath: string };
  StartupFinished: { firmware: number; loader: number; kernel: number; initrd: number; userspace: number; total: number };
  UnitFilesChanged: Record<string, never>;
  Reloading: { active: boolean };
}
export type ManagerEventName = keyof ManagerEvents;

/** Most JobRemoved signals kept for job paths nobody asked for yet (oldest dropped first). */
const BUFFER_MAX = 10_000;

interface Waiter {
  resolve: (r: JobRemoved) => void;
  reject: (e: SystemdError) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Subscriptions to every signal per connection: `Subscribe()` once, `Unsubscribe()` when the last one goes. */
const subscribers = new WeakMap<Bus, number>();

export interface SubscribeOptions {
  /**
   * Ask the manager for every signal (`Subscribe()`, the default): other clients' jobs, the
   * auxiliary jobs of our transactions, StartupFinished, and — on a bus — every unit's
   * PropertiesChanged, which systemd then serialises and sends for every change. `false`: only
   * what the manager sends anyway, the JobRemoved of the jobs this connection queued itself (it
   * tracks their sender), as systemctl waits for its jobs.
   */
  all?: boolean;
}

/** A live subscription to the manager's signals on one connection. */
export class ManagerSubscription {
  readonly bus: Bus;
  private readonly buffer = new Map<string, JobRemoved>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly handlers = new Map<ManagerEventName, Set<(e: never) => void>>();
  private readonly offSignal: () => void;
  private readonly offClose: () => void;
  private ended: SystemdError | undefined;
  /** `Subscribe()` was called for this subscription (see SubscribeOptions.all). */
  private all = false;

  private constructor(bus: Bus) {
    this.bus = bus;
    this.offSignal = bus.onSignal((s) => this.onSignal(s));
    this.offClose = bus.onClose((err) => this.fail(err));
  }

  /** Listen first, then AddMatch, then (`all`, the default) `Subscribe()`. */
  static async subscribe(bus: Bus, opts: SubscribeOptions = {}): Promise<ManagerSubscription> {
    const sub = new ManagerSubscription(bus);
    try {
      await bus.addMatch(MANAGER_MATCH);
      if (opts.all ?? true) await sub.everything();
    } catch (e) {
      sub.detach();
      await bus.removeMatch(MANAGER_MATCH).catch(() => undefined);
      throw e;
    }
    return sub;
  }

  /** From now on every signal (`Subscribe()`, once per connection): see SubscribeOptions.all. */
  async everything(): Promise<void> {
    if (this.all) return;
    const n = subscribers.get(this.bus) ?? 0;
    subscribers.set(this.bus, n + 1);
    this.all = true;
    try {
      if (n === 0) await this.bus.call({ path: MANAGER_PATH, interface: MANAGER_IFACE, member: 'Subscribe' });
    } catch (e) {
      subscribers.set(this.bus, (subscribers.get(this.bus) ?? 1) - 1);
      this.all = false;
      throw e;
    }
  }

  /** Call `fn` for every signal of that name. Returns the function that stops it. */
  on<K extends ManagerEventName>(event: K, fn: (e: ManagerEvents[K]) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(fn as (e: never) => void);
    return () => set.delete(fn as (e: never) => void);
  }

  /** A JobRemoved that has already arrived for this job path (and forget it), if any. */
  takeJobRemoved(jobPath: string): JobRemoved | undefined {
    const r = this.buffer.get(jobPath);
    if (r) this.buffer.delete(jobPath);
    return r;
  }

  /**
   * Resolve with the JobRemoved of this job, from the buffer or when it arrives. Rejects with
   * `TimeoutError` after `timeout` ms (no timeout by default: jobs end by systemd's own job
   * timeouts) and with `ConnectionError` when the connection closes.
   */
  awaitJobRemoved(jobPath: string, opts: { timeout?: number } = {}): Promise<JobRemoved> {
    const got = this.takeJobRemoved(jobPath);
    if (got) return Promise.resolve(got);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<JobRemoved>((resolve, reject) => {
      const w: Waiter = { resolve, reject, timer: undefined };
      if (opts.timeout !== undefined) {
        w.timer = setTimeout(() => {
          this.dropWaiter(jobPath, w);
          reject(new TimeoutError(`job ${jobPath} did not finish within ${Math.round(opts.timeout! / 100) / 10} s`, {
            hint: 'the job is still queued in systemd; see `sysherd list-jobs`',
          }));
        }, opts.timeout);
      }
      const list = this.waiters.get(jobPath);
      if (list) list.push(w);
      else this.waiters.set(jobPath, [w]);
    });
  }

  /** Stop listening, remove the match rule and (for the last subscriber) call `Unsubscribe()`. */
  async unsubscribe(): Promise<void> {
    if (this.ended) {
      this.detach();
      return;
    }
    this.fail(new ConnectionError('the subscription was ended'));
    this.detach();
    if (this.bus.closed) return;
    await this.bus.removeMatch(MANAGER_MATCH);
    if (!this.all) return;
    const n = subscribers.get(this.bus) ?? 1;
    subscribers.set(this.bus, n - 1);
    if (n - 1 === 0) await this.bus.call({ path: MANAGER_PATH, interface: MANAGER_IFACE, member: 'Unsubscribe' });
  }

  private detach(): void {
    this.offSignal();
    this.offClose();
  }

  private dropWaiter(jobPath: string, w: Waiter): void {
    const list = this.waiters.get(jobPath);
    if (!list) return;
    const i = list.indexOf(w);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.waiters.delete(jobPath);
  }

  private fail(err: SystemdError): void {
    if (this.ended) return;
    this.ended = err;
    for (const list of this.waiters.values()) {
      for (const w of list) {
        if (w.timer) clearTimeout(w.timer);
        w.reject(err);
      }
    }
    this.waiters.clear();
  }

  private onSignal(s: BusSignal): void {
    if (s.path !== MANAGER_PATH || s.interface !== MANAGER_IFACE) return;
    const ev = decodeManagerSignal(s.member, s.body);
    if (!ev) return;
    if (ev.name === 'JobRemoved') {
      const r = ev.value as JobRemoved;
      const list = this.waiters.get(r.jobPath);
      if (list && list.length > 0) {
        this.waiters.delete(r.jobPath);
        for (const w of list) {
          if (w.timer) clearTimeout(w.timer);
          w.resolve(r);
        }
      } else {
        if (this.buffer.size >= BUFFER_MAX) {
          const oldest = this.buffer.keys().next().value;
          if (oldest !== undefined) this.buffer.delete(oldest);
        }
        this.buffer.set(r.jobPath, r);
      }
    }
    const set = this.handlers.get(ev.name);
    if (set) for (const fn of [...set]) (fn as (e: unknown) => void)(ev.value);
  }
}

/** Decode a manager signal body by its member name; `undefined` for signals we do not know. */
export function decodeManagerSignal(
  member: string,
  b: unknown[],
): { name: ManagerEventName; value: ManagerEvents[ManagerEventName] } | undefined {
  switch (member) {
    case 'JobNew':
      return { name: member, value: { id: b[0] as number, jobPath: b[1] as string, unit: b[2] as string } };
    case 'JobRemoved':
      return { name: member, value: { id: b[0] as number, jobPath: b[1] as string, unit: b[2] as string, result: b[3] as string } };
    case 'UnitNew':
    case 'UnitRemoved':
      return { name: member, value: { unit: b[0] as string, unitPath: b[1] as string } };
    case 'StartupFinished': {
      const [firmware, loader, kernel, initrd, userspace, total] = b as number[];
      return { name: member, value: { firmware: firmware!, loader: loader!, kernel: kernel!, initrd: initrd!, userspace: userspace!, total: total! } };
    }
    case 'UnitFilesChanged':
      return { name: member, value: {} };
    case 'Reloading':
      return { name: member, value: { active: b[0] as boolean } };
    default:
      return undefined;
  }
}

/**
 * The seed's `Signal` module: `subscribeManager`, `awaitJobRemoved`, `unsubscribe`, as plain
 * functions over a `ManagerSubscription`.
 */
export const Signal = {
  subscribeManager: (bus: Bus): Promise<ManagerSubscription> => ManagerSubscription.subscribe(bus),
  awaitJobRemoved: (sub: ManagerSubscription, jobPath: string, opts?: { timeout?: number }): Promise<JobRemoved> =>
    sub.awaitJobRemoved(jobPath, opts),
  unsubscribe: (sub: ManagerSubscription): Promise<void> => sub.unsubscribe(),
};
