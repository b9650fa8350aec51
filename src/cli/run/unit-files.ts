/**
 * Unit files: `enable`, `disable`, `reenable`, `mask`, `unmask` (systemctl 252's `enable_unit`)
 * and `list-unit-files` (`verb_list_unit_files`). One table drives the five verbs: which D-Bus
 * method, whether it sends `force`, whether the reply says if the files carry [Install] info, and
 * what `--now` does afterwards. Messages and streams are systemctl's: the changes ("Created
 * symlink … → ….", "Removed "…".") and notices on stderr (changes not with `-q`), data on stdout.
 */
import { basename } from 'node:path';
import type { ConnectOptions } from '../../core/bus.js';
import { ExitCode, InvalidArgumentError, SystemdError, type ExitCodeValue } from '../../core/errors.js';
import { withConnection } from '../../core/api.js';
import type { Manager } from '../../core/manager.js';
import { isGlob, isUnitType, isValidUnitName, mangleUnitName, unitObjectPath, unitTypeOf, UNIT_TYPES, type UnitType } from '../../core/names.js';
import { UnitObject } from '../../core/unit.js';
import { openPolkitAgentMaybe } from '../../core/polkit-agent.js';
import { NO_PRESET_STATES, queryPreset, readPresets, type PresetMode, type PresetScope } from '../../core/presets.js';

export type { PresetMode };
import { statesHelp } from '../../core/states.js';
import type { EnableResult, UnitFileChange, UnitFileEntry } from '../../core/types.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { checkArgCount } from './manage.js';
import { writeJson } from '../../output/json.js';
import { writeTableJson } from './list-sockets.js';
import { extendWithDependencies } from './with-dependencies.js';
import type { DependencyKind } from '../../core/expand.js';
import { withPager } from '../../output/pager.js';
import { ANSI, renderTable, tableWidth, type Column } from '../../output/table.js';

/** systemd 252's unit file states (`unit_file_state_table`), in its order. */

export type UnitFileVerb = 'enable' | 'disable' | 'reenable' | 'mask' | 'unmask' | 'preset' | 'link' | 'revert';

interface VerbSpec {
  /** The D-Bus method (preset with a mode other than full: PresetUnitFilesWithMode). */
  method: 'EnableUnitFiles' | 'DisableUnitFiles' | 'ReenableUnitFiles' | 'MaskUnitFiles' | 'UnmaskUnitFiles' | 'PresetUnitFiles' | 'LinkUnitFiles' | 'RevertUnitFiles';
  /** The reply starts with `b carries_install_info`. */
  carries: boolean;
  /** systemctl does not print its "no installation config" notice for this verb (preset). */
  ignoreCarries: boolean;
  /** systemctl 252 warns "Unit X does not exist, proceeding anyway." first. */
  checkExists: boolean;
  /** What `--now` does afterwards (252: only enable, disable and mask have one). */
  now: 'start' | 'stop' | null;
}

/** systemctl 252's `verb_enable`, as a table. */
export const UNIT_FILE_VERBS: Record<UnitFileVerb, VerbSpec> = {
  enable: { method: 'EnableUnitFiles', carries: true, ignoreCarries: false, checkExists: false, now: 'start' },
  disable: { method: 'DisableUnitFiles', carries: false, ignoreCarries: false, checkExists: false, now: 'stop' },
  reenable: { method: 'ReenableUnitFiles', carries: true, ignoreCarries: false, checkExists: false, now: null },
  mask: { method: 'MaskUnitFiles', carries: false, ignoreCarries: false, checkExists: true, now: 'stop' },
  unmask: { method: 'UnmaskUnitFiles', carries: false, ignoreCarries: false, checkExists: true, now: null },
  preset: { method: 'PresetUnitFiles', carries: true, ignoreCarries: true, checkExists: false, now: null },
  link: { method: 'LinkUnitFiles', carries: false, ignoreCarries: false, checkExists: false, now: null },
  revert: { method: 'RevertUnitFiles', carries: false, ignoreCarries: false, checkExists: false, now: null },
};

