/**
 * Global flags, shared by every verb, and how they become connection options.
 *
 * As with systemctl, every flag is accepted with every verb and anywhere on the line
 * (`sysherd restart -q nginx`, `sysherd -q restart nginx`); each verb reads the ones it uses.
 */
import type { ConnectOptions } from '../core/bus.js';
import { InvalidArgumentError } from '../core/errors.js';
import { parseBoolean } from '../core/values.js';
import type { IO } from '../output/io.js';
import { parseTimestampStyle, type TimestampStyle } from '../output/time.js';
import type { DependencyKind } from '../core/expand.js';
import { hostList } from './fleet.js';

/** The flags every verb accepts (`sysherd --user list-units`, `sysherd list-units --json`). */
export interface GlobalOptions {
  user?: boolean;
  system?: boolean;
  /** `--json` (bare: pretty on a terminal, one line when piped), or `--json=pretty|short|off`. */
  json?: boolean;
  /** Set by `--json=MODE` (see `normalizeArgv`). */
  jsonMode?: JsonMode;
  /** `-o/--output MODE`: `json`/`json-pretty` make list verbs print JSON; journal modes for status. */
  output?: string;
  address?: string;
  timeout?: string;
  askPassword?: boolean;
  /** `--no-ask-password`: commander stores it as `askPassword: false`. */
  // listing
  all?: boolean;
  type?: string[];
  state?: string[];
  property?: string[];
  /** `-P PROP`: `--property=PROP --value`. */
  P?: string;
  value?: boolean;
  full?: boolean;
  plain?: boolean;
  /** `false` with `--no-legend` / `--legend=no`. */
  legend?: boolean;
  quiet?: boolean;
  /** `false` with `--no-pager`. */
  pager?: boolean;
  lines?: string;
  reverse?: boolean;
  after?: boolean;
  before?: boolean;
  /** `--with-dependencies`: list-units, list-unit-files, show, status, cat. */
  withDependencies?: boolean;
  /** `--timestamp=STYLE`, checked while parsing (`help` lists the styles). */
  timestamp?: string;
  /** `--show-types`: list-sockets. */
  showTypes?: boolean;
  /** `--wait`: start/restart wait for the units to stop; is-system-running for the boot. */
  wait?: boolean;
  /** `--marked`: reload-or-restart the units marked needs-reload/needs-restart. */
  marked?: boolean;
  // jobs
  /** `false` with `--no-block`. */
  block?: boolean;
  showTransaction?: boolean;
  jobMode?: string;
  // kill
  signal?: string;
  killWhom?: string;
  // unit files
  now?: boolean;
  runtime?: boolean;
  force?: boolean;
  // unit verbs
  /** `--what=` of clean (comma-separated, repeatable). */
  what?: string[];
  /** `--mkdir` of bind/mount-image. */
  mkdir?: boolean;
  /** `--read-only` of bind/mount-image. */
  readOnly?: boolean;
  /** `false` with `--no-reload`. */
  reload?: boolean;
  /** `--preset-mode=full|enable-only|disable-only|help`. */
  presetMode?: string;
  /** `--root=PATH`, `--image=PATH`, `--global`: refused (offline unit-file changes). */
  root?: string;
  image?: string;
  global?: boolean;
  // herd
  logHistory?: string;
  background?: boolean;
  // remote
  host?: string[];
  hosts?: string;
  parallel?: string;
  // system state and containers (system-state.ts)
  machine?: string;
  recursive?: boolean;
  dryRun?: boolean;
  /** `--message`, repeatable: the wall message. */
  message?: string[];
  /** `false` with `--no-wall`. */
  wall?: boolean;
  /** `--check-inhibitors=auto|yes|no` (booleans normalized to yes/no). */
  checkInhibitors?: string;
  /** `-i`. */
  ignoreInhibitors?: boolean;
  firmwareSetup?: boolean;
  bootLoaderMenu?: string;
  bootLoaderEntry?: string;
  rebootArgument?: string;
}

export type JsonMode = 'pretty' | 'short';

