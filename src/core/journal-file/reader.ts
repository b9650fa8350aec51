/**
 * journald's files read in-process, as systemctl does (sd-journal), instead of spawning
 * journalctl: the format is systemd's docs/JOURNAL_FILE_FORMAT.md (systemd 252's
 * src/libsystemd/sd-journal/journal-def.h). Only what status and herd ask for is done here:
 * matches (ORed terms of ANDed `FIELD=VALUE`, the same field twice ORed, as journalctl's
 * positional matches), the current boot (`-b`), the last N (`-n`) or the first N, oldest first,
 * the files interleaved as sd-journal does (same seqnum id: seqnum; same boot: monotonic time;
 * else realtime; then the xor hash; identical entries in two files shown once).
 *
 * The files: /run/log/journal and /var/log/journal, each with its journal files and those of
 * the machine's id directory (any id directory under /run), as `journalctl` without `--merge`
 * (sd_journal_open with SD_JOURNAL_LOCAL_ONLY). Lookups go through each file's data hash table
 * (SipHash-2-4 keyed with the file id, or Jenkins' lookup3 in old files) and the data objects'
 * entry arrays; compact (systemd 252) and regular files, LZ4 and zstd payloads.
 *
 * Anything this reader does not handle (XZ payloads, unknown incompatible flags, a file it cannot
 * open, a truncated or inconsistent file) throws `UnsupportedJournalError`: the caller then runs
 * journalctl, which has the last word on what to print.
 *
 * Open files are kept for the process (a CLI run asks once per unit): each read re-checks a file's
 * inode and header, so a file that grew or was rotated is read afresh.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { decompressPayload, UnsupportedJournalError } from './decompress.js';
import { jenkinsHash64, siphash24 } from './hash.js';

export { UnsupportedJournalError } from './decompress.js';

const SIGNATURE = 'LPKSHHRH';
const INCOMPATIBLE_KEYED_HASH = 1 << 2;
const INCOMPATIBLE_COMPACT = 1 << 4;
/** XZ 1, LZ4 2, keyed hash 4, zstd 8, compact 16: everything systemd 252 knows. */
const INCOMPATIBLE_KNOWN = 0x1f;
const OBJECT_DATA = 1;
const OBJECT_ENTRY = 3;
const OBJECT_ENTRY_ARRAY = 6;
const CHUNK = 64 * 1024;
/** What the chunk caches of all files may hold before they are dropped. */
const CACHE_BUDGET = 64 * 1024 * 1024;
/** journalctl -o json: `=` is looked for in the first 4,096 bytes of a field (JSON_THRESHOLD). */
const JSON_THRESHOLD = 4096;
/** Longest hash chain walked before the file is deemed corrupt. */
const MAX_CHAIN = 10_000;

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** One entry's place in the order, as sd-journal compares entries of different files. */
export interface EntryKey {
  seqnumId: string;
  seqnum: number;
  bootId: string;
  monotonic: number;
  realtime: number;
  xorHash: bigint;
}

/** One entry as read: its place, and its fields in the order the entry lists them. */
export interface RawEntry extends EntryKey {
  /** `FIELD=VALUE` payloads, decompressed. */
  items: Buffer[];
}

let cacheBytes = 0;

