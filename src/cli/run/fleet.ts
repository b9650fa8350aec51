/**
 * A verb on a fleet: the parsed command line runs once per host (each with `-H HOST`, its own
 * connection and its own IO capturing what it prints and its exit code), at most `--parallel` at
 * once, then the outputs are merged:
 * - `--json`: one array of `{host, ok: true, result}` / `{host, ok: false, error: {message,
 *   dbusName, exitCode}}`, `result` being the JSON the verb prints for one host;
 * - list verbs: one table with a leading HOST column (from each host's JSON records);
 * - other verbs: each host's output under a header line, in the order the hosts were given;
 * - errors: one line per host on stderr (`sysherd: HOST: why`); a verb that only exits non-zero
 *   (is-active → 3) has said what it had to on stdout.
 * Exit 0 when every host succeeded, else the code of the first failing host (in host order).
 */
import { errorInfo, mapBounded, type FleetErrorInfo } from '../../core/fleet.js';
import { setBatchAlways } from '../../core/transport.js';
import { colors, headerStyle } from '../../output/color.js';
import { escapeTerminal } from '../../output/escape.js';
import { memoryIO, type IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { startProgress } from '../../output/spinner.js';
import { renderTable, tableWidth, type Column } from '../../output/table.js';

/** Run one command line on one IO: the exit code, and the error if one was thrown (not printed). */
export type RunOne = (argv: string[], io: IO) => Promise<{ code: number; error?: unknown }>;

export interface FleetRequest {
  hosts: string[];
  parallel: number;
  /** The command line without the host flags. */
  argv: string[];
  verb: string | undefined;
}

/** Verbs whose output is one table of records: merged into one table with a HOST column. */
export const LIST_VERBS = new Set(['list-units', 'list-jobs', 'list-unit-files', 'list-timers', 'list-sockets', 'list-automounts', 'list-paths', 'list-machines']);

/** What one host did. */
export interface HostRun {
  host: string;
  code: number;
  error: unknown;
  stdout: string;
  stderr: string;
}

/** One element of the `--json` array. */
export type FleetJsonEntry = { host: string; ok: true; result: unknown } | { host: string; ok: false; error: FleetErrorInfo; result?: unknown };

/** The JSON mode the command line asks for (as `jsonFormat`, from the raw argv). */
export function fleetJsonMode(argv: string[], outIsTTY: boolean): 'pretty' | 'short' | null {
  let mode: 'pretty' | 'short' | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--json') mode ??= outIsTTY ? 'pretty' : 'short';
    else if (a === '--json-mode') {
      const v = argv[++i];
      if (v === 'pretty' || v === 'short') return v;
    } else if (a === '-o' || a === '--output' || a.startsWith('--output=') || (a.startsWith('-o') && a.length > 2 && !a.startsWith('--'))) {
      const v = a === '-o' || a === '--output' ? argv[++i] : a.startsWith('--output=') ? a.slice(9) : a.slice(2);
      if (v === 'json' || v === 'json-seq' || v === 'json-sse') mode ??= 'short';
      else if (v === 'json-pretty') mode ??= 'pretty';
    }
  }
  return mode;
}

const has = (argv: string[], ...flags: string[]): boolean => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => flags.includes(a));
};

/** A host's stdout as the JSON it printed: one document, else one per line, else the text. */
export function parseResult(stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    try {
      return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
    } catch {
      return stdout;
    }
  }
}

/** The failure of a host, from its error (or, without one, its exit code and last stderr line). */
export function failureOf(r: HostRun): FleetErrorInfo {
  if (r.error !== undefined) {
    const info = errorInfo(r.error);
    return { ...info, exitCode: r.code };
  }
  const last = r.stderr.trim().split('\n').pop()?.trim();
  return { message: last && last !== '' ? last.replace(/^sysherd: /, '') : `exit status ${r.code}`, dbusName: null, exitCode: r.code };
}

