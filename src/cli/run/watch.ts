/**
 * `watch [PATTERN…]`: a live stream of what the manager does, from signals only — `Subscribe()`,
 * then JobNew, JobRemoved, UnitNew, UnitRemoved, Reloading, StartupFinished, and the
 * PropertiesChanged of units (ActiveState/SubState, printed when either changes). One line per
 * event (`--json`: one object per line), on one host or a fleet (events in arrival order, each
 * with its host).
 *
 * It survives the watched manager's daemon-reload (the subscription stays; checked by calling
 * Subscribe again) and daemon-reexec (on a bus: the manager's name comes back and we subscribe
 * again; on systemd's private socket: the connection drops and we reconnect), and says so. A lost
 * connection ends that host's watch with one line (exit 1 at the end); Ctrl-C ends it (exit 0).
 * Memory stays flat: nothing is buffered but the last state of each unit seen (bounded).
 */
import { Bus, type BusSignal, type ConnectOptions } from '../../core/bus.js';
import { ConnectionError, SystemdError } from '../../core/errors.js';
import { unitTypeOf } from '../../core/names.js';
import { MANAGER_IFACE, MANAGER_PATH, ManagerSubscription } from '../../core/signal.js';
import { colors } from '../../output/color.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';

export interface WatchTarget {
  /** The host as given (`-H`), `null` for this machine. */
  host: string | null;
  connect: ConnectOptions;
}

export interface WatchOptions {
  /** Shell-style patterns on unit names; none: every unit. */
  patterns: string[];
  /** Unit types (`service`, `socket`…); none: every type. */
  types: string[];
  json: boolean;
  targets: WatchTarget[];
  /** Ends the watch (Ctrl-C does too, in the CLI). */
  signal?: AbortSignal;
  /** Called once every target is subscribed (or has failed): for tests. */
  onReady?: () => void;
}

export type WatchEventName =
  | 'JobNew'
  | 'JobRemoved'
  | 'UnitNew'
  | 'UnitRemoved'
  | 'Reloading'
  | 'StartupFinished'
  | 'PropertiesChanged'
  | 'Subscribed'
  | 'Resubscribed'
  | 'Disconnected';

/** An event before it is stamped. */
export interface WatchEventBody {
  host: string | null;
  event: WatchEventName;
  unit?: string;
  [key: string]: unknown;
}

/** One event, as `--json` prints it: `{time, host, event, unit?, …the fields of its kind}`. */
export type WatchEvent = WatchEventBody & { time: string };

const PROPS_MATCH = "type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='/org/freedesktop/systemd1/unit'";
const OWNER_MATCH = "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.freedesktop.systemd1'";
const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';
/** Units whose last state is remembered (to print only changes); beyond, the oldest is forgotten. */
const STATES_MAX = 20_000;
/** How long an unload must hold before it is printed (see `unloading` in watchOne). */
const UNLOAD_SETTLE_MS = 500;
/** How long to try to reconnect to systemd's private socket after it closed (a re-exec). */
const RECONNECT_MS = 15_000;