export const JSON_MODES = ['pretty', 'short', 'off'] as const;

/**
 * Whether the manager is another machine's: `--address`, `-H`, `--hosts` or `-M` (a container).
 * Then no polkit agent runs here, and this machine's files are not the target's.
 */
export function remoteManager(g: GlobalOptions): boolean {
  return g.address !== undefined || (g.host?.length ?? 0) > 0 || g.hosts !== undefined || g.machine !== undefined;
}

/** A polkit agent may run for this line (systemctl's polkit_agent_open_maybe): the local system manager, unless --no-ask-password. */
export function polkit(g: GlobalOptions): boolean {
  return g.askPassword !== false && !g.user && !remoteManager(g);
}

/** Turn the global flags into connection options. Bad values → `InvalidArgumentError`. */
export function connectOptions(g: GlobalOptions): ConnectOptions {
  if (g.user && g.system) throw new InvalidArgumentError('--user and --system cannot be used together', { hint: 'pick one scope' });
  const opts: ConnectOptions = { bus: g.user ? 'user' : 'system' };
  if (g.address) opts.address = g.address;
  if (g.timeout !== undefined) opts.timeout = parseTimeout(g.timeout);
  // as systemctl: polkit may ask unless --no-ask-password
  if (g.askPassword !== false) opts.interactive = true;
  const hosts = hostList(g);
  if (hosts.length > 1) throw new InvalidArgumentError(`this verb takes one host, not ${hosts.length}`, { hint: 'run it once per host' });
  if (hosts.length === 1) opts.host = hosts[0]!;
  else if (g.machine !== undefined) opts.machine = g.machine; // -M: a local container's bus
  return opts;
}

/**
 * Whether to print JSON, and how: `null` for none. `--json` alone → pretty on a terminal, one
 * line when piped; `--json=pretty|short`; `-o json` → one line, `-o json-pretty` → pretty (as
 * systemctl's list verbs). `--json=off` turns it off.
 */
export function jsonFormat(g: GlobalOptions, io: Pick<IO, 'outIsTTY'>, opts: { outputMeansJson?: boolean } = {}): JsonMode | null {
  if (g.jsonMode) return g.jsonMode;
  if (g.json) return io.outIsTTY ? 'pretty' : 'short';
  if (opts.outputMeansJson !== false) {
    if (g.output === 'json' || g.output === 'json-seq' || g.output === 'json-sse') return 'short';
    if (g.output === 'json-pretty') return 'pretty';
  }
  return null;
}

/** Which dependencies `--reverse`/`--after`/`--before` select (list-dependencies, --with-dependencies). */
export function dependencyKind(g: GlobalOptions): DependencyKind {
  return g.reverse ? 'reverse' : g.after ? 'after' : g.before ? 'before' : 'forward';
}

/** `--with-dependencies`: the kind to follow, or `undefined` without the flag. */
export function withDependencies(g: GlobalOptions): DependencyKind | undefined {
  return g.withDependencies ? dependencyKind(g) : undefined;
}

/** `--timestamp`'s style (`pretty` without it; the value was checked while parsing). */
export function timestampStyle(g: GlobalOptions): TimestampStyle {
  return (g.timestamp !== undefined ? parseTimestampStyle(g.timestamp) : undefined) ?? 'pretty';
}

/** `25`, `25s`, `500ms`, `2min` → milliseconds (systemd's time span syntax, the common units). */
export function parseTimeout(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/.exec(s);
  if (!m) throw new InvalidArgumentError(`invalid --timeout value '${s}'`, { hint: 'use a time span such as 10s, 500ms or 2min' });
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' || unit === 'sec' ? n * 1000 : unit === 'h' ? n * 3_600_000 : n * 60_000;
  if (ms <= 0) throw new InvalidArgumentError(`invalid --timeout value '${s}': must be more than 0`, { hint: 'use a time span such as 10s' });
  return Math.round(ms);
}

