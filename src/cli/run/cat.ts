/**
 * `cat UNIT…`: the unit's fragment and every drop-in, each under its `# path` line, as
 * systemctl 252's `verb_cat` + `cat_files`: paths from the manager (FragmentPath, DropInPaths),
 * contents read from disk (so, as systemctl, not for remote hosts); a blank line between units
 * and between files; a masked unit is `# Unit X is masked.`; a unit without files is
 * "No files found for X." on stderr and exit 1 at the end. `--json`: the same as records.
 */
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import type { ConnectOptions } from '../../core/bus.js';
import { InvalidArgumentError, SystemdError } from '../../core/errors.js';
import { Manager } from '../../core/manager.js';
import { unitObjectPath } from '../../core/names.js';
import { UnitObject } from '../../core/unit.js';
import { colors } from '../../output/color.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { withPager } from '../../output/pager.js';
import { expandUnitNames } from './show.js';
import type { DependencyKind } from '../../core/expand.js';
import { extendWithDependencies } from './with-dependencies.js';

export interface CatOptions {
  units: string[];
  quiet: boolean;
  json: 'pretty' | 'short' | null;
  pager: boolean;
  connect: ConnectOptions;
  /** `--with-dependencies`: each named unit's dependencies of this kind are shown after it. */
  dependencies?: DependencyKind;
}

export interface CatFile {
  path: string;
  content: string;
}

/** One `cat --json` record. */
export interface CatRecord {
  unit: string;
  /** `loaded`, `masked`, `not-found`, `bad-setting`, … */
  loadState: string;
  /** The unit file, `null` when there is none (masked, not found, transient without one). */
  fragment: CatFile | null;
  dropIns: CatFile[];
  /** The unit file changed on disk since systemd loaded it (`daemon-reload` needed). */
  needDaemonReload: boolean;
}

/** What the manager says about a unit's files (systemctl's `unit_find_paths` over the bus). */
export interface UnitPaths {
  unit: string;
  loadState: string;
  fragmentPath: string;
  dropInPaths: string[];
  needDaemonReload: boolean;
}

/** systemd's unit search path (system or user scope), highest priority first. */
export function unitSearchPath(scope: 'system' | 'user', env: NodeJS.ProcessEnv = process.env): string[] {
  if (scope === 'system') {
    return [
      '/etc/systemd/system.control', '/run/systemd/system.control', '/run/systemd/transient', '/run/systemd/generator.early',
      '/etc/systemd/system', '/etc/systemd/system.attached', '/run/systemd/system', '/run/systemd/system.attached',
      '/run/systemd/generator', '/usr/local/lib/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system',
      '/run/systemd/generator.late',
    ];
  }
  const home = env.HOME ?? '';
  const config = env.XDG_CONFIG_HOME || `${home}/.config`;
  const runtime = env.XDG_RUNTIME_DIR ?? '';
  return [
    `${config}/systemd/user.control`, `${runtime}/systemd/user.control`, `${runtime}/systemd/transient`,
    `${runtime}/systemd/generator.early`, `${config}/systemd/user`, '/etc/systemd/user', `${runtime}/systemd/user`,
    '/run/systemd/user', `${runtime}/systemd/generator`, `${env.XDG_DATA_HOME || `${home}/.local/share`}/systemd/user`,
    '/usr/local/lib/systemd/user', '/usr/lib/systemd/user', `${runtime}/systemd/generator.late`,
  ];
}

/**
 * A template (`foo@.service`) has no unit object: systemctl looks for its files itself. The
 * fragment is the first file found on the search path (`/dev/null` → masked); drop-ins are the
 * `NAME.d/*.conf` files, the first of each file name winning, in file-name order.
 */
export function templatePaths(name: string, scope: 'system' | 'user'): UnitPaths {
  const dirs = unitSearchPath(scope);
  let fragmentPath = '';
  for (const d of dirs) {
    const p = `${d}/${name}`;
    try {
      const st = statSync(p);
      if (st.isCharacterDevice() || realpathSync(p) === '/dev/null') return { unit: name, loadState: 'masked', fragmentPath: '', dropInPaths: [], needDaemonReload: false };
      fragmentPath = p;
      break;
    } catch {
      /* not here */
    }
  }
  const byName = new Map<string, string>();
  for (const d of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(`${d}/${name}.d`);
    } catch {
      continue;
    }
    for (const f of entries) if (f.endsWith('.conf') && !byName.has(f)) byName.set(f, `${d}/${name}.d/${f}`);
  }
  const dropInPaths = [...byName.keys()].sort().map((k) => byName.get(k)!);
  return { unit: name, loadState: fragmentPath || dropInPaths.length > 0 ? 'loaded' : 'not-found', fragmentPath, dropInPaths, needDaemonReload: false };
}

