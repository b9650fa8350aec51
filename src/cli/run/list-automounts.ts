/**
 * `list-automounts [PATTERN…]`: systemctl 252's table (WHAT WHERE MOUNTED IDLE TIMEOUT UNIT),
 * sorted by where, the legend on stdout; `-o json` (and `--json`) as systemctl's JSON table
 * (`what`, `where`, `mounted`, `idle_timeout` in µs, `unit`).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { expandUnitNames } from '../../core/expand.js';
import { Manager } from '../../core/manager.js';
import { unitNameFromPath, unitObjectPath } from '../../core/names.js';
import { headerStyle } from '../../output/color.js';
import type { IO } from '../../output/io.js';
import { withPager } from '../../output/pager.js';
import { renderTable, tableWidth, type Column } from '../../output/table.js';
import { formatTimespan } from '../../output/time.js';
import { writeTableJson } from '../../output/json.js';
import { showUnit } from './unit-filter.js';
import type { ListTimersOptions } from './list-timers.js';
import { errorRecord, verbError } from './manage.js';

/** The options of list-automounts: those of list-timers, and `--type`. */
export type ListAutomountsOptions = ListTimersOptions & { types?: string[]; quiet?: boolean };

/** One automount: also the `--json` record (keys as `systemctl list-automounts -o json`). */
export interface AutomountRow {
  what: string;
  where: string;
  mounted: boolean;
  /** µs. */
  idle_timeout: number;
  unit: string;
}

const PROPS = 'org.freedesktop.DBus.Properties';

async function prop(m: Manager, path: string, iface: string, name: string, what: string): Promise<unknown> {
  try {
    const [v] = await m.bus.call({ path, interface: PROPS, member: 'Get', signature: 'ss', body: [iface, name] });
    return v;
  } catch (e) {
    throw verbError(`Failed to get ${what}: ${errorRecord(e).message}`, e);
  }
}

export async function collectAutomounts(opts: Pick<ListAutomountsOptions, 'patterns' | 'all' | 'states' | 'types' | 'connect' | 'quiet'>, io: IO): Promise<AutomountRow[]> {
  const manager = await Manager.connect(opts.connect);
  try {
    let patterns: string[] = [];
    if (opts.patterns.length > 0) {
      const r = await expandUnitNames(manager, opts.patterns, { suffix: 'automount', warn: !opts.quiet, all: opts.all, states: opts.states });
      for (const w of r.warnings) io.err.write(`${w}\n`);
      patterns = r.names;
      if (patterns.length === 0) return [];
    }
    const units = (await manager.listUnitsByPatterns(opts.states, patterns)).filter(
      (u) => u.name.endsWith('.automount') && showUnit(u, { all: opts.all, states: opts.states, types: opts.types ?? [] }),
    );
    const rows: AutomountRow[] = [];
    for (const u of units) {
      const where = String(await prop(manager, u.unitPath, 'org.freedesktop.systemd1.Automount', 'Where', 'automount target'));
      const idle = Number(await prop(manager, u.unitPath, 'org.freedesktop.systemd1.Automount', 'TimeoutIdleUSec', 'idle timeout'));
      const mount = unitNameFromPath(where, 'mount');
      if (!mount) throw new InvalidArgumentError('Failed to generate unit name from path: Invalid argument');
      const mountPath = unitObjectPath(mount);
      const what = String(await prop(manager, mountPath, 'org.freedesktop.systemd1.Mount', 'What', 'mount source'));
      const state = String(await prop(manager, mountPath, 'org.freedesktop.systemd1.Unit', 'ActiveState', 'mount state'));
      rows.push({ what, where, mounted: state === 'active', idle_timeout: idle, unit: u.name });
    }
    rows.sort((a, b) => (a.where < b.where ? -1 : a.where > b.where ? 1 : 0));
    return rows;
  } finally {
    manager.close();
  }
}

export async function runListAutomounts(opts: ListAutomountsOptions, io: IO): Promise<AutomountRow[]> {
  const rows = await collectAutomounts(opts, io);
  if (opts.json) {
    writeTableJson(io, rows, opts.json);
    return rows;
  }
  const cols: Column<AutomountRow>[] = [
    { header: 'WHAT', cell: (r) => r.what },
    { header: 'WHERE', cell: (r) => r.where },
    { header: 'MOUNTED', cell: (r) => (r.mounted ? 'yes' : 'no') },
    { header: 'IDLE TIMEOUT', cell: (r) => formatTimespan(r.idle_timeout, 1000) },
    { header: 'UNIT', cell: (r) => r.unit },
  ];
  await withPager(io, { enabled: opts.pager }, async (out) => {
    out.out.write(renderTable(rows, cols, { header: opts.legend, columns: tableWidth(out, opts.full), headerStyle: headerStyle(io.color) }));
    if (opts.legend) {
      out.out.write(`\n${rows.length} automounts listed.\n`);
      if (!opts.all) out.out.write('Pass --all to see loaded but inactive automounts, too.\n');
    }
  });
  return rows;
}
