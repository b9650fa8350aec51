/**
 * The CLI bundle: ONE CommonJS file, dist/cli/bin.js (dist/cli/package.json says commonjs).
 *
 * Measured against esbuild's ESM code splitting (lazy chunks): Node's ESM loader costs ~15 ms
 * to start and then resolves and links every chunk; one CommonJS file skips both, V8 compiles
 * its functions lazily, and esbuild keeps every `await import()` lazy inside the file (the
 * module runs only when first imported), so verbs still pay only for what they run.
 * `node --import tsx` is not needed: this is plain ESM run by `node src/build/build-cli.mjs`.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// built next to it, then swapped in: others running the CLI meanwhile never find it half there
const final = new URL('../../dist/cli/', import.meta.url);
const outdir = new URL(`../../dist/.cli-${process.pid}/`, import.meta.url);
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
writeFileSync(new URL('package.json', outdir), '{ "type": "commonjs" }\n');
/**
 * Node built-ins that libraries import at start-up but use rarely: served by lazy stand-ins
 * (src/build/lazy-builtins/) that load the real module on first use. Only for these importers.
 * child_process alone cost ~10 ms of every start (commander spawns only for executable
 * subcommands, the ssh transport only with -H).
 */
const LAZY = {
  'node:child_process': 'child_process.cjs',
  child_process: 'child_process.cjs',
};
const LAZY_IMPORTERS = /node_modules\/commander\/|src\/core\/transport\.ts$/;
/**
 * child_process for our own modules too: the pager (every list verb), the polkit agent (every
 * verb that may change something, and is-active through the unit-file helpers) and the journal
 * fallback import it, but spawn only when they are used (~4 ms at start-up otherwise, with dgram).
 */
const LAZY_CHILD_PROCESS_IMPORTERS = /\/src\/(core|output|cli|sandbox|herd)\//;
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => {
      const ours = /child_process$/.test(args.path) && LAZY_CHILD_PROCESS_IMPORTERS.test(args.importer);
      if (!(LAZY_IMPORTERS.test(args.importer) || ours) || args.importer.includes('lazy-builtins')) return undefined;
      return { path: new URL(`lazy-builtins/${LAZY[args.path]}`, import.meta.url).pathname };
    });
  },
};

/** chalk's supports-color: not evaluated in the CLI (src/build/no-supports-color.mjs says why). */
const noSupportsColor = {
  name: 'no-supports-color',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, () => ({ path: new URL('no-supports-color.mjs', import.meta.url).pathname }));
  },
};

/**
 * Libraries only some runs use, each in a file of its own next to bin.js, required when the module
 * that imports them is first evaluated: V8 must at least pre-parse every byte of a script it
 * loads, and without a code cache (root never uses one; a first run) that is paid by every
 * command. ora (with cli-spinners' table and its other dependencies: ~100 KB) is imported only
 * with `await import()` when a spinner is shown on a terminal; fzstd by the journal reader, on
 * its first zstd payload (src/core/journal-file/decompress.ts requires ./fzstd.js beside the bundle). Both are leaves (they share no state with the rest), so nothing is in two copies.
 */
const SIDE = {
  // module.exports is ora itself: the bundle's `(await import('ora')).default` reads it in Node's
  // CommonJS interop (default = module.exports)
  ora: { file: 'ora.js', contents: "module.exports = require('ora').default;" },
  fzstd: { file: 'fzstd.js', contents: "module.exports = require('fzstd');" },
};
const sideBundles = {
  name: 'side-bundles',
  setup(b) {
    b.onResolve({ filter: /^(ora|fzstd)$/ }, (args) => ({ path: `./${SIDE[args.path].file}`, external: true }));
  },
};
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifySyntax: true,
  // pure ASCII (non-ASCII escaped): the shim reads it as latin1, no UTF-8 decoding
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'warning',
};
for (const side of Object.values(SIDE)) {
  await build({
    ...common,
    plugins: [noSupportsColor],
    stdin: { contents: side.contents, resolveDir: new URL('../..', import.meta.url).pathname, loader: 'js' },
    outfile: new URL(side.file, outdir).pathname,
  });
}

/**
 * dist/cli/early-ssh.js: what the shim (bin/sysherd.js) requires, for a line with `-H`, before it
 * reads the bundle: the rules and the argv of an ssh started early (src/cli/early-ssh.ts; the
 * bundle has the same code), and the slot it leaves the child in. A few KB; its child_process is
 * the real one (the ssh is spawned at once).
 */
await build({
  ...common,
  entryPoints: [new URL('../cli/early-ssh.ts', import.meta.url).pathname],
  outfile: new URL('early-ssh.js', outdir).pathname,
});

