/**
 * The spinner of the lifecycle verbs, on stderr: it names the work ("Restarting nginx.service…",
 * "Restarting 3 units… 1/3 done"), advances when a job ends (the caller calls `jobEnded` on each
 * JobRemoved; there is no timer polling systemd), lets messages through above it (`log`), and
 * ends with one line per unit (✔/✖, the result, the time it took). ora is loaded only when the
 * spinner runs; anywhere else (`startJobProgress` → `null`) nothing of this is printed.
 */
import type { IO } from './io.js';
import { colors } from './color.js';
import { escapeTerminal } from './escape.js';

export interface JobProgress {
  /** Print lines above the spinner (a message that would otherwise go to stderr). */
  log(lines: string[]): void;
  /** One more job ended; `pending`: the units still waited for (named in the text). */
  jobEnded(done: number, total: number, pending?: string[]): void;
  /** Stop and print the final lines (`ok`: ✔, else ✖). */
  finish(lines: { ok: boolean; text: string }[]): void;
  /** Stop without a trace (Ctrl-C). */
  stop(): void;
}

const GERUNDS: Record<string, string> = {
  start: 'Starting',
  stop: 'Stopping',
  condstop: 'Stopping',
  reload: 'Reloading',
  restart: 'Restarting',
  'try-restart': 'Restarting (if active)',
  condrestart: 'Restarting (if active)',
  'reload-or-restart': 'Reloading or restarting',
  'try-reload-or-restart': 'Reloading or restarting (if active)',
  'reload-or-try-restart': 'Reloading or restarting (if active)',
  condreload: 'Reloading or restarting (if active)',
  'force-reload': 'Reloading or restarting (if active)',
};

/** What a verb does, as the spinner says it: "Restarting", "Reloading or restarting (if active)". */
export function gerund(verb: string): string {
  return GERUNDS[verb] ?? verb;
}

/** Units named in the spinner text while waited for; the rest are counted. */
const PENDING_NAMED = 3;

/**
 * The spinner text: "Restarting nginx.service…", or "Restarting 3 units… 1/3 done, waiting for
 * db.service, web.service" (the units still pending, the first three named).
 */
export function progressText(verb: string, units: string[], done: number, total: number, unicode = true, pending: string[] = []): string {
  const dots = unicode ? '…' : '...';
  const what = units.length === 1 ? escapeTerminal(units[0]!) : `${units.length} units`;
  const more = pending.length > PENDING_NAMED ? ` and ${pending.length - PENDING_NAMED} more` : '';
  const waiting = total > 1 && pending.length > 0 ? `, waiting for ${pending.slice(0, PENDING_NAMED).map(escapeTerminal).join(', ')}${more}` : '';
  const count = total > 1 ? ` ${done}/${total} done${waiting}` : '';
  const [doing, ifActive] = gerund(verb).split(' (');
  return `${doing} ${what}${ifActive ? ` (${ifActive}` : ''}${dots}${count}`;
}

/** A spinner when stderr is a terminal with a width; `null` otherwise. */
export async function startJobProgress(io: IO, verb: string, units: string[]): Promise<JobProgress | null> {
  const columns = (io.err as NodeJS.WriteStream).columns;
  if (!io.errIsTTY || !columns) return null;
  const { default: ora } = await import('ora');
  const c = colors(io.errColor);
  const spinner = ora({
    text: progressText(verb, units, 0, units.length, io.unicode),
    stream: io.err as NodeJS.WritableStream & { isTTY?: boolean },
    color: 'cyan',
    discardStdin: false,
    isEnabled: true,
  }).start();
  let stopped = false;
  return {
    log(lines) {
      if (stopped || lines.length === 0) return;
      spinner.clear();
      io.err.write(`${lines.join('\n')}\n`);
      spinner.render();
    },
    jobEnded(done, total, pending) {
      if (!stopped) spinner.text = progressText(verb, units, done, total, io.unicode, pending);
    },
    finish(lines) {
      if (stopped) return;
      stopped = true;
      spinner.stop();
      const ok = io.unicode ? '✔' : 'OK';
      const bad = io.unicode ? '✖' : 'FAIL';
      for (const l of lines) io.err.write(`${l.ok ? c.green(ok) : c.red(bad)} ${l.text}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      spinner.stop();
    },
  };
}
