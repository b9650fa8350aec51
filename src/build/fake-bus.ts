/**
 * A fake bus for the code cache's training run (src/build/build-cli.mjs): a unix socket that
 * answers the authentication, Hello, and the calls `is-active` and `status` of one service make,
 * with replies made by sysherd's own marshaller. Not a D-Bus daemon: one unit, canned answers,
 * an UnknownMethod error for anything else (the error path is worth compiling too).
 */
import { createServer, type Server } from 'node:net';
import { decodeMessage, messageLength } from '../core/decode.js';
import { marshalMessage } from '../core/marshal.js';
import { Variant } from '../core/variant.js';

const UNIT = 'sysherd-build.service';
const UNIT_PATH = '/org/freedesktop/systemd1/unit/sysherd_2dbuild_2eservice';

const v = (sig: string, value: unknown): Variant => new Variant(sig, value);
const NOW = 1_700_000_000_000_000n;

/** The properties `GetAll("")` of the unit gives (the Unit and Service interfaces, abridged). */
const PROPERTIES: Record<string, Variant> = {
  Id: v('s', UNIT),
  Names: v('as', [UNIT]),
  Description: v('s', 'sysherd build'),
  LoadState: v('s', 'loaded'),
  ActiveState: v('s', 'active'),
  SubState: v('s', 'running'),
  FragmentPath: v('s', `/etc/systemd/system/${UNIT}`),
  UnitFileState: v('s', 'enabled'),
  UnitFilePreset: v('s', 'enabled'),
  Documentation: v('as', ['man:sysherd(1)']),
  DropInPaths: v('as', []),
  TriggeredBy: v('as', []),
  Triggers: v('as', []),
  ActiveEnterTimestamp: v('t', NOW),
  ActiveEnterTimestampMonotonic: v('t', 1_000_000n),
  InactiveExitTimestamp: v('t', NOW),
  StateChangeTimestamp: v('t', NOW),
  ConditionResult: v('b', true),
  AssertResult: v('b', true),
  Type: v('s', 'simple'),
  Result: v('s', 'success'),
  MainPID: v('u', 1),
  ControlPID: v('u', 0),
  StatusText: v('s', ''),
  StatusErrno: v('i', 0),
  ControlGroup: v('s', `/system.slice/${UNIT}`),
  TasksCurrent: v('t', 1n),
  TasksMax: v('t', 100n),
  MemoryCurrent: v('t', 1_048_576n),
  CPUUsageNSec: v('t', 1_000_000n),
  ExecMainPID: v('u', 1),
  ExecMainStartTimestamp: v('t', NOW),
  ExecMainCode: v('i', 0),
  ExecMainStatus: v('i', 0),
  ExecStart: v('a(sasbttttuii)', [['/bin/true', ['/bin/true'], false, NOW, 0n, 0n, 0n, 1, 0, 0]]),
  NRestarts: v('u', 0),
};

type Reply = { signature: string; body: unknown[] } | { error: string; text: string };

function answer(member: string | undefined, body: unknown[]): Reply {
  switch (member) {
    case 'Hello':
      return { signature: 's', body: [':1.1'] };
    case 'Get':
      return body[1] === 'ActiveState' ? { signature: 'v', body: [PROPERTIES.ActiveState] } : { error: 'org.freedesktop.DBus.Error.UnknownProperty', text: 'Unknown property' };
    case 'GetAll':
      return { signature: 'a{sv}', body: [PROPERTIES] };
    case 'LoadUnit':
    case 'GetUnit':
      return { signature: 'o', body: [UNIT_PATH] };
    case 'GetUnitProcesses':
      return { signature: 'a(sus)', body: [[[`/system.slice/${UNIT}`, 1, '/bin/true']]] };
    default:
      return { error: 'org.freedesktop.DBus.Error.UnknownMethod', text: `Unknown method ${member ?? ''}` };
  }
}

/** Listen on `path`; the server does not keep the process alive. */
export async function startFakeBus(path: string): Promise<Server> {
  const server = createServer((c) => {
    let buf = Buffer.alloc(0);
    let authed = false;
    let serial = 0x7000;
    c.on('error', () => undefined);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!authed) {
        const at = buf.indexOf('BEGIN\r\n');
        if (at < 0) return;
        buf = buf.subarray(at + 7);
        authed = true;
        c.write('OK 0123456789abcdef0123456789abcdef\r\n');
      }
      while (buf.length >= 16 && buf.length >= messageLength(buf)) {
        const n = messageLength(buf);
        const m = decodeMessage(buf.subarray(0, n));
        buf = buf.subarray(n);
        if (m.type !== 1) continue;
        const r = answer(m.member, m.body);
        const base = { serial: serial++, replySerial: m.serial };
        c.write(marshalMessage('error' in r ? { ...base, type: 3, errorName: r.error, signature: 's', body: [r.text] } : { ...base, type: 2, ...r }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  server.unref();
  return server;
}