/**
 * systemctl 252's `normalize_filenames` for `link`: every name must be an absolute path (a
 * relative one was made absolute when it was mangled); a bare name is refused, verbatim.
 */
export function linkPaths(names: string[]): string[] {
  for (const n of names) {
    if (n.startsWith('/')) continue;
    throw new UnitFileVerbError(`Link argument must contain at least one directory separator.\nIf you intended to link a file in the current directory, try ./${n} instead.`);
  }
  return names;
}

/**
 * A failure of a unit-file verb: systemctl words it "Failed to VERB unit: …" (printed verbatim,
 * as systemctl's own text) and exits 1 whatever
 * the bus error was (its `enable_unit` returns the errno; only the job verbs translate bus errors
 * into LSB codes). `isPermission` and the D-Bus name stay those of the cause.
 */
export class UnitFileVerbError extends SystemdError {
  override name = 'UnitFileVerbError';
  private readonly permission: boolean;
  constructor(message: string, cause?: SystemdError) {
    // systemctl's own failure text: printed as systemctl prints it
    super(message, { dbusName: cause?.dbusName, cause, verbatim: true });
    this.permission = cause?.isPermission ?? false;
  }
  override get isPermission(): boolean {
    return this.permission;
  }
  override get exitCode(): ExitCodeValue {
    return ExitCode.FAILURE;
  }
}

/** systemd's notice when enabled files have no [Install] section (252, word for word). */
export function noInstallInfoNotice(unicode: boolean): string {
  const b = unicode ? '•' : '*';
  return [
    'The unit files have no installation config (WantedBy=, RequiredBy=, Also=,',
    'Alias= settings in the [Install] section, and DefaultInstance= for template',
    'units). This means they are not meant to be enabled using systemctl.',
    ' ',
    'Possible reasons for having this kind of units are:',
    `${b} A unit may be statically enabled by being symlinked from another unit's`,
    '  .wants/ or .requires/ directory.',
    `${b} A unit's purpose may be to act as a helper for some other unit which has`,
    '  a requirement dependency on it.',
    `${b} A unit may be started when needed via activation (socket, path, timer,`,
    '  D-Bus, udev, scripted systemctl call, ...).',
    `${b} In case of template units, the unit is meant to be enabled with some`,
    '  instance name specified.',
  ].join('\n');
}

/** systemd's `unit_file_dump_changes` for the changes a D-Bus reply lists: one line each. */
export function describeChange(c: UnitFileChange, unicode: boolean): string | null {
  switch (c.type) {
    case 'symlink':
      return `Created symlink ${c.file} ${unicode ? '→' : '->'} ${c.destination}.`;
    case 'unlink':
      return `Removed "${c.file}".`;
    case 'is-masked':
      return `Unit ${c.file} is masked, ignoring.`;
    case 'is-masked-generator':
      return `Unit ${c.file} is masked via a generator and cannot be unmasked.`;
    case 'is-dangling':
      return `Unit ${c.file} is an alias to a unit that is not present, ignoring.`;
    case 'destination-not-present':
      return `Unit ${c.destination} is added as a dependency to a non-existent unit ${c.file}.`;
    case 'auxiliary-failed':
      return `Failed to enable auxiliary unit ${c.destination}, ignoring.`;
    default:
      return null;
  }
}

/**
 * systemctl 252's `mangle_names("to enable", …)` (is-enabled: "to check"): a path (anything with a `/`) stays as it is
 * (enable links a file outside the unit path that way); a name is mangled with `.service`,
 * without globs: a glob gets systemd's notice and is escaped. Returns names and notices.
 */
/** systemd's path_make_absolute_cwd(): the cwd and the path joined by one `/`, nothing normalised. */
export function absoluteFromCwd(p: string, cwd: string = process.cwd()): string {
  if (p.startsWith('/')) return p;
  return cwd.endsWith('/') ? `${cwd}${p}` : `${cwd}/${p}`;
}