await build({
  ...common,
  plugins: [lazyBuiltins, noSupportsColor, sideBundles],
  entryPoints: [new URL('../cli/bin.ts', import.meta.url).pathname],
  outfile: new URL('bin.js', outdir).pathname,
  // `await import('ora')` becomes a require of ./ora.js: the shim runs the bundle as a vm.Script,
  // which has no dynamic import() (and Node's ESM loader would cost ~15 ms)
  supported: { 'dynamic-import': false },
  // main.ts finds package.json from import.meta.url, the journal reader fzstd.js beside it: made
  // when first read (node:url and the file URL are ~0.2 ms that most runs never need)
  define: { 'import.meta.url': '__sysherdImportMeta.url' },
  banner: { js: "const __sysherdImportMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
});
/**
 * The bundle's V8 code cache, shipped beside it (bin/sysherd.js): for the runs that may not use a
 * cache of their own (root, sudo, a first run), which would otherwise pre-parse all of bin.js
 * (~20 ms) and compile every function they run. It is trusted exactly as far as bin.js is (same
 * directory, same owner, nobody else may write either). Made by a run of `is-active` against a
 * fake bus (below: so it holds what start-up, parsing the line, connecting and the call compile),
 * and only for this Node (its version and architecture are in the name; V8 checks them too).
 */
const bundleFile = new URL('bin.js', outdir).pathname;
const cacheFile = new URL(`bin-${process.version}-${process.arch}-${statSync(bundleFile).size}.cache`, outdir).pathname;
/**
 * The training runs talk to a fake bus in the same process (src/build/fake-bus.ts: a unix socket
 * in a fresh private directory that answers as systemd would for one service), so the cache holds
 * what a real `is-active` and `status` compile (connecting, writing, reading and decoding replies,
 * the status record and its text), not only start-up and an error path. Both runs evaluate the
 * same vm.Script, one after the other: its cache then covers both.
 */
const harness = `
const [bundle, out, fake, sock, runs, shipped] = process.argv.slice(1);
const fs = require('node:fs'), vm = require('node:vm'), Module = require('node:module'), path = require('node:path');
require(fake).startFakeBus(sock).then(() => {
  // named as the shipped bundle: V8 keeps the name a cache was made under (stack traces would
  // show the build's temporary directory)
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'latin1')), { filename: shipped });
  process.once('exit', () => { fs.writeFileSync(out, script.createCachedData(), { mode: 0o644 }); });
  const lines = JSON.parse(runs);
  const run = (args) => {
    process.argv = [process.argv[0], bundle, ...args];
    const m = new Module(bundle, module);
    m.filename = bundle;
    m.paths = Module._nodeModulePaths(path.dirname(bundle));
    script.runInThisContext().call(m.exports, m.exports, Module.createRequire(bundle), m, bundle, path.dirname(bundle));
  };
  let next = 0;
  run(lines[next++]);
  process.on('beforeExit', () => { if (next < lines.length) run(lines[next++]); });
});
`;
const fakeBusDir = mkdtempSync(join(tmpdir(), 'sysherd-build-'));
const fakeBus = join(fakeBusDir, 'bus');
const fakeBusModule = join(fakeBusDir, 'fake-bus.cjs');
await build({ entryPoints: [new URL('fake-bus.ts', import.meta.url).pathname], bundle: true, platform: 'node', format: 'cjs', outfile: fakeBusModule, logLevel: 'error' });
const trainingRuns = [
  ['--user', 'is-active', 'sysherd-build.service'],
  ['--user', 'status', '--lines=0', 'sysherd-build.service'],
];
const made = spawnSync(process.execPath, ['-e', harness, bundleFile, cacheFile, fakeBusModule, fakeBus, JSON.stringify(trainingRuns), new URL('bin.js', final).pathname], {
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', TZ: 'UTC', DBUS_SESSION_BUS_ADDRESS: `unix:path=${fakeBus}`, XDG_RUNTIME_DIR: '/nonexistent' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
rmSync(fakeBusDir, { recursive: true, force: true });
const said = made.stdout.toString();
if (!said.startsWith('active\n') || !said.includes('sysherd-build.service - sysherd build')) {
  throw new Error(`the code cache's training runs did not go as planned:\n${said}${made.stderr}`);
}
if (!existsSync(cacheFile)) throw new Error(`no code cache made: ${made.stderr}`);

// writable by the owner alone whatever the umask (002 is common): the shim trusts the shipped
// cache only beside a bundle nobody else can write
for (const f of readdirSync(outdir)) chmodSync(new URL(f, outdir), 0o644);
chmodSync(outdir, 0o755);
rmSync(final, { recursive: true, force: true });
renameSync(outdir, final);
