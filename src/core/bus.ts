/**
 * The one module that talks to the bus. Everything else speaks to `Bus`.
 *
 * The connection is our own (wire.ts: authentication, framing, serials; decode.ts and
 * marshal.ts/encode.ts: the values), with hard-coded signatures (no introspection), and this
 * adapter adds what a command line needs of it:
 * - every call has a timeout (default 25 s, as sd-bus);
 * - a closed socket rejects every pending call (and the ones waiting for a turn);
 * - match rules are reference-counted (`addMatch`/`removeMatch`);
 * - at most MAX_CALLS_IN_FLIGHT calls are in flight at once;
 * - one tick's calls go out in one write (the stream is corked until the tick ends);
 * - bodies are plain data (64-bit integers as numbers, UINT64_MAX/INT64_MAX as `null`),
 *   except for `raw` calls (show: Variants with their signatures, BigInt);
 * - systemd's private socket is a peer: no `Hello`, no `AddMatch` there.
 */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { type BusKind, type BusTarget, parseAddress, resolveBusTargets } from './address.js';
import { machineTarget, remoteTarget } from './transport.js';
import { ConnectionError, InvalidArgumentError, SystemdError, TimeoutError, fromDBusError } from './errors.js';
import { Variant } from './variant.js';
import { DBusErrorReply, type InMessage, MessageType, Wire } from './wire.js';

export type { BusKind } from './address.js';

/** Default per-call timeout, as systemctl/sd-bus (25 s). */
export const DEFAULT_TIMEOUT_MS = 25_000;

/**
 * Calls in flight at once on one connection; more wait their turn. dbus-daemon refuses a
 * connection's call beyond max_replies_per_connection (128 on the system bus) with "The maximum
 * number of pending replies per connection has been reached": every verb that fans out (herd
 * status of 300 units: two GetAll each) goes through here, so none can pass it.
 */
export const MAX_CALLS_IN_FLIGHT = 64;

/** sd-bus's BUS_PATH_SIZE_MAX: the longest object path it sends (or accepts). */
export const BUS_PATH_SIZE_MAX = 64 * 1024;

/**
 * sd-bus's `object_path_is_valid`: `/`, or `/`-separated non-empty elements of
 * `[A-Za-z0-9_]`, at most BUS_PATH_SIZE_MAX bytes. systemd drops a message whose path is not
 * (no reply: the call would wait its whole timeout); systemctl never sends one: sd-bus refuses
 * it with EINVAL ("Failed to get properties: Invalid argument" for a unit name of 70,000
 * characters, whose escaped path is too long).
 */
export function objectPathIsValid(p: string): boolean {
  return p.length <= BUS_PATH_SIZE_MAX && (p === '/' || /^(\/[A-Za-z0-9_]+)+$/.test(p));
}

/** D-Bus message flag: the caller is willing to wait for polkit to ask the user. */
export const ALLOW_INTERACTIVE_AUTHORIZATION = 0x4;

export interface ConnectOptions {
  /** `'system'` (default) or `'user'`. */
  bus?: BusKind;
  /** An explicit D-Bus address (`unix:path=…`); wins over the environment. */
  address?: string;
  /** Timeout of every call, in milliseconds (default 25 000). */
  timeout?: number;
  /** Let polkit ask interactively: mutating calls carry ALLOW_INTERACTIVE_AUTHORIZATION. */
  interactive?: boolean;
  /**
   * A remote host, `[USER@]HOST[:PORT]`: the bus is the stdio of `ssh HOST systemd-stdio-bridge`
   * (see transport.ts). Wins over `address`.
   */
  host?: string;
  /**
   * A bus daemon, never systemd's private socket (systemctl's BUS_FULL): for calls to other
   * services on the bus (logind) and for signals from them.
   */
  full?: boolean;
  /** A local container's bus, through `systemd-stdio-bridge -M NAME` (systemctl's `-M`). */
  machine?: string;
}

/** A method call, as it goes on the wire. */
export interface CallSpec {
  destination?: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
  /** Overrides the connection's timeout for this call. */
  timeout?: number;
  /** Set ALLOW_INTERACTIVE_AUTHORIZATION if the connection was opened with `interactive`. */
  mutating?: boolean;
  /** Return the body raw (Variants with their signatures, 64-bit integers as BigInt), not plain. */
  raw?: boolean;
}