/** Comma-separated, repeatable option values: `--state=failed,running --state exited`. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)];
}

/**
 * `-p/--property`: as `collectList`, and an empty value (`-p ''`) alone means "no property"
 * (systemctl then shows none): kept as `''`, which matches no name.
 */
export function collectProperties(value: string, previous: string[] | undefined): string[] {
  const list = collectList(value, (previous ?? []).filter((p) => p !== ''));
  return list.length === 0 && (value === '' || previous?.[0] === '') ? [''] : list;
}

/** `--what=`: as `collectList`, but an empty value is systemctl's error. */
export function collectWhat(value: string, previous: string[] | undefined): string[] {
  if (value === '') throw new InvalidArgumentError('--what= requires arguments.');
  return collectList(value, previous);
}

/** systemd's unit load states: systemctl 252 takes them in `--type=` too (as `--state=`). */
const LOAD_STATES = new Set(['stub', 'loaded', 'not-found', 'bad-setting', 'error', 'merged', 'masked']);

/**
 * `--type=VALUES` as systemctl 252 takes it: load states among the values go to `--state=`
 * ("for compatibility with old versions"); the rest stay types. `null` when nothing moves.
 */
export function splitTypeValue(value: string): string[] | null {
  const words = value.split(',').filter((w) => w !== '');
  if (words.includes('help') || !words.some((w) => LOAD_STATES.has(w))) return null;
  const types = words.filter((w) => !LOAD_STATES.has(w));
  const states = words.filter((w) => LOAD_STATES.has(w));
  return [...(types.length > 0 ? [`--type=${types.join(',')}`] : []), `--state=${states.join(',')}`];
}

/** Repeatable option values kept whole: `-H a -H b`. */
export function collectRepeat(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** systemd's parse_boolean (core/values.ts). */
export { parseBoolean };

/**
 * Spellings commander cannot take as they are, rewritten before parsing:
 * `--json=MODE` (systemctl's optional-argument form) → `--json` or `--json-mode MODE`;
 * `--legend=BOOL` / `--legend` → `--no-legend` or nothing; `--kill-who` (systemctl 252) →
 * `--kill-whom`; `--failed` (systemctl's shorthand) → `--state=failed`. Stops at `--`.
 */
export function normalizeArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('--json=')) {
      const mode = a.slice('--json='.length);
      if (!(JSON_MODES as readonly string[]).includes(mode)) {
        throw new InvalidArgumentError(`unknown --json value '${mode}'`, { hint: `valid values: ${JSON_MODES.join(', ')}` });
      }
      if (mode !== 'off') out.push('--json-mode', mode);
      continue;
    }
    if (a === '--when' || a.startsWith('--when=')) {
      // systemd 254's shutdown scheduling: systemctl 252 does not know it, nor do we
      throw new InvalidArgumentError(`unrecognized option '${a}'`);
    }
    if (a === '--failed') {
      // systemctl's shorthand
      out.push('--state=failed');
      continue;
    }
    if (a === '--legend') continue;
    if (a.startsWith('--legend=')) {
      const v = parseBoolean(a.slice('--legend='.length));
      if (v === undefined) throw new InvalidArgumentError(`invalid --legend value '${a.slice(9)}'`, { hint: 'use yes or no' });
      if (!v) out.push('--no-legend');
      continue;
    }
    // -t VALUE, --type VALUE, --type=VALUE, and getopt's attached -tVALUE
    const typeValue = a === '-t' || a === '--type' ? argv[i + 1] : a.startsWith('--type=') ? a.slice(7) : /^-t[^-]/.test(a) ? a.slice(2) : undefined;
    if (typeValue !== undefined) {
      const moved = splitTypeValue(typeValue);
      if (moved) {
        out.push(...moved);
        if (a === '-t' || a === '--type') i++;
        continue;
      }
    }
    if (a === '--kill-who') {
      out.push('--kill-whom');
      continue;
    }
    if (a.startsWith('--kill-who=')) {
      out.push(`--kill-whom=${a.slice('--kill-who='.length)}`);
      continue;
    }
    out.push(a);
  }
  return out;
}
