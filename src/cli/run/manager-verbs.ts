/**
 * The manager's settings and environment as systemctl 252 changes them:
 *
 * - one get/set table for `log-level`, `log-target` (org.freedesktop.LogControl1 of systemd),
 *   `service-log-level`, `service-log-target` (the same interface on a service's `BusName=`) and
 *   `service-watchdogs` (the Manager's `ServiceWatchdogs`): no value prints it, a value sets it;
 * - `set-environment`, `unset-environment`, `import-environment` (SetEnvironment/UnsetEnvironment).
 *
 * Failures are systemctl's lines and exit 1; `--json` prints what was read or changed.
 */
import type { Bus, ConnectOptions } from '../../core/bus.js';
import { variant } from '../../core/bus.js';
import { InvalidArgumentError, SystemdError } from '../../core/errors.js';
import type { Manager } from '../../core/manager.js';
import { mangleUnitName, unitObjectPath } from '../../core/names.js';
import { logLevelFromString } from '../../core/unit-properties.js';
import { parseBoolean } from '../../core/values.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { SETTINGS, type EnvironmentVerb, type SettingVerb } from '../unit-verb-table.js';
import { checkArgCount, errorRecord, verbError, withManager, writeFailure } from './manage.js';

type JsonMode = 'pretty' | 'short' | null;

const LOG_CONTROL_PATH = '/org/freedesktop/LogControl1';
const LOG_CONTROL_IFACE = 'org.freedesktop.LogControl1';
const SYSTEMD = 'org.freedesktop.systemd1';

/** Errors sd-bus turns into EBADR: the service has no LogControl1 object (systemctl then hints). */
const EBADR_ERRORS = new Set(['org.freedesktop.DBus.Error.UnknownObject', 'org.freedesktop.DBus.Error.UnknownInterface', 'org.freedesktop.DBus.Error.UnknownMethod']);

/** systemctl's `give_log_control1_hint` (a notice, unless `-q`). */
export const LOG_CONTROL_HINT = [
  'Hint: the service must declare BusName= and implement the appropriate D-Bus interface.',
  '      See the org.freedesktop.LogControl1(5) man page for details.',
];

export interface SettingOptions {
  verb: SettingVerb;
  args: string[];
  quiet: boolean;
  json: JsonMode;
  connect: ConnectOptions;
  polkit?: boolean;
}

/** `--json` of the settings verbs: what was read (`set: false`) or written (`set: true`). */
export interface SettingResult {
  verb: SettingVerb;
  /** The bus name asked (`org.freedesktop.systemd1`, or the service's BusName=). */
  destination: string;
  /** service-log-*: the unit. */
  unit?: string;
  property: 'LogLevel' | 'LogTarget' | 'ServiceWatchdogs';
  set: boolean;
  value: string | boolean;
}

/** Whether systemctl's LogControl1 hint follows the error line (set while a call fails). */
interface HintState {
  hint: boolean;
}

/** systemctl's `verb_log_control_common`: get or set LogLevel/LogTarget of `destination`. */
async function logControl(bus: Bus, destination: string, level: boolean, value: string | undefined, state: HintState | null): Promise<string> {
  const property = level ? 'LogLevel' : 'LogTarget';
  const what = level ? 'level' : 'target';
  const badr = (e: unknown): void => {
    if (state && e instanceof SystemdError && e.dbusName !== undefined && EBADR_ERRORS.has(e.dbusName)) state.hint = true;
  };
  if (value !== undefined) {
    if (level && logLevelFromString(value) === null) throw new InvalidArgumentError(`"${value}" is not a valid log level.`);
    try {
      await bus.call({
        destination,
        path: LOG_CONTROL_PATH,
        interface: 'org.freedesktop.DBus.Properties',
        member: 'Set',
        signature: 'ssv',
        body: [LOG_CONTROL_IFACE, property, variant('s', value)],
        mutating: true,
      });
    } catch (e) {
      badr(e);
      throw verbError(`Failed to set log ${what} of ${destination} to ${value}: ${errorRecord(e).message}`, e);
    }
    return value;
  }
  try {
    const [v] = await bus.call({ destination, path: LOG_CONTROL_PATH, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [LOG_CONTROL_IFACE, property] });
    return String(v);
  } catch (e) {
    badr(e);
    throw verbError(`Failed to get log ${what} of ${destination}: ${errorRecord(e).message}`, e);
  }
}