/** A signal as delivered to listeners (body already normalized). */
export interface BusSignal {
  sender: string | undefined;
  path: string;
  interface: string;
  member: string;
  body: unknown[];
}

type SignalListener = (s: BusSignal) => void;

interface Pending {
  reject: (e: Error) => void;
}

/** An open connection to a bus (or to systemd's private socket). */
export class Bus {
  readonly address: string;
  readonly direct: boolean;
  readonly kind: BusKind;
  readonly timeout: number;
  readonly interactive: boolean;
  private readonly wire: Wire;
  private readonly pending = new Set<Pending>();
  /** Calls sent and not answered yet, and the ones waiting for one of them to end. */
  private inFlight = 0;
  private readonly queued: (() => void)[] = [];
  private readonly listeners = new Set<SignalListener>();
  private readonly closeListeners = new Set<(err: SystemdError) => void>();
  private readonly matches = new Map<string, number>();
  private closedWith: SystemdError | undefined;
  /** The connection's stream, corked while one tick's calls are written (one write for them all). */
  private stream: { cork?: () => void; uncork?: () => void } | undefined;
  private corked = false;

  private constructor(wire: Wire, target: BusTarget, kind: BusKind, opts: ConnectOptions) {
    this.wire = wire;
    this.address = target.address;
    this.direct = target.direct;
    this.kind = kind;
    this.timeout = opts.timeout ?? DEFAULT_TIMEOUT_MS;
    this.interactive = opts.interactive ?? false;
  }

  /**
   * Open a connection: resolve the address (see `resolveBusTargets`), authenticate, and return
   * once the connection is usable. Unreachable bus → `ConnectionError` naming the address.
   */
  static async connect(opts: ConnectOptions = {}): Promise<Bus> {
    const kind = opts.bus ?? 'system';
    if (opts.host !== undefined) return Bus.open(remoteTarget(opts.host, kind, opts), kind, opts);
    if (opts.machine !== undefined) return Bus.open(machineTarget(opts.machine, kind, opts), kind, opts);
    const resolved = resolveBusTargets({
      bus: kind,
      address: opts.address,
      env: process.env,
      uid: typeof process.getuid === 'function' ? process.getuid() : -1,
      exists: existsSync,
      full: opts.full,
    });
    // `full`: the resolver leaves systemd's private socket out
    const { reason, targets } = resolved;
    if (targets.length === 0) {
      throw new ConnectionError(`cannot find the ${kind} bus: ${reason ?? 'no address'}`);
    }
    let lastError: ConnectionError | undefined;
    for (const target of targets) {
      try {
        return await Bus.open(target, kind, opts);
      } catch (e) {
        lastError = e instanceof ConnectionError ? e : new ConnectionError(String(e), { address: target.address });
      }
    }
    throw lastError ?? new ConnectionError(`cannot connect to the ${kind} bus`);
  }

