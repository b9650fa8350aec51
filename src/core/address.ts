/**
 * Which D-Bus address to talk to. Pure: the environment and the file checks are passed in,
 * so the choice is unit-tested without a bus.
 */

/** Which systemd instance: the system manager, or the calling user's manager. */
export type BusKind = 'system' | 'user';

/** One address to try, and whether it is a peer-to-peer connection to systemd itself. */
export interface BusTarget {
  /** A D-Bus address such as `unix:path=/run/dbus/system_bus_socket`. */
  address: string;
  /**
   * `true` for systemd's private socket: no bus daemon, no `Hello`, no `AddMatch`;
   * every signal arrives without asking.
   */
  direct: boolean;
  /** Where the address came from, for error messages ("from DBUS_SYSTEM_BUS_ADDRESS"). */
  source: string;
  /** A transport that is not an address: opens the stream to speak D-Bus on (ssh to a host). */
  stream?: () => NodeJS.ReadWriteStream & NodeJS.EventEmitter;
  /** How long connecting may take (default: the call timeout). */
  connectTimeout?: number;
}

export const SYSTEM_BUS_SOCKET = '/run/dbus/system_bus_socket';
export const SYSTEMD_PRIVATE_SOCKET = '/run/systemd/private';

export interface AddressInputs {
  bus: BusKind;
  /** An explicit address from the caller: wins over everything. */
  address?: string | undefined;
  env: Record<string, string | undefined>;
  uid: number;
  /** Does this path exist (and is it a socket)? */
  exists: (path: string) => boolean;
  /** A bus daemon is needed (systemctl's BUS_FULL: RefUnit, other services' names): not systemd's private socket. */
  full?: boolean | undefined;
}

/** `true` when a D-Bus address points at systemd's private socket rather than a bus daemon. */
export function isDirectAddress(address: string): boolean {
  const path = unixPath(address);
  return path !== undefined && /(^|\/)systemd\/private$/.test(path);
}

/** The socket path of a `unix:path=…` address (first entry only), or `undefined`. */
export function unixPath(address: string): string | undefined {
  const first = address.split(';')[0] ?? '';
  const m = /^unix:(.*)$/.exec(first);
  if (!m || m[1] === undefined) return undefined;
  for (const kv of m[1].split(',')) {
    const eq = kv.indexOf('=');
    if (eq > 0 && kv.slice(0, eq) === 'path') return unescapeAddressValue(kv.slice(eq + 1));
  }
  return undefined;
}

/** Where a D-Bus address leads: a socket path (`\0…` for an abstract one), or a TCP host and port. */
export type SocketAddress = { path: string } | { host: string; port: number };

/**
 * The first entry of a D-Bus address this client can open (`unix:path=`, `unix:abstract=`,
 * `unix:socket=`, `tcp:host=,port=`), values unescaped; the reason when there is none.
 */
export function parseAddress(address: string): SocketAddress | { error: string } {
  let why = 'empty address';
  for (const entry of address.split(';')) {
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      why = `'${entry}' has no transport (unix:path=…)`;
      continue;
    }
    const family = entry.slice(0, colon);
    const params = new Map<string, string>();
    for (const kv of entry.slice(colon + 1).split(',')) {
      const eq = kv.indexOf('=');
      if (eq > 0) params.set(kv.slice(0, eq), unescapeAddressValue(kv.slice(eq + 1)));
    }
    if (family === 'unix') {
      const path = params.get('path') ?? params.get('socket');
      if (path !== undefined) return { path };
      const abs = params.get('abstract');
      if (abs !== undefined) return { path: `\0${abs}` };
      why = `'${entry}' names no path`;
    } else if (family === 'tcp') {
      const port = Number(params.get('port'));
      if (Number.isInteger(port) && port > 0 && port < 65536) return { host: params.get('host') ?? 'localhost', port };
      why = `'${entry}' has no valid port`;
    } else why = `transport '${family}' is not supported (unix: and tcp: are)`;
  }
  return { error: why };
}