export function mangleUnitFileNames(args: string[], opts: { quiet: boolean; operation?: string }): { names: string[]; notices: string[] } {
  const names: string[] = [];
  const notices: string[] = [];
  for (const arg of args) {
    if (arg.includes('/')) {
      // systemctl's path_make_absolute_cwd(): systemd takes only absolute paths (not normalised)
      names.push(absoluteFromCwd(arg));
      continue;
    }
    const m = mangleWithSuffix(arg, { ...opts, suffix: 'service', failure: `Failed to mangle unit name or path '${arg}': Invalid argument` });
    notices.push(...m.notices);
    names.push(m.name);
  }
  return { names, notices };
}

/**
 * systemd's `unit_name_mangle_with_suffix(arg, operation, quiet ? 0 : WARN, suffix)`: the name,
 * the notices it prints (a glob is escaped, with systemd's notice), or `failure` (verbatim, exit 1).
 */
export function mangleWithSuffix(
  arg: string,
  opts: { quiet: boolean; operation?: string; suffix: UnitType; failure: string },
): { name: string; notices: string[] } {
  const notices: string[] = [];
  const fail = (): UnitFileVerbError => new UnitFileVerbError(opts.failure);
  if (arg === '') throw fail();
  if (!opts.quiet && !isValidUnitName(arg) && isGlob(arg) && /^[A-Za-z0-9:_.\\@\-[\]!*?]+$/.test(arg)) {
    notices.push(`Glob pattern passed ${opts.operation ?? 'to enable'}, but globs are not supported for this.`);
  }
  let m;
  try {
    m = mangleUnitName(arg, { suffix: opts.suffix });
  } catch {
    throw fail();
  }
  if (m.warning && !opts.quiet) notices.push(m.warning);
  return { name: m.name, notices };
}

/** What every verb that changes unit files over D-Bus shares. */
export interface ChangeOptions {
  quiet: boolean;
  json: 'pretty' | 'short' | null;
  connect: ConnectOptions;
  /** `--no-reload`: do not reload the manager afterwards (systemctl reloads after every change). */
  noReload?: boolean;
  /**
   * Start a polkit text agent for the call, as systemctl's `polkit_agent_open_maybe` (stdin a
   * terminal, not root, the local system manager, no `--no-ask-password`). Default `false`.
   */
  polkitAgent?: { askPassword: boolean; localSystem: boolean };
}

export interface UnitFileVerbOptions extends ChangeOptions {
  verb: UnitFileVerb;
  args: string[];
  runtime: boolean;
  force: boolean;
  now: boolean;
  /** `preset`: `--preset-mode` (default full). */
  presetMode?: PresetMode;
  /**
   * What `--now` runs: start or stop these units and wait for them (the lifecycle verbs' code,
   * which prints systemctl's job lines and sets the exit code on `io`). With `--json` it returns
   * the transaction's document, which goes under `now.transaction`.
   */
  startStop?: (action: 'start' | 'stop', units: string[], io: IO) => Promise<unknown>;
}

/** The `--json` document of a unit-file verb. */
export interface UnitFileVerbJson {
  verb: UnitFileVerb;
  /** The names sent to systemd, mangled as systemctl mangles them. */
  units: string[];
  /** Whether the files have [Install] info: enable, reenable and preset, else `null`. */
  carriesInstallInfo: boolean | null;
  /** Every change systemd made, in its order (`type`: symlink, unlink, is-masked, …). */
  changes: UnitFileChange[];
  /** What `--now` did: the action, the units, and (with `--json`) the lifecycle verbs' document of the transaction; `null` without `--now`. */
  now: { action: 'start' | 'stop'; units: string[]; transaction: unknown } | null;
}

