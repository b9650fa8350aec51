/**
 * Reading the journal. There is no D-Bus API for it: we spawn `journalctl --output=json` with an
 * argument array and the matches systemctl uses for a unit's messages (systemd's
 * src/shared/logs-show.c `add_matches_for_unit` / `add_matches_for_user_unit`), and parse the
 * records as they stream, one line at a time (memory stays bounded by the longest record).
 *
 *     for await (const e of streamJournal({ units: ['nginx.service'], lines: 10 })) console.log(e.message);
 *     const entries = await readJournal({ units: ['nginx.service'], lines: 10, boot: true });
 *
 * The spawn is injectable (`prefix: ['ssh', 'host', '--']` or a `runner`), so a remote host's or a
 * sandbox's journal reads the same way. When journalctl cannot be run or cannot read the journal
 * (no binary, no permission, no journal files) the error is one `JournalUnavailableError`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

import { type JournalProcess, journalProcess } from './child-process.js';
import { SystemdError, type SystemdErrorOptions } from './errors.js';

/** The journal could not be read: no journalctl, no permission, no journal files, no journald. */
export class JournalUnavailableError extends SystemdError {
  override name = 'JournalUnavailableError';
  /** The first line journalctl wrote on stderr, if any. */
  readonly detail: string | undefined;
  constructor(message: string, opts: SystemdErrorOptions & { detail?: string } = {}) {
    super(message, opts);
    this.detail = opts.detail;
  }
}

/** A journal field's value as `journalctl -o json` gives it (decoded). */
export type JournalValue = string | Buffer;

/** One journal record, the common fields typed; every field is in `fields`. */
export interface JournalEntry {
  /** `__REALTIME_TIMESTAMP`: µs since the epoch. */
  realtime: number;
  /** `__MONOTONIC_TIMESTAMP`: µs since boot (of `bootId`). */
  monotonic: number;
  /** `_BOOT_ID`. */
  bootId: string;
  /** `__CURSOR`. */
  cursor: string;
  /** `_PID`, `null` when absent. */
  pid: number | null;
  /** `SYSLOG_PID` (a client's own claim), `null` when absent. */
  syslogPid: number | null;
  /** `SYSLOG_IDENTIFIER`. */
  identifier: string | null;
  /** `_COMM`. */
  comm: string | null;
  /** `MESSAGE` as text (byte arrays decoded as UTF-8, invalid bytes replaced), `null` when absent. */
  message: string | null;
  /** `MESSAGE` as bytes (exact, also for messages that are not valid UTF-8). */
  messageBytes: Buffer | null;
  /** `PRIORITY` 0–7, `null` when absent or not a number. */
  priority: number | null;
  /** `MESSAGE_ID`. */
  messageId: string | null;
  /** `_SYSTEMD_UNIT`. */
  systemdUnit: string | null;
  /** `_SYSTEMD_USER_UNIT`. */
  systemdUserUnit: string | null;
  /** `UNIT` (PID 1 about a unit). */
  unit: string | null;
  /** `USER_UNIT` (the user manager about a unit). */
  userUnit: string | null;
  /** `EXIT_CODE` (`exited`, `killed`, `dumped`). */
  exitCode: string | null;
  /** `EXIT_STATUS`. */
  exitStatus: number | null;
  /** `_HOSTNAME`. */
  hostname: string | null;
  /** `_TRANSPORT`. */
  transport: string | null;
  /**
   * Every field: a text value as a string; a value that was a byte array as a Buffer; a field
   * with several values as an array of those.
   */
  fields: Record<string, JournalValue | JournalValue[]>;
}

