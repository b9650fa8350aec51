/**
 * The unit verbs of systemctl 252 beyond the lifecycle: `freeze`, `thaw`, `clean` (one table,
 * systemctl's `verb_clean_or_freeze`), `set-property`, `bind`, `mount-image`. Each failure is one
 * line on stderr in systemctl's words and exit 1 (these verbs of systemctl return EXIT_FAILURE for
 * any error); `--json` prints one document of what was asked and what happened per unit.
 */
import type { ConnectOptions } from '../../core/bus.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Manager } from '../../core/manager.js';
import { mangleUnitName, unitTypeOf } from '../../core/names.js';
import { jsonPropertyValue, parseUnitPropertyAssignments, type PropertyValue } from '../../core/unit-properties.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { CLEAN_OR_FREEZE, type CleanOrFreezeVerb } from '../unit-verb-table.js';
import { checkArgCount, errorRecord, expandUnits, finish, verbError, withManager, writeFailure, type UnitOutcome } from './manage.js';

type JsonMode = 'pretty' | 'short' | null;

export interface CleanOrFreezeOptions {
  verb: CleanOrFreezeVerb;
  units: string[];
  /** `--what=` (clean only); default `cache,runtime`, as systemctl. */
  what: string[];
  /** `false` with `--no-block`: do not wait for the cleaning to end. */
  block: boolean;
  quiet: boolean;
  json: JsonMode;
  connect: ConnectOptions;
  polkit?: boolean;
}

