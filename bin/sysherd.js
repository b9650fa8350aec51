#!/usr/bin/env node
// The shipped CLI is one CommonJS bundle (npm run build: dist/cli/bin.js); this shim loads it.
//
// Start-up is most of what a short command costs, so:
// - `sysherd --version` alone is answered here, without loading the bundle;
// - the bundle is compiled with V8's code cache (as the v8-compile-cache package does): the
//   first run writes the bytecode it compiled to $XDG_CACHE_HOME/sysherd (~/.cache/sysherd, a
//   directory of the user's own, mode 0700), later runs skip parsing and compiling it. The cache
//   is keyed by the bundle (size, mtime), Node's version and the architecture; V8 checks it
//   against the source and rejects a stale one. SYSHERD_CODE_CACHE=0 turns it off; any problem
//   with it falls back to a plain require.
'use strict';

if (process.argv.length === 3 && process.argv[2] === '--version') {
  process.stdout.write(`${require('../package.json').version}\n`);
} else if (!loadWithCodeCache()) {
  require('../dist/cli/bin.js');
}

function loadWithCodeCache() {
  if (process.env.SYSHERD_CODE_CACHE === '0') return false;
  const fs = require('node:fs');
  const path = require('node:path');
  const home = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : '');
  if (!path.isAbsolute(home) || typeof process.getuid !== 'function') return false;
  let source, script, fn, cacheFile, dir, cached;
  const file = path.join(__dirname, '..', 'dist', 'cli', 'bin.js');
  try {
    const vm = require('node:vm');
    const Module = require('node:module');
    const st = fs.statSync(file);
    dir = path.join(home, 'sysherd');
    cacheFile = path.join(dir, `bin-${process.version}-${process.arch}-${st.size}-${Math.round(st.mtimeMs)}.cache`);
    try {
      const d = fs.statSync(dir);
      // only a cache directory of our own that nobody else can write to
      if (d.isDirectory() && d.uid === process.getuid() && (d.mode & 0o022) === 0) cached = fs.readFileSync(cacheFile);
    } catch {
      // no cache yet
    }
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
    if (cached === undefined || script.cachedDataRejected) process.once('exit', () => saveCodeCache(fs, path, script, dir, cacheFile));
    m.loaded = true;
    // run the bundle as node would (errors in it are the CLI's own, not the cache's)
    fn.call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
    return true;
  } catch (err) {
    if (fn !== undefined) throw err; // the bundle itself threw
    return false;
  }
}

/** After the run: the bytecode of every function it compiled, written atomically; old caches go. */
function saveCodeCache(fs, path, script, dir, cacheFile) {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const d = fs.statSync(dir);
    if (d.uid !== process.getuid() || (d.mode & 0o022) !== 0) return;
    const tmp = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith('bin-') && f.endsWith('.cache') && path.join(dir, f) !== cacheFile) fs.rmSync(path.join(dir, f), { force: true });
    }
  } catch {
    // a read-only or full disk: no cache, no harm
  }
}