async function unitFileExists(m: Manager, name: string): Promise<boolean> {
  if (!isValidUnitName(name)) {
    // systemctl's unit_exists(): GetAll on the unit's object path, which systemd refuses for a
    // name that is no unit name (`mask /etc/…/x.service`): "Failed to get properties: …", exit 1
    try {
      await new UnitObject(m.bus, unitObjectPath(name), name).getAll('org.freedesktop.systemd1.Unit');
      return true;
    } catch (e) {
      if (e instanceof SystemdError) throw new UnitFileVerbError(`Failed to get properties: ${e.message}`, e);
      throw e;
    }
  }
  try {
    await m.getUnitFileState(name);
    return true;
  } catch (e) {
    if (e instanceof SystemdError && !e.isPermission) return false;
    throw e;
  }
}

async function callVerb(m: Manager, spec: VerbSpec, names: string[], o: UnitFileVerbOptions): Promise<EnableResult | UnitFileChange[]> {
  switch (spec.method) {
    case 'PresetUnitFiles': {
      const mode = o.presetMode ?? 'full';
      return mode === 'full' ? m.presetUnitFiles(names, o.runtime, o.force) : m.presetUnitFilesWithMode(names, mode, o.runtime, o.force);
    }
    case 'LinkUnitFiles':
      return m.linkUnitFiles(names, o.runtime, o.force);
    case 'RevertUnitFiles':
      return m.revertUnitFiles(names);
    case 'EnableUnitFiles':
      return m.enableUnitFiles(names, o.runtime, o.force);
    case 'ReenableUnitFiles':
      return m.reenableUnitFiles(names, o.runtime, o.force);
    case 'DisableUnitFiles':
      return m.disableUnitFiles(names, o.runtime);
    case 'MaskUnitFiles':
      return m.maskUnitFiles(names, o.runtime, o.force);
    case 'UnmaskUnitFiles':
      return m.unmaskUnitFiles(names, o.runtime);
  }
}

/** Text for stderr: paths from systemd and names as typed are escaped before they reach a terminal. */
export function stderrWriter(io: IO): (text: string) => void {
  return (text) => {
    io.err.write(`${text.split('\n').map(escapeTerminal).join('\n')}\n`);
  };
}

/**
 * The part every unit-file change shares (systemctl's `verb_enable`, `verb_preset_all`,
 * `verb_add_dependency`, `verb_set_default` over D-Bus): the call under a polkit agent, a failure
 * worded "FAILED: <systemd's message>" (verbatim, exit 1), the changes printed on stderr as
 * `unit_file_dump_changes` does (not with `-q` or `--json`), then daemon-reload unless
 * `--no-reload`.
 */
export async function applyChanges<T extends EnableResult | UnitFileChange[]>(m: Manager, o: ChangeOptions, failed: string, call: () => Promise<T>, io: IO): Promise<T> {
  const err = stderrWriter(io);
  // the agent stays for the reload too (systemctl keeps it until it exits)
  const agent = o.polkitAgent ? await openPolkitAgentMaybe(o.polkitAgent) : null;
  try {
    let result: T;
    try {
      result = await call();
    } catch (e) {
      if (e instanceof SystemdError) throw new UnitFileVerbError(`${failed}: ${e.message}`, e);
      throw e;
    }
    if (!o.quiet && !o.json) {
      for (const c of Array.isArray(result) ? result : result.changes) {
        const line = describeChange(c, io.unicode);
        if (line !== null) err(line);
      }
    }
    if (!o.noReload) {
      try {
        await m.reload();
      } catch (e) {
        if (e instanceof SystemdError) throw new UnitFileVerbError(`Failed to reload daemon: ${e.message}`, e);
        throw e;
      }
    }
    return result;
  } finally {
    await agent?.close();
  }
}

