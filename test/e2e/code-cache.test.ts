/**
 * The V8 code cache of bin/sysherd.js is code: V8 checks a cache only against the source's
 * length, so whoever can write it runs code as whoever loads it. These tests attack it as uid
 * 65534 (nobody) the way issue 13 did, against root and against another unprivileged user, and
 * check that the cache still works for a user in a home of its own.
 *
 * Needs root (setpriv); every run here is the built CLI (bin/sysherd.js → dist/cli/bin.js).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN, BUNDLE, cliEnv, ensureBuilt } from './helpers.js';

const ATTACKER = 65534;
const VICTIM = 65533;
const isRoot = process.geteuid?.() === 0;

/** The file name the shim gives the cache of the current bundle. */
function cacheName(): string {
  const st = fs.statSync(BUNDLE);
  return `bin-${process.version}-${process.arch}-${st.size}-${Math.round(st.mtimeMs)}.cache`;
}

function asUser(uid: number | null, argv: string[]): [string, string[]] {
  if (uid === null) return [argv[0]!, argv.slice(1)];
  return ['setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...argv]];
}

/** Run the CLI as `uid` (null: as root) with exactly `env` (plus cliEnv's locale). */
function runAs(
  uid: number | null,
  args: string[],
  env: Record<string, string>,
  onSpawn?: (child: ChildProcess) => void,
  bin = BIN,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [file, argv] = asUser(uid, [process.execPath, bin, ...args]);
  const base = cliEnv();
  for (const k of ['HOME', 'XDG_CACHE_HOME', 'SUDO_UID', 'SUDO_USER', 'SUDO_GID', 'SUDO_COMMAND', 'PKEXEC_UID', 'DOAS_USER', 'SYSHERD_CODE_CACHE']) {
    delete base[k];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd: '/', env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function mkdirOwned(p: string, uid: number, mode: number): string {
  fs.mkdirSync(p, { recursive: true });
  fs.chownSync(p, uid, uid);
  fs.chmodSync(p, mode);
  return p;
}

/** A home of `uid`'s and its .cache/sysherd directory. */
function homeWithCacheDir(home: string, uid: number, homeMode: number, dirMode: number): string {
  mkdirOwned(home, uid, homeMode);
  mkdirOwned(path.join(home, '.cache'), uid, homeMode);
  return mkdirOwned(path.join(home, '.cache', 'sysherd'), uid, dirMode);
}

describe('V8 code cache', { skip: isRoot ? false : 'needs root (setpriv to other users)' }, () => {
  let tmp: string;
  let marker: string;
  /** A cache V8 accepts for the bundle, built from the attacker's code padded to its length. */
  let evilCache: Buffer;

  before(() => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-code-cache-'));
    fs.chmodSync(tmp, 0o755); // root's, not writable by others: a fair parent for the homes below
    marker = path.join(mkdirOwned(path.join(tmp, 'loot'), ATTACKER, 0o777), 'pwned');
    // The attacker's program: say so and leave a mark, as whoever runs it.
    const payload = `require('fs').appendFileSync(${JSON.stringify(marker)}, 'uid=' + process.geteuid() + '\\n'); process.stdout.write('PWNED\\n');`;
    const gen = `
      const fs = require('fs'), vm = require('vm'), Module = require('module');
      const len = fs.readFileSync(${JSON.stringify(BUNDLE)}, 'latin1').length;
      const p = ${JSON.stringify(payload)} + '\\n//';
      const src = p + 'x'.repeat(len - p.length);
      const s = new vm.Script(Module.wrap(src), { filename: ${JSON.stringify(BUNDLE)} });
      process.stdout.write(s.createCachedData().toString('base64'));`;
    evilCache = Buffer.from(execFileSync(process.execPath, ['-e', gen], { encoding: 'utf8', maxBuffer: 64 << 20 }), 'base64');
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  function pwned(): string {
    return fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : '';
  }

  test('for a user in a home of its own: the first run writes the cache, the second uses it', async () => {
    const home = mkdirOwned(path.join(tmp, 'user-home'), ATTACKER, 0o700);
    const plain = await runAs(ATTACKER, ['--help'], { HOME: home, SYSHERD_CODE_CACHE: '0' });
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(!fs.existsSync(path.join(home, '.cache')), 'SYSHERD_CODE_CACHE=0 wrote a cache');

    // what a run killed between write and rename leaves (pid 4194305 is above any pid_max), and
    // a live run's file (pid 1): the first is cleared when the cache is saved, the second kept
    const dir = path.join(home, '.cache', 'sysherd');
    mkdirOwned(path.join(home, '.cache'), ATTACKER, 0o700);
    mkdirOwned(dir, ATTACKER, 0o700);
    for (const f of ['bin-old.cache.4194305', 'bin-old.cache.1']) {
      fs.writeFileSync(path.join(dir, f), 'x', { mode: 0o600 });
      fs.chownSync(path.join(dir, f), ATTACKER, ATTACKER);
    }
    const first = await runAs(ATTACKER, ['--help'], { HOME: home });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, plain.stdout);
    assert.ok(!fs.existsSync(path.join(dir, 'bin-old.cache.4194305')), "a dead run's temporary file is left");
    assert.ok(fs.existsSync(path.join(dir, 'bin-old.cache.1')), "a live run's temporary file was deleted");
    const file = path.join(dir, cacheName());
    const st1 = fs.statSync(file);
    assert.equal(st1.uid, ATTACKER);
    assert.equal(st1.mode & 0o777, 0o600);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);

    const second = await runAs(ATTACKER, ['--help'], { HOME: home });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, plain.stdout);
    // a cache that was missing, untrusted or rejected by V8 is written anew (a new inode)
    const st2 = fs.statSync(file);
    assert.equal(st2.ino, st1.ino, 'the second run did not use the cache the first wrote');
    assert.equal(st2.mtimeMs, st1.mtimeMs);
  });

  test('the planted cache is real: its owner, in a home of its own, does run it (so the attacks below would work)', async () => {
    const home = path.join(tmp, 'control-home');
    const dir = homeWithCacheDir(home, ATTACKER, 0o700, 0o700);
    fs.writeFileSync(path.join(dir, cacheName()), evilCache, { mode: 0o600 });
    fs.chownSync(path.join(dir, cacheName()), ATTACKER, ATTACKER);
    const r = await runAs(ATTACKER, ['--help'], { HOME: home });
    assert.match(r.stdout, /^PWNED$/m, 'V8 rejected the padded cache: the attack tests below would prove nothing');
    assert.equal(pwned(), `uid=${ATTACKER}\n`);
    fs.rmSync(marker);
  });

  /**
   * The attacker's HOME: ~/.cache/sysherd is a symlink swapped in a loop between a directory
   * `real` owned by the victim (which passes an owner check made through the path) and the
   * attacker's own directory holding the planted cache.
   */
  async function raceAgainst(victim: number | null, runs: number): Promise<void> {
    const victimUid = victim ?? 0;
    const home = mkdirOwned(path.join(tmp, `attacker-home-${victimUid}`), ATTACKER, 0o755);
    mkdirOwned(path.join(home, '.cache'), ATTACKER, 0o755);
    const evil = mkdirOwned(path.join(home, 'evil'), ATTACKER, 0o700);
    fs.writeFileSync(path.join(evil, cacheName()), evilCache, { mode: 0o600 });
    fs.chownSync(path.join(evil, cacheName()), ATTACKER, ATTACKER);
    fs.chmodSync(evil, 0o755);
    const real = mkdirOwned(path.join(tmp, `victim-cache-${victimUid}`), victimUid, 0o700);
    const link = path.join(home, '.cache', 'sysherd');
    const swap = `
      const fs = require('fs');
      const link = ${JSON.stringify(link)}, tmpLink = link + '.new';
      const targets = [${JSON.stringify(real)}, ${JSON.stringify(evil)}];
      for (let i = 0; fs.existsSync(${JSON.stringify(path.join(home, 'go'))}); i++) {
        try { fs.rmSync(tmpLink, { force: true }); fs.symlinkSync(targets[i & 1], tmpLink); fs.renameSync(tmpLink, link); } catch {}
      }`;
    fs.writeFileSync(path.join(home, 'go'), '');
    const [file, argv] = asUser(ATTACKER, [process.execPath, '-e', swap]);
    const swapper = spawn(file, argv, { stdio: 'ignore' });
    try {
      for (let i = 0; i < runs; i++) {
        const r = await runAs(victim, ['--help'], { HOME: home });
        assert.doesNotMatch(r.stdout, /PWNED/, `run ${i + 1}: the victim ran the attacker's code`);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Usage: sysherd/m);
      }
    } finally {
      fs.rmSync(path.join(home, 'go'), { force: true });
      await new Promise((resolve) => (swapper.exitCode !== null ? resolve(null) : swapper.once('exit', resolve)));
    }
    assert.equal(pwned(), '', "the attacker's code ran");
    // and nothing was written into the victim's directory through the swapped link
    assert.deepEqual(fs.readdirSync(real), []);
  }

  test('root with a HOME the attacker controls (a swapped symlinked cache dir) never runs the attacker\'s code', async () => {
    await raceAgainst(null, 30);
  });

  test('nor does another unprivileged user', async () => {
    await raceAgainst(VICTIM, 30);
  });

  test('root under sudo/pkexec/doas, with the attacker\'s cache in a directory that passes every check: no cache', async () => {
    // A HOME that would be trusted for root, holding the planted cache (as a sudo keeping HOME).
    const home = mkdirOwned(path.join(tmp, 'root-home'), 0, 0o700);
    const dir = mkdirOwned(path.join(home, '.cache', 'sysherd'), 0, 0o700);
    fs.writeFileSync(path.join(dir, cacheName()), evilCache, { mode: 0o600 });
    const r = await runAs(null, ['--help'], { HOME: home });
    assert.doesNotMatch(r.stdout, /PWNED/);
    const u = path.join(tmp, 'sudo-home');
    const udir = homeWithCacheDir(u, ATTACKER, 0o700, 0o700);
    fs.writeFileSync(path.join(udir, cacheName()), evilCache, { mode: 0o600 });
    fs.chownSync(path.join(udir, cacheName()), ATTACKER, ATTACKER);
    for (const v of ['SUDO_UID', 'SUDO_USER', 'PKEXEC_UID', 'DOAS_USER']) {
      const s = await runAs(ATTACKER, ['--help'], { HOME: u, [v]: '1000' });
      assert.doesNotMatch(s.stdout, /PWNED/, `ran a cache with ${v} set`);
      assert.equal(s.code, 0, s.stderr);
    }
    assert.equal(pwned(), '');
  });

  test('the save path never writes through a planted symlink', async () => {
    // root, in the attacker's home: the attacker plants bin-….cache.<pid> → a root-only file
    const secret = path.join(tmp, 'root-only');
    fs.writeFileSync(secret, 'root secret\n', { mode: 0o600 });
    const home = path.join(tmp, 'plant-home');
    const dir = homeWithCacheDir(home, ATTACKER, 0o755, 0o777);
    const plant = (d: string, target: string, uid: number) => (child: ChildProcess) => {
      const l = path.join(d, `${cacheName()}.${child.pid}`);
      fs.symlinkSync(target, l);
      fs.lchownSync(l, uid, uid);
    };
    const r = await runAs(null, ['--help'], { HOME: home }, plant(dir, secret, ATTACKER));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(secret, 'utf8'), 'root secret\n', "root wrote through the attacker's symlink");

    // a user in its own cache directory: a symlink there (however it came) is not followed either
    const uhome = path.join(tmp, 'plant-user-home');
    const udir = homeWithCacheDir(uhome, ATTACKER, 0o700, 0o700);
    const precious = path.join(uhome, 'precious');
    fs.writeFileSync(precious, 'keep me\n', { mode: 0o600 });
    fs.chownSync(precious, ATTACKER, ATTACKER);
    const u = await runAs(ATTACKER, ['--help'], { HOME: uhome }, plant(udir, precious, ATTACKER));
    assert.equal(u.code, 0, u.stderr);
    assert.equal(fs.readFileSync(precious, 'utf8'), 'keep me\n', 'the save wrote through a symlink');
  });

  /**
   * The cache the build ships beside the bundle (dist/cli/bin-NODE-ARCH-SIZE.cache) is trusted as
   * far as the bundle is, no further: a copy of the installed package in a directory of root's,
   * with the attacker's cache planted as the shipped one in every way but a trusted one.
   */
  test('the cache the build ships is accepted by V8 for the bundle it ships with (else the start-up gain is silently lost)', async () => {
    const { Script } = await import('node:vm');
    const { default: Module } = await import('node:module');
    const wrap = (Module as unknown as { wrap(s: string): string }).wrap;
    const name = `bin-${process.version}-${process.arch}-${fs.statSync(BUNDLE).size}.cache`;
    const script = new Script(wrap(fs.readFileSync(BUNDLE, 'latin1')), { filename: BUNDLE, cachedData: fs.readFileSync(path.join(path.dirname(BUNDLE), name)) });
    assert.equal(script.cachedDataRejected, false);
    // and nobody but its owner may write it or the bundle (as the shim requires)
    for (const f of [BUNDLE, path.join(path.dirname(BUNDLE), name)]) assert.equal(fs.statSync(f).mode & 0o022, 0, f);
  });

  test('the shipped cache: used as the build made it (root\'s, beside a bundle of root\'s), never when anyone else could have written it', async () => {
    const shipped = path.basename(fs.readdirSync(path.dirname(BUNDLE)).find((f) => /^bin-.*\.cache$/.test(f)) ?? '');
    assert.equal(shipped, `bin-${process.version}-${process.arch}-${fs.statSync(BUNDLE).size}.cache`, 'the build shipped no cache for this Node');
    const install = (name: string, dirMode = 0o755): { bin: string; cli: string; cache: string } => {
      const root = mkdirOwned(path.join(tmp, name), 0, 0o755);
      const binDir = mkdirOwned(path.join(root, 'bin'), 0, 0o755);
      const cli = mkdirOwned(path.join(root, 'dist', 'cli'), 0, dirMode);
      for (const f of ['sysherd.js', 'package.json']) fs.copyFileSync(path.join(path.dirname(BIN), f), path.join(binDir, f));
      for (const f of fs.readdirSync(path.dirname(BUNDLE))) if (!f.endsWith('.cache')) fs.copyFileSync(path.join(path.dirname(BUNDLE), f), path.join(cli, f));
      const cache = path.join(cli, shipped);
      fs.writeFileSync(cache, evilCache, { mode: 0o644 });
      return { bin: path.join(binDir, 'sysherd.js'), cli, cache };
    };
    const home = mkdirOwned(path.join(tmp, 'shipped-home'), 0, 0o700);
    const runs = async (i: { bin: string }, uid: number | null = null, env: Record<string, string> = {}) => (await runAs(uid, ['--help'], { HOME: home, ...env }, undefined, i.bin)).stdout;

    // as the build left it: root's file beside root's bundle; root (and a user) runs it
    const good = install('shipped-good');
    assert.match(await runs(good), /^PWNED$/m, 'root did not use the shipped cache');
    fs.rmSync(marker, { force: true }); // root's now: the user's run could not append to it
    assert.match(await runs(good, ATTACKER, { HOME: path.join(tmp, 'nowhere') }), /^PWNED$/m, 'a user did not use the shipped cache');
    assert.doesNotMatch(await runs(good, null, { SYSHERD_CODE_CACHE: '0' }), /PWNED/, 'SYSHERD_CODE_CACHE=0 used it');
    fs.rmSync(marker, { force: true });

    const never: [string, (i: { bin: string; cli: string; cache: string }) => void, number?][] = [
      ['owned by someone else', (i) => fs.chownSync(i.cache, ATTACKER, ATTACKER)],
      ['writable by others', (i) => fs.chmodSync(i.cache, 0o666)],
      ['writable by the group', (i) => fs.chmodSync(i.cache, 0o664)],
      ['in a directory others may write', () => undefined, 0o777],
      ['a symlink (root\'s) to a file of root\'s', (i) => {
        const real = path.join(path.dirname(i.cli), 'real.cache');
        fs.renameSync(i.cache, real);
        fs.symlinkSync(real, i.cache);
      }],
      ['with a second link', (i) => fs.linkSync(i.cache, path.join(path.dirname(i.cli), 'other-link'))],
      ['beside a bundle of someone else\'s', (i) => fs.chownSync(path.join(i.cli, 'bin.js'), ATTACKER, ATTACKER)],
      ['beside a bundle others may write', (i) => fs.chmodSync(path.join(i.cli, 'bin.js'), 0o666)],
    ];
    for (const [k, [what, spoil, dirMode]] of never.entries()) {
      const i = install(`shipped-bad-${k}`, dirMode);
      spoil(i);
      const out = await runs(i);
      assert.doesNotMatch(out, /PWNED/, `used a shipped cache ${what}`);
      assert.match(out, /^Usage: sysherd/m, `${what}: the CLI did not run`);
    }
    assert.equal(pwned(), '');
  });

  test('old caches are deleted only when they are regular files of the user\'s', async () => {
    const home = path.join(tmp, 'clean-home');
    const dir = homeWithCacheDir(home, ATTACKER, 0o700, 0o700);
    const stale = path.join(dir, 'bin-v0-stale.cache');
    fs.writeFileSync(stale, 'old');
    fs.chownSync(stale, ATTACKER, ATTACKER);
    const rootsFile = path.join(dir, 'bin-v0-root.cache');
    fs.writeFileSync(rootsFile, 'root');
    const keep = path.join(tmp, 'kept-target');
    fs.writeFileSync(keep, 'target');
    fs.chownSync(keep, ATTACKER, ATTACKER);
    const linked = path.join(dir, 'bin-v0-link.cache');
    fs.symlinkSync(keep, linked);
    fs.lchownSync(linked, ATTACKER, ATTACKER);
    const r = await runAs(ATTACKER, ['--help'], { HOME: home });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(dir, cacheName())), 'no cache written');
    assert.ok(!fs.existsSync(stale), 'a stale cache of the user was not removed');
    assert.equal(fs.readFileSync(rootsFile, 'utf8'), 'root', "root's file was deleted");
    assert.ok(fs.lstatSync(linked).isSymbolicLink(), 'a symlink was deleted');
    assert.equal(fs.readFileSync(keep, 'utf8'), 'target');

    // root, in a cache directory of the attacker's: root deletes nothing there
    const ahome = path.join(tmp, 'clean-attacker-home');
    const adir = homeWithCacheDir(ahome, ATTACKER, 0o755, 0o755);
    const other = path.join(adir, 'bin-v0-other.cache');
    fs.writeFileSync(other, 'x');
    fs.chownSync(other, ATTACKER, ATTACKER);
    const rr = await runAs(null, ['--help'], { HOME: ahome });
    assert.equal(rr.code, 0, rr.stderr);
    assert.deepEqual(fs.readdirSync(adir), ['bin-v0-other.cache']);
  });
});
