#!/usr/bin/env node
// The shipped CLI is one CommonJS bundle (npm run build: dist/cli/bin.js; ora and fzstd beside it,
// required on first use); this shim loads it.
//
// Start-up is most of what a short command costs, so:
// - `sysherd --version` alone is answered here, without loading the bundle;
// - for a line with `-H HOST`, ssh to the host starts here, before the bundle is read, so that its
//   connection set-up overlaps loading the bundle: dist/cli/early-ssh.js (a small file built beside
//   the bundle from src/cli/early-ssh.ts, required from the bundle's own directory like bin.js)
//   decides with the bundle's own rules and leaves the child for the bundle to take;
// - the bundle is compiled with V8's code cache (as the v8-compile-cache package does): the
//   first run writes the bytecode it compiled to $XDG_CACHE_HOME/sysherd (~/.cache/sysherd),
//   later runs skip parsing and compiling it. SYSHERD_CODE_CACHE=0 turns it off; any problem
//   with it falls back to a plain require.
//
// The cache IS code: V8 checks a cache only against the source's length (its checksum is off in
// release builds), so whoever can write the cache file runs code as whoever loads it. Hence
// (src/build/docs/manual/security.md):
// - no cache of its own for root, setuid/setgid runs, or under sudo/pkexec/doas (SUDO_UID,
//   SUDO_USER, PKEXEC_UID, DOAS_USER): their HOME may well be another user's;
// - the cache directory is reached from `/` one component at a time, each opened relative to the
//   previous one's file descriptor with O_NOFOLLOW (Node has no openat: `/proc/self/fd/N/name`
//   is resolved through the open directory N, not through a path) and checked on the OPEN
//   descriptor with fstat, as ssh's StrictModes checks a home: every directory owned by root or
//   us and not writable by group or others (a sticky one, like /tmp, only when the entry we go
//   through is root's or ours), the cache directory itself ours;
// - a cache file is opened with O_NOFOLLOW relative to that directory and used only if the open
//   file is a regular file of ours with one link, not writable by group or others; it is written
//   with O_CREAT|O_EXCL|O_NOFOLLOW and renamed in place; old caches are deleted only when they
//   are regular files of ours.
// - the cache the build ships beside the bundle (dist/cli/bin-NODEVERSION-ARCH-SIZE.cache, npm run
//   build) serves the runs that may not have a cache of their own (root, sudo…) and first runs:
//   it is trusted exactly as far as the bundle itself, and only then: opened with O_NOFOLLOW in
//   the bundle's directory, a regular file with one link, owned by the bundle's owner (root or
//   us), nobody else allowed to write it, the bundle or the directory. Whoever could plant it
//   could rewrite bin.js.
'use strict';

const S_ISVTX = 0o1000; // not in fs.constants

if (process.argv.length === 3 && process.argv[2] === '--version') {
  printVersion();
} else {
  startSshEarly();
  if (!loadWithCodeCache()) require('../dist/cli/bin.js');
}

/**
 * `sysherd --version`: package.json's version, written straight to descriptor 1 (making
 * process.stdout costs ~1 ms, and the module loader's JSON require more than reading the file).
 * A closed pipe ends it quietly, as the bundle's EPIPE handler does; a non-blocking descriptor
 * that is full (EAGAIN) gets the stream after all.
 */
function printVersion() {
  const fs = require('node:fs');
  const text = `${JSON.parse(fs.readFileSync(`${__dirname}/../package.json`, 'utf8')).version}\n`;
  try {
    fs.writeSync(1, text);
  } catch (e) {
    if (e.code === 'EAGAIN') process.stdout.write(text);
    else if (e.code !== 'EPIPE') throw e;
  }
}

/** `-H HOST`: ssh's bridge to the host, started now when early-ssh.js says so; the bundle takes it. */
function startSshEarly() {
  const argv = process.argv.slice(2);
  if (!argv.some((a) => a.startsWith('-H') || a.startsWith('--host'))) return;
  try {
    require('../dist/cli/early-ssh.js').startEarlySsh(argv);
  } catch {
    // no early file (an older build): the bundle starts ssh itself
  }
}

/**
 * May this process use a cache of its own? Not when it acts for, or as, someone else. (Called
 * after loadWithCodeCache's checks: SYSHERD_CODE_CACHE, Linux, geteuid.)
 */
