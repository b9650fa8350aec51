/**
 * Global flags, shared by every verb, and how they become connection options.
 *
 * As with systemctl, every flag is accepted with every verb and anywhere on the line
 * (`sysherd restart -q nginx`, `sysherd -q restart nginx`); each verb reads the ones it uses.
 */
import type { ConnectOptions } from '../core/bus.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { IO } from '../output/io.js';
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
}

export type JsonMode = 'pretty' | 'short';

export const JSON_MODES = ['pretty', 'short', 'off'] as const;

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

/** Repeatable option values kept whole: `-H a -H b`. */
export function collectRepeat(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const TRUE_WORDS = new Set(['1', 'yes', 'y', 'true', 't', 'on']);
const FALSE_WORDS = new Set(['0', 'no', 'n', 'false', 'f', 'off']);

/** systemd's parse_boolean. */
export function parseBoolean(s: string): boolean | undefined {
  const v = s.toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  return undefined;
}

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
