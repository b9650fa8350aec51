/**
 * A D-Bus connection of our own (client side): authentication, framing, serials, replies,
 * signals — what sysherd used dbus-next for, in a few hundred lines and without its start-up cost
 * (its evaluation was ~4–5 ms of every command; it read the authentication exchange a byte at a
 * time and waited for each answer).
 *
 * - The exchange is pipelined as sd-bus does it: `\0AUTH EXTERNAL <uid in hex>` and `BEGIN` go
 *   out in one write, the messages (the bus's `Hello` first) as soon as the peer says OK: one
 *   round trip before the first call, where dbus-next waited for an answer to each line. Sending
 *   messages behind BEGIN before the OK would save nothing (`Bus` makes its first call once the OK
 *   is there, and Hello goes with it) and an sd-bus server (systemd's private socket,
 *   systemd-stdio-bridge) can leave a message that arrived in the same read as BEGIN unprocessed
 *   until more data comes (seen: 1 run in 5 hung). A peer that may refuse EXTERNAL (a TCP
 *   address, where the server cannot see our uid) gets the step-by-step exchange, ANONYMOUS after
 *   EXTERNAL (`auth: 'stepwise'`).
 * - systemd's private socket is a peer, not a bus: no `Hello` there (as sd-bus).
 * - Messages are encoded by encode.ts (simple calls, one Buffer) or marshal.ts (anything else)
 *   and decoded by decode.ts. Little-endian only (a big-endian peer is an error, said so).
 * - A method call made to us (a bus daemon or a peer may ask) gets an answer as sd-bus gives:
 *   Peer.Ping an empty reply, anything else UnknownMethod.
 * No file descriptors are negotiated: sysherd neither sends nor takes any.
 */
import { EventEmitter } from 'node:events';
import { type InMessage, MessageType, decodeMessage, messageLength } from './decode.js';
import { encodeMethodCall } from './encode.js';
import { marshalMessage } from './marshal.js';

export { MessageType, type InMessage } from './decode.js';

/** A D-Bus error reply: its name (`org.freedesktop.systemd1.NoSuchUnit`) and message. */
export class DBusErrorReply extends Error {
  constructor(
    readonly type: string,
    readonly text: string,
  ) {
    super(text === '' ? type : text);
    this.name = 'DBusErrorReply';
  }
}

/** A method call to send. */
export interface OutCall {
  destination?: string;
  path: string;
  interface?: string;
  member: string;
  signature?: string;
  body?: unknown[];
  flags?: number;
}

/** The 128 MiB the specification allows a message. */
const MAX_MESSAGE = 128 * 1024 * 1024;
/** An authentication line longer than this is not one. */
const MAX_AUTH_LINE = 16 * 1024;

type Stream = NodeJS.ReadWriteStream & NodeJS.EventEmitter & { destroy?: (e?: Error) => void; writable?: boolean };

interface Waiter {
  resolve: (m: InMessage) => void;
  reject: (e: Error) => void;
  raw: boolean;
}

export interface WireOptions {
  /** Send the bus's `Hello` (not on systemd's private socket). */
  hello: boolean;
  /**
   * `begin`: AUTH EXTERNAL and BEGIN in one write, messages after the OK;
   * `stepwise`: EXTERNAL, then ANONYMOUS if refused, BEGIN and messages after the OK.
   */
  auth: 'begin' | 'stepwise';
}

/**
 * One connection on a stream: call `start()` once it is connected. Events: `authenticated` (the
 * peer said OK), `message` (signals and calls to us, decoded plain), `close` (with the error that
 * ended it, if any). Every pending call rejects when it closes.
 */
export class Wire extends EventEmitter {
  private serial = 0;
  private readonly waiting = new Map<number, Waiter>();
  private authenticated = false;
  /** Messages written before the step-by-step exchange ended. */
  private readonly held: Buffer[] = [];
  private authBuf = '';
  private mechanisms: string[];
  private chunks: Buffer[] = [];
  private have = 0;
  private need = 16;
  private closedWith: Error | null = null;
  private ended = false;

  constructor(
    readonly stream: Stream,
    private readonly opts: WireOptions,
  ) {
    super();
    this.mechanisms = opts.auth === 'stepwise' ? ['EXTERNAL', 'ANONYMOUS'] : ['EXTERNAL'];
    stream.on('data', (b: Buffer) => this.onData(b));
    stream.on('error', (e: Error) => this.end(e));
    stream.on('close', () => this.end(null));
    stream.on('end', () => this.end(null));
  }