function cacheAllowed() {
  const euid = process.geteuid();
  if (euid === 0 || euid !== process.getuid() || process.getegid() !== process.getgid()) return false;
  for (const v of ['SUDO_UID', 'SUDO_USER', 'PKEXEC_UID', 'DOAS_USER']) if (process.env[v] !== undefined) return false;
  return true;
}

function loadWithCodeCache() {
  if (process.env.SYSHERD_CODE_CACHE === '0' || process.platform !== 'linux' || typeof process.geteuid !== 'function') return false;
  const fs = require('node:fs');
  const path = require('node:path');
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : '');
  // a cache of our own: not for root or someone else, and only in a real home
  const own = cacheAllowed() && path.isAbsolute(base);
  let source, script, fn, cached;
  const file = path.join(__dirname, '..', 'dist', 'cli', 'bin.js');
  try {
    const vm = require('node:vm');
    const Module = require('node:module');
    const st = fs.statSync(file);
    const dir = path.join(base, 'sysherd');
    const name = `bin-${process.version}-${process.arch}-${st.size}-${Math.round(st.mtimeMs)}.cache`;
    cached = own ? readCodeCache(fs, path, dir, name) : undefined;
    const mine = cached !== undefined;
    if (!mine) cached = readShippedCache(fs, path.dirname(file), `bin-${process.version}-${process.arch}-${st.size}.cache`);
    // latin1: no UTF-8 decoding of 700 KB. The bundle's code is ASCII (esbuild charset: 'ascii'
    // escapes every other character in strings, templates and regexps); only comments may hold
    // UTF-8, and a comment's bytes mean nothing to the program.
    source = fs.readFileSync(file, 'latin1');
    script = new vm.Script(Module.wrap(source), { filename: file, cachedData: cached });
    fn = script.runInThisContext();
    const m = new Module(file, module);
    m.filename = file;
    m.paths = Module._nodeModulePaths(path.dirname(file));
    require.cache[file] = m;
    if (own && (!mine || script.cachedDataRejected)) process.once('exit', () => saveCodeCache(fs, path, script, dir, name));
    m.loaded = true;
    // run the bundle as node would (errors in it are the CLI's own, not the cache's)
    fn.call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
    return true;
  } catch (err) {
    if (fn !== undefined) throw err; // the bundle itself threw
    return false;
  }
}

/** `name` inside the directory open as `dirFd`, without going through any path but that fd. */
function at(dirFd, name) {
  return `/proc/self/fd/${dirFd}/${name}`;
}

/**
 * Open the cache directory `dir` (O_DIRECTORY) checking every directory on the way on its open
 * descriptor; with `create`, make the missing ones (0700). Returns the fd, or throws.
 * A symlink on the way is followed only when it is root's or ours in a directory that passed
 * (so nobody else can have made or swapped it), its target walked the same way.
 */
