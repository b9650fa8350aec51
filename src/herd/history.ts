/**
 * A service's history from the journal: PID 1's (or the user manager's) catalogued messages
 * about units, by MESSAGE_ID (`journalctl --list-catalog`), turned into herd's events: status
 * changes, respawns, startup failures and exit statuses. The service's own output is its recent
 * messages.
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:os';

import { JournalUnavailableError, readJournal, type JournalEntry, type JournalRunOptions } from '../core/journal.js';

/** systemd's catalogued message ids (sd-messages.h) that tell a unit's history. */
export const MESSAGE_IDS = {
  startBegun: '7d4958e842da4a758f6c1cdc7b36dcc5',
  started: '39f53479d3a045ac8e11786248231fbf',
  startFailed: 'be02cf6855d2428ba40df7e9d022f03d',
  stopBegun: 'de5b426a63be47a7b6ac3eaac82e2f6f',
  stopped: '9d1aaa27d60140bd96365438aad20286',
  reloadBegun: 'd34d037fff1847e6ae669a370e694725',
  reloadDone: '7b05ebc668384222baa8881179cfda54',
  restartScheduled: '5eb03494b6584870a536b337290809b3',
  unitFailed: 'd9b373ed55a64feb8242e02dbe79a49c',
  unitSucceeded: '7ad2d189f7e94e70a38c781354912448',
  processExited: '98e322203f7a4ed290d09fe03c09fe15',
} as const;

const ALL_IDS = Object.values(MESSAGE_IDS);

/** One transition of the event log (herd's words in `render`). */
/**
 * One transition: `failed` a start that failed, `crashed` a running service that failed (its
 * process died), `done` a one-shot that finished.
 */
export type HerdEvent = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' | 'crashed' | 'done';

/** herd's status symbol of an event. */
export function eventStatus(e: HerdEvent): 'starting' | 'running' | 'stopping' | 'stopped' {
  return e === 'failed' || e === 'crashed' || e === 'done' ? 'stopped' : e;
}

export interface UnitEvent {
  unit: string;
  usec: number;
  event: HerdEvent;
}

export interface ExitStatus {
  usec: number;
  /** `exited`, `killed` or `dumped`. */
  code: string;
  /** The exit code, or the signal number. */
  status: number;
  /** The signal's name, for `killed`/`dumped`. */
  signal: string | null;
}

/** Everything the journal says about one unit. */
export interface UnitHistory {
  events: UnitEvent[];
  /** Respawn times (restart scheduled), oldest first. */
  respawns: number[];
  /** Startup failure times, oldest first. */
  startupFailures: number[];
  /** Exits of the main process, oldest first. */
  exits: ExitStatus[];
  /** Times of reloads done, oldest first. */
  reloads: number[];
}

/** The signal name of a number (`SIGTERM`), or `null`. */
export function signalName(n: number): string | null {
  for (const [name, v] of Object.entries(constants.signals)) if (v === n) return name;
  return null;
}

function signalNumber(s: string): number {
  const v = (constants.signals as Record<string, number>)[s.startsWith('SIG') ? s : `SIG${s}`];
  return v ?? (/^\d+$/.test(s) ? Number(s) : 0);
}

/** The unit an entry is about (`UNIT=`, or `USER_UNIT=` from a user manager). */
export function entryUnit(e: JournalEntry): string | null {
  return e.unit ?? e.userUnit;
}

