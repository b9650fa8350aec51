/**
 * The D-Bus connection (src/core/wire.ts) against a peer in this process on a real unix socket:
 * the pipelined and the step-by-step authentication, replies, errors, signals, calls made to us,
 * messages cut anywhere, and what a close does to calls in flight.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { type InMessage, decodeMessage, messageLength } from '../../../src/core/decode.ts';
import { type OutMessage, marshalMessage } from '../../../src/core/marshal.ts';
import { Variant } from '../../../src/core/variant.ts';
import { DBusErrorReply, Wire } from '../../../src/core/wire.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

interface Peer {
  /** Everything the client sent before its first message, as text. */
  auth: string;
  /** The messages the client sent, decoded. */
  got: InMessage[];
  /** The first chunk the server read. */
  first: Buffer | null;
  socket: net.Socket | null;
  send(m: Omit<OutMessage, 'serial'>, chunked?: boolean): void;
}

/**
 * A peer: answers the authentication as `authReply` says (a function of the line), then calls
 * `onCall` for each message.
 */
async function peer(opts: { authReply?: (line: string) => string | null; onCall?: (p: Peer, m: InMessage) => void; auth?: 'begin' | 'stepwise'; hello?: boolean } = {}): Promise<{ p: Peer; wire: Wire; server: net.Server }> {
  const sock = path.join(dir, `s${n++}`);
  let serial = 1000;
  const p: Peer = {
    auth: '',
    got: [],
    first: null,
    socket: null,
    send(m, chunked = false) {
      const b = marshalMessage({ ...m, serial: serial++ } as OutMessage);
      if (!chunked) p.socket!.write(b);
      else for (let i = 0; i < b.length; i++) p.socket!.write(b.subarray(i, i + 1)); // one byte at a time
    },
  };
  const server = net.createServer((c) => {
    p.socket = c;
    let buf = Buffer.alloc(0);
    let authed = false;
    c.on('data', (d: Buffer) => {
      p.first ??= Buffer.from(d);
      buf = Buffer.concat([buf, d]);
      while (!authed) {
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.toString('latin1', 0, nl);
        buf = buf.subarray(nl + 2);
        p.auth += `${line}\n`;
        if (line === 'BEGIN') authed = true;
        else {
          const r = (opts.authReply ?? ((l: string) => (l.startsWith('\0AUTH EXTERNAL ') ? 'OK 0123' : 'REJECTED EXTERNAL')))(line);
          if (r !== null) c.write(`${r}\r\n`);
        }
      }
      while (buf.length >= 16 && buf.length >= messageLength(buf)) {
        const m = decodeMessage(buf.subarray(0, messageLength(buf)));
        buf = buf.subarray(messageLength(buf));
        p.got.push(m);
        if (m.member === 'Hello') p.send({ type: 2, replySerial: m.serial, signature: 's', body: [':1.5'] });
        else opts.onCall?.(p, m);
      }
    });
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const stream = net.createConnection(sock);
  const wire = new Wire(stream, { hello: opts.hello ?? true, auth: opts.auth ?? 'begin' });
  await new Promise<void>((r) => stream.once('connect', r));
  return { p, wire, server };
}

/** The message with a SENDER header field added (marshal.ts writes none: a bus daemon adds it). */
function withSender(b: Buffer, sender: string): Buffer {
  const m = decodeMessage(b);
  const fieldsEnd = 16 + b.readUInt32LE(12);
  const extra = Buffer.alloc(((fieldsEnd + 7) & ~7) - fieldsEnd); // to the next 8
  const s = Buffer.from(sender);
  const field = Buffer.alloc(8 + s.length + 1);
  field.set([7, 1, 0x73, 0], 0);
  field.writeUInt32LE(s.length, 4);
  s.copy(field, 8);
  const fields = Buffer.concat([b.subarray(16, fieldsEnd), extra, field]);
  const head = Buffer.from(b.subarray(0, 16));
  head.writeUInt32LE(fields.length, 12);
  const pad = Buffer.alloc(((16 + fields.length + 7) & ~7) - 16 - fields.length);
  const out = Buffer.concat([head, fields, pad, b.subarray((fieldsEnd + 7) & ~7)]);
  assert.equal(decodeMessage(out).sender, sender);
  assert.equal(decodeMessage(out).member, m.member);
  return out;
}

const get = { destination: 'org.freedesktop.systemd1', path: '/org/freedesktop/systemd1/unit/a_2eservice', interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: ['org.freedesktop.systemd1.Unit', 'ActiveState'] };
const answerGet = (p: Peer, m: InMessage): void => p.send({ type: 2, replySerial: m.serial, signature: 'v', body: [new Variant('s', 'active')] });

describe('Wire', () => {
  it('AUTH EXTERNAL (our uid in hex) and BEGIN in one write; Hello and the call only after the OK', async () => {
    let okSent = false;
    const { p, wire, server } = await peer({
      authReply: (line) => {
        if (!line.startsWith('\0AUTH EXTERNAL ')) return 'REJECTED EXTERNAL';
        // the OK goes out late: nothing but the authentication may come before it
        setTimeout(() => {
          okSent = true;
          p.socket!.write('OK 0123\r\n');
        }, 100);
        return null;
      },
      onCall: (peerSide, m) => {
        assert.ok(okSent, `${m.member} came before the OK`);
        answerGet(peerSide, m);
      },
    });
    wire.start();
    assert.deepEqual((await wire.call(get)).body, ['active']);
    assert.ok(p.first!.includes(Buffer.from('BEGIN\r\n')) && !p.first!.includes(Buffer.from('Hello')), 'AUTH and BEGIN together, nothing else');
    assert.equal(p.auth, `\0AUTH EXTERNAL ${Buffer.from(String(process.getuid!())).toString('hex')}\nBEGIN\n`);
    assert.deepEqual(p.got.map((m) => m.member), ['Hello', 'Get']);
    wire.close();
    server.close();
  });

  it("a call made at once by an 'authenticated' listener goes after BEGIN and Hello, in both exchanges", { timeout: 10_000 }, async () => {
    for (const auth of ['begin', 'stepwise'] as const) {
      const { p, wire, server } = await peer({ auth, onCall: answerGet });
      const answered = new Promise<unknown[]>((resolve, reject) => {
        wire.once('authenticated', () => wire.call(get).then((r) => resolve(r.body), reject));
      });
      wire.start();
      assert.deepEqual(await answered, ['active'], auth);
      // the peer saw BEGIN before any message (else it would not have decoded them), then Hello first
      assert.ok(p.auth.endsWith('BEGIN\n'), `${auth}: ${JSON.stringify(p.auth)}`);
      assert.deepEqual(p.got.map((m) => m.member), ['Hello', 'Get'], auth);
      wire.close();
      server.close();
    }
  });

  it('raw replies keep Variants and BigInt; error replies reject with their name and text', async () => {
    const { wire, server } = await peer({
      onCall: (p, m) =>
        m.member === 'GetAll'
          ? p.send({ type: 2, replySerial: m.serial, signature: 'a{sv}', body: [{ MemoryCurrent: new Variant('t', 2n ** 64n - 1n) }] })
          : p.send({ type: 3, replySerial: m.serial, errorName: 'org.freedesktop.systemd1.NoSuchUnit', signature: 's', body: ['Unit nope.service not loaded.'] }),
    });
    wire.start();
    const raw = await wire.call({ ...get, member: 'GetAll', signature: 's', body: [''] }, true);
    assert.deepEqual(raw.body, [{ MemoryCurrent: new Variant('t', 2n ** 64n - 1n) }]);
    const plain = await wire.call({ ...get, member: 'GetAll', signature: 's', body: [''] });
    assert.deepEqual(plain.body, [{ MemoryCurrent: null }]);
    await assert.rejects(wire.call(get), (e: unknown) => e instanceof DBusErrorReply && e.type === 'org.freedesktop.systemd1.NoSuchUnit' && e.text === 'Unit nope.service not loaded.');
    wire.close();
    server.close();
  });

  it('messages cut into single bytes, several in one chunk, signals, and calls made to us', async () => {
    const { p, wire, server } = await peer({
      onCall: (peerSide, m) => {
        if (m.member === 'Get') {
          // calls to us, from the peer (its sender set as a bus would): a Ping and something unknown
          for (const member of ['Ping', 'Frobnicate']) {
            const b = marshalMessage({ type: 1, serial: 500 + member.length, path: '/', interface: 'org.freedesktop.DBus.Peer', member, destination: ':1.5' });
            peerSide.socket!.write(withSender(b, ':1.1'));
          }
          peerSide.send({ type: 4, path: '/org/freedesktop/systemd1', interface: 'org.freedesktop.systemd1.Manager', member: 'JobRemoved', signature: 'uoss', body: [7, '/org/freedesktop/systemd1/job/7', 'a.service', 'done'] }, true);
          answerGet(peerSide, m);
        }
      },
    });
    const signals: InMessage[] = [];
    wire.on('message', (m: InMessage) => {
      if (m.type === 4) signals.push(m);
    });
    after(() => {
      wire.close();
      server.close();
    });
    wire.start();
    assert.deepEqual((await wire.call(get)).body, ['active']);
    assert.equal(signals.length, 1);
    assert.equal(signals[0]?.member, 'JobRemoved');
    assert.deepEqual(signals[0]?.body, [7, '/org/freedesktop/systemd1/job/7', 'a.service', 'done']);
    await new Promise((r) => setTimeout(r, 100));
    const answers = p.got.filter((m) => m.replySerial === 504 || m.replySerial === 510);
    assert.deepEqual(answers.map((m) => [m.replySerial, m.type, m.errorName, m.destination]), [
      [504, 2, undefined, ':1.1'],
      [510, 3, 'org.freedesktop.DBus.Error.UnknownMethod', ':1.1'],
    ]);
    wire.close();
    server.close();
  });

  it('a reply whose body cannot be read fails its call only; the connection goes on', async () => {
    let first = true;
    const { wire, server } = await peer({
      onCall: (p, m) => {
        if (!first) return answerGet(p, m);
        first = false;
        const b = marshalMessage({ type: 2, serial: 77, replySerial: m.serial, signature: 's', body: ['abc'] });
        b.writeUInt32LE(100, b.length - 8); // the string's length now runs past the body
        p.socket!.write(b);
      },
    });
    wire.start();
    await assert.rejects(wire.call(get), /cannot read the reply: string past the body/);
    assert.deepEqual((await wire.call(get)).body, ['active']);
    wire.close();
    server.close();
  });

  it('a close rejects every call in flight; calls after it reject at once', async () => {
    const { p, wire, server } = await peer({ onCall: () => undefined });
    wire.start();
    const pending = wire.call(get);
    await new Promise((r) => setTimeout(r, 50));
    p.socket!.destroy();
    await assert.rejects(pending, /closed/);
    await assert.rejects(wire.call(get), /closed/);
    assert.equal(wire.closed, true);
    server.close();
  });

  it('a refused authentication fails the connection, in words', async () => {
    const { wire, server } = await peer({ authReply: () => 'REJECTED ANONYMOUS' });
    const closed = new Promise<Error | null>((r) => wire.once('close', r));
    wire.start();
    const call = wire.call(get);
    await assert.rejects(call, /authentication failed: REJECTED ANONYMOUS/);
    assert.match(String(await closed), /authentication failed/);
    server.close();
  });

  it('step by step (TCP): ANONYMOUS after a refused EXTERNAL, the messages held until OK', async () => {
    const { p, wire, server } = await peer({
      auth: 'stepwise',
      hello: false,
      authReply: (line) => (line.includes('ANONYMOUS') ? 'OK 42' : 'REJECTED ANONYMOUS'),
      onCall: (peerSide, m) => peerSide.send({ type: 2, replySerial: m.serial, signature: 's', body: [m.member ?? ''] }),
    });
    wire.start();
    assert.deepEqual((await wire.call(get)).body, ['Get']);
    const lines = p.auth.split('\n');
    assert.equal(lines[0]!.startsWith('\0AUTH EXTERNAL '), true);
    assert.deepEqual(lines.slice(1), ['AUTH ANONYMOUS 73797368657264', 'BEGIN', '']);
    wire.close();
    server.close();
  });
});
