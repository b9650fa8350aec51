/** The package as a library: what its `exports` map points at is built, typed and importable. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { projectRoot } from './helpers.ts';

const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
  exports: Record<string, { types?: string; import?: string } | string>;
  dependencies: Record<string, string>;
  engines: { node: string };
  type: string;
  bin: Record<string, string>;
};

describe('the library build (npm run build:lib)', () => {
  test('package.json: ESM, bin, engines, only the planned runtime dependencies (no D-Bus library: the connection is our own)', () => {
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.bin.sysherd, 'bin/sysherd.js');
    assert.equal(pkg.engines.node, '>=20');
    assert.equal(pkg.dependencies['@jellybrick/dbus-next'], undefined, 'dbus-next is only a test dependency (its marshaller checks ours)');
    for (const dep of Object.keys(pkg.dependencies)) {
      assert.ok(['commander', 'chalk', 'ora', 'fzstd'].includes(dep), `unplanned runtime dependency ${dep}`);
    }
  });

  test('the exports map points at built JavaScript and its types; a strict consumer type-checks', { timeout: 60_000 }, () => {
    const main = pkg.exports['.'] as { types: string; import: string };
    assert.ok(existsSync(path.join(projectRoot, main.import)), `${main.import} is missing: npm run build:lib`);
    assert.ok(existsSync(path.join(projectRoot, main.types)), `${main.types} is missing`);
    const dir = mkdtempSync(path.join(tmpdir(), 'sysherd-consumer-'));
    try {
      const entry = path.join(projectRoot, main.import);
      writeFileSync(
        path.join(dir, 'consumer.ts'),
        [
          `import { listUnits, startUnit, withConnection, Signal, SystemdError, type UnitStatus, type JobRemoved, type Job } from ${JSON.stringify(entry)};`,
          'const units: Promise<UnitStatus[]> = listUnits({ bus: "user", states: ["failed"] });',
          'const done: Promise<JobRemoved> = startUnit("a.service");',
          'const job: Promise<Job> = startUnit("a.service", { wait: false });',
          'const n: Promise<number> = withConnection({}, async (m) => (await m.listJobs()).length);',
          'const sub = withConnection({}, async (m) => Signal.subscribeManager(m.bus));',
          'function isPerm(e: unknown): boolean { return e instanceof SystemdError && e.isPermission && e.exitCode === 4; }',
          'export { units, done, job, n, sub, isPerm };',
        ].join('\n'),
      );
      const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(projectRoot, 'node_modules', '@types'), path.join(dir, 'consumer.ts')], { encoding: 'utf8' });
      assert.equal(r.status, 0, `a consumer of the library does not type-check:\n${r.stdout}${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('importing it gives the API of the seed (one-off calls, connection layer, errors)', async () => {
    const main = pkg.exports['.'] as { import: string };
    const lib = (await import(pathToFileURL(path.join(projectRoot, main.import)).href)) as Record<string, unknown>;
    for (const fn of [
      'listUnits', 'listJobs', 'listUnitFiles', 'unitFileState', 'reload', 'startUnit', 'stopUnit', 'restartUnit',
      'reloadUnit', 'tryRestartUnit', 'reloadOrRestartUnit', 'resetFailedUnit', 'killUnit', 'enableUnitFiles',
      'disableUnitFiles', 'maskUnitFiles', 'unmaskUnitFiles', 'withConnection',
    ]) {
      assert.equal(typeof lib[fn], 'function', `${fn} is not exported`);
    }
    for (const cls of ['Manager', 'Job', 'UnitObject', 'Bus', 'ManagerSubscription', 'SystemdError', 'PermissionError', 'JobError']) {
      assert.equal(typeof lib[cls], 'function', `${cls} is not exported`);
    }
    const signal = lib.Signal as Record<string, unknown>;
    assert.deepEqual(Object.keys(signal).sort(), ['awaitJobRemoved', 'subscribeManager', 'unsubscribe']);
  });
});