  private static open(target: BusTarget, kind: BusKind, opts: ConnectOptions): Promise<Bus> {
    const timeout = target.connectTimeout ?? opts.timeout ?? DEFAULT_TIMEOUT_MS;
    return new Promise<Bus>((resolve, reject) => {
      let stream: NodeJS.ReadWriteStream & NodeJS.EventEmitter;
      if (target.stream) stream = target.stream();
      else {
        const where = parseAddress(target.address);
        if ('error' in where) {
          reject(new ConnectionError(`cannot connect to the ${kind} bus at ${target.address} (${target.source}): ${where.error}`, { address: target.address }));
          return;
        }
        stream = 'path' in where ? createConnection(where.path) : createConnection(where.port, where.host);
      }
      // AUTH and BEGIN together (as sd-bus); TCP: step by step, ANONYMOUS after EXTERNAL (wire.ts)
      const auth = !target.stream && /^tcp:/.test(target.address) ? 'stepwise' : 'begin';
      const wire = new Wire(stream, { hello: !target.direct, auth });
      const bus = new Bus(wire, target, kind, opts);
      let settled = false;
      const timer = setTimeout(() => {
        fail(new Error(`no answer within ${formatSeconds(timeout)}`));
      }, timeout);
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const e = connectionError(target, kind, err);
        bus.teardown(e);
        reject(e);
      };
      const ready = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        bus.stream = stream as typeof bus.stream;
        resolve(bus);
      };
      wire.on('close', (err: Error | null) => {
        if (!settled) fail(err ?? new Error('the connection closed before it was set up'));
        else if (err) bus.handleError(err);
        else bus.handleClose();
      });
      wire.on('message', (msg: InMessage) => bus.dispatch(msg));
      stream.once('connect', () => {
        if (settled) return;
        // usable once the peer has said OK to the authentication (a stopped bus daemon still
        // accepts the socket: the connect timeout must cover its answer, and ssh's login)
        wire.once('authenticated', ready);
        wire.start();
      });
    });
  }

  /**
   * The calls made in one tick (status's read-ahead, a transaction's pipeline) go out in one
   * write instead of one each: the stream is corked until the tick ends.
   */
  private corkForThisTick(): void {
    const s = this.stream;
    if (this.corked || s?.cork === undefined || s.uncork === undefined) return;
    this.corked = true;
    s.cork();
    process.nextTick(() => {
      this.corked = false;
      s.uncork!();
    });
  }

  /** Is the connection closed (by us or by the other side)? */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /**
   * Call a method and return its reply body as plain data. Rejects with a `SystemdError`
   * subclass for a D-Bus error reply, `TimeoutError` after the timeout, `ConnectionError` when the
   * connection closes first.
   */
  call(spec: CallSpec): Promise<unknown[]> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    // as sd-bus: refused here, with its errno's text (systemctl prints the same)
    if (!objectPathIsValid(spec.path)) return Promise.reject(new InvalidArgumentError('Invalid argument'));
    if (this.inFlight < MAX_CALLS_IN_FLIGHT) return this.send(spec);
    return new Promise<unknown[]>((resolve, reject) => {
      // a close rejects it while it waits (teardown)
      const entry: Pending = { reject };
      this.pending.add(entry);
      this.queued.push(() => {
        this.pending.delete(entry);
        this.call(spec).then(resolve, reject);
      });
    });
  }

  /** Send a call now (its timeout runs from here, not from the wait for a turn). */
  private send(spec: CallSpec): Promise<unknown[]> {
    this.inFlight++;
    const done = (): void => {
      this.inFlight--;
      if (!this.closedWith) this.queued.shift()?.();
    };
    const p = this.sendNow(spec);
    p.then(done, done);
    return p;
  }

  private sendNow(spec: CallSpec): Promise<unknown[]> {
    const timeout = spec.timeout ?? this.timeout;
    const serial = this.wire.nextSerial();
    return new Promise<unknown[]>((resolve, reject) => {
      const entry: Pending = { reject };
      this.pending.add(entry);
      const timer = setTimeout(() => {
        this.pending.delete(entry);
        this.wire.forget(serial); // its reply, if it ever comes, is dropped
        reject(
          new TimeoutError(
            `${spec.interface.replace(/^org\.freedesktop\./, '')}.${spec.member} got no reply within ${formatSeconds(timeout)} (${this.address})`,
            { hint: 'systemd may be busy; retry, or raise the timeout' },
          ),
        );
      }, timeout);
      // a close rejects the call (teardown): its timer must go too, or it holds the process
      entry.reject = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      let p: Promise<InMessage>;
      try {
        this.corkForThisTick();
        p = this.wire.call(
          {
            destination: spec.destination ?? 'org.freedesktop.systemd1',
            path: spec.path,
            interface: spec.interface,
            member: spec.member,
            signature: spec.signature ?? '',
            body: spec.body ?? [],
            flags: spec.mutating && this.interactive ? ALLOW_INTERACTIVE_AUTHORIZATION : 0,
          },
          spec.raw === true,
          serial,
        );
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(entry);
        // a value that does not fit its signature (marshal.ts): the caller's mistake, said plainly
        reject(e instanceof RangeError ? new InvalidArgumentError(`cannot send ${spec.member}: ${e.message}`) : (this.closedWith ?? new ConnectionError(`cannot send on ${this.address}: ${errText(e)}`, { address: this.address, cause: e })));
        return;
      }
      p.then(
        (reply) => {
          clearTimeout(timer);
          this.pending.delete(entry);
          resolve(reply.body);
        },
        (err: unknown) => {
          clearTimeout(timer);
          this.pending.delete(entry);
          reject(err instanceof DBusErrorReply ? toSystemdError(err) : (this.closedWith ?? toSystemdError(err)));
        },
      );
    });
  }

  /** Listen to every signal that reaches this connection. Returns the function that stops it. */
  onSignal(listener: SignalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called once when the connection ends: closed by the other side, failed, or `close()`d. */
  onClose(listener: (err: SystemdError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Add a match rule (reference-counted; on a direct connection there is nothing to add). */
  async addMatch(rule: string): Promise<void> {
    const n = this.matches.get(rule) ?? 0;
    this.matches.set(rule, n + 1);
    if (n > 0 || this.direct) return;
    try {
      await this.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's', body: [rule] });
    } catch (e) {
      this.matches.delete(rule);
      throw e;
    }
  }

  /** Drop one reference to a match rule; the last one removes it from the bus. */
  async removeMatch(rule: string): Promise<void> {
    const n = this.matches.get(rule);
    if (n === undefined) return;
    if (n > 1) {
      this.matches.set(rule, n - 1);
      return;
    }
    this.matches.delete(rule);
    if (this.direct || this.closed) return;
    await this.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'RemoveMatch', signature: 's', body: [rule] });
  }

  /** Close the connection. Pending calls reject; the process is free to exit. */
  close(): void {
    this.end(new ConnectionError(`the connection to ${this.address} was closed`, { address: this.address }));
  }

  /** Tear down once and tell the close listeners (subscriptions reject their waiters). */
  private end(err: SystemdError): void {
    if (this.closedWith) return;
    this.teardown(err);
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const l of listeners) l(err);
  }

  private teardown(err: SystemdError): void {
    if (!this.closedWith) this.closedWith = err;
    for (const p of this.pending) p.reject(err);
    this.pending.clear();
    this.queued.length = 0;
    this.listeners.clear();
    this.wire.close();
  }

  /** The other side went away. */
  private handleClose(): void {
    this.end(new ConnectionError(`the connection to ${this.address} closed: systemd or the bus daemon went away`, { address: this.address }));
  }

  /** After connecting, a socket error means the connection is gone. */
  private handleError(err: unknown): void {
    if (err instanceof ConnectionError) return this.end(err); // the ssh transport's own words
    this.end(new ConnectionError(`the connection to ${this.address} failed: ${errText(err)}`, { address: this.address, cause: err }));
  }

  private dispatch(msg: InMessage): void {
    if (msg.type !== MessageType.SIGNAL || this.listeners.size === 0) return;
    const sig: BusSignal = {
      sender: msg.sender,
      path: msg.path ?? '',
      interface: msg.interface ?? '',
      member: msg.member ?? '',
      body: msg.body,
    };
    for (const l of [...this.listeners]) {
      try {
        l(sig);
      } catch {
        /* a listener's bug must not break the connection */
      }
    }
  }
}

