/**
 * `list-sockets [PATTERN…]`: systemctl 252's table (LISTEN UNIT ACTIVATES), one row per listen
 * address, sorted by address; the legend on stdout; `-o json` (and `--json`) as systemctl's JSON
 * table (`listen`, `unit`, `activates` joined by ", ").
 */
import type { ConnectOptions } from '../../core/bus.js';
import { Manager } from '../../core/manager.js';
import { UnitObject } from '../../core/unit.js';
import { colors } from '../../output/color.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { withPager } from '../../output/pager.js';
import { renderTable, type Column } from '../../output/table.js';
import { showUnit } from './list-units.js';
import type { ListTimersOptions } from './list-timers.js';

/** The options of list-sockets: list-timers', and `--show-types` (a TYPE column; `type` in the JSON). */
export type ListSocketsOptions = ListTimersOptions & { showTypes?: boolean };

/** One listen address of a socket unit; also the `--json` record (`systemctl -o json` keys). */
export interface SocketRow {
  listen: string;
  unit: string;
  activates: string;
  /** `Stream`, `Datagram`, … (in the JSON only with --show-types, as systemctl's). */
  type?: string;
}

/** systemd's pretty JSON (json_variant_dump with JSON_FORMAT_PRETTY): tabs, `"key" : value`. */
export function systemdPrettyJson(v: unknown, indent = ''): string {
  const next = `${indent}\t`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => `${next}${systemdPrettyJson(x, next)}`).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${next}${JSON.stringify(k)} : ${systemdPrettyJson(x, next)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Table JSON as systemctl writes it: one line, or (pretty) systemd's own layout. */
export function writeTableJson(io: IO, rows: unknown[], mode: 'pretty' | 'short'): void {
  if (mode === 'pretty') io.out.write(`${systemdPrettyJson(rows)}\n`);
  else writeJson(io, rows, 'short');
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
      const activates = ((unitProps.Triggers as string[] | undefined) ?? []).join(', ');
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
    { header: 'ACTIVATES', cell: (r) => r.activates, flex: true },
  ];
  await withPager(io, { enabled: opts.pager }, async (out) => {
    out.out.write(renderTable(rows, cols, { header: opts.legend, columns: opts.full ? undefined : io.columns, headerStyle: (s) => c.bold.underline(s) }));
    if (opts.legend) {
      out.out.write(`\n${rows.length} sockets listed.\n`);
      if (!opts.all) out.out.write('Pass --all to see loaded but inactive sockets, too.\n');
    }
  });
}
