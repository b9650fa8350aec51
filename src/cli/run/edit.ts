/**
 * `edit UNIT…` as systemctl 252's `verb_edit` (src/systemctl/systemctl-edit.c): a temporary copy
 * next to the file it will become (`.#override.conf` + 16 hex digits), with 252's header comments
 * and the unit's current files commented out below (drop-in) or the unit file itself (`--full`),
 * opened in $SYSTEMD_EDITOR, $EDITOR, $VISUAL, else editor, nano, vim, vi; then the text between
 * the markers is installed unless it is empty, and the manager reloads (not with `--no-reload`).
 *
 * Beyond systemctl: before a file is installed, `systemd-analyze verify` loads the unit with the
 * new text (in a scratch directory that comes first on the unit path). When systemd cannot load
 * it, its reasons are shown and, on a terminal, the user chooses to edit again or discard; without
 * one the file is discarded with an error. `--force` installs it anyway (and skips the check).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withConnection } from '../../core/api.js';
import { SystemdError } from '../../core/errors.js';
import { colors } from '../../output/color.js';
import type { IO } from '../../output/io.js';
import { writeJson } from '../../output/json.js';
import { templatePaths, unitPaths } from './cat.js';
import { expandUnitNames } from './show.js';
import { checkArgCount } from './manage.js';
import { stderrWriter, UnitFileVerbError, type ChangeOptions } from './unit-files.js';

export const EDIT_MARKER_START = '### Anything between here and the comment below will become the new contents of the file';
export const EDIT_MARKER_END = '### Lines below this comment will be discarded';

export interface EditOptions extends ChangeOptions {
  args: string[];
  full: boolean;
  runtime: boolean;
  force: boolean;
  user: boolean;
}

/** `--json` of edit: one record per file. */
export interface EditJson {
  unit: string;
  /** The file the edit is for (drop-in `…/NAME.d/override.conf`, or the unit file with `--full`). */
  path: string;
  /** `installed`, `unchanged` (not installed), `canceled` (empty), `discarded` (systemd could not load it). */
  result: 'installed' | 'unchanged' | 'canceled' | 'discarded';
}

/** A verbatim systemctl failure (its text, exit 1). */
function fail(text: string): UnitFileVerbError {
  return new UnitFileVerbError(text);
}

/** systemd's persistent and runtime config directories for the scope (`lookup_paths_init`). */
export function configDirs(user: boolean, env: NodeJS.ProcessEnv = process.env): { persistent: string; runtime: string } {
  if (!user) return { persistent: '/etc/systemd/system', runtime: '/run/systemd/system' };
  const config = env.XDG_CONFIG_HOME || `${env.HOME ?? ''}/.config`;
  return { persistent: `${config}/systemd/user`, runtime: `${env.XDG_RUNTIME_DIR ?? ''}/systemd/user` };
}

/** systemd's `tempfn_random`: `DIR/.#NAME` and 16 random hex digits. */
export function tempName(file: string): string {
  return path.join(path.dirname(file), `.#${path.basename(file)}${randomBytes(8).toString('hex')}`);
}

/**
 * The temporary file of a drop-in, word for word as 252's `create_edit_temp_file`: the header,
 * the current text between the markers, then each other file of the unit commented out.
 */
export function dropInTemplate(newPath: string, current: string | null, others: { path: string; content: string }[]): string {
  let s = `### Editing ${newPath}\n${EDIT_MARKER_START}\n\n${current ?? ''}${current !== null && current.endsWith('\n') ? '' : '\n'}\n${EDIT_MARKER_END}`;
  for (const o of others) {
    s += `\n\n### ${o.path}`;
    const stripped = o.content.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
    if (stripped !== '') s += `\n# ${stripped.replace(/\n/g, '\n# ')}`;
  }
  return s;
}

/**
 * 252's `trim_edit_markers`: the text between the markers (or from the start / to the end when one
 * is missing), whitespace stripped at both ends; `null` when the file is left as it is (252
 * rewrites it only when the trimming shortened it).
 */