function openCacheDir(fs, path, dir, create) {
  const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;
  const euid = process.geteuid();
  const ours = (uid) => uid === 0 || uid === euid;
  // only who may write a directory can swap its entries: in a sticky one, only their owner
  const entrySafe = (parent, uid) => (parent.mode & 0o022) === 0 || ((parent.mode & S_ISVTX) !== 0 && ours(uid));
  const comps = path.resolve(dir).split('/').filter(Boolean);
  let fd = -1;
  let st;
  const openRoot = () => {
    if (fd >= 0) fs.closeSync(fd);
    fd = fs.openSync('/', O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    st = fs.fstatSync(fd);
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) throw new Error('/ is writable by others');
  };
  try {
    openRoot();
    for (let links = 0; comps.length > 0; ) {
      const name = comps.shift();
      if (name === '.') continue;
      if (name === '..') throw new Error('.. on the way to the cache directory');
      let child;
      try {
        child = fs.openSync(at(fd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (e) {
        if (e.code === 'ELOOP' || e.code === 'ENOTDIR') { // ENOTDIR: O_DIRECTORY|O_NOFOLLOW on a symlink
          const l = fs.lstatSync(at(fd, name));
          if (!l.isSymbolicLink() || !ours(l.uid) || !entrySafe(st, l.uid) || ++links > 40) throw e;
          const target = fs.readlinkSync(at(fd, name));
          comps.unshift(...target.split('/').filter(Boolean));
          if (target.startsWith('/')) openRoot();
          continue;
        }
        if (!create || e.code !== 'ENOENT') throw e;
        fs.mkdirSync(at(fd, name), 0o700); // mkdir never follows a symlink it would replace
        child = fs.openSync(at(fd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      }
      const parent = st;
      st = fs.fstatSync(child);
      fs.closeSync(fd);
      fd = child;
      const last = comps.length === 0;
      if (!entrySafe(parent, st.uid)) throw new Error('a parent of the cache directory is writable by others');
      if (last ? st.uid !== euid : !ours(st.uid)) throw new Error('a directory of someone else');
      if ((st.mode & 0o022) !== 0 && (last || (st.mode & S_ISVTX) === 0)) throw new Error('a directory writable by others');
    }
    return fd;
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    throw e;
  }
}

/** A regular file of ours, with one link, that nobody else can write. */
function ownFile(st) {
  return st.isFile() && st.uid === process.geteuid() && (st.mode & 0o022) === 0 && st.nlink === 1;
}

/**
 * The bytes of cache file `name` in the directory open as `dirFd` when `accept` takes the open
 * file's fstat (and it is not empty); undefined otherwise. Never follows a symlink; O_NONBLOCK: a
 * FIFO planted there must not hang the open.
 */
function readCacheAt(fs, dirFd, name, accept) {
  let fd;
  try {
    fd = fs.openSync(at(dirFd, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!accept(st) || st.size === 0) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = fs.readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) return undefined;
      n += r;
    }
    return buf;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The cache's bytes, or undefined when there is none we can trust. */
function readCodeCache(fs, path, dir, name) {
  let dirFd;
  try {
    dirFd = openCacheDir(fs, path, dir, false);
    return readCacheAt(fs, dirFd, name, ownFile);
  } catch {
    return undefined;
  } finally {
    if (dirFd !== undefined) fs.closeSync(dirFd);
  }
}

/**
 * The cache shipped beside the bundle, when it is as trustworthy as the bundle: the bundle's
 * directory, the bundle and the cache owned by root or us (the cache by the bundle's owner),
 * writable by nobody else; the cache a regular file with one link, opened without following a
 * symlink. Undefined otherwise.
 */
function readShippedCache(fs, dir, name) {
  const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  const euid = process.geteuid();
  const trusted = (st) => (st.uid === 0 || st.uid === euid) && (st.mode & 0o022) === 0;
  let dirFd, binFd;
  try {
    dirFd = fs.openSync(dir, O_RDONLY | O_DIRECTORY);
    const d = fs.fstatSync(dirFd);
    if (!d.isDirectory() || !trusted(d)) return undefined;
    binFd = fs.openSync(at(dirFd, 'bin.js'), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    const b = fs.fstatSync(binFd);
    if (!b.isFile() || !trusted(b)) return undefined;
    return readCacheAt(fs, dirFd, name, (st) => st.isFile() && st.nlink === 1 && st.uid === b.uid && trusted(st));
  } catch {
    return undefined;
  } finally {
    if (binFd !== undefined) fs.closeSync(binFd);
    if (dirFd !== undefined) fs.closeSync(dirFd);
  }
}

/** After the run: the bytecode of every function it compiled, written atomically; old caches go. */
function saveCodeCache(fs, path, script, dir, name) {
  let dirFd, fd;
  try {
    dirFd = openCacheDir(fs, path, dir, true);
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    const tmp = `${name}.${process.pid}`;
    fd = fs.openSync(at(dirFd, tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      fs.writeFileSync(fd, script.createCachedData());
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(at(dirFd, tmp), at(dirFd, name));
    } catch (e) {
      fs.rmSync(at(dirFd, tmp), { force: true }); // ours: O_EXCL made it
      throw e;
    }
    for (const f of fs.readdirSync(at(dirFd, '.'))) {
      // old caches, and the temporary file of a run that died before its rename
      const tmpOf = /^bin-.*\.cache\.(\d+)$/.exec(f);
      if (tmpOf ? processAlive(Number(tmpOf[1])) : !f.startsWith('bin-') || !f.endsWith('.cache') || f === name) continue;
      const st = fs.lstatSync(at(dirFd, f));
      if (st.isFile() && st.uid === process.geteuid()) fs.unlinkSync(at(dirFd, f));
    }
  } catch {
    // a read-only or full disk, a directory we do not trust: no cache, no harm
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    if (dirFd !== undefined) fs.closeSync(dirFd);
  }
}

/** Whether a process with this pid is running (its temporary cache file may be in use). */
function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}