/** What to read. Units are matched as systemctl does; everything else narrows further. */
export interface JournalQuery {
  /** System units (`_SYSTEMD_UNIT=`, coredumps, PID 1 about it, trusted daemons about it). */
  units?: string[];
  /** User units (of `uid`, default the caller's). */
  userUnits?: string[];
  /** The uid of the user units' manager (default `process.getuid()`). */
  uid?: number;
  /** Only the last N records (`-n N`). */
  lines?: number;
  /** `--since` (journalctl's time syntax: `2024-01-01 10:00`, `-1h`, `today`, `@EPOCH`). */
  since?: string;
  /** `--until`. */
  until?: string;
  /** Only these MESSAGE_IDs (128-bit ids as 32 hex digits). */
  messageIds?: string[];
  /** More `FIELD=VALUE` matches, ANDed with the rest (same field twice: either). */
  matches?: string[];
  /** Only the current boot (`true`, `-b`), a boot id or offset (`-b ID`), or every boot (default). */
  boot?: boolean | string;
  /** Only records with `__MONOTONIC_TIMESTAMP` ≥ this (µs) in the current boot (systemctl's `not_before`). */
  notBefore?: number;
  /** Read journal files from this directory (`--directory`). */
  directory?: string;
  /** Log namespace (`--namespace`). */
  namespace?: string;
  /** Keep reading as records arrive (`--follow`): the stream ends when the consumer stops. */
  follow?: boolean;
  /** Newest first (`--reverse`). */
  reverse?: boolean;
  /** Only records after this cursor (`--after-cursor`), to resume where a previous read ended. */
  afterCursor?: string;
}

/** A spawned journalctl: its output and how it ended (defined next to the spawner, child-process.ts). */
export type { JournalProcess };

/** Runs argv (`['journalctl', …]`) somewhere: locally by default, over ssh, in a sandbox. */
export type JournalRunner = (argv: string[]) => JournalProcess;

export interface JournalRunOptions {
  /** Put in front of the journalctl argv (`['ssh', 'host', '--']`, `['nsenter', '-t', PID, …]`). */
  prefix?: string[];
  /** Or run argv yourself. */
  runner?: JournalRunner;
  /** The journalctl binary (default `journalctl`). */
  journalctl?: string;
  /**
   * Who reads the local journal: `auto` (the default) reads the files in-process when the query
   * allows and falls back to journalctl; `journalctl` always spawns it.
   */
  reader?: 'auto' | 'journalctl';
  /** Called with journalctl's stderr lines (hints, warnings) that did not make it fail. */
  onWarning?: (line: string) => void;
}

/** The MESSAGE_ID of systemd-coredump's "process dumped core" records. */
export const COREDUMP_MESSAGE_ID = 'fc2e22bc6ee647b6b90729ab34a250b1';

/**
 * The match terms systemctl uses for a system unit (`add_matches_for_unit`), as journalctl
 * positional arguments: terms joined by `+` are ORed; within a term different fields are ANDed.
 */
export function unitMatchTerms(unit: string): string[][] {
  const terms = [
    // the service's own messages
    [`_SYSTEMD_UNIT=${unit}`],
    // coredumps of the service
    [`MESSAGE_ID=${COREDUMP_MESSAGE_ID}`, '_UID=0', `COREDUMP_UNIT=${unit}`],
    // PID 1 about the service
    ['_PID=1', `UNIT=${unit}`],
    // authorized daemons about the service
    ['_UID=0', `OBJECT_SYSTEMD_UNIT=${unit}`],
  ];
  if (unit.endsWith('.slice')) terms.push([`_SYSTEMD_SLICE=${unit}`]);
  return terms;
}

/** The match terms systemctl uses for a user unit of `uid` (`add_matches_for_user_unit`). */
export function userUnitMatchTerms(unit: string, uid: number): string[][] {
  const u = `_UID=${uid}`;
  const terms = [
    // the user service's own messages
    [`_SYSTEMD_USER_UNIT=${unit}`, u],
    // the user manager about the service
    [`USER_UNIT=${unit}`, u],
    // coredumps of the service
    [`COREDUMP_USER_UNIT=${unit}`, u, '_UID=0'],
    // authorized daemons about the service
    [`OBJECT_SYSTEMD_USER_UNIT=${unit}`, u, '_UID=0'],
  ];
  if (unit.endsWith('.slice')) terms.push([`_SYSTEMD_USER_SLICE=${unit}`, u]);
  return terms;
}