export function trimEditMarkers(contents: string): string | null {
  const s = contents.indexOf(EDIT_MARKER_START);
  const start = s >= 0 ? s + EDIT_MARKER_START.length : 0;
  const e = contents.indexOf(EDIT_MARKER_END, start);
  let region = e >= 0 ? contents.slice(start, e) : contents.slice(start);
  const before = region.length;
  region = region.replace(/[ \t\n\r]+$/, '');
  const shortened = e >= 0 || region.length !== before;
  if (!shortened) return null;
  return region.replace(/^[ \t\n\r]+/, '');
}

/** One file to edit: where it goes, its temporary copy, and what to verify it as. */
interface EditTarget {
  unit: string;
  original: string;
  tmp: string;
  /** The unit file the drop-in belongs to (for the check), `null` for `--full` or a new unit. */
  fragment: string | null;
  /** To write the temporary file again for "edit again". */
  template: (current: string) => string;
  /** The text the edit started from, stripped as the result is (`null`: a new file). */
  before: string | null;
}

const strip = (s: string): string => s.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');

/**
 * Ask for one of `choices`, as systemd's `ask_char`: the prompt on stdout after a `\r`, one key
 * read at once on a terminal (else the first character of a line), "Read unexpected character,
 * please try again." otherwise. `null` at the end of input or on Ctrl-C.
 */
export function askChar(io: IO, choices: string, prompt: string): string | null {
  const stdin = process.stdin as NodeJS.ReadStream & { setRawMode?: (raw: boolean) => void };
  const tty = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  for (;;) {
    io.out.write(`\r${colors(io.color).bold(prompt)}`);
    let c: string | null;
    if (tty) {
      stdin.setRawMode!(true);
      try {
        c = readSync(1);
      } finally {
        stdin.setRawMode!(false);
      }
      if (c === '\x03' || c === '\x04') c = null;
      if (c !== null) io.out.write(c === '\r' || c === '\n' ? '\n' : `${c}\n`);
    } else {
      const line = readSync(Infinity);
      c = line === null ? null : (line[0] ?? '\n');
    }
    if (c === null) {
      io.out.write('\n');
      return null;
    }
    if (choices.includes(c)) return c;
    io.out.write('Read unexpected character, please try again.\n');
  }
}

/** Read up to `max` bytes from stdin, or up to a newline; `null` at the end of input. */
function readSync(max: number): string | null {
  const buf = Buffer.alloc(1);
  let text = '';
  while (text.length < max) {
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, 1, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      return null;
    }
    if (n === 0) return text === '' ? null : text;
    const ch = buf.toString('latin1');
    if (ch === '\n' && max !== 1) return text;
    text += ch;
  }
  return text;
}

/**
 * 252's `run_editor`: the first of $SYSTEMD_EDITOR, $EDITOR, $VISUAL that is set (split on
 * whitespace), else editor, nano, vim, vi, whichever exists. Returns its failure text or `null`.
 */
export function runEditor(files: string[], env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.SYSTEMD_EDITOR ?? env.EDITOR ?? env.VISUAL;
  const candidates: string[][] = [];
  if (set !== undefined && set.trim() !== '') candidates.push(set.trim().split(/[ \t\n\r]+/));
  for (const name of ['editor', 'nano', 'vim', 'vi']) candidates.push([name]);
  for (const [cmd, ...args] of candidates) {
    const r = spawnSync(cmd!, [...args, ...files], { stdio: 'inherit', env });
    if (r.error) {
      if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return `Failed to execute ${cmd}: ${r.error.message}`;
    }
    if (r.signal) return `(editor) terminated by signal ${r.signal}.`;
    if (r.status !== 0) return `(editor) failed with exit status ${String(r.status)}.`;
    return null;
  }
  return 'Cannot edit units, no editor available. Please set either $SYSTEMD_EDITOR, $EDITOR or $VISUAL.\n(editor) failed with exit status 1.';
}

/**
 * Whether systemd can load `unit` with `content` installed at `target`: `systemd-analyze verify`
 * on a scratch copy (the unit file, or the unit file and the drop-in) in a directory that comes
 * first on the unit path. Returns `null` when it can, else what systemd-analyze said.
 */