/** systemctl's `verb_enable` over D-Bus: enable, disable, reenable, mask, unmask, preset, link, revert. */
export async function runUnitFileVerb(o: UnitFileVerbOptions, io: IO): Promise<void> {
  // systemctl's verb table: at least one unit
  checkArgCount(o.args, 1);
  const spec = UNIT_FILE_VERBS[o.verb];
  const err = stderrWriter(io);
  const mangled = mangleUnitFileNames(o.args, { quiet: o.quiet, operation: `to ${o.verb}` });
  mangled.notices.forEach(err);
  let names = mangled.names;
  if (o.verb === 'disable' && names.some((n) => n.includes('/'))) {
    // systemctl's normalize_names(): a path becomes its file name (a warning, even with -q)
    names = names.map((n) => (n.includes('/') ? basename(n) : n));
    err("Warning: Can't execute disable on the unit file path. Proceeding with the unit name.");
  }
  if (o.verb === 'link') names = linkPaths(names);
  await withConnection(o.connect, async (m) => {
    if (spec.checkExists) {
      for (const n of names) if (!(await unitFileExists(m, n))) err(`Unit ${n} does not exist, proceeding anyway.`);
    }
    const result = await applyChanges(m, o, `Failed to ${o.verb} unit`, () => callVerb(m, spec, names, o), io);
    const changes = Array.isArray(result) ? result : result.changes;
    const carries = Array.isArray(result) ? null : result.carriesInstallInfo;
    if (carries === false && !o.quiet && !spec.ignoreCarries) err(noInstallInfoNotice(io.unicode));
    let now: UnitFileVerbJson['now'] = null;
    if (o.now && spec.now) {
      // systemctl 252: start/stop basename(name) for every name given
      const units = names.map((n) => basename(n));
      if (!o.startStop) throw new UnitFileVerbError('--now is not available here');
      const transaction = await o.startStop(spec.now, units, io);
      now = { action: spec.now, units, transaction: transaction ?? null };
    }
    if (o.json) {
      const doc: UnitFileVerbJson = { verb: o.verb, units: names, carriesInstallInfo: carries, changes, now };
      writeJson(io, doc, o.json);
    }
  });
}

// ── list-unit-files ────────────────────────────────────────────────────────────────────────

export interface ListUnitFilesOptions {
  patterns: string[];
  states: string[];
  types: string[];
  legend: boolean;
  full: boolean;
  json: 'pretty' | 'short' | null;
  /** `-o json-pretty`: pretty JSON in systemd's own layout (tabs, `"key" : value`), as systemctl's. */
  systemdLayout?: boolean;
  connect: ConnectOptions;
  /** Whose presets fill the PRESET column (the scope talked to). */
  presetScope: PresetScope;
  /** `--with-dependencies`: the unit files of the patterns' dependencies of this kind too. */
  dependencies?: DependencyKind;
  /** Page the table on a terminal as systemctl does (`false` with --no-pager; default off). */
  pager?: boolean;
}

/** One row of `list-unit-files`; also its `--json` record (the keys of `systemctl -o json`). */
export interface UnitFileRow {
  unit_file: string;
  state: string;
  /** `enabled`/`disabled` by the preset policy; `null` for alias, static, generated, transient. */
  preset: string | null;
}