  /** Write the authentication (and `Hello`): the stream is connected. */
  start(): void {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    const external = `AUTH EXTERNAL ${Buffer.from(String(uid), 'ascii').toString('hex')}\r\n`;
    this.stream.write(this.opts.auth === 'stepwise' ? `\0${external}` : `\0${external}BEGIN\r\n`);
    this.mechanisms.shift();
    if (this.opts.hello) {
      this.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'Hello' }).catch((e: Error) =>
        this.end(new Error(`the bus refused Hello: ${e.message}`)),
      );
    }
  }

  /** Has the connection ended? */
  get closed(): boolean {
    return this.ended;
  }

  /** The serial the next call gets. */
  nextSerial(): number {
    this.serial = this.serial >= 0xffff_ffff ? 1 : this.serial + 1;
    return this.serial;
  }

  /** Send a method call; resolves with the reply, rejects with a `DBusErrorReply` for an error. */
  call(c: OutCall, raw = false, serial = this.nextSerial()): Promise<InMessage> {
    if (this.ended) return Promise.reject(this.closedWith ?? new Error('the connection is closed'));
    const msg = { type: MessageType.METHOD_CALL, serial, ...c };
    const data = encodeMethodCall(msg) ?? marshalMessage(msg);
    return new Promise<InMessage>((resolve, reject) => {
      this.waiting.set(serial, { resolve, reject, raw });
      this.send(data);
    });
  }

  /** Stop waiting for the reply to this serial (a call that timed out). */
  forget(serial: number): void {
    this.waiting.delete(serial);
  }

  /** Close the connection: pending calls reject. */
  close(): void {
    this.end(null);
    try {
      this.stream.destroy?.();
    } catch {
      /* gone already */
    }
  }

  private send(data: Buffer): void {
    if (this.authenticated) this.stream.write(data);
    else this.held.push(data);
  }

  private end(err: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.closedWith = err;
    const e = err ?? new Error('the connection closed');
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
    this.emit('close', err);
  }

  private fail(why: string): void {
    this.end(new Error(why));
    try {
      this.stream.destroy?.();
    } catch {
      /* gone already */
    }
  }

  private onData(b: Buffer): void {
    if (this.ended) return;
    if (!this.authenticated) {
      b = this.onAuthData(b);
      if (!this.authenticated || b.length === 0) return;
    }
    this.chunks.push(b);
    this.have += b.length;
    while (this.have >= this.need && !this.ended) {
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.have);
      this.chunks = [all];
      if (this.need === 16) {
        let length: number;
        try {
          length = messageLength(all);
        } catch (e) {
          this.fail((e as Error).message);
          return;
        }
        if (length > MAX_MESSAGE) {
          this.fail(`a message of ${length} bytes is over D-Bus's limit`);
          return;
        }
        this.need = length;
        continue;
      }
      const one = all.subarray(0, this.need);
      const rest = all.subarray(this.need);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.have = rest.length;
      this.need = 16;
      this.dispatch(one);
    }
  }

  /** Lines of the authentication exchange; returns what follows them (the first messages). */
  private onAuthData(b: Buffer): Buffer {
    let at = 0;
    while (!this.authenticated) {
      const nl = b.indexOf(0x0a, at);
      if (nl < 0) {
        this.authBuf += b.toString('latin1', at);
        if (this.authBuf.length > MAX_AUTH_LINE) this.fail('the peer does not speak D-Bus (no authentication answer)');
        return Buffer.alloc(0);
      }
      const line = (this.authBuf + b.toString('latin1', at, nl)).replace(/\r$/, '');
      this.authBuf = '';
      at = nl + 1;
      if (line.startsWith('OK ') || line === 'OK') {
        this.authenticated = true;
        if (this.opts.auth === 'stepwise') this.stream.write('BEGIN\r\n');
        for (const d of this.held) this.stream.write(d);
        this.held.length = 0;
        // after BEGIN and the held messages (Hello first): a listener may call at once
        this.emit('authenticated');
      } else if (line.startsWith('REJECTED') && this.mechanisms.length > 0) {
        // ANONYMOUS with a trace (hex of "sysherd"), as the specification allows
        const mech = this.mechanisms.shift()!;
        this.stream.write(mech === 'ANONYMOUS' ? 'AUTH ANONYMOUS 73797368657264\r\n' : `AUTH ${mech}\r\n`);
      } else {
        this.fail(`authentication failed: ${line === '' ? 'no answer' : line}`);
        return Buffer.alloc(0);
      }
    }
    return b.subarray(at);
  }

  private dispatch(buf: Buffer): void {
    let m: InMessage;
    let header: InMessage | undefined;
    try {
      m = decodeMessage(buf, (h) => {
        header = h;
        return (h.replySerial !== undefined && this.waiting.get(h.replySerial)?.raw) === true;
      });
    } catch (e) {
      // a reply we cannot read fails its call, not the connection; anything else is dropped
      const serial = header?.type === MessageType.METHOD_RETURN || header?.type === MessageType.ERROR ? header.replySerial : undefined;
      const w = serial === undefined ? undefined : this.waiting.get(serial);
      if (w) {
        this.waiting.delete(serial!);
        w.reject(new Error(`cannot read the reply: ${(e as Error).message}`));
      }
      return;
    }
    if (m.type === MessageType.METHOD_RETURN || m.type === MessageType.ERROR) {
      const w = m.replySerial === undefined ? undefined : this.waiting.get(m.replySerial);
      if (!w) return;
      this.waiting.delete(m.replySerial!);
      if (m.type === MessageType.METHOD_RETURN) w.resolve(m);
      else w.reject(new DBusErrorReply(m.errorName ?? 'org.freedesktop.DBus.Error.Failed', typeof m.body[0] === 'string' ? m.body[0] : ''));
      return;
    }
    if (m.type === MessageType.METHOD_CALL) this.answer(m);
    this.emit('message', m);
  }

  /** A call made to us: Peer.Ping is answered, anything else is an unknown method (sd-bus's answers). */
  private answer(m: InMessage): void {
    if ((m.flags & 0x1) !== 0 /* NO_REPLY_EXPECTED */ || m.sender === undefined) return;
    const base = { serial: this.nextSerial(), replySerial: m.serial, destination: m.sender };
    const reply =
      m.interface === 'org.freedesktop.DBus.Peer' && m.member === 'Ping'
        ? { type: MessageType.METHOD_RETURN, ...base }
        : {
            type: MessageType.ERROR,
            ...base,
            errorName: 'org.freedesktop.DBus.Error.UnknownMethod',
            signature: 's',
            body: [`Unknown method ${m.member ?? ''} or interface ${m.interface ?? ''}.`],
          };
    this.send(marshalMessage(reply));
  }
}