function errText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** `25 s`, `1.5 s`, `300 ms`. */
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** A D-Bus error reply (or anything else thrown by the library) as a SystemdError. */
export function toSystemdError(err: unknown): SystemdError {
  if (err instanceof SystemdError) return err;
  if (err instanceof DBusErrorReply) return fromDBusError(err.type, err.text, err);
  return new ConnectionError(errText(err), { cause: err });
}

function connectionError(target: BusTarget, kind: BusKind, err: unknown): ConnectionError {
  if (err instanceof ConnectionError) return err; // already says where and why (the ssh transport)
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  let why: string;
  let hint: string | undefined;
  switch (code) {
    case 'ENOENT':
      why = 'no such socket';
      hint = kind === 'user' ? 'is a systemd user session running? (or use `sysherd sandbox`)' : 'is systemd running on this machine? (or use `sysherd sandbox`)';
      break;
    case 'ECONNREFUSED':
      why = 'connection refused (nothing listens there)';
      hint = 'is the bus daemon running?';
      break;
    case 'EACCES':
    case 'EPERM':
      why = 'permission denied';
      hint = 'run as a user that may open the socket';
      break;
    default:
      why = err instanceof DBusErrorReply ? `${err.type}: ${err.text}` : errText(err);
  }
  return new ConnectionError(`cannot connect to the ${kind} bus at ${target.address} (${target.source}): ${why}`, {
    address: target.address,
    cause: err,
    hint,
  });
}

/** A D-Bus variant of `signature` for a call body (`a(sv)` entries, Properties.Set). */
export function variant(signature: string, value: unknown): unknown {
  return new Variant(signature, value);
}