/** service-log-*: the service's BusName= (systemctl's `service_name_to_dbus`). */
async function serviceBusName(m: Manager, unit: string, state: HintState): Promise<string> {
  let busName: string;
  try {
    const [v] = await m.bus.call({ path: unitObjectPath(unit), interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: ['org.freedesktop.systemd1.Service', 'BusName'] });
    busName = String(v);
  } catch (e) {
    throw verbError(`Failed to obtain BusName= property of ${unit}: ${errorRecord(e).message}`, e);
  }
  if (busName === '') {
    state.hint = true;
    throw new InvalidArgumentError(`Unit ${unit} doesn't declare BusName=.`);
  }
  return busName;
}

async function readOrWrite(m: Manager, o: SettingOptions, unit: string | undefined, value: string | undefined, state: HintState): Promise<SettingResult> {
  if (o.verb === 'service-watchdogs') {
    if (value === undefined) {
      let v: unknown;
      try {
        v = await m.getProperty('ServiceWatchdogs');
      } catch (e) {
        throw verbError(`Failed to get service-watchdog state: ${errorRecord(e).message}`, e);
      }
      return { verb: o.verb, destination: SYSTEMD, property: 'ServiceWatchdogs', set: false, value: v === true };
    }
    const b = parseBoolean(value);
    if (b === undefined) throw new InvalidArgumentError('Failed to parse service-watchdogs argument: Invalid argument');
    try {
      await m.setProperty('ServiceWatchdogs', 'b', b);
    } catch (e) {
      throw verbError(`Failed to set service-watchdog state: ${errorRecord(e).message}`, e);
    }
    return { verb: o.verb, destination: SYSTEMD, property: 'ServiceWatchdogs', set: true, value: b };
  }
  const level = o.verb.endsWith('log-level');
  const destination = unit ? await serviceBusName(m, unit, state) : SYSTEMD;
  const v = await logControl(m.bus, destination, level, value, unit ? state : null);
  return { verb: o.verb, destination, ...(unit ? { unit } : {}), property: level ? 'LogLevel' : 'LogTarget', set: value !== undefined, value: v };
}

export async function runSetting(o: SettingOptions, io: IO): Promise<SettingResult | undefined> {
  const row = SETTINGS.find((s) => s.verb === o.verb)!;
  if (row.service) checkArgCount(o.args, 1, 2);
  else checkArgCount(o.args, 0, 1);
  let unit: string | undefined;
  if (row.service) {
    try {
      const r = mangleUnitName(o.args[0]!, { suffix: 'service' });
      if (r.warning && !o.quiet) io.err.write(`${escapeTerminal(r.warning)}\n`);
      unit = r.name;
    } catch {
      throw new InvalidArgumentError('Failed to mangle unit name: Invalid argument');
    }
  }
  const value = row.service ? o.args[1] : o.args[0];
  // service-log-*: the service's own bus name, through a bus daemon (systemctl's BUS_FULL)
  const connect = row.service ? { ...o.connect, full: true } : o.connect;
  const state: HintState = { hint: false };
  let result: SettingResult;
  try {
    result = await withManager(connect, (m) => readOrWrite(m, o, unit, value, state), o.polkit, io);
  } catch (e) {
    if (!state.hint || !(e instanceof SystemdError)) throw e;
    // systemctl's hint follows its error line
    writeFailure(io, e.message);
    if (!o.quiet) io.err.write(LOG_CONTROL_HINT.map((l) => `${l}\n`).join(''));
    io.exitCode = e.exitCode;
    return undefined;
  }
  if (o.json) writeJson(io, result, o.json);
  else if (!result.set) io.out.write(`${escapeTerminal(typeof result.value === 'boolean' ? (result.value ? 'yes' : 'no') : result.value)}\n`);
  return result;
}