/** systemctl's `compare_unit_file_list`: by type suffix, then by file name, case-insensitively (strcasecmp). */
export function compareUnitFiles(a: UnitFileEntry, b: UnitFileEntry): number {
  const ca = (s: string): string => s.toLowerCase();
  const da = a.path.lastIndexOf('.');
  const db = b.path.lastIndexOf('.');
  if (da >= 0 && db >= 0) {
    const x = ca(a.path.slice(da));
    const y = ca(b.path.slice(db));
    if (x !== y) return x < y ? -1 : 1;
  }
  const x = ca(basename(a.path));
  const y = ca(basename(b.path));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Filter by `--type`, sort as systemctl, look up presets: the rows, built once. */
export function buildUnitFileRows(entries: UnitFileEntry[], types: string[], presetOf: (name: string) => string): UnitFileRow[] {
  return entries
    .filter((e) => {
      if (types.length === 0) return true;
      const dot = e.path.lastIndexOf('.');
      return dot >= 0 && types.includes(e.path.slice(dot + 1));
    })
    .sort(compareUnitFiles)
    .map((e) => {
      const name = basename(e.path);
      return { unit_file: name, state: e.state, preset: NO_PRESET_STATES.has(e.state) ? null : presetOf(name) };
    });
}

export function renderUnitFileTable(rows: UnitFileRow[], opts: Pick<ListUnitFilesOptions, 'legend' | 'full'>, io: IO): void {
  const at = io.color ? new Map(unitFileRowColors(rows).map((c, i) => [rows[i]!, c])) : undefined;
  const color = (k: keyof UnitFileRowColors) => (r: UnitFileRow): string => at!.get(r)![k];
  const cols: Column<UnitFileRow>[] = [
    { header: 'UNIT FILE', cell: (r) => r.unit_file, color: color('unitFile') },
    { header: 'STATE', cell: (r) => r.state, color: color('state') },
    { header: 'PRESET', cell: (r) => r.preset ?? '-', color: color('preset') },
  ];
  io.out.write(renderTable(rows, cols, { header: opts.legend, columns: tableWidth(io, opts.full), color: io.color }));
  if (opts.legend) io.out.write(`\n${rows.length} unit files listed.\n`);
}

interface UnitFileRowColors {
  unitFile: string;
  state: string;
  preset: string;
}

const RED_STATES = new Set(['masked', 'masked-runtime', 'disabled', 'bad']);
const GREEN_STATES = new Set(['enabled', 'alias']);

/**
 * systemctl 252's colours of each row (`output_unit_file_list`): the last row of each unit type
 * underlined; the state red (masked, disabled, bad) or green (enabled, alias); the preset green
 * (enabled) or red (disabled), a grey `-` where a state has none.
 */
export function unitFileRowColors(rows: UnitFileRow[]): UnitFileRowColors[] {
  return rows.map((r, i) => {
    const next = rows[i + 1];
    const underline = next !== undefined && unitTypeOf(r.unit_file) !== unitTypeOf(next.unit_file);
    const on = underline ? ANSI.underline : '';
    const red = underline ? ANSI.highlightRedUnderline : ANSI.highlightRed;
    const green = underline ? ANSI.highlightGreenUnderline : ANSI.highlightGreen;
    const state = RED_STATES.has(r.state) ? red : GREEN_STATES.has(r.state) ? green : on;
    const preset =
      r.preset === null ? (underline ? ANSI.greyUnderline : ANSI.grey) : r.preset === 'enabled' ? green : r.preset === 'disabled' ? red : underline ? on : ANSI.normal;
    return { unitFile: on, state, preset };
  });
}

/** `list-unit-files`: ListUnitFilesByPatterns, then as systemctl 252 (exit 1 when nothing is listed). */
export async function runListUnitFiles(o: ListUnitFilesOptions, io: IO): Promise<void> {
  if (o.states.includes('help')) {
    io.out.write(statesHelp());
    return;
  }
  if (o.types.includes('help')) {
    io.out.write(`Available unit types:\n${UNIT_TYPES.join('\n')}\n`);
    return;
  }
  const badType = o.types.find((t) => !isUnitType(t));
  if (badType !== undefined) {
    throw new InvalidArgumentError(`Unknown unit type or load state '${badType}'.`, { hint: 'Use -t help to see a list of allowed values' });
  }
  let entries: UnitFileEntry[];
  try {
    entries = await withConnection(o.connect, async (m) => m.listUnitFilesByPatterns(o.states, await extendWithDependencies(m, o.patterns, o.dependencies, io)));
  } catch (e) {
    if (e instanceof SystemdError) throw new UnitFileVerbError(`Failed to list unit files: ${e.message}`, e);
    throw e;
  }
  let rules: ReturnType<typeof readPresets> | undefined;
  const rows = buildUnitFileRows(entries, o.types, (name) => queryPreset(name, (rules ??= readPresets(o.presetScope))));
  if (o.json && o.systemdLayout && o.json === 'pretty') writeTableJson(io, rows, 'pretty');
  else if (o.json) writeJson(io, rows, o.json);
  else await withPager(io, { enabled: o.pager === true }, async (out) => renderUnitFileTable(rows, o, out));
  // systemctl: "return -ENOENT" when nothing was listed: exit 1, no message
  if (rows.length === 0) io.exitCode = ExitCode.FAILURE;
}
