/**
 * Which listed units a verb shows and in what order, as systemctl's `output_show_unit` and
 * `unit_info_compare`: shared by list-units, list-timers, list-sockets, show and status.
 */
import { unitTypeOf } from '../../core/names.js';
import type { UnitStatus } from '../../core/types.js';

/** The filters of `--all`, `--state` and `--type`. */
export interface UnitFilter {
  all: boolean;
  states: string[];
  types: string[];
}

/** systemctl's `output_show_unit`: which listed units are shown. */
export function showUnit(u: UnitStatus, opts: UnitFilter): boolean {
  if (opts.types.length > 0 && !opts.types.includes(unitTypeOf(u.name) ?? '')) return false;
  if (opts.all) return true;
  if (u.following !== '') return false;
  if (opts.states.length > 0) return true;
  if (u.jobId > 0) return true;
  return u.activeState !== 'inactive';
}

/** systemctl's `unit_info_compare`: by type suffix, then by name, case-insensitively. */
export function compareUnits(a: UnitStatus, b: UnitStatus): number {
  const ta = a.name.slice(a.name.lastIndexOf('.')).toLowerCase();
  const tb = b.name.slice(b.name.lastIndexOf('.')).toLowerCase();
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.name.toLowerCase();
  const nb = b.name.toLowerCase();
  return na < nb ? -1 : na > nb ? 1 : 0;
}
