/**
 * `help UNIT…`: the man pages of the units' `Documentation=` (`man:` entries), one `man` run
 * each, as systemctl 252's `show_unit_help`: `man SECTION PAGE` for `page(section)`, other
 * entries "Can't show: URL" and a unit without documentation "Documentation for X not known."
 * on stderr. A number is a PID (its unit). `man` gets an argument array, the terminal as it is.
 */
import { spawn } from 'node:child_process';
import type { ConnectOptions } from '../../core/bus.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { Manager } from '../../core/manager.js';
import { unitObjectPath } from '../../core/names.js';
import { UnitObject } from '../../core/unit.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { expandUnitNames } from './show.js';

export interface HelpOptions {
  units: string[];
  quiet: boolean;
  json: 'pretty' | 'short' | null;
  connect: ConnectOptions;
  /** Runs `man` (tests replace it). Resolves when it ended. */
  runMan?: (args: string[]) => Promise<void>;
}

/** `show_man_page`: `systemd.unit(5)` → ['5', 'systemd.unit']; `foo` → ['foo']. */
export function manArgs(desc: string): string[] {
  if (desc.endsWith(')')) {
    const e = desc.lastIndexOf('(');
    if (e >= 0) return [desc.slice(e + 1, -1), desc.slice(0, e)];
  }
  return [desc];
}

function spawnMan(args: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('man', args, { stdio: 'inherit' });
    child.once('error', () => resolve());
    child.once('close', () => resolve());
  });
}

export interface HelpRecord {
  unit: string;
  documentation: string[];
  /** The `man` argument arrays run (or that would run). */
  manPages: string[][];
}

export async function runHelp(opts: HelpOptions, io: IO): Promise<void> {
  if (opts.units.length === 0) {
    throw new InvalidArgumentError("'help' command expects one or more unit names.", { hint: 'help for sysherd itself: sysherd --help' });
  }
  const manager = await Manager.connect(opts.connect);
  const found: { unit: string; docs: string[]; loadState: string; active: string }[] = [];
  try {
    const names: string[] = [];
    const patterns: string[] = [];
    for (const a of opts.units) {
      if (/^\d+$/.test(a)) names.push((await manager.getUnitByPID(Number(a))).path);
      else patterns.push(a);
    }
    const paths = [...names, ...(await expandUnitNames(manager, patterns, io, { quiet: opts.quiet, all: false })).map(unitObjectPath)];
    for (const path of paths) {
      const p = await new UnitObject(manager.bus, path).getAll('org.freedesktop.systemd1.Unit');
      found.push({ unit: String(p.Id), docs: (p.Documentation as string[]) ?? [], loadState: String(p.LoadState), active: String(p.ActiveState) });
    }
  } finally {
    manager.close();
  }
  if (opts.json) {
    const recs: HelpRecord[] = found.map((f) => ({
      unit: f.unit,
      documentation: f.docs,
      manPages: f.docs.filter((d) => d.startsWith('man:')).map((d) => ['man', ...manArgs(d.slice(4))]),
    }));
    writeJson(io, recs, opts.json);
    return;
  }
  const runMan = opts.runMan ?? spawnMan;
  let newLine = false;
  let pending = '';
  for (const f of found) {
    if (f.loadState === 'not-found' && f.active === 'inactive') {
      // systemctl: a warning, and exit 1 without going on
      io.err.write(`Unit ${escapeTerminal(f.unit)} could not be found.\n`);
      io.exitCode = 1;
      return;
    }
    // show_one's separator comes before the help is shown; systemctl's stdout is fully buffered
    // when it is not a terminal, so there the separators come out after everything man wrote
    if (newLine) {
      if (io.outIsTTY) io.out.write('\n');
      else pending += '\n';
    }
    newLine = true;
    if (f.docs.length === 0) {
      io.err.write(`Documentation for ${escapeTerminal(f.unit)} not known.\n`);
      continue;
    }
    for (const d of f.docs) {
      if (d.startsWith('man:')) await runMan(manArgs(d.slice(4)));
      else io.err.write(`Can't show: ${escapeTerminal(d)}\n`);
    }
  }
  if (pending) io.out.write(pending);
}
