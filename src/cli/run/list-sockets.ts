/**
 * `list-sockets [PATTERN…]`: systemctl 252's table (LISTEN UNIT ACTIVATES), one row per listen
 * address, sorted by address; the legend on stdout; `-o json` (and `--json`) as systemctl's JSON
 * table (`listen`, `unit`, `activates` joined by ", "; `null` when the socket activates nothing
 * named, as an `Accept=yes` socket, whose table cell is systemd's `-`).
 */
import type { ConnectOptions } from '../../core/bus.js';
import { Manager } from '../../core/manager.js';
import { UnitObject } from '../../core/unit.js';
import { colors, headerStyle } from '../../output/color.js';
import type { IO } from '../../output/io.js';
import { writeTableJson } from '../../output/json.js';
import { withPager } from '../../output/pager.js';
import { renderTable, tableWidth, type Column } from '../../output/table.js';
import type { ListTimersOptions } from './list-timers.js';
import { showUnit } from './unit-filter.js';

/** Moved to output/json.ts (kept here for existing importers). */
export { systemdPrettyJson, writeTableJson } from '../../output/json.js';

/** The options of list-sockets: list-timers', and `--show-types` (a TYPE column; `type` in the JSON). */
export type ListSocketsOptions = ListTimersOptions & { showTypes?: boolean };

/** One listen address of a socket unit; also the `--json` record (`systemctl -o json` keys). */
export interface SocketRow {
  listen: string;
  unit: string;
  /** The unit it activates; `null` when none (an `Accept=yes` socket starts instances per connection). */
  activates: string | null;
  /** `Stream`, `Datagram`, … (in the JSON only with --show-types, as systemctl's). */
  type?: string;
}

export async function collectSockets(opts: Pick<ListSocketsOptions, 'patterns' | 'all' | 'states' | 'connect'>): Promise<SocketRow[]> {
  const manager = await Manager.connect(opts.connect);
  try {
    const units = (await manager.listUnitsByPatterns(opts.states, opts.patterns)).filter(
      (u) => u.name.endsWith('.socket') && showUnit(u, { all: opts.all, states: opts.states, types: [] }),
    );
    const rows: SocketRow[] = [];
    for (const u of units) {
      const obj = new UnitObject(manager.bus, u.unitPath, u.name);
      const [unitProps, listen] = await Promise.all([
        obj.getAll('org.freedesktop.systemd1.Unit'),
        obj.get('org.freedesktop.systemd1.Socket' as never, 'Listen') as Promise<[string, string][]>,
      ]);
      const triggers = (unitProps.Triggers as string[] | undefined) ?? [];
      const activates = triggers.length === 0 ? null : triggers.join(', ');
      for (const [type, path] of listen ?? []) rows.push({ listen: path, unit: u.name, activates, type });
    }
    // socket_info_compare: by address, then type
    rows.sort((a, b) => (a.listen < b.listen ? -1 : a.listen > b.listen ? 1 : (a.type ?? '') < (b.type ?? '') ? -1 : (a.type ?? '') > (b.type ?? '') ? 1 : 0));
    return rows;
  } finally {
    manager.close();
  }
}

export async function runListSockets(opts: ListSocketsOptions, io: IO): Promise<void> {
  const rows = await collectSockets(opts);
  if (opts.json) {
    writeTableJson(
      io,
      rows.map((r) => (opts.showTypes ? { listen: r.listen, type: r.type, unit: r.unit, activates: r.activates } : { listen: r.listen, unit: r.unit, activates: r.activates })),
      opts.json,
    );
    return;
  }
  const c = colors(io.color);
  const cols: Column<SocketRow>[] = [
    { header: 'LISTEN', cell: (r) => r.listen },
    ...(opts.showTypes ? [{ header: 'TYPE', cell: (r: SocketRow) => r.type ?? '' }] : []),
    { header: 'UNIT', cell: (r) => r.unit },
    // systemd's ersatz `-` for an empty cell (TABLE_EMPTY), grey on a terminal
    { header: 'ACTIVATES', cell: (r) => r.activates ?? '-', style: (t, r) => (r.activates === null ? c.gray(t) : t) },
  ];
  await withPager(io, { enabled: opts.pager }, async (out) => {
    out.out.write(renderTable(rows, cols, { header: opts.legend, columns: tableWidth(out, opts.full), headerStyle: headerStyle(io.color) }));
    if (opts.legend) {
      out.out.write(`\n${rows.length} sockets listed.\n`);
      if (!opts.all) out.out.write('Pass --all to see loaded but inactive sockets, too.\n');
    }
  });
}