/** D-Bus addresses escape bytes as %XX. */
function unescapeAddressValue(v: string): string {
  return v.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * The addresses to try, in order. System: an explicit address, else `DBUS_SYSTEM_BUS_ADDRESS`,
 * else (as root, when it exists) systemd's private socket followed by the system bus socket.
 * User: explicit, else `DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus`.
 * Returns an empty list with a reason when nothing can be tried.
 */
export function resolveBusTargets(inp: AddressInputs): { targets: BusTarget[]; reason?: string } {
  if (inp.address) {
    return { targets: [{ address: inp.address, direct: isDirectAddress(inp.address), source: 'given address' }] };
  }
  if (inp.bus === 'system') {
    const envAddr = inp.env.DBUS_SYSTEM_BUS_ADDRESS;
    if (envAddr) {
      return { targets: [{ address: envAddr, direct: isDirectAddress(envAddr), source: 'DBUS_SYSTEM_BUS_ADDRESS' }] };
    }
    const targets: BusTarget[] = [];
    if (inp.uid === 0 && !inp.full && inp.exists(SYSTEMD_PRIVATE_SOCKET)) {
      targets.push({ address: `unix:path=${SYSTEMD_PRIVATE_SOCKET}`, direct: true, source: "systemd's private socket" });
    }
    targets.push({ address: `unix:path=${SYSTEM_BUS_SOCKET}`, direct: false, source: 'the system bus' });
    return { targets };
  }
  const session = inp.env.DBUS_SESSION_BUS_ADDRESS;
  if (session) {
    return { targets: [{ address: session, direct: isDirectAddress(session), source: 'DBUS_SESSION_BUS_ADDRESS' }] };
  }
  const xdg = inp.env.XDG_RUNTIME_DIR;
  if (xdg) {
    return { targets: [{ address: `unix:path=${xdg}/bus`, direct: false, source: '$XDG_RUNTIME_DIR/bus' }] };
  }
  return {
    targets: [],
    reason:
      'neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set; log in with a user session (or set DBUS_SESSION_BUS_ADDRESS)',
  };
}

/** A remote host as `-H` takes it: `[USER@]HOST[:PORT]`, `[USER@][IPV6]:PORT`. */
export interface RemoteHost {
  host: string;
  user?: string;
  port?: number;
}

/**
 * A user name ssh may pass on (`ssh -l USER`): what OpenSSH ≥ 9.6 accepts from the command line
 * (misc.c valid_ruser: no leading '-', no control character, none of '`";&<>|(){}, no trailing
 * backslash), and, as before, no whitespace or '/'. ssh expands %r into ProxyCommand and
 * `Match exec`, which a shell runs: an older ssh would pass `a$(id)` there unchecked.
 */
export function validRemoteUser(user: string): boolean {
  return user !== '' && !user.startsWith('-') && !/[\x00-\x1f\x7f'`";&<>|(){}\s/]/.test(user) && !user.endsWith('\\');
}

/**
 * Parse `-H`'s value as systemctl does (`[USER@]HOST[:PORT]`; an IPv6 address in brackets when a
 * port follows). Throws a plain `Error` with the reason for anything else (the caller words it).
 */
export function parseHost(spec: string): RemoteHost {
  const s = spec.trim();
  let rest = s;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!validRemoteUser(user)) throw new Error(`invalid user in host '${spec}'`);
  }
  let host: string;
  let port: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw new Error(`invalid host '${spec}': missing ']'`);
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw new Error(`invalid host '${spec}'`);
      port = after.slice(1);
    }
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0 && rest.indexOf(':', colon + 1) >= 0) {
      host = rest; // a bare IPv6 address: no port
    } else if (colon >= 0) {
      host = rest.slice(0, colon);
      port = rest.slice(colon + 1);
    } else {
      host = rest;
    }
  }
  if (host === '' || host.startsWith('-') || /[\s/'"\\`$;&|<>()]/.test(host)) throw new Error(`invalid host name in '${spec}'`);
  const out: RemoteHost = { host };
  if (user !== undefined) out.user = user;
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new Error(`invalid port in host '${spec}'`);
    out.port = Number(port);
  }
  return out;
}

/** Back to `[USER@]HOST[:PORT]` (IPv6 in brackets when a port follows). */
export function formatHost(h: RemoteHost): string {
  const host = h.port !== undefined && h.host.includes(':') ? `[${h.host}]` : h.host;
  return `${h.user !== undefined ? `${h.user}@` : ''}${host}${h.port !== undefined ? `:${h.port}` : ''}`;
}

/** The target of a remote host: not a D-Bus address but a label (the stream comes from ssh). */
export function remoteLabel(h: RemoteHost): string {
  return `ssh://${formatHost(h)}`;
}