// ── environment ──────────────────────────────────────────────────────────────────────────

export interface EnvironmentOptions {
  verb: EnvironmentVerb;
  args: string[];
  json: JsonMode;
  connect: ConnectOptions;
  quiet?: boolean;
  /** import-environment: the environment to copy from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  polkit?: boolean;
}

/** `--json` of the environment verbs. */
export interface EnvironmentResult {
  verb: EnvironmentVerb;
  ok: true;
  /** set-/import-environment: the assignments sent. */
  set: string[];
  /** unset-environment: the names (or assignments) removed. */
  unset: string[];
  /** import-environment: names asked for that are not set here (systemctl's notices). */
  ignored: string[];
}

/** systemd 252's `env_name_is_valid`: letters, digits and `_`, not starting with a digit. */
export function envNameIsValid(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** `string_has_cc(s, NULL)`: a control character (tab and newline count too). */
const hasControlChars = (s: string): boolean => /[\x00-\x1f\x7f]/.test(s);

export async function runEnvironment(o: EnvironmentOptions, io: IO): Promise<EnvironmentResult> {
  const result: EnvironmentResult = { verb: o.verb, ok: true, set: [], unset: [], ignored: [] };
  if (o.verb === 'import-environment') {
    const env = o.env ?? process.env;
    const entries = Object.entries(env).filter((kv): kv is [string, string] => kv[1] !== undefined);
    if (o.args.length === 0) {
      io.err.write('Calling import-environment without a list of variable names is deprecated.\n');
      // strv_env_clean: valid assignments only
      for (const [k, v] of entries) {
        if (!envNameIsValid(k)) continue;
        if (hasControlChars(v)) io.err.write(`${escapeTerminal(`Environment variable $${k} contains control characters, importing anyway.`)}\n`);
        result.set.push(`${k}=${v}`);
      }
    } else {
      for (const name of o.args) {
        // checked in turn, as systemctl: notices for the names before a bad one are printed
        if (!envNameIsValid(name)) throw new InvalidArgumentError(`Not a valid environment variable name: ${name}`);
        const v = env[name];
        if (v === undefined) {
          io.err.write(`${escapeTerminal(`Environment variable $${name} not set, ignoring.`)}\n`);
          result.ignored.push(name);
          continue;
        }
        if (hasControlChars(v)) io.err.write(`${escapeTerminal(`Environment variable $${name} contains control characters, importing anyway.`)}\n`);
        result.set.push(`${name}=${v}`);
      }
    }
  } else {
    checkArgCount(o.args, 1);
    if (o.verb === 'set-environment') result.set = [...o.args];
    else result.unset = [...o.args];
  }
  await withManager(o.connect, async (m) => {
    try {
      if (o.verb === 'unset-environment') await m.unsetEnvironment(result.unset);
      else await m.setEnvironment(result.set);
    } catch (e) {
      throw verbError(`Failed to ${o.verb === 'import-environment' ? 'import' : 'set'} environment: ${errorRecord(e).message}`, e);
    }
  }, o.polkit, io);
  if (o.json) writeJson(io, result, o.json);
  return result;
}

/** Either kind of manager verb (cli/unit-verbs.ts registers them together). */
export function runManagerVerb(o: Omit<SettingOptions, 'verb'> & { verb: SettingVerb | EnvironmentVerb }, io: IO): Promise<unknown> {
  const setting = SETTINGS.find((s) => s.verb === o.verb);
  return setting ? runSetting({ ...o, verb: setting.verb }, io) : runEnvironment({ ...o, verb: o.verb as EnvironmentVerb }, io);
}
