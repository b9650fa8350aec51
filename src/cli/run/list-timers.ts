/**
 * `list-timers [PATTERN…]`: systemctl 252's table (NEXT LEFT LAST PASSED UNIT ACTIVATES), sorted
 * by the next elapse then by name, the legend on stdout; `-o json` (and `--json`) as systemctl's
 * JSON table: `next`/`left` µs (null when none), `last`/`passed` µs (0 when never), `unit`,
 * `activates` (the triggered units joined by ", ").
 */
import type { ConnectOptions } from '../../core/bus.js';
import { Manager } from '../../core/manager.js';
import { UnitObject } from '../../core/unit.js';
import { headerStyle } from '../../output/color.js';
import type { IO } from '../../output/io.js';
import { writeTableJson } from '../../output/json.js';
import { withPager } from '../../output/pager.js';
import { renderTable, tableWidth, type Column } from '../../output/table.js';
import { calcNextElapse, dualNow, formatTimestamp, formatTimestampRelative, nowMicros, toMicros, USEC_INFINITY } from '../../output/time.js';
import { showUnit } from './unit-filter.js';

export interface ListTimersOptions {
  patterns: string[];
  all: boolean;
  states: string[];
  legend: boolean;
  full: boolean;
  /** JSON output: systemd's `-o json`/`json-pretty` form, `null` for the table. */
  json: 'pretty' | 'short' | null;
  pager: boolean;
  connect: ConnectOptions;
}

/** One timer: also the `--json` record (keys as `systemctl list-timers -o json`). */
export interface TimerRow {
  /** µs since the epoch, `null` when it will not elapse. */
  next: number | null;
  left: number | null;
  /** µs since the epoch, 0 when never triggered. */
  last: number;
  passed: number;
  unit: string;
  activates: string;
}



export async function collectTimers(opts: Pick<ListTimersOptions, 'patterns' | 'all' | 'states' | 'connect'>): Promise<TimerRow[]> {
  const manager = await Manager.connect(opts.connect);
  try {
    const units = (await manager.listUnitsByPatterns(opts.states, opts.patterns)).filter(
      (u) => u.name.endsWith('.timer') && showUnit(u, { all: opts.all, states: opts.states, types: [] }),
    );
    const now = dualNow();
    const rows: (TimerRow & { sortKey: bigint })[] = [];
    for (const u of units) {
      const obj = new UnitObject(manager.bus, u.unitPath, u.name);
      const [unitProps, timer] = await Promise.all([obj.getAll('org.freedesktop.systemd1.Unit'), obj.getAll('org.freedesktop.systemd1.Timer')]);
      const next = calcNextElapse(now, { realtime: toMicros(timer.NextElapseUSecRealtime as number | null), monotonic: toMicros(timer.NextElapseUSecMonotonic as number | null) });
      const last = toMicros(timer.LastTriggerUSec as number | null);
      const nextN = next === USEC_INFINITY || next === 0n ? null : Number(next);
      const lastN = last === USEC_INFINITY ? 0 : Number(last);
      rows.push({
        next: nextN,
        left: nextN,
        last: lastN,
        passed: lastN,
        unit: u.name,
        activates: ((unitProps.Triggers as string[] | undefined) ?? []).join(', '),
        sortKey: next === 0n ? USEC_INFINITY : next,
      });
    }
    // timer_info_compare: next elapse, then name
    rows.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
    return rows.map(({ sortKey: _k, ...r }) => r);
  } finally {
    manager.close();
  }
}

export async function runListTimers(opts: ListTimersOptions, io: IO): Promise<void> {
  const rows = await collectTimers(opts);
  if (opts.json) {
    writeTableJson(io, rows, opts.json);
    return;
  }
  const now = nowMicros();
  const dash = (s: string | null): string => s ?? '-';
  const cols: Column<TimerRow>[] = [
    { header: 'NEXT', cell: (r) => dash(formatTimestamp(r.next)) },
    { header: 'LEFT', cell: (r) => dash(formatTimestampRelative(r.next, now)) },
    { header: 'LAST', cell: (r) => dash(formatTimestamp(r.last)) },
    { header: 'PASSED', cell: (r) => dash(formatTimestampRelative(r.last, now)) },
    { header: 'UNIT', cell: (r) => r.unit },
    { header: 'ACTIVATES', cell: (r) => r.activates },
  ];
  await withPager(io, { enabled: opts.pager }, async (out) => {
    out.out.write(renderTable(rows, cols, { header: opts.legend, columns: tableWidth(out, opts.full), headerStyle: headerStyle(io.color) }));
    if (opts.legend) {
      out.out.write(`\n${rows.length} timers listed.\n`);
      if (!opts.all) out.out.write('Pass --all to see loaded but inactive timers, too.\n');
    }
  });
}
