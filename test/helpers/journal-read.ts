/**
 * Run inside a sandbox (`node --import tsx test/helpers/journal-read.ts 'QUERIES-JSON'`): every
 * query read both in-process and by journalctl, printed as JSON `[{ files, journalctl }, …]`
 * (Buffers as `{ bytes }`; `files` says so when the reader gave up), for journal-file/reader.test.ts to compare. A query
 * `{ "cutoff": true }` reads bootCutoffMonotonic both ways.
 */
import { bootCutoffMonotonic, type JournalQuery, readJournal, readJournalInProcess } from '../../src/core/journal.js';

type Q = JournalQuery & { cutoff?: boolean };

const queries = JSON.parse(process.argv[2] ?? '[]') as Q[];
const out: unknown[] = [];
for (const q of queries) {
  if (q.cutoff === true) {
    const first = await readJournalInProcess({ boot: true }, {}, { head: 1 });
    out.push({ files: first === undefined ? 'fell back to journalctl' : (first[0]?.monotonic ?? null), journalctl: await bootCutoffMonotonic({ reader: 'journalctl' }) });
    continue;
  }
  const files = (await readJournalInProcess(q, {}, {})) ?? 'fell back to journalctl';
  const journalctl = await readJournal(q, { reader: 'journalctl' });
  out.push({ files, journalctl });
}
process.stdout.write(
  JSON.stringify(out, (_k, v: unknown) => (v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? { bytes: (v as { data: number[] }).data } : v)),
);
