/**
 * The unit-file verbs that are not `verb_enable`'s shape: `add-wants`/`add-requires` (one
 * function, systemctl 252's `verb_add_dependency`), `preset-all` (`verb_preset_all`),
 * `get-default` and `set-default` (`verb_get_default`, `verb_set_default`). They change files
 * through the manager (AddDependencyUnitFiles, PresetAllUnitFiles, SetDefaultTarget) with what
 * every change shares (`applyChanges`: the changes on stderr, daemon-reload unless `--no-reload`,
 * failures in systemctl's words).
 */
import { readFileSync } from 'node:fs';
import { withConnection } from '../../core/api.js';
import { InvalidArgumentError, SystemdError } from '../../core/errors.js';
import { isValidUnitName } from '../../core/names.js';
import type { UnitFileChange } from '../../core/types.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { checkArgCount } from './manage.js';
import { applyChanges, mangleUnitFileNames, mangleWithSuffix, stderrWriter, UnitFileVerbError, type ChangeOptions, type PresetMode } from './unit-files.js';


// ── add-wants, add-requires ────────────────────────────────────────────────────────────────

export type DependencyVerb = 'add-wants' | 'add-requires';

/** The dependency each verb adds (systemd's `unit_dependency_to_string`). */
export const DEPENDENCY_VERBS: Record<DependencyVerb, 'Wants' | 'Requires'> = {
  'add-wants': 'Wants',
  'add-requires': 'Requires',
};

export interface AddDependencyOptions extends ChangeOptions {
  verb: DependencyVerb;
  /** TARGET UNIT… as typed. */
  args: string[];
  runtime: boolean;
  force: boolean;
}

/** `--json` of add-wants/add-requires, preset-all and set-default: what changed. */
export interface ChangesJson {
  verb: string;
  /** add-wants/add-requires: the target; set-default: the new default; else `null`. */
  target: string | null;
  /** The units sent (add-wants/add-requires), else `[]`. */
  units: string[];
  /** `Wants`/`Requires` (add-*), the preset mode (preset-all), else `null`. */
  mode: string | null;
  changes: UnitFileChange[];
}

/** `add-wants TARGET UNIT…` / `add-requires TARGET UNIT…`: AddDependencyUnitFiles. */
export async function runAddDependency(o: AddDependencyOptions, io: IO): Promise<void> {
  checkArgCount(o.args, 2);
  const err = stderrWriter(io);
  const target = mangleWithSuffix(o.args[0]!, { quiet: o.quiet, operation: 'as target', suffix: 'target', failure: 'Failed to mangle unit name: Invalid argument' });
  target.notices.forEach(err);
  const units = mangleUnitFileNames(o.args.slice(1), { quiet: o.quiet, operation: 'as dependency' });
  units.notices.forEach(err);
  const type = DEPENDENCY_VERBS[o.verb];
  await withConnection(o.connect, async (m) => {
    const changes = await applyChanges(m, o, 'Failed to add dependency', () => m.addDependencyUnitFiles(units.names, target.name, type, o.runtime, o.force), io);
    if (o.json) writeJson(io, { verb: o.verb, target: target.name, units: units.names, mode: type, changes } satisfies ChangesJson, o.json);
  });
}

// ── preset-all ─────────────────────────────────────────────────────────────────────────────

export interface PresetAllOptions extends ChangeOptions {
  args: string[];
  presetMode: PresetMode;
  runtime: boolean;
  force: boolean;
}

/** `preset-all`: PresetAllUnitFiles(mode, runtime, force). */
export async function runPresetAll(o: PresetAllOptions, io: IO): Promise<void> {
  checkArgCount(o.args, 0, 0);
  await withConnection(o.connect, async (m) => {
    const changes = await applyChanges(m, o, 'Failed to preset all units', () => m.presetAllUnitFiles(o.presetMode, o.runtime, o.force), io);
    if (o.json) writeJson(io, { verb: 'preset-all', target: null, units: [], mode: o.presetMode, changes } satisfies ChangesJson, o.json);
  });
}

// ── get-default, set-default ───────────────────────────────────────────────────────────────

/** systemd 252's `rlmap` (`runlevel_to_target`): a bare word on the kernel command line. */
const RUNLEVEL_WORDS = new Set(['emergency', '-b', 'rescue', 'single', '-s', 's', 'S', '1', '2', '3', '4', '5']);

/**
 * systemctl 252's `emit_cmdline_warning`: the kernel command line word that overrides the
 * default unit, if any; the last one wins. (252 stores the *key*, so `systemd.unit=x.target` is
 * reported as "systemd.unit": kept, to print what systemctl prints.)
 */
export function cmdlineOverride(cmdline: string): string | null {
  let found: string | null = null;
  for (const word of cmdline.trim().split(/\s+/)) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      if (RUNLEVEL_WORDS.has(word)) found = word;
    } else if (word.slice(0, eq) === 'systemd.unit' && isValidUnitName(word.slice(eq + 1))) {
      found = 'systemd.unit';
    }
  }
  return found;
}

function cmdlineNotice(quiet: boolean): string | null {
  if (quiet) return null;
  let cmdline: string;
  try {
    cmdline = readFileSync('/proc/cmdline', 'utf8');
  } catch {
    return null;
  }
  const o = cmdlineOverride(cmdline);
  return o === null ? null : `Note: found "${o}" on the kernel commandline, which overrides the default unit.`;
}

export interface DefaultTargetOptions extends ChangeOptions {
  args: string[];
}

/** `--json` of get-default. */
export interface GetDefaultJson {
  defaultTarget: string;
}

async function getDefault(m: Parameters<Parameters<typeof withConnection>[1]>[0]): Promise<string> {
  try {
    return await m.getDefaultTarget();
  } catch (e) {
    if (e instanceof SystemdError) throw new UnitFileVerbError(`Failed to get default target: ${e.message}`, e);
    throw e;
  }
}

/** `get-default`: GetDefaultTarget, the name on stdout. */
export async function runGetDefault(o: DefaultTargetOptions, io: IO): Promise<void> {
  checkArgCount(o.args, 0, 0);
  const name = await withConnection(o.connect, getDefault);
  if (o.json) writeJson(io, { defaultTarget: name } satisfies GetDefaultJson, o.json);
  else io.out.write(`${name}\n`);
  const note = o.connect.host === undefined ? cmdlineNotice(o.quiet) : null;
  if (note !== null) stderrWriter(io)(note);
}

/** `set-default TARGET`: SetDefaultTarget(name, force=true), reload, and systemctl's notes. */
export async function runSetDefault(o: DefaultTargetOptions, io: IO): Promise<void> {
  checkArgCount(o.args, 1, 1);
  const err = stderrWriter(io);
  const unit = mangleWithSuffix(o.args[0]!, { quiet: o.quiet, operation: 'set-default', suffix: 'target', failure: 'Failed to mangle unit name: Invalid argument' });
  unit.notices.forEach(err);
  await withConnection(o.connect, async (m) => {
    const changes = await applyChanges(m, o, 'Failed to set default target', () => m.setDefaultTarget(unit.name, true), io);
    const note = o.connect.host === undefined ? cmdlineNotice(o.quiet) : null;
    if (note !== null) err(note);
    if (!o.quiet) {
      const final = await getDefault(m);
      if (final !== unit.name) err(`Note: "${final}" is the default unit (possibly a runtime override).`);
    }
    if (o.json) writeJson(io, { verb: 'set-default', target: unit.name, units: [], mode: null, changes } satisfies ChangesJson, o.json);
  });
}
