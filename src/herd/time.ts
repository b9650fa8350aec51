/**
 * herd's own time strings: `time->string` (absolute `%X` today, `%c` otherwise, then the
 * relative `(N seconds ago)`), the event log's `22 Nov 2026 03:14:02`, the recent messages'
 * `2026-11-22 03:14:02`; and the JSON form (ISO 8601 with µs, and µs).
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** `%X` in the C locale: `03:14:02`. */
export function clock(d: Date): string {
  return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

/** `%c` in the C locale: `Sun Nov 22 03:14:02 2026`. */
export function cTime(d: Date): string {
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${clock(d)} ${d.getFullYear()}`;
}

/** herd's relative part: seconds under 2 minutes, minutes under 2 hours, hours under 48 hours, then days. */
export function relative(elapsedSec: number): string {
  const s = Math.max(0, Math.round(elapsedSec));
  if (s < 120) return s === 1 ? '1 second ago' : `${s} seconds ago`;
  if (s < 7200) return `${Math.round(s / 60)} minutes ago`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} hours ago`;
  return `${Math.round(s / 86400)} days ago`;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** herd's `time->string`: `03:14:02 (5 seconds ago)` today, `Sat Nov 21 03:14:02 2026 (1 days ago)` before. */
export function herdTime(usec: number, now: Date = new Date()): string {
  const d = new Date(usec / 1000);
  const abs = sameDay(d, now) ? clock(d) : cTime(d);
  return `${abs} (${relative((now.getTime() - d.getTime()) / 1000)})`;
}

/** The event log's time: `22 Nov 2026 03:14:02` (day space-padded, as `%e`). */
export function logTime(usec: number): string {
  const d = new Date(usec / 1000);
  return `${String(d.getDate()).padStart(2, ' ')} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${clock(d)}`;
}

/** The recent messages' and latest exits' time: `2026-11-22 03:14:02`. */
export function isoLocal(usec: number): string {
  const d = new Date(usec / 1000);
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${clock(d)}`;
}

/** ISO 8601 in UTC with µs: `2026-11-22T03:14:02.123456Z`. */
export function isoUsec(usec: number): string {
  const ms = Math.floor(usec / 1000);
  const base = new Date(ms).toISOString(); // …SS.mmmZ
  return `${base.slice(0, -1)}${String(Math.floor(usec) % 1000).padStart(3, '0')}Z`;
}

/** A time in JSON: both forms. */
export interface JsonTime {
  time: string;
  usec: number;
}

export function jsonTime(usec: number): JsonTime {
  return { time: isoUsec(usec), usec };
}