const FIELD_MATCH = /^[A-Z0-9_]+=/;

function callerUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/**
 * The journalctl argv for a query (without the binary). Unit terms are ORed; message ids and
 * extra matches are ANDed with each of them (journalctl has no parentheses, so they are put into
 * every term).
 */
export function journalArgs(q: JournalQuery): string[] {
  const args = ['--output=json', '--no-pager', '--all'];
  if (q.boot === true) args.push('--boot');
  else if (typeof q.boot === 'string') args.push(`--boot=${q.boot}`);
  if (q.lines !== undefined) {
    if (!Number.isInteger(q.lines) || q.lines < 0) throw new RangeError(`lines must be a whole number ≥ 0, not ${q.lines}`);
    args.push(`--lines=${q.lines}`);
  }
  if (q.since !== undefined) args.push(`--since=${q.since}`);
  if (q.until !== undefined) args.push(`--until=${q.until}`);
  if (q.follow === true) args.push('--follow');
  if (q.reverse === true) args.push('--reverse');
  if (q.afterCursor !== undefined) args.push(`--after-cursor=${q.afterCursor}`);
  if (q.directory !== undefined) args.push(`--directory=${q.directory}`);
  if (q.namespace !== undefined) args.push(`--namespace=${q.namespace}`);
  const positional = queryTerms(q).flatMap((t, i) => (i > 0 ? ['+', ...t] : t));
  // a match could look like an option: end the options first
  if (positional.length > 0) args.push('--', ...positional);
  return args;
}

/**
 * A query's matches as journalctl's positional terms: the terms are ORed (joined by `+`); within
 * a term different fields are ANDed, the same field twice ORed. Message ids and extra matches are
 * put into every unit term (journalctl has no parentheses).
 */
export function queryTerms(q: JournalQuery): string[][] {
  const extra: string[] = [];
  for (const id of q.messageIds ?? []) {
    if (!/^[0-9a-fA-F]{32}$/.test(id)) throw new RangeError(`invalid message id '${id}': 32 hex digits expected`);
    extra.push(`MESSAGE_ID=${id.toLowerCase()}`);
  }
  for (const m of q.matches ?? []) {
    if (!FIELD_MATCH.test(m)) throw new RangeError(`invalid journal match '${m}': FIELD=VALUE expected (FIELD in A-Z, 0-9, _)`);
    extra.push(m);
  }
  const uid = q.uid ?? callerUid();
  const terms = [
    ...(q.units ?? []).flatMap((u) => unitMatchTerms(u)),
    ...(q.userUnits ?? []).flatMap((u) => userUnitMatchTerms(u, uid)),
  ];
  if (terms.length === 0) return extra.length > 0 ? [extra] : [];
  return terms.map((t) => [...t, ...extra]);
}

function toValue(v: unknown): JournalValue {
  if (typeof v === 'string' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]);
  return v === null || v === undefined ? '' : String(v);
}