export function verifyEdit(t: EditTarget, content: string, user: boolean): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-verify-'));
  try {
    const unitFile = path.join(dir, t.unit);
    if (t.fragment === null) {
      if (t.original.endsWith(`/${t.unit}`)) fs.writeFileSync(unitFile, content);
      else return null; // a drop-in for a unit without a file (only with --force, which skips this)
    } else {
      fs.copyFileSync(t.fragment, unitFile);
      const dropIn = path.join(dir, `${t.unit}.d`, path.basename(t.original));
      fs.mkdirSync(path.dirname(dropIn), { recursive: true });
      fs.writeFileSync(dropIn, content);
    }
    const args = ['verify', '--man=no', '--recursive-errors=no', ...(user ? ['--user'] : []), unitFile];
    const r = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
    if (r.error) return null; // no systemd-analyze here: nothing to check with
    if (r.status === 0) return null;
    // the scratch paths named as the files they stand for
    const said = `${r.stdout ?? ''}${r.stderr ?? ''}`
      .split(`${dir}/${t.unit}.d/`)
      .join(`${path.dirname(t.original)}/`)
      .split(unitFile)
      .join(t.fragment ?? t.original);
    return said.trim() === '' ? `systemd-analyze verify failed (exit status ${String(r.status)})` : said.trimEnd();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** systemctl 252's `verb_edit` (see the top of this file). */
export async function runEdit(o: EditOptions, io: IO): Promise<void> {
  checkArgCount(o.args, 1);
  if (!io.outIsTTY || !io.errIsTTY) throw fail('Cannot edit units if not on a tty.');
  if (o.connect.host !== undefined || o.connect.address !== undefined || o.connect.machine !== undefined) throw fail('Cannot edit units remotely.');
  const err = stderrWriter(io);
  const dirs = configDirs(o.user);
  const scope = o.user ? 'user' : 'system';
  const targets: EditTarget[] = [];
  const records: EditJson[] = [];
  try {
    await withConnection(o.connect, async (m) => {
      const names = await expandUnitNames(m, o.args, io, { quiet: o.quiet, all: false });
      if (names.length === 0) throw fail('No units matched the specified patterns.');
      const found = [];
      for (const n of names) {
        let p = await unitPaths(m, n, scope);
        if (p.loadState === 'masked') throw fail(`Cannot edit ${n}: unit is masked.`);
        // not loaded server-side (a load error): found client-side, as 252 retries
        if (p.loadState !== 'loaded' && p.loadState !== 'not-found') p = templatePaths(n, scope);
        if (p.loadState === 'masked') throw fail(`Cannot edit ${n}: unit is masked.`);
        found.push({ name: n, ...p });
      }
      for (const p of found) {
        const fileFor = (name: string): string => {
          const persistent = path.join(dirs.persistent, name);
          if (!o.runtime) return persistent;
          const run = path.join(dirs.runtime, name);
          if (fs.existsSync(persistent)) throw fail(`Refusing to create "${run}" because it would be overridden by "${persistent}" anyway.`);
          return run;
        };
        if (!p.fragmentPath) {
          if (!o.force) {
            err(`No files found for ${p.name}.`);
            err(`Run 'sysherd edit${o.user ? ' --user' : ''} --force --full ${p.name}' to create a new unit.`);
            throw new EditAborted();
          }
          // a new unit from scratch: 252 creates no temporary file (the editor does)
          const original = fileFor(o.full ? p.name : `${p.name}.d/override.conf`);
          fs.mkdirSync(path.dirname(original), { recursive: true, mode: 0o755 });
          const tmp = tempName(original);
          targets.push({ unit: p.name, original, tmp, fragment: null, template: (c) => (o.full ? c : dropInTemplate(original, c, [])), before: null });
          continue;
        }
        let unitName = path.basename(p.fragmentPath);
        // aliases are followed, but an instance keeps its instance
        const inst = /^[^@]+@([^.@]+)\.[a-z]+$/.exec(p.name);
        if (inst && /@\.[a-z]+$/.test(unitName)) unitName = unitName.replace('@.', `@${inst[1]}.`);
        if (o.full) {
          const original = fileFor(unitName);
          if (original !== p.fragmentPath && fs.existsSync(original)) {
            const answer = askChar(io, 'yn', `"${original}" already exists. Overwrite with "${p.fragmentPath}"? [(y)es, (n)o] `);
            if (answer !== 'y') {
              err(`${unitName} skipped.`);
              throw new EditAborted();
            }
          }
          fs.mkdirSync(path.dirname(original), { recursive: true, mode: 0o755 });
          const tmp = tempName(original);
          fs.copyFileSync(p.fragmentPath, tmp);
          fs.chmodSync(tmp, 0o644);
          targets.push({ unit: unitName, original, tmp, fragment: null, template: (c) => c, before: strip(fs.readFileSync(p.fragmentPath, 'utf8')) });
        } else {
          const original = fileFor(`${unitName}.d/override.conf`);
          fs.mkdirSync(path.dirname(original), { recursive: true, mode: 0o755 });
          const tmp = tempName(original);
          const others = [p.fragmentPath, ...p.dropInPaths].filter((f) => f !== original).map((f) => ({ path: f, content: fs.readFileSync(f, 'utf8') }));
          let current: string | null = null;
          try {
            current = fs.readFileSync(original, 'utf8');
          } catch {
            /* no such drop-in yet */
          }
          const template = (c: string | null): string => dropInTemplate(original, c, others);
          fs.writeFileSync(tmp, template(current), { mode: 0o644 });
          fs.chmodSync(tmp, 0o644);
          targets.push({ unit: unitName, original, tmp, fragment: p.fragmentPath, template, before: current === null ? null : strip(current) });
        }
      }

      const editorFailed = runEditor(targets.map((t) => t.tmp));
      if (editorFailed !== null) {
        err(editorFailed);
        // 252 cleans up and (a quirk of its clean-up loop) exits 0 unless --full
        throw new EditAborted(o.full ? 1 : 0);
      }
      let discarded = false;
      for (const t of targets) {
        let content: string | null = null;
        for (;;) {
          try {
            const raw = fs.readFileSync(t.tmp, 'utf8');
            const trimmed = trimEditMarkers(raw);
            if (trimmed !== null) fs.writeFileSync(t.tmp, trimmed);
            content = trimmed ?? raw;
          } catch (e) {
            err(`Failed to read temporary file "${t.tmp}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
            content = null;
            break;
          }
          if (content === '' || o.force || content === t.before) break;
          const why = verifyEdit(t, content, o.user);
          if (why === null) break;
          err(`systemd cannot load ${t.unit} with the new "${t.original}":`);
          err(why);
          const answer = process.stdin.isTTY ? askChar(io, 'ed', `Edit again or discard the change? [(e)dit, (d)iscard] `) : null;
          if (answer === 'e') {
            fs.writeFileSync(t.tmp, t.template(content));
            const again = runEditor([t.tmp]);
            if (again !== null) {
              err(again);
              throw new EditAborted();
            }
            continue;
          }
          err(`Editing "${t.original}" discarded: systemd cannot load the result (edit again on a terminal, or use --force to install it anyway).`);
          records.push({ unit: t.unit, path: t.original, result: 'discarded' });
          discarded = true;
          content = null;
          break;
        }
        if (content === null) continue;
        if (content === '') {
          err(`Editing "${t.original}" canceled: temporary file is empty.`);
          records.push({ unit: t.unit, path: t.original, result: 'canceled' });
          continue;
        }
        if (content === t.before) {
          // beyond 252: nothing changed, nothing installed (no copy of a vendor unit in /etc)
          records.push({ unit: t.unit, path: t.original, result: 'unchanged' });
          continue;
        }
        fs.renameSync(t.tmp, t.original);
        records.push({ unit: t.unit, path: t.original, result: 'installed' });
      }
      if (!o.noReload) {
        try {
          await m.reload();
        } catch (e) {
          if (e instanceof SystemdError) throw fail(`Failed to reload daemon: ${e.message}`);
          throw e;
        }
      }
      if (o.json) writeJson(io, records, o.json);
      if (discarded) io.exitCode = 1;
    });
  } catch (e) {
    if (e instanceof EditAborted) {
      if (e.code !== 0) io.exitCode = e.code;
      return;
    }
    throw e;
  } finally {
    for (const t of targets) {
      fs.rmSync(t.tmp, { force: true });
      // an empty drop-in directory goes (rmdir does nothing to one that is not empty)
      if (!o.full) {
        try {
          fs.rmdirSync(path.dirname(t.original));
        } catch {
          /* not empty */
        }
      }
    }
  }
}

/** systemctl already said why (or nothing, as 252 for ENOENT): exit 1, no further message. */
class EditAborted extends Error {
  constructor(readonly code = 1) {
    super('edit aborted');
  }
}