class JournalFile {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  private chunks = new Map<number, Buffer>();
  stamp = '';
  incompatible = 0;
  compact = false;
  keyed = false;
  fileId = Buffer.alloc(16);
  seqnumId = '';
  dataHashOffset = 0;
  dataHashSize = 0;
  entryArrayOffset = 0;
  nEntries = 0;
  fileSize = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new UnsupportedJournalError(`cannot open ${path}: ${(err as Error).message}`);
    }
    const st = fstatSync(this.fd);
    this.dev = st.dev;
    this.ino = st.ino;
  }

  close(): void {
    this.dropCache();
    try {
      closeSync(this.fd);
    } catch {
      /* already gone */
    }
  }

  private dropCache(): void {
    for (const c of this.chunks.values()) cacheBytes -= c.length;
    this.chunks.clear();
  }

  /** Read the header; the chunk cache stays only when nothing was appended since. */
  refresh(): void {
    const h = Buffer.alloc(272);
    const n = readSync(this.fd, h, 0, h.length, 0);
    if (n < 208 || h.toString('latin1', 0, 8) !== SIGNATURE) throw new UnsupportedJournalError(`${this.path}: not a journal file`);
    const incompatible = h.readUInt32LE(12);
    if ((incompatible & ~INCOMPATIBLE_KNOWN) !== 0) throw new UnsupportedJournalError(`${this.path}: unknown incompatible flags ${incompatible.toString(16)}`);
    const headerSize = Number(h.readBigUInt64LE(88));
    if (headerSize < 208) throw new UnsupportedJournalError(`${this.path}: header too old`);
    this.fileSize = fstatSync(this.fd).size;
    // n_objects, tail object, n_entries: any append changes them (objects are appended, never moved)
    const stamp = `${h.readBigUInt64LE(136)}:${h.readBigUInt64LE(144)}:${h.readBigUInt64LE(152)}:${this.fileSize}`;
    if (stamp !== this.stamp) this.dropCache();
    this.stamp = stamp;
    this.incompatible = incompatible;
    this.compact = (incompatible & INCOMPATIBLE_COMPACT) !== 0;
    this.keyed = (incompatible & INCOMPATIBLE_KEYED_HASH) !== 0;
    this.fileId = Buffer.from(h.subarray(24, 40));
    this.seqnumId = hex(h.subarray(72, 88));
    this.dataHashOffset = Number(h.readBigUInt64LE(104));
    this.dataHashSize = Number(h.readBigUInt64LE(112));
    this.nEntries = Number(h.readBigUInt64LE(152));
    this.entryArrayOffset = Number(h.readBigUInt64LE(176));
  }

  /** `len` bytes at `off` (a view into the cache when it fits one chunk). */
  read(off: number, len: number): Buffer {
    if (off < 0 || len < 0 || off + len > this.fileSize) throw new UnsupportedJournalError(`${this.path}: offset ${off} beyond the end`);
    const c = Math.floor(off / CHUNK);
    if (Math.floor((off + len - 1) / CHUNK) === c || len === 0) {
      let chunk = this.chunks.get(c);
      if (chunk === undefined) {
        if (cacheBytes > CACHE_BUDGET) dropAllCaches();
        chunk = Buffer.allocUnsafe(CHUNK);
        const n = readSync(this.fd, chunk, 0, CHUNK, c * CHUNK);
        chunk = chunk.subarray(0, n);
        this.chunks.set(c, chunk);
        cacheBytes += chunk.length;
      }
      const start = off - c * CHUNK;
      if (start + len > chunk.length) throw new UnsupportedJournalError(`${this.path}: short read`);
      return chunk.subarray(start, start + len);
    }
    const b = Buffer.allocUnsafe(len);
    if (readSync(this.fd, b, 0, len, off) !== len) throw new UnsupportedJournalError(`${this.path}: short read`);
    return b;
  }

  /** The object at `off`, checked to be of `type` and at least `min` bytes: its whole bytes. */
  object(off: number, type: number, min: number): Buffer {
    if (off === 0 || off % 8 !== 0) throw new UnsupportedJournalError(`${this.path}: bad object offset ${off}`);
    const head = this.read(off, 16);
    const size = Number(head.readBigUInt64LE(8));
    if (head[0] !== type || size < min) throw new UnsupportedJournalError(`${this.path}: bad object at ${off}`);
    return this.read(off, size);
  }

  private payloadOffset(): number {
    return this.compact ? 72 : 64;
  }

  /** A data object's payload (`FIELD=VALUE`), decompressed. */
  payload(off: number): Buffer {
    const o = this.object(off, OBJECT_DATA, this.payloadOffset());
    const p = o.subarray(this.payloadOffset());
    const flags = o[1]! & 7;
    return flags === 0 ? p : decompressPayload(flags, p);
  }

  hash(data: Uint8Array): bigint {
    return this.keyed ? siphash24(data, this.fileId) : jenkinsHash64(data);
  }

  /** The data object holding exactly `data`, 0 when the file has none. */
  findData(data: Buffer): number {
    if (this.dataHashSize <= 0) return 0;
    const m = Math.floor(this.dataHashSize / 16);
    if (m <= 0) throw new UnsupportedJournalError(`${this.path}: empty hash table`);
    const hash = this.hash(data);
    const bucket = Number(hash % BigInt(m));
    let p = Number(this.read(this.dataHashOffset + bucket * 16, 8).readBigUInt64LE(0));
    for (let depth = 0; p > 0; depth++) {
      if (depth > MAX_CHAIN) throw new UnsupportedJournalError(`${this.path}: hash chain too long`);
      const o = this.object(p, OBJECT_DATA, this.payloadOffset());
      if (o.readBigUInt64LE(16) === hash) {
        const flags = o[1]! & 7;
        const raw = o.subarray(this.payloadOffset());
        const payload = flags === 0 ? raw : decompressPayload(flags, raw);
        if (payload.equals(data)) return p;
      }
      p = Number(o.readBigUInt64LE(24));
    }
    return 0;
  }

  /** `n` offsets from the entry-array chain starting at `first`. */
  private arrayItems(first: number, n: number, out: number[]): void {
    const size = this.compact ? 4 : 8;
    let a = first;
    let left = n;
    let hops = 0;
    while (left > 0 && a > 0) {
      if (++hops > 1_000_000) throw new UnsupportedJournalError(`${this.path}: entry array loop`);
      const o = this.object(a, OBJECT_ENTRY_ARRAY, 24);
      const count = Math.min(Math.floor((o.length - 24) / size), left);
      for (let i = 0; i < count; i++) {
        const v = this.compact ? o.readUInt32LE(24 + i * 4) : Number(o.readBigUInt64LE(24 + i * 8));
        if (v === 0) return; // not written yet
        out.push(v);
      }
      left -= count;
      a = Number(o.readBigUInt64LE(16));
    }
  }

  /** The offsets of the entries that hold data object `off`, oldest first. */
  dataEntries(off: number): number[] {
    const o = this.object(off, OBJECT_DATA, this.payloadOffset());
    const n = Number(o.readBigUInt64LE(56));
    const out: number[] = [];
    if (n === 0) return out;
    const first = Number(o.readBigUInt64LE(40));
    if (first === 0) return out;
    out.push(first);
    this.arrayItems(Number(o.readBigUInt64LE(48)), n - 1, out);
    return out;
  }

  /** How many entries hold data object `off`. */
  dataEntryCount(off: number): number {
    return Number(this.object(off, OBJECT_DATA, this.payloadOffset()).readBigUInt64LE(56));
  }

  /** The data objects an entry holds (their offsets). */
  entryItems(off: number): number[] {
    const o = this.object(off, OBJECT_ENTRY, 64);
    const size = this.compact ? 4 : 16;
    const n = Math.floor((o.length - 64) / size);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.compact ? o.readUInt32LE(64 + i * 4) : Number(o.readBigUInt64LE(64 + i * 16)));
    return out;
  }

  /** Every entry of the file, oldest first. */
  allEntries(): number[] {
    const out: number[] = [];
    this.arrayItems(this.entryArrayOffset, this.nEntries, out);
    return out;
  }

  /** An entry's place in the order (without its items). */
  entryKey(off: number): EntryKey & { itemsAt: number } {
    const o = this.read(off, 64);
    if (o[0] !== OBJECT_ENTRY) throw new UnsupportedJournalError(`${this.path}: bad entry at ${off}`);
    return {
      seqnumId: this.seqnumId,
      seqnum: Number(o.readBigUInt64LE(16)),
      realtime: Number(o.readBigUInt64LE(24)),
      monotonic: Number(o.readBigUInt64LE(32)),
      bootId: hex(o.subarray(40, 56)),
      xorHash: o.readBigUInt64LE(56),
      itemsAt: off,
    };
  }

  /** An entry with its fields. */
  entry(off: number): RawEntry {
    const key = this.entryKey(off);
    const items: Buffer[] = [];
    for (const p of this.entryItems(off)) if (p !== 0) items.push(this.payload(p));
    return { seqnumId: key.seqnumId, seqnum: key.seqnum, realtime: key.realtime, monotonic: key.monotonic, bootId: key.bootId, xorHash: key.xorHash, items };
  }
}