/** Turn one parsed `journalctl -o json` object into an entry. */
export function toEntry(obj: Record<string, unknown>): JournalEntry {
  const fields: Record<string, JournalValue | JournalValue[]> = {};
  for (const [k, v] of Object.entries(obj)) {
    // several values: an array of values (strings or byte arrays); one byte array: an array of numbers
    if (Array.isArray(v) && v.some((x) => typeof x !== 'number')) fields[k] = v.map(toValue);
    else fields[k] = toValue(v);
  }
  const first = (k: string): JournalValue | undefined => {
    const v = fields[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const str = (k: string): string | null => {
    const v = first(k);
    return v === undefined ? null : typeof v === 'string' ? v : v.toString('utf8');
  };
  const int = (k: string): number | null => {
    const s = str(k);
    if (s === null || !/^\d+$/.test(s.trim())) return null;
    return Number(s.trim());
  };
  const msg = first('MESSAGE');
  return {
    realtime: int('__REALTIME_TIMESTAMP') ?? 0,
    monotonic: int('__MONOTONIC_TIMESTAMP') ?? 0,
    bootId: str('_BOOT_ID') ?? '',
    cursor: str('__CURSOR') ?? '',
    pid: int('_PID'),
    syslogPid: int('SYSLOG_PID'),
    identifier: str('SYSLOG_IDENTIFIER'),
    comm: str('_COMM'),
    message: msg === undefined ? null : typeof msg === 'string' ? msg : msg.toString('utf8'),
    messageBytes: msg === undefined ? null : typeof msg === 'string' ? Buffer.from(msg, 'utf8') : msg,
    priority: (() => {
      const p = int('PRIORITY');
      return p !== null && p <= 7 ? p : null;
    })(),
    messageId: str('MESSAGE_ID'),
    systemdUnit: str('_SYSTEMD_UNIT'),
    systemdUserUnit: str('_SYSTEMD_USER_UNIT'),
    unit: str('UNIT'),
    userUnit: str('USER_UNIT'),
    exitCode: str('EXIT_CODE'),
    exitStatus: int('EXIT_STATUS'),
    hostname: str('_HOSTNAME'),
    transport: str('_TRANSPORT'),
    fields,
  };
}

/**
 * The default runner: spawn locally, argument array, no shell. journalctl colours its JSON when
 * told to (`SYSTEMD_COLORS=1` is inherited from a terminal session): never here.
 */
export function spawnRunner(argv: string[]): JournalProcess {
  const env = { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_URLIFY: '0' };
  return journalProcess(spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env }));
}

/**
 * A journal runner for `-M NAME`: journalctl reads the container's journal (`--machine=NAME`),
 * as systemctl status shows a container's log lines.
 */
export function machineJournalRunner(name: string): JournalRunner {
  return (argv: string[]): JournalProcess => spawnRunner([argv[0]!, `--machine=${name}`, ...argv.slice(1)]);
}

/** journalctl's stderr lines that say it could not read anything. */
function unavailableReason(stderr: string[]): string | undefined {
  return stderr.find((l) =>
    /No journal files were (found|opened)|insufficient permissions|Permission denied|Failed to open|Failed to get|No such file|not found|cannot|Cannot/i.test(l),
  );
}

/**
 * Stream the journal records a query selects, oldest first, as they arrive. Breaking out of the
 * loop ends journalctl. Throws `JournalUnavailableError` when journalctl cannot run or read.
 */
export async function* streamJournal(q: JournalQuery, opts: JournalRunOptions = {}): AsyncGenerator<JournalEntry, void, undefined> {
  const argv = [...(opts.prefix ?? []), opts.journalctl ?? 'journalctl', ...journalArgs(q)];
  const proc = (opts.runner ?? spawnRunner)(argv);
  const stderr: string[] = [];
  let stderrBytes = 0;
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (s: string) => {
    // keep a bounded amount of stderr: only the first lines matter
    if (stderrBytes > 16_384) return;
    stderrBytes += s.length;
    stderr.push(...s.split('\n').filter((l) => l.trim() !== ''));
  });
  const lines = createInterface({ input: proc.stdout, crlfDelay: Infinity });
  let done = false;
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (cause) {
        throw new JournalUnavailableError(`journal not available: journalctl wrote something that is not JSON: ${line.slice(0, 80)}`, { cause });
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) continue;
      const e = toEntry(obj as Record<string, unknown>);
      if (q.notBefore !== undefined && q.notBefore > 0 && e.monotonic < q.notBefore) continue;
      yield e;
    }
    done = true;
  } finally {
    if (!done) proc.kill();
    lines.close();
  }
  const end = await proc.exit;
  if (end.error) {
    const code = (end.error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? `${argv[0]} not found` : end.error.message;
    throw new JournalUnavailableError(`journal not available: ${what}`, { cause: end.error });
  }
  if (end.code !== 0 && end.code !== null) {
    const reason = unavailableReason(stderr) ?? stderr[0];
    throw new JournalUnavailableError(`journal not available: ${reason ?? `journalctl exited with status ${end.code}`}`, {
      detail: stderr[0],
    });
  }
  for (const l of stderr) opts.onWarning?.(l);
}