/** A unit's name from its object path (`…/unit/foo_2eservice` → `foo.service`). */
export function unitNameFromPath(path: string): string | undefined {
  const prefix = '/org/freedesktop/systemd1/unit/';
  if (!path.startsWith(prefix)) return undefined;
  const label = path.slice(prefix.length);
  if (label === '_') return '';
  const bytes: number[] = [];
  for (let i = 0; i < label.length; i++) {
    if (label[i] === '_' && /^[0-9a-f]{2}$/.test(label.slice(i + 1, i + 3))) {
      bytes.push(parseInt(label.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(label.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** fnmatch(3) without flags: `*`, `?`, `[…]` (with `!`/`^` negation), `\` escapes. */
export function globMatch(pattern: string, s: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 's').test(s);
}

/** Does the event's unit pass `PATTERN…` and `--type`? Events without a unit always do. */
export function passes(unit: string | undefined, opts: Pick<WatchOptions, 'patterns' | 'types'>): boolean {
  if (unit === undefined) return true;
  if (opts.types.length > 0 && !opts.types.includes(unitTypeOf(unit) ?? '')) return false;
  return opts.patterns.length === 0 || opts.patterns.some((p) => globMatch(p, unit));
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
/** `HH:MM:SS.mmm`, local time. */
export function clock(d: Date): string {
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** The human line of an event (without the newline). */
export function formatEvent(e: WatchEventBody, io: Pick<IO, 'color'>, at: Date): string {
  const c = colors(io.color);
  const state = (s: string): string =>
    s === 'failed' ? c.red.bold(s) : s === 'active' ? c.green(s) : s === 'activating' || s === 'deactivating' || s === 'reloading' ? c.yellow(s) : s;
  const result = (r: string): string => (r === 'done' || r === 'skipped' ? c.green(r) : c.red.bold(r));
  const host = e.host !== null ? `${c.bold(escapeTerminal(e.host))} ` : '';
  const unit = e.unit !== undefined ? `${escapeTerminal(e.unit)}: ` : '';
  let what: string;
  switch (e.event) {
    case 'JobNew':
      what = `job ${String(e.job)} queued`;
      break;
    case 'JobRemoved':
      what = `job ${String(e.job)} ${result(String(e.result))}`;
      break;
    case 'UnitNew':
      what = 'loaded';
      break;
    case 'UnitRemoved':
      what = 'unloaded';
      break;
    case 'PropertiesChanged':
      what = `${state(String(e.active))} (${escapeTerminal(String(e.sub))})`;
      break;
    case 'Reloading':
      what = e.active ? c.yellow('reloading the manager') : 'manager reloaded';
      break;
    case 'StartupFinished':
      what = `startup finished in ${((e.total as number) / 1e6).toFixed(3)}s`;
      break;
    case 'Subscribed':
      what = c.dim('watching');
      break;
    case 'Resubscribed':
      what = c.yellow(String(e.message));
      break;
    default:
      what = c.red(String(e.message));
  }
  return `${c.dim(clock(at))} ${host}${unit}${what}`;
}

/** Watch every target until aborted; throws (single target) or ends 1 (fleet) when a host is lost. */
export async function runWatch(opts: WatchOptions, io: IO): Promise<void> {
  const fleet = opts.targets.length > 1;
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) ac.abort();

  const emit = (e: WatchEventBody): void => {
    if (!passes(e.unit, opts)) return;
    const at = new Date();
    if (opts.json) io.out.write(`${JSON.stringify({ time: at.toISOString(), ...e })}\n`);
    else if (e.event === 'Resubscribed' || e.event === 'Disconnected' || e.event === 'Subscribed') io.err.write(`${formatEvent(e, { color: io.errColor }, at)}\n`);
    else io.out.write(`${formatEvent(e, io, at)}\n`);
  };

  let ready = 0;
  const markReady = (): void => {
    ready++;
    if (ready === opts.targets.length) opts.onReady?.();
  };
  const results = await Promise.allSettled(opts.targets.map((t) => watchOne(t, emit, ac.signal, markReady, fleet || opts.json)));
  opts.signal?.removeEventListener('abort', onAbort);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (failures.length === 0) return;
  if (!fleet) throw failures[0];
  // each lost host has said so in its line; the watch as a whole failed
  io.exitCode = failures.find((f) => f instanceof SystemdError)?.exitCode ?? 1;
}

/** One host: connect, subscribe, stream until aborted; reject with the reason when lost. */
async function watchOne(
  t: WatchTarget,
  emit: (e: WatchEventBody) => void,
  abort: AbortSignal,
  ready: () => void,
  /** Say the loss in an event (JSON, or a fleet); otherwise the thrown error is the one line. */
  sayLoss: boolean,
): Promise<void> {
  const states = new Map<string, string>();
  /** Between Reloading(true)/a lost bus name and Reloading(false): units are unloaded and loaded again. */
  let reloading = false;
  const remember = (path: string, state: string): void => {
    states.delete(path); // re-insert: the map stays in last-seen order
    if (states.size >= STATES_MAX) states.delete(states.keys().next().value!);
    states.set(path, state);
  };
  /**
   * Unloads not yet said: systemd collects a stopped unit, and every client that looks it up
   * (systemctl after a stop, a status) loads it again, to be collected again — six lines for one
   * stop. An unload is said once it has held for UNLOAD_SETTLE_MS; loaded again before, it is no news.
   */
  const unloading = new Map<string, NodeJS.Timeout>();
  const flushUnloads = (): void => {
    for (const [unit, timer] of unloading) {
      clearTimeout(timer);
      emit({ host: t.host, event: 'UnitRemoved', unit });
    }
    unloading.clear();
  };
  let readied = false;
  const markReady = (): void => {
    if (!readied) {
      readied = true;
      ready();
    }
  };

  /** Connect and subscribe; resolves with the bus and a promise of how the connection ended. */
  const attach = async (): Promise<{ bus: Bus; ended: Promise<SystemdError> }> => {
    const bus = await Bus.connect(t.connect);
    let resolveEnded!: (e: SystemdError) => void;
    const ended = new Promise<SystemdError>((r) => (resolveEnded = r));
    bus.onClose((err) => resolveEnded(err));
    const resubscribe = async (why: string): Promise<void> => {
      try {
        await bus.call({ path: MANAGER_PATH, interface: MANAGER_IFACE, member: 'Subscribe' });
        emit({ host: t.host, event: 'Resubscribed', reason: why, message: `${why}: subscribed again` });
      } catch (e) {
        // still subscribed: the manager kept us across the reload
        if (reloading) return; // it went away again (re-executing): we ask again when it is back
        if (!(e instanceof SystemdError && e.dbusName === 'org.freedesktop.systemd1.AlreadySubscribed')) {
          emit({ host: t.host, event: 'Resubscribed', reason: why, message: `${why}: could not subscribe again (${e instanceof Error ? e.message : String(e)})` });
        } else {
          emit({ host: t.host, event: 'Resubscribed', reason: why, message: `${why}: still subscribed` });
        }
      }
    };
    bus.onSignal((s: BusSignal) => {
      if (s.interface === 'org.freedesktop.DBus.Properties' && s.member === 'PropertiesChanged') {
        if (s.body[0] !== UNIT_IFACE) return;
        const changed = (s.body[1] ?? {}) as Record<string, unknown>;
        const active = changed.ActiveState;
        const sub = changed.SubState;
        if (typeof active !== 'string' || typeof sub !== 'string') return;
        const unit = unitNameFromPath(s.path);
        if (unit === undefined) return;
        const now = `${active}/${sub}`;
        const before = states.get(s.path);
        if (before === now) return;
        remember(s.path, now);
        // a unit loaded (for a transaction, or again by a reload) in its resting state: no change
        if (before === undefined && active === 'inactive') return;
        emit({ host: t.host, event: 'PropertiesChanged', unit, active, sub });
      } else if (s.interface === 'org.freedesktop.DBus' && s.member === 'NameOwnerChanged' && s.body[0] === 'org.freedesktop.systemd1') {
        if (typeof s.body[2] === 'string' && s.body[2] !== '') void resubscribe('the manager re-executed');
        else reloading = true; // the manager let go of its name: it is re-executing
      }
    });
    if (!bus.direct) await bus.addMatch(PROPS_MATCH);
    if (!bus.direct) await bus.addMatch(OWNER_MATCH);
    const sub = await ManagerSubscription.subscribe(bus);
    sub.on('JobNew', (e) => emit({ host: t.host, event: 'JobNew', unit: e.unit, job: e.id }));
    sub.on('JobRemoved', (e) => {
      sub.takeJobRemoved(e.jobPath); // nobody waits on these: keep its buffer empty
      emit({ host: t.host, event: 'JobRemoved', unit: e.unit, job: e.id, result: e.result });
    });
    // while the manager reloads it unloads and loads every unit: those are not news
    sub.on('UnitNew', (e) => {
      if (reloading) return;
      // unloaded and loaded again at once (a client looked it up): no news at all
      const held = unloading.get(e.unit);
      if (held !== undefined) {
        clearTimeout(held);
        unloading.delete(e.unit);
        return;
      }
      emit({ host: t.host, event: 'UnitNew', unit: e.unit });
    });
    sub.on('UnitRemoved', (e) => {
      if (reloading) return;
      states.delete(e.unitPath);
      if (unloading.has(e.unit)) return;
      unloading.set(
        e.unit,
        setTimeout(() => {
          unloading.delete(e.unit);
          emit({ host: t.host, event: 'UnitRemoved', unit: e.unit });
        }, UNLOAD_SETTLE_MS),
      );
    });
    sub.on('Reloading', (e) => {
      reloading = e.active;
      emit({ host: t.host, event: 'Reloading', active: e.active });
      if (!e.active) void resubscribe('the manager reloaded');
    });
    sub.on('StartupFinished', (e) => emit({ host: t.host, event: 'StartupFinished', ...e }));
    // the states units are in now: only changes are printed (the signals say everything again
    // after a reload or re-exec)
    const [units] = (await bus.call({ path: MANAGER_PATH, interface: MANAGER_IFACE, member: 'ListUnits' })) as [unknown[][]];
    for (const u of units ?? []) if (typeof u[6] === 'string') remember(u[6], `${String(u[3])}/${String(u[4])}`);
    return { bus, ended };
  };

  let conn: { bus: Bus; ended: Promise<SystemdError> };
  try {
    conn = await attach();
  } catch (e) {
    markReady();
    if (sayLoss) emit({ host: t.host, event: 'Disconnected', message: e instanceof Error ? e.message : String(e) });
    throw e;
  }
  emit({ host: t.host, event: 'Subscribed', message: 'watching' });
  markReady();
  const aborted = new Promise<'abort'>((r) => {
    if (abort.aborted) r('abort');
    else abort.addEventListener('abort', () => r('abort'), { once: true });
  });
  for (;;) {
    const why = await Promise.race([aborted, conn.ended]);
    if (why === 'abort') {
      flushUnloads();
      conn.bus.close();
      return;
    }
    // systemd's private socket closes on daemon-reexec: reconnect for a while before giving up
    const lost = why;
    if (conn.bus.direct) {
      const deadline = Date.now() + RECONNECT_MS;
      let again: typeof conn | undefined;
      while (!abort.aborted && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        try {
          again = await attach();
          break;
        } catch {
          /* not back yet */
        }
      }
      if (abort.aborted) {
        flushUnloads();
        again?.bus.close();
        return;
      }
      if (again) {
        conn = again;
        emit({ host: t.host, event: 'Resubscribed', reason: 'reconnected', message: 'the connection to the manager closed (re-executed?): reconnected and subscribed again' });
        continue;
      }
    }
    const err = lost instanceof ConnectionError ? lost : new ConnectionError(lost.message);
    flushUnloads();
    if (sayLoss) emit({ host: t.host, event: 'Disconnected', message: err.message });
    throw err;
  }
}