/** Fold manager messages (oldest first) into each unit's history. */
export function foldHistory(entries: JournalEntry[]): Map<string, UnitHistory> {
  const out = new Map<string, UnitHistory>();
  const last = new Map<string, HerdEvent>();
  for (const e of entries) {
    const unit = entryUnit(e);
    if (!unit || !e.messageId) continue;
    let h = out.get(unit);
    if (!h) out.set(unit, (h = { events: [], respawns: [], startupFailures: [], exits: [], reloads: [] }));
    const push = (event: HerdEvent): void => {
      // the same transition said twice (Failed with result…, then Stopped…): once
      if (last.get(unit) === event || (event === 'stopped' && (last.get(unit) === 'failed' || last.get(unit) === 'crashed'))) return;
      last.set(unit, event);
      h.events.push({ unit, usec: e.realtime, event });
    };
    const jobResult = typeof e.fields.JOB_RESULT === 'string' ? e.fields.JOB_RESULT : '';
    switch (e.messageId) {
      case MESSAGE_IDS.startBegun:
        push('starting');
        break;
      case MESSAGE_IDS.started:
        push((e.message ?? '').startsWith('Finished ') ? 'done' : 'running');
        break;
      case MESSAGE_IDS.startFailed:
        h.startupFailures.push(e.realtime);
        push('failed');
        break;
      case MESSAGE_IDS.stopBegun:
        push('stopping');
        break;
      case MESSAGE_IDS.stopped:
        push('stopped');
        break;
      case MESSAGE_IDS.unitFailed:
        // a start that failed says so in a start-failed message too; a crash only here
        push(last.get(unit) === 'running' ? 'crashed' : 'failed');
        break;
      case MESSAGE_IDS.unitSucceeded:
        // a one-shot finishing says "Finished" right after: that is its event
        if (last.get(unit) !== 'starting') push('stopped');
        break;
      case MESSAGE_IDS.restartScheduled:
        h.respawns.push(e.realtime);
        break;
      case MESSAGE_IDS.reloadDone:
        if (jobResult === '' || jobResult === 'done') h.reloads.push(e.realtime);
        break;
      case MESSAGE_IDS.processExited: {
        const code = e.exitCode ?? 'exited';
        const raw = typeof e.fields.EXIT_STATUS === 'string' ? e.fields.EXIT_STATUS : '';
        const status = code === 'exited' ? (e.exitStatus ?? 0) : signalNumber(raw);
        h.exits.push({ usec: e.realtime, code, status, signal: code === 'exited' ? null : signalName(status) });
        break;
      }
    }
  }
  return out;
}

/** Where to read the journal from, and for which manager. */
export interface JournalSource {
  /** `user`: the calling user's manager (USER_UNIT=, _UID=). */
  scope: 'system' | 'user';
  /** `null` when the journal is known not to be readable (a remote manager): the reason. */
  unavailable: string | null;
  run?: JournalRunOptions;
}

/**
 * Why this machine's journal cannot be read at all, or `null`: no journald socket and no journal
 * files (journalctl then says nothing and exits 0, as if there were no messages).
 */
export function localJournalMissing(exists: (p: string) => boolean = existsSync): string | null {
  if (['/run/systemd/journal/socket', '/run/log/journal', '/var/log/journal'].some((p) => exists(p))) return null;
  return 'no journald and no journal files on this machine';
}

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** The manager's messages about `units` (all units when empty), oldest first. */
export async function readManagerMessages(src: JournalSource, units: string[]): Promise<JournalEntry[]> {
  if (src.unavailable !== null) throw new JournalUnavailableError(`journal not available: ${src.unavailable}`);
  const field = src.scope === 'user' ? 'USER_UNIT' : 'UNIT';
  const who = src.scope === 'user' ? `_UID=${uid()}` : '_PID=1';
  const entries = await readJournal({ messageIds: ALL_IDS, matches: [who, ...units.map((u) => `${field}=${u}`)] }, src.run ?? {});
  return entries;
}

/** The last `lines` messages the service itself logged (its stdout/stderr, syslog), oldest first. */
export async function readRecentMessages(src: JournalSource, unit: string, lines: number): Promise<{ usec: number; message: string }[]> {
  if (src.unavailable !== null) throw new JournalUnavailableError(`journal not available: ${src.unavailable}`);
  if (lines <= 0) return [];
  const matches = src.scope === 'user' ? [`_SYSTEMD_USER_UNIT=${unit}`, `_UID=${uid()}`] : [`_SYSTEMD_UNIT=${unit}`];
  const entries = await readJournal({ matches, lines }, src.run ?? {});
  return entries.map((e) => ({ usec: e.realtime, message: e.message ?? '' }));
}