const open = new Map<string, JournalFile>();

function dropAllCaches(): void {
  for (const f of open.values()) f.close();
  open.clear();
}

/** /etc/machine-id, read once per process (it does not change once made; '' when there is none). */
let machineIdRead: string | undefined;
function readMachineId(): string {
  try {
    return readFileSync('/etc/machine-id', 'latin1').trim();
  } catch {
    return '';
  }
}

/** The files `journalctl` (no --merge, no namespace) reads, in a stable order. */
export function journalFiles(roots = ['/run/log/journal', '/var/log/journal']): string[] {
  // no machine id: only /run's directories count (read again next time: it may be made later)
  const machineId = (machineIdRead ||= readMachineId());
  const files: string[] = [];
  const isJournal = (n: string): boolean => n.endsWith('.journal') || n.endsWith('.journal~');
  for (const root of roots) {
    let names: string[];
    try {
      names = readdirSync(root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new UnsupportedJournalError(`cannot read ${root}: ${(err as Error).message}`);
    }
    for (const n of names.sort()) {
      if (isJournal(n)) files.push(join(root, n));
      // the default namespace's directory: a 128-bit id (no `.namespace`); local only: our
      // machine's, or anything in /run
      else if (/^[0-9a-f]{32}$/.test(n) && (n === machineId || root.startsWith('/run'))) {
        const dir = join(root, n);
        let inner: string[];
        try {
          if (!statSync(dir).isDirectory()) continue;
          inner = readdirSync(dir);
        } catch (err) {
          throw new UnsupportedJournalError(`cannot read ${dir}: ${(err as Error).message}`);
        }
        for (const f of inner.sort()) if (isJournal(f)) files.push(join(dir, f));
      }
    }
  }
  return files;
}

function openFiles(paths: string[]): JournalFile[] {
  const want = new Set(paths);
  for (const [p, f] of open) {
    if (!want.has(p)) {
      f.close();
      open.delete(p);
    }
  }
  const out: JournalFile[] = [];
  for (const p of paths) {
    let f = open.get(p);
    if (f !== undefined) {
      let st;
      try {
        st = statSync(p);
      } catch {
        st = undefined;
      }
      // rotated: the name is another file now
      if (st === undefined || st.ino !== f.ino || st.dev !== f.dev) {
        f.close();
        open.delete(p);
        f = undefined;
      }
    }
    if (f === undefined) {
      f = new JournalFile(p);
      open.set(p, f);
    }
    f.refresh();
    out.push(f);
  }
  return out;
}

/** sd-journal's order of two entries (journal_file_compare_locations); 0: the same entry. */
export function compareEntries(a: EntryKey, b: EntryKey): number {
  const sameSource = a.seqnumId === b.seqnumId;
  if (a.bootId === b.bootId && a.monotonic === b.monotonic && a.realtime === b.realtime && a.xorHash === b.xorHash && sameSource && a.seqnum === b.seqnum) return 0;
  if (sameSource && a.seqnum !== b.seqnum) return a.seqnum < b.seqnum ? -1 : 1;
  if (a.bootId === b.bootId && a.monotonic !== b.monotonic) return a.monotonic < b.monotonic ? -1 : 1;
  if (a.realtime !== b.realtime) return a.realtime < b.realtime ? -1 : 1;
  return a.xorHash < b.xorHash ? -1 : a.xorHash > b.xorHash ? 1 : 0;
}

/** What to read: ORed terms of `FIELD=VALUE` matches (different fields ANDed, the same field ORed). */
export interface FileQuery {
  terms: string[][];
  /** Only entries of this boot (32 hex digits). */
  bootId?: string;
  /** The last N (`-n`). */
  tail?: number;
  /** The first N. */
  head?: number;
  roots?: string[];
}

function unionSorted(lists: number[][]): number[] {
  if (lists.length === 1) return lists[0]!;
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}

function intersectSorted(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out;
}

/**
 * One term's entries in a file: per field the union of its values', intersected across fields.
 * Every value is looked up first (a field none of whose values the file has: no entries, nothing
 * read); then the fields are taken from the rarest, and a field far commoner than the entries
 * left (`_UID=0`, `_PID=1` on a real machine: most of the file) is checked in those entries'
 * own item lists instead of reading its whole entry list.
 */
function termEntries(f: JournalFile, term: string[]): number[] {
  const byField = new Map<string, string[]>();
  for (const m of term) {
    const field = m.slice(0, m.indexOf('='));
    byField.set(field, [...(byField.get(field) ?? []), m]);
  }
  const fields: { data: number[]; n: number }[] = [];
  for (const values of byField.values()) {
    const data = values.map((v) => f.findData(Buffer.from(v, 'utf8'))).filter((d) => d !== 0);
    if (data.length === 0) return [];
    fields.push({ data, n: data.reduce((sum, d) => sum + f.dataEntryCount(d), 0) });
  }
  fields.sort((a, b) => a.n - b.n);
  let acc = unionSorted(fields[0]!.data.map((d) => f.dataEntries(d)));
  for (const field of fields.slice(1)) {
    if (acc.length === 0) break;
    if (field.n <= acc.length * 16) acc = intersectSorted(acc, unionSorted(field.data.map((d) => f.dataEntries(d))));
    else {
      const want = new Set(field.data);
      acc = acc.filter((e) => f.entryItems(e).some((d) => want.has(d)));
    }
  }
  return acc;
}

/**
 * The entries a query selects, oldest first. Throws `UnsupportedJournalError` for anything
 * journalctl should handle instead.
 */
export function readJournalFiles(q: FileQuery): RawEntry[] {
  const files = openFiles(journalFiles(q.roots));
  const picked: { f: JournalFile; key: EntryKey & { itemsAt: number } }[] = [];
  const bootTerm = q.bootId !== undefined ? `_BOOT_ID=${q.bootId}` : undefined;
  for (const f of files) {
    let offsets: number[];
    if (q.terms.length === 0) offsets = bootTerm !== undefined ? termEntries(f, [bootTerm]) : f.allEntries();
    else offsets = unionSorted(q.terms.map((t) => termEntries(f, t)));
    const bootOk = (k: EntryKey): boolean => q.terms.length === 0 || q.bootId === undefined || k.bootId === q.bootId;
    if (q.tail !== undefined) {
      let n = 0;
      const mine: typeof picked = [];
      for (let i = offsets.length - 1; i >= 0 && n < q.tail; i--) {
        const key = f.entryKey(offsets[i]!);
        if (!bootOk(key)) continue;
        mine.push({ f, key });
        n++;
      }
      picked.push(...mine.reverse());
    } else {
      let n = 0;
      for (let i = 0; i < offsets.length && (q.head === undefined || n < q.head); i++) {
        const key = f.entryKey(offsets[i]!);
        if (!bootOk(key)) continue;
        picked.push({ f, key });
        n++;
      }
    }
  }
  picked.sort((a, b) => compareEntries(a.key, b.key));
  const unique = picked.filter((p, i) => i === 0 || compareEntries(picked[i - 1]!.key, p.key) !== 0);
  let chosen = unique;
  if (q.tail !== undefined) chosen = unique.slice(Math.max(0, unique.length - q.tail));
  if (q.head !== undefined) chosen = unique.slice(0, q.head);
  return chosen.map((p) => p.f.entry(p.key.itemsAt));
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** systemd's `utf8_is_printable()`: valid UTF-8 without control characters (tab, newline allowed). */
export function isPrintable(b: Uint8Array): boolean {
  let ascii = true;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    if ((c < 0x20 && c !== 9 && c !== 10) || c === 0x7f) return false;
  }
  if (ascii) return true;
  let s: string;
  try {
    s = decoder.decode(b);
  } catch {
    return false;
  }
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if ((cp < 0x20 && cp !== 9 && cp !== 10) || (cp >= 0x7f && cp <= 0x9f)) return false;
    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return false;
  }
  return true;
}

