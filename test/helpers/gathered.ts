/** A unit's gathered status (output/status-record.ts) for unit tests: empty but for what a test sets. */
import type { Gathered } from '../../src/output/status-record.ts';

export function gathered(u: Record<string, unknown>, t: Record<string, unknown>): Gathered {
  return { name: String(u.Id), u, t, processes: [], processesError: null, triggeredBy: [], triggers: [], entries: null, journalError: null, rotated: false };
}
