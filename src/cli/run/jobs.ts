/**
 * `list-jobs` and `cancel` as systemctl 252 does them (systemctl-list-jobs.c,
 * systemctl-cancel-job.c): ListJobs in the manager's order, filtered by fnmatch patterns on the
 * unit name, printed as its JOB UNIT TYPE STATE table with the legend on stdout; `--after` and
 * `--before` add the jobs each one blocks or waits for; CancelJob per id, ClearJobs without ids.
 */
import type { ConnectOptions } from '../../core/bus.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { STRERROR, safeAtou32 } from '../../core/kill-signal.js';
import { fnmatch } from '../../core/presets.js';
import type { JobInfo } from '../../core/types.js';
import { colors } from '../../output/color.js';
import { displayWidth, ellipsize, escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { withPager } from '../../output/pager.js';
import { columnWidths, tableWidth } from '../../output/table.js';
import { errorRecord, finish, verbError, withManager, writeFailure, type ErrorRecord } from './manage.js';

type JsonMode = 'pretty' | 'short' | null;


// ── list-jobs ────────────────────────────────────────────────────────────────────────────

export interface ListJobsOptions {
  patterns: string[];
  /** `--after`: under each job, the jobs ordered after it, which it blocks (GetJobAfter). */
  after: boolean;
  /** `--before`: under each job, the jobs ordered before it, which it waits for (GetJobBefore). */
  before: boolean;
  legend: boolean;
  full: boolean;
  json: JsonMode;
  /** Page the table on a terminal as systemctl does (`false` with --no-pager; default off). */
  pager?: boolean;
  connect: ConnectOptions;
}

/** A job another one blocks or waits for. */
export interface JobRef {
  job: number;
  unit: string;
  type: string;
}

/**
 * One `list-jobs --json` record: the columns of systemctl's table. `blocking` (with `--after`)
 * and `waiting_for` (with `--before`) are there only when asked for.
 */
export interface JobRow {
  job: number;
  unit: string;
  type: string;
  state: string;
  blocking?: JobRef[];
  waiting_for?: JobRef[];
}

const ref = (j: JobInfo): JobRef => ({ job: j.id, unit: j.unit, type: j.jobType });

/** systemctl's `output_show_job`: no patterns, or the unit name matches one (fnmatch, FNM_NOESCAPE). */
export function showJob(unit: string, patterns: string[]): boolean {
  return patterns.length === 0 || patterns.some((p) => fnmatch(p, unit));
}

export async function runListJobs(opts: ListJobsOptions, io: IO): Promise<JobRow[]> {
  const { rows, skipped } = await withManager(opts.connect, async (m) => {
    let jobs: JobInfo[];
    try {
      jobs = await m.listJobs();
    } catch (e) {
      throw verbError(`Failed to list jobs: ${errorRecord(e).message}`, e);
    }
    const shown = jobs.filter((j) => showJob(j.unit, opts.patterns));
    // the --after/--before calls of all jobs at once, on the one connection; a job that ended
    // meanwhile has no list: systemctl ignores the error, so do we
    const out = await Promise.all(
      shown.map(async (j): Promise<JobRow> => {
        const row: JobRow = { job: j.id, unit: j.unit, type: j.jobType, state: j.state };
        const [blocking, waitingFor] = await Promise.all([
          opts.after ? m.getJobAfter(j.id).catch(() => []) : undefined,
          opts.before ? m.getJobBefore(j.id).catch(() => []) : undefined,
        ]);
        if (blocking) row.blocking = blocking.map(ref);
        if (waitingFor) row.waiting_for = waitingFor.map(ref);
        return row;
      }),
    );
    return { rows: out, skipped: shown.length < jobs.length };
  });
  if (opts.json) writeJson(io, rows, opts.json);
  else await withPager(io, { enabled: opts.pager === true }, async (out) => renderJobTable(rows, { ...opts, skipped }, out));
  return rows;
}

/**
 * The table as systemd's format-table draws it: left-aligned columns one blank apart, `-` in empty
 * cells, no trailing blanks; the `--after`/`--before` rows are `└─` and a tab-indented line, as
 * systemctl prints them. On a terminal (not `--full`, not paged) the columns shrink to fit by
 * systemd's rules (table.ts `columnWidths`).
 */
export function renderJobTable(rows: JobRow[], opts: { legend: boolean; full: boolean; skipped: boolean }, io: IO): void {
  const c = colors(io.color);
  if (rows.length === 0) {
    if (opts.legend) io.out.write(`${c.green(`No jobs ${opts.skipped ? 'listed' : 'running'}.`)}\n`);
    return;
  }
  const glyph = io.unicode ? '└─' : '`-';
  type Line = { cells: string[]; running: boolean; sub: boolean };
  const lines: Line[] = [];
  for (const r of rows) {
    lines.push({ cells: [String(r.job), escapeTerminal(r.unit), escapeTerminal(r.type), escapeTerminal(r.state)], running: r.state === 'running', sub: false });
    const sub = (refs: JobRef[] | undefined, prefix: string): void => {
      for (const o of refs ?? []) {
        lines.push({ cells: [glyph, `\t${prefix} ${o.job} (${escapeTerminal(o.unit)}/${escapeTerminal(o.type)})`, '-', '-'], running: false, sub: true });
      }
    };
    // systemd 252: --after lists GetJobAfter as "blocking job", --before GetJobBefore as "waiting for job"
    sub(r.blocking, 'blocking job');
    sub(r.waiting_for, 'waiting for job');
  }
  // a tab counts as one column, as systemd counts it
  const width = (s: string): number => displayWidth(s) + (s.match(/\t/g)?.length ?? 0);
  const header = ['JOB', 'UNIT', 'TYPE', 'STATE'];
  const requested = header.map((h, i) => Math.max(opts.legend ? width(h) : 0, 1, ...lines.map((l) => width(l.cells[i]!))));
  const widths = columnWidths(requested, [1, 1, 1, 1], [1, 1, 1, 1], tableWidth(io, opts.full));
  for (const l of lines) {
    l.cells.forEach((text, i) => {
      if (width(text) > widths[i]!) l.cells[i] = ellipsize(text.replace(/\t/g, ' '), widths[i]!).replace(/^ /, '\t');
    });
  }
  const draw = (cells: string[], style: (text: string, i: number) => string): string => {
    let out = '';
    cells.forEach((text, i) => {
      out += style(text, i);
      if (i < cells.length - 1) out += ' '.repeat(widths[i]! - width(text) + 1);
    });
    return `${out.replace(/ +$/, '')}\n`;
  };
  let out = '';
  if (opts.legend) out += draw(header, (t) => c.underline(t));
  for (const l of lines) out += draw(l.cells, (t, i) => (l.running && (i === 1 || i === 3) ? c.bold(t) : t));
  if (opts.legend) out += `\n${c.bold(`${rows.length} jobs listed`)}.\n`;
  io.out.write(out);
}

// ── cancel ───────────────────────────────────────────────────────────────────────────────

export interface CancelOptions {
  /** Job ids as typed (systemctl's `safe_atou32`: `12`, `0x10`, `010`…); none: every job. */
  jobs: string[];
  json: JsonMode;
  connect: ConnectOptions;
  /** Run a polkit agent on a terminal (local system manager, no `--no-ask-password`). */
  polkit?: boolean;
}

/** One job of `cancel --json`: its id and, when it was still queued, its unit and type. */
export interface JobOutcome {
  job: number;
  unit: string | null;
  type: string | null;
  ok: boolean;
  error: ErrorRecord | null;
}

/**
 * `cancel --json`. With ids, one outcome per id; without (`all: true`, one ClearJobs call), the
 * jobs that were queued just before it.
 */
export interface CancelResult {
  verb: 'cancel';
  ok: boolean;
  all: boolean;
  jobs: JobOutcome[];
}

/**
 * Parse job ids as systemctl (`Failed to parse job id "abc": Invalid argument`). All are parsed
 * before anything is sent (systemctl cancels the ids before a bad one, then stops).
 */
export function parseJobIds(args: string[]): number[] {
  return args.map((a) => {
    const r = safeAtou32(a);
    if (!r.ok) throw new InvalidArgumentError(`Failed to parse job id "${a}": ${STRERROR[r.errno]}`);
    return r.value;
  });
}

export async function runCancel(opts: CancelOptions, io: IO): Promise<CancelResult> {
  const ids = parseJobIds(opts.jobs);
  const result = await withManager(opts.connect, async (m): Promise<CancelResult> => {
    // unit and type of each job for the JSON document (what systemctl does not need)
    const queued = opts.json ? await m.listJobs().catch(() => [] as JobInfo[]) : [];
    const known = new Map(queued.map((j) => [j.id, j]));
    if (ids.length === 0) {
      try {
        await m.clearJobs();
      } catch (e) {
        throw verbError(`Failed to execute operation: ${errorRecord(e).message}`, e);
      }
      return { verb: 'cancel', ok: true, all: true, jobs: queued.map((j) => ({ job: j.id, unit: j.unit, type: j.jobType, ok: true, error: null })) };
    }
    const jobs: JobOutcome[] = [];
    for (const id of ids) {
      const info = known.get(id);
      const base = { job: id, unit: info?.unit ?? null, type: info?.jobType ?? null };
      try {
        await m.cancelJob(id);
        jobs.push({ ...base, ok: true, error: null });
      } catch (e) {
        const error = errorRecord(e);
        writeFailure(io, `Failed to cancel job ${id}: ${error.message}`);
        jobs.push({ ...base, ok: false, error });
      }
    }
    return { verb: 'cancel', ok: jobs.every((j) => j.ok), all: false, jobs };
  }, opts.polkit, io);
  finish(result, opts.json, io);
  return result;
}