/** An entry as `journalctl -o json --all` prints it (parsed): values strings, or byte arrays as Buffers. */
export function entryObject(e: RawEntry): Record<string, string | Buffer | (string | Buffer)[]> {
  const obj: Record<string, string | Buffer | (string | Buffer)[]> = {
    __CURSOR: `s=${e.seqnumId};i=${e.seqnum.toString(16)};b=${e.bootId};m=${e.monotonic.toString(16)};t=${e.realtime.toString(16)};x=${e.xorHash.toString(16)}`,
    __REALTIME_TIMESTAMP: String(e.realtime),
    __MONOTONIC_TIMESTAMP: String(e.monotonic),
    _BOOT_ID: e.bootId,
  };
  for (const item of e.items) {
    const eq = item.subarray(0, JSON_THRESHOLD).indexOf(0x3d);
    if (eq < 0) continue;
    const name = item.toString('latin1', 0, eq);
    if (name === '_BOOT_ID') continue;
    if (!/^[A-Z0-9_]+$/.test(name) || /^[0-9]/.test(name)) throw new UnsupportedJournalError(`invalid field name '${name}'`);
    const raw = item.subarray(eq + 1);
    const v = isPrintable(raw) ? raw.toString('utf8') : Buffer.from(raw);
    const had = obj[name];
    if (had === undefined) obj[name] = v;
    else if (Array.isArray(had)) had.push(v);
    else obj[name] = [had, v];
  }
  return obj;
}