/**
 * Whether a read can be done in-process (journal-file/reader.ts) instead of by journalctl: the
 * local journal (no runner, prefix or other binary), and only what the reader implements
 * (matches, `-b` for this boot, `-n`, `notBefore`). `SYSHERD_JOURNAL=journalctl` always spawns.
 */
function inProcess(q: JournalQuery, opts: JournalRunOptions): boolean {
  if (opts.runner !== undefined || (opts.prefix !== undefined && opts.prefix.length > 0) || opts.journalctl !== undefined) return false;
  if (opts.reader === 'journalctl' || (opts.reader === undefined && process.env.SYSHERD_JOURNAL === 'journalctl')) return false;
  return (
    q.since === undefined && q.until === undefined && q.follow !== true && q.reverse !== true && q.afterCursor === undefined &&
    q.directory === undefined && q.namespace === undefined && (q.boot === undefined || q.boot === false || q.boot === true)
  );
}

/** The boot id, read once per process (it cannot change while we run; status asks once per unit). */
let bootIdRead: { id: string | undefined } | undefined;

/** This boot's id as the journal writes it (32 hex digits), `undefined` when unknown. */
function currentBootId(): string | undefined {
  if (bootIdRead) return bootIdRead.id;
  let id: string | undefined;
  try {
    const s = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim().replace(/-/g, '');
    id = /^[0-9a-f]{32}$/.test(s) ? s : undefined;
  } catch {
    id = undefined;
  }
  bootIdRead = { id };
  return id;
}

/**
 * Read the files in-process: the entries, or `undefined` when journalctl must do it (something
 * the reader does not handle; journalctl then reads or explains). `limit.head`: only the first N.
 */
export async function readJournalInProcess(q: JournalQuery, opts: JournalRunOptions, limit: { head?: number }): Promise<JournalEntry[] | undefined> {
  if (!inProcess(q, opts)) return undefined;
  let bootId: string | undefined;
  if (q.boot === true) {
    bootId = currentBootId();
    if (bootId === undefined) return undefined;
  }
  const terms = queryTerms(q); // validates as journalArgs does
  if (q.lines !== undefined && (!Number.isInteger(q.lines) || q.lines < 0)) throw new RangeError(`lines must be a whole number ≥ 0, not ${q.lines}`);
  const { readJournalFiles, entryObject, UnsupportedJournalError } = await import('./journal-file/reader.js');
  try {
    const raw = readJournalFiles({ terms, bootId, tail: q.lines, head: limit.head });
    const out: JournalEntry[] = [];
    for (const r of raw) {
      const e = toEntry(entryObject(r));
      if (q.notBefore !== undefined && q.notBefore > 0 && e.monotonic < q.notBefore) continue;
      out.push(e);
    }
    return out;
  } catch (err) {
    if (err instanceof UnsupportedJournalError) return undefined;
    throw err;
  }
}

/**
 * All records a query selects (use `lines` to bound them). The local journal is read in-process
 * when it can be (as systemctl does), else by journalctl.
 */
export async function readJournal(q: JournalQuery, opts: JournalRunOptions = {}): Promise<JournalEntry[]> {
  const fast = await readJournalInProcess(q, opts, {});
  if (fast !== undefined) return fast;
  const out: JournalEntry[] = [];
  for await (const e of streamJournal(q, opts)) out.push(e);
  return out;
}

/**
 * The monotonic time (µs) of the current boot's first journal record, `null` when there is none:
 * where the journal begins for this boot (systemd's `sd_journal_get_cutoff_monotonic_usec`),
 * which tells whether older messages of a unit were rotated away.
 */
export async function bootCutoffMonotonic(opts: JournalRunOptions = {}): Promise<number | null> {
  const fast = await readJournalInProcess({ boot: true }, opts, { head: 1 });
  if (fast !== undefined) return fast[0]?.monotonic ?? null;
  for await (const e of streamJournal({ boot: true }, opts)) return e.monotonic;
  return null;
}