/** `freeze/thaw/clean --json`. */
export interface CleanOrFreezeResult {
  verb: CleanOrFreezeVerb;
  ok: boolean;
  /** clean: the directory types asked for; `null` for freeze/thaw. */
  what: string[] | null;
  units: (UnitOutcome & { cleanResult?: string | null })[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * systemctl's BUS_WAIT_FOR_MAINTENANCE_END: wait until the unit leaves `maintenance` (cleaning
 * runs in it); its `CleanResult` (services, sockets, mounts) other than `success` is a failure.
 */
async function waitMaintenanceEnd(m: Manager, unit: string): Promise<string | null> {
  const obj = await m.getUnit(unit);
  for (;;) {
    const all = await m.bus.call({ path: obj.path, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [''] });
    const props = (all[0] ?? {}) as Record<string, unknown>;
    if (props.ActiveState !== 'maintenance') return typeof props.CleanResult === 'string' ? props.CleanResult : null;
    await sleep(100);
  }
}

export async function runCleanOrFreeze(o: CleanOrFreezeOptions, io: IO): Promise<CleanOrFreezeResult> {
  checkArgCount(o.units, 1);
  const method = CLEAN_OR_FREEZE.find((v) => v.verb === o.verb)!.method;
  const what = o.verb === 'clean' ? (o.what.length > 0 ? o.what : ['cache', 'runtime']) : null;
  // RefUnit (to wait) needs a bus daemon, as systemctl's BUS_FULL
  const result = await withManager({ ...o.connect, full: true }, async (m): Promise<CleanOrFreezeResult> => {
    const names = await expandUnits(m, o.units, o.quiet, io);
    const units: CleanOrFreezeResult['units'] = [];
    const waitFor: number[] = [];
    let failed = false;
    for (const unit of names) {
      if (o.block) {
        try {
          await m.refUnit(unit);
        } catch (e) {
          const error = errorRecord(e);
          writeFailure(io, `Failed to add reference to unit ${unit}: ${error.message}`);
          units.push({ unit, ok: false, error });
          failed = true;
          continue;
        }
      }
      try {
        if (method === 'CleanUnit') await m.cleanUnit(unit, what!);
        else if (method === 'FreezeUnit') await m.freezeUnit(unit);
        else await m.thawUnit(unit);
        units.push({ unit, ok: true, error: null });
      } catch (e) {
        const error = errorRecord(e);
        writeFailure(io, `Failed to ${o.verb} unit ${unit}: ${error.message}`);
        units.push({ unit, ok: false, error });
        // systemctl skips the wait only for its first failure
        const first = !failed;
        failed = true;
        if (first) continue;
      }
      if (o.block) {
        // systemctl's wait set takes a unit once: a repeated one ends the verb there
        if (waitFor.some((i) => units[i]!.unit === unit)) {
          writeFailure(io, `Failed to watch unit ${unit}: File exists`);
          units[units.length - 1]!.ok = false;
          return { verb: o.verb, ok: false, what, units };
        }
        waitFor.push(units.length - 1);
      }
    }
    for (const i of waitFor) {
      const u = units[i]!;
      const cleanResult = await waitMaintenanceEnd(m, u.unit);
      if (o.verb === 'clean') u.cleanResult = cleanResult;
      if (cleanResult !== null && cleanResult !== 'success') {
        u.ok = false;
        failed = true;
      }
    }
    return { verb: o.verb, ok: !failed && units.every((u) => u.ok), what, units };
  }, o.polkit, io);
  finish(result, o.json, io);
  return result;
}

// ── set-property ─────────────────────────────────────────────────────────────────────────

export interface SetPropertyOptions {
  /** UNIT (name or pattern), then NAME=VALUE… */
  args: string[];
  runtime: boolean;
  quiet: boolean;
  json: JsonMode;
  connect: ConnectOptions;
  polkit?: boolean;
}

/** `set-property --json`: per unit, what was sent (`properties`, as D-Bus names and values). */
export interface SetPropertyResult {
  verb: 'set-property';
  ok: boolean;
  runtime: boolean;
  units: (UnitOutcome & { properties: { name: string; signature: string; value: unknown }[] })[];
}

export async function runSetProperty(o: SetPropertyOptions, io: IO): Promise<SetPropertyResult> {
  checkArgCount(o.args, 2);
  const [pattern, ...assignments] = o.args as [string, ...string[]];
  const result = await withManager(o.connect, async (m): Promise<SetPropertyResult> => {
    const names = await expandUnits(m, [pattern], o.quiet, io, { failure: `Failed to expand '${pattern}' into names: Invalid argument` });
    const units: SetPropertyResult['units'] = [];
    for (const unit of names) {
      let props: PropertyValue[] = [];
      try {
        props = parseUnitPropertyAssignments(unitTypeOf(unit) ?? '', assignments);
        await m.setUnitProperties(unit, o.runtime, props);
        units.push({ unit, ok: true, error: null, properties: props.map(jsonProperty) });
      } catch (e) {
        const error = errorRecord(e);
        // a parse error is systemctl's own line; a refusal names the unit
        writeFailure(io, e instanceof InvalidArgumentError && !error.name ? error.message : `Failed to set unit properties on ${unit}: ${error.message}`);
        units.push({ unit, ok: false, error, properties: props.map(jsonProperty) });
      }
    }
    return { verb: 'set-property', ok: units.every((u) => u.ok), runtime: o.runtime, units };
  }, o.polkit, io);
  finish(result, o.json, io);
  return result;
}

function jsonProperty(p: PropertyValue): { name: string; signature: string; value: unknown } {
  return { name: p.name, signature: p.signature, value: jsonPropertyValue(p.value) };
}

// ── bind, mount-image ────────────────────────────────────────────────────────────────────

/** systemd 252's partition designators (`mount-image … PARTITION:OPTIONS`). */
export const PARTITION_DESIGNATORS = [
  'root', 'root-secondary', 'root-other', 'usr', 'usr-secondary', 'usr-other', 'home', 'srv', 'esp', 'xbootldr', 'swap',
  'root-verity', 'root-secondary-verity', 'root-other-verity', 'usr-verity', 'usr-secondary-verity', 'usr-other-verity',
  'root-verity-sig', 'root-secondary-verity-sig', 'root-other-verity-sig', 'usr-verity-sig', 'usr-secondary-verity-sig',
  'usr-other-verity-sig', 'tmp', 'var',
];

export interface MountOptions {
  verb: 'bind' | 'mount-image';
  /** UNIT SOURCE [DESTINATION] (bind), UNIT IMAGE DESTINATION [[PARTITION:]OPTIONS] (mount-image). */
  args: string[];
  readOnly: boolean;
  mkdir: boolean;
  quiet: boolean;
  json: JsonMode;
  connect: ConnectOptions;
  polkit?: boolean;
}

/** `bind --json` / `mount-image --json`. */
export interface MountResult {
  verb: 'bind' | 'mount-image';
  ok: true;
  unit: string;
  source: string;
  destination: string;
  readOnly: boolean;
  mkdir: boolean;
  /** mount-image: `[partition, options]` pairs. */
  options?: [string, string][];
}

/** `extract_many_words(…, ":", EXTRACT_CUNESCAPE|EXTRACT_UNESCAPE_SEPARATORS)` for two words. */
export function mountImageOptions(arg: string | undefined): [string, string][] {
  if (arg === undefined) return [];
  const words: string[] = [];
  let cur = '';
  let started = false;
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i]!;
    if (c === '\\' && i + 1 < arg.length) {
      cur += arg[++i];
      started = true;
    } else if (c === ':' && words.length === 0) {
      words.push(cur);
      cur = '';
      started = true;
    } else {
      cur += c;
      started = true;
    }
  }
  if (started) words.push(cur);
  if (words.length === 0) return [];
  if (words.length === 1) return [['root', words[0]!]];
  if (!PARTITION_DESIGNATORS.includes(words[0]!)) throw new InvalidArgumentError('Failed to create bus message: Invalid argument');
  return [[words[0]!, words[1]!]];
}

export async function runMount(o: MountOptions, io: IO): Promise<MountResult> {
  if (o.verb === 'bind') checkArgCount(o.args, 2, 3);
  else checkArgCount(o.args, 3, 4);
  const [unitArg, source, destination = ''] = o.args as [string, string, string?];
  let unit: string;
  try {
    const r = mangleUnitName(unitArg);
    if (r.warning && !o.quiet) io.err.write(`${escapeTerminal(r.warning)}\n`);
    unit = r.name;
  } catch {
    throw new InvalidArgumentError('Failed to mangle unit name: Invalid argument');
  }
  const options = o.verb === 'mount-image' ? mountImageOptions(o.args[3]) : undefined;
  await withManager(o.connect, async (m) => {
    try {
      if (o.verb === 'bind') await m.bindMountUnit(unit, source, destination, o.readOnly, o.mkdir);
      else await m.mountImageUnit(unit, source, destination, o.readOnly, o.mkdir, options!);
    } catch (e) {
      throw verbError(`${o.verb === 'bind' ? 'Failed to bind mount' : 'Failed to mount image'}: ${errorRecord(e).message}`, e);
    }
  }, o.polkit, io);
  const result: MountResult = { verb: o.verb, ok: true, unit, source, destination, readOnly: o.readOnly, mkdir: o.mkdir, ...(options ? { options } : {}) };
  if (o.json) writeJson(io, result, o.json);
  return result;
}