export async function runFleet(req: FleetRequest, io: IO, runOne: RunOne): Promise<number> {
  const json = fleetJsonMode(req.argv, io.outIsTTY);
  const list = json === null && req.verb !== undefined && LIST_VERBS.has(req.verb);
  setBatchAlways(true); // many hosts at once: no ssh prompt may wait on the terminal
  const progress = await startProgress(io, `0/${req.hosts.length} hosts`);
  let done = 0;
  let failed = 0;
  const runs = await mapBounded(req.hosts, req.parallel, async (host): Promise<HostRun> => {
    // each host parses the line anew, with its own -H and an IO of its own
    const argv = ['-H', host, ...(list ? ['--json-mode', 'short'] : []), ...req.argv];
    const hio = memoryIO({ color: json || list ? false : io.color, errColor: io.errColor, columns: io.columns, unicode: io.unicode });
    let code: number;
    let error: unknown;
    try {
      ({ code, error } = await runOne(argv, hio));
    } catch (e) {
      code = 70;
      error = e;
    }
    done++;
    if (code !== 0) failed++;
    progress.update(`${done}/${req.hosts.length} hosts done${failed > 0 ? `, ${failed} failed` : ''}`);
    return { host, code, error, stdout: hio.stdout(), stderr: hio.stderr() };
  });
  progress.stop();

  if (json) {
    const doc: FleetJsonEntry[] = runs.map((r) => {
      if (r.code === 0) return { host: r.host, ok: true, result: parseResult(r.stdout) };
      const e: FleetJsonEntry = { host: r.host, ok: false, error: failureOf(r) };
      if (r.stdout.trim() !== '') e.result = parseResult(r.stdout);
      return e;
    });
    writeJson(io, doc, json);
    for (const r of runs) if (r.error !== undefined) writeErrorLine(r, io);
  } else if (list) {
    renderListTable(runs, req.argv, io);
  } else {
    renderPerHost(runs, io);
  }
  return runs.find((r) => r.code !== 0)?.code ?? 0;
}

/** `sysherd: HOST: why` on stderr. */
function writeErrorLine(r: HostRun, io: IO): void {
  const c = colors(io.errColor);
  const f = failureOf(r);
  const hint = r.error !== undefined && typeof (r.error as { hint?: unknown }).hint === 'string' ? `; ${(r.error as { hint: string }).hint}` : '';
  io.err.write(`${c.red('sysherd:')} ${escapeTerminal(r.host)}: ${escapeTerminal(f.message).replace(/\.$/, '')}${escapeTerminal(hint)}\n`);
}

/** Each host's output under a header, in host order; its stderr after it; errors one line each. */
function renderPerHost(runs: HostRun[], io: IO): void {
  const c = colors(io.color);
  const rule = io.unicode ? '──' : '--';
  runs.forEach((r, i) => {
    io.out.write(`${i > 0 ? '\n' : ''}${c.bold(`${rule} ${escapeTerminal(r.host)} ${rule}`)}\n`);
    io.out.write(r.stdout);
    const errText = r.stderr; // warnings and legends; the error itself was not printed there
    if (errText !== '') io.err.write(errText.endsWith('\n') ? errText : `${errText}\n`);
    if (r.error !== undefined) writeErrorLine(r, io);
  });
}

type Row = { host: string; rec: Record<string, unknown> };

/** A record's cell: text as is, `-` for null, numbers and booleans as text, the rest as JSON. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(' ');
  return JSON.stringify(v);
}

const BAD = new Set(['failed', 'error', 'not-found', 'bad-setting', 'masked']);

/** List verbs: one table, HOST first, then the keys of the records (`unit_file` → `UNIT FILE`). */
function renderListTable(runs: HostRun[], argv: string[], io: IO): void {
  const rows: Row[] = [];
  const keys: string[] = [];
  const seen = new Set<string>();
  const unparsed: HostRun[] = [];
  for (const r of runs) {
    if (r.code !== 0) continue;
    const v = parseResult(r.stdout);
    if (!Array.isArray(v) || v.some((x) => x === null || typeof x !== 'object' || Array.isArray(x))) {
      if (r.stdout !== '') unparsed.push(r);
      continue;
    }
    for (const rec of v as Record<string, unknown>[]) {
      rows.push({ host: r.host, rec });
      for (const k of Object.keys(rec)) {
        if (!seen.has(k)) {
          seen.add(k);
          keys.push(k);
        }
      }
    }
  }
  const legend = !has(argv, '--no-legend');
  const c = colors(io.color);
  const red = (t: string, bad: boolean): string => (bad ? c.red.bold(t) : t);
  const cols: Column<Row>[] = [{ header: 'HOST', cell: (r) => r.host }];
  keys.forEach((k) => {
    cols.push({ header: k.toUpperCase().replace(/_/g, ' '), cell: (r) => cellText(r.rec[k]), style: (t, r) => red(t, BAD.has(cellText(r.rec[k]))) });
  });
  io.out.write(renderTable(rows, cols, { header: legend && rows.length > 0, columns: tableWidth(io, has(argv, '-l', '--full')), headerStyle: headerStyle(io.color) }));
  for (const r of unparsed) io.out.write(`${io.unicode ? '──' : '--'} ${escapeTerminal(r.host)}\n${r.stdout}`);
  const ok = runs.filter((r) => r.code === 0).length;
  for (const r of runs) if (r.error !== undefined) writeErrorLine(r, io);
  if (legend) {
    const e = colors(io.errColor);
    io.err.write(`${rows.length > 0 ? '\n' : ''}${e.bold(`${rows.length} ${rows.length === 1 ? 'entry' : 'entries'} listed from ${ok} of ${runs.length} hosts.`)}\n`);
  }
}