export async function unitPaths(manager: Manager, name: string, scope: 'system' | 'user'): Promise<UnitPaths> {
  if (/@\.[a-z]+$/.test(name)) return templatePaths(name, scope);
  const u = new UnitObject(manager.bus, unitObjectPath(name), name);
  const iface = 'org.freedesktop.systemd1.Unit';
  let loadState: string;
  try {
    loadState = (await u.get(iface, 'LoadState')) as string;
  } catch (e) {
    if (e instanceof SystemdError) e.message = `Failed to get LoadState: ${e.message}`;
    throw e;
  }
  if (loadState !== 'loaded' && loadState !== 'bad-setting') {
    return { unit: name, loadState, fragmentPath: '', dropInPaths: [], needDaemonReload: false };
  }
  const [fragmentPath, dropInPaths, needDaemonReload] = await Promise.all([
    u.get(iface, 'FragmentPath') as Promise<string>,
    u.get(iface, 'DropInPaths') as Promise<string[]>,
    u.get(iface, 'NeedDaemonReload') as Promise<boolean>,
  ]);
  return { unit: name, loadState, fragmentPath, dropInPaths, needDaemonReload };
}

function readText(path: string): Buffer {
  return readFileSync(path);
}

export async function runCat(opts: CatOptions, io: IO): Promise<void> {
  if (opts.connect.host !== undefined) throw new InvalidArgumentError('Cannot remotely cat units.');
  const manager = await Manager.connect(opts.connect);
  let found: UnitPaths[];
  try {
    // "Include all units by default — i.e. continue as if the --all option was used"
    const names = await extendWithDependencies(manager, await expandUnitNames(manager, opts.units, io, { quiet: opts.quiet, all: true }), opts.dependencies, io);
    found = [];
    for (const n of names) found.push(await unitPaths(manager, n, opts.connect.bus === 'user' ? 'user' : 'system'));
  } finally {
    manager.close();
  }

  if (opts.json) {
    const records: CatRecord[] = found.map((p) => ({
      unit: p.unit,
      loadState: p.loadState,
      fragment: p.fragmentPath ? { path: p.fragmentPath, content: readText(p.fragmentPath).toString('utf8') } : null,
      dropIns: p.dropInPaths.map((d) => ({ path: d, content: readText(d).toString('utf8') })),
      needDaemonReload: p.needDaemonReload,
    }));
    writeJson(io, records, opts.json);
    if (found.some((p) => p.loadState === 'not-found' || (p.loadState === 'loaded' && !p.fragmentPath && p.dropInPaths.length === 0))) {
      io.exitCode = 1;
    }
    return;
  }

  await withPager(io, { enabled: opts.pager }, async (out) => {
    const c = colors(out.color);
    const e = colors(out.errColor);
    let first = true;
    let missing = false;
    for (const p of found) {
      if (p.loadState === 'masked') {
        out.out.write(`${c.magenta.bold(`# Unit ${p.unit} is masked.`)}\n`);
        continue;
      }
      if (p.loadState !== 'loaded' && p.loadState !== 'bad-setting' && p.loadState !== 'not-found') {
        out.out.write(`${c.magenta.bold(`# Unit ${p.unit} could not be loaded.`)}\n`);
        continue;
      }
      if (!p.fragmentPath && p.dropInPaths.length === 0) {
        out.err.write(`No files found for ${p.unit}.\n`);
        missing = true;
        continue;
      }
      if (first) first = false;
      else out.out.write('\n');
      if (p.needDaemonReload) {
        const red = (s: string) => e.red.bold(s);
        out.err.write(
          `${red(`# Warning: ${p.unit} changed on disk, the version systemd has loaded is outdated.`)}\n` +
            `${red("# This output shows the current version of the unit's original fragment and drop-in files.")}\n` +
            `${red('# If fragments or drop-ins were added or removed, they are not properly reflected in this output.')}\n` +
            `${red(`# Run 'systemctl${opts.connect.bus === 'user' ? ' --user' : ''} daemon-reload' to reload units.`)}\n`,
        );
      }
      if (p.fragmentPath) {
        out.out.write(`${c.blue.bold(`# ${p.fragmentPath}`)}\n`);
        out.out.write(readText(p.fragmentPath));
      }
      p.dropInPaths.forEach((d, i) => {
        if (p.fragmentPath || i > 0) out.out.write('\n');
        out.out.write(`${c.blue.bold(`# ${d}`)}\n`);
        out.out.write(readText(d));
      });
    }
    if (missing) io.exitCode = 1;
  });
}
