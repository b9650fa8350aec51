/**
 * The npm package: what `npm pack` puts in the tarball (the bundle, the library build with its
 * types, completions, the man page; no tests, sources, source maps or fixtures), and a real
 * `npm install -g` of that tarball into a clean prefix: a working `sysherd` and `man sysherd`
 * from any directory, no dev dependencies, no build step at install.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectRoot } from './helpers.ts';

interface PackResult {
  filename: string;
  files: { path: string }[];
}

function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeout ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  scripts: Record<string, string>;
  man: string[];
  devDependencies: Record<string, string>;
};

describe('npm package', () => {
  let tmp = '';
  let files: string[] = [];
  let tarball = '';

  before(async () => {
    // npm test builds first; alone, build what is missing (no build at pack time: --ignore-scripts)
    const needed = ['dist/cli/bin.js', 'dist/lib/index.js', 'completions/sysherd.bash', 'man/sysherd.1'];
    if (needed.some((f) => !fs.existsSync(path.join(projectRoot, f)))) {
      execFileSync('npm', ['run', 'build'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sysherd-pack-'));
    const r = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: projectRoot });
    assert.equal(r.code, 0, r.stderr);
    const [result] = JSON.parse(r.stdout) as PackResult[];
    files = result!.files.map((f) => f.path).sort();
    tarball = path.join(tmp, result!.filename);
  });
  after(async () => {
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  test('the tarball holds the bundle (one CommonJS file, and the two libraries loaded on first use), the library and its types, completions and the man page', () => {
    for (const f of [
      'package.json',
      'README.md',
      'bin/sysherd.js',
      'bin/package.json',
      'dist/cli/bin.js',
      'dist/cli/ora.js',
      'dist/cli/fzstd.js',
      'dist/cli/early-ssh.js',
      'dist/cli/package.json',
      'dist/lib/index.js',
      'dist/lib/index.d.ts',
      'completions/sysherd.bash',
      'completions/_sysherd',
      'completions/sysherd.fish',
      'man/sysherd.1',
    ]) {
      assert.ok(files.includes(f), `${f} is not in the package`);
    }
    // the bundle's code cache for the Node that built it (bin/sysherd.js: for root and first runs)
    assert.ok(files.some((f) => /^dist\/cli\/bin-v[\d.]+-\w+-\d+\.cache$/.test(f)), 'no shipped code cache');
    assert.ok(pkg.man.some((m) => path.normalize(m) === 'man/sysherd.1'), 'package.json "man" does not name man/sysherd.1');
  });

  test('and nothing else: no tests, sources, source maps, fixtures, build scripts', () => {
    const bad = files.filter(
      (f) =>
        /^(src|test|scripts|\.ci|node_modules)\//.test(f) ||
        /\.map$/.test(f) ||
        (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) ||
        /tsbuildinfo|fixture|\.sandbox-|\.test\./.test(f),
    );
    assert.deepEqual(bad, []);
    const top = new Set(files.map((f) => f.split('/')[0]));
    assert.ok([...top].every((t) => ['README.md', 'LICENSE', 'bin', 'completions', 'dist', 'man', 'package.json'].includes(t!)), `unexpected: ${[...top].join(' ')}`);
  });

  test('no build step at install', () => {
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(pkg.scripts[s], undefined, `package.json has a ${s} script`);
  });

  test('npm install -g of the tarball into a clean prefix: sysherd and man sysherd work from anywhere', async () => {
    const prefix = path.join(tmp, 'prefix');
    // the registry's packages from npm's cache when they are there (npm ci filled it)
    const inst = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: tmp, timeout: 300_000 });
    assert.equal(inst.code, 0, inst.stderr);
    const installed = path.join(prefix, 'lib', 'node_modules', pkg.name);
    const deps = fs.readdirSync(path.join(installed, 'node_modules'));
    // a dev dependency may be there only as what a runtime dependency needs (chalk, for ora)
    const needed = new Set<string>();
    for (const d of deps.flatMap((d) => (d.startsWith('@') ? fs.readdirSync(path.join(installed, 'node_modules', d)).map((s) => `${d}/${s}`) : [d]))) {
      const p = JSON.parse(fs.readFileSync(path.join(installed, 'node_modules', d, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      for (const n of Object.keys(p.dependencies ?? {})) needed.add(n);
    }
    for (const dev of Object.keys(pkg.devDependencies)) {
      if (needed.has(dev)) continue;
      assert.ok(!deps.includes(dev.split('/')[0]!), `dev dependency ${dev} was installed`);
    }
    assert.ok(Object.keys(pkg.devDependencies).some((d) => !needed.has(d)), 'every dev dependency is needed at run time: the check above checks nothing');

    const elsewhere = await fsp.mkdtemp(path.join(tmp, 'cwd-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH ?? ''}`, NO_COLOR: '1' };
    delete env.MANPATH;
    const v = await run('sysherd', ['--version'], { cwd: elsewhere, env });
    assert.deepEqual([v.code, v.stdout], [0, `${pkg.version}\n`], v.stderr);
    // a verb that loads the lazy D-Bus chunk, with no bus there: one line of error, exit 1
    const noBus = await run('sysherd', ['--address', `unix:path=${path.join(tmp, 'no-bus')}`, 'list-units'], { cwd: elsewhere, env });
    assert.equal(noBus.code, 1, noBus.stderr);
    assert.match(noBus.stderr, /^sysherd: cannot connect [^\n]*\n$/);
    const help = await run('sysherd', ['list-units', '--help'], { cwd: elsewhere, env });
    assert.match(help.stdout, /Examples:/);
    // man finds the page through PATH (prefix/bin → prefix/share/man)
    const where = await run('man', ['-w', 'sysherd'], { cwd: elsewhere, env });
    assert.equal(where.code, 0, where.stderr);
    assert.equal(fs.realpathSync(where.stdout.trim()), fs.realpathSync(path.join(installed, 'man', 'sysherd.1')));
    const page = await run('man', ['sysherd'], { cwd: elsewhere, env: { ...env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' } });
    assert.equal(page.code, 0, page.stderr);
    assert.match(page.stdout, /NAME\s+sysherd - manage systemd over D-Bus/);
    // the library, by its package name, with its types
    const lib = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('sysherd'); console.log(typeof m.listUnits, typeof m.SystemdError)"], { cwd: installed, env });
    assert.equal(lib.stdout, 'function function\n', lib.stderr);
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'lib', 'index.d.ts')));
  });
});
