/**
 * The benchmark (npm run bench, test/bench/bench.ts) as a smoke test: a tiny run (few units, two
 * rounds, one -H round) must boot its sandboxes, run every case, and print the table with every
 * ratio and verdict. It times
 * nothing that could fail a test: the figures are the bench's business, not CI's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { ensureBuilt, projectRoot } from './helpers.ts';

before(() => ensureBuilt());

test('npm run bench, tiny: every case runs and the table has every ratio', async () => {
  const args = ['--import', 'tsx', path.join(projectRoot, 'test', 'bench', 'bench.ts'), '--units', '40', '--runs', '2', '--warmup', '0', '--restart', '4', '--status', '3', '--rss-units', '60', '--remote-runs', '1', '--json'];
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { cwd: projectRoot, timeout: 300_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
  assert.equal(r.code, 0, r.stderr);
  for (const row of ['sysherd --version / node -e 0', 'list-units --all --json / node -e 0', 'is-active UNIT / node -e 0', 'restart 4 units / systemctl', 'status 3 units / systemctl', 'status UNIT / is-active UNIT', '-H h list-units / systemctl -H', 'peak RSS of list-units --all --json']) {
    assert.ok(r.stderr.includes(row), `the table has no "${row}" row\n${r.stderr}`);
  }
  const json = JSON.parse(r.stdout) as { codeCache: boolean; cases: { name: string; runs: number; medianMs: number }[]; ratios: { what: string; value: number }[]; rss: { units: number; sysherdKb: number }[] };
  // the no-cache twins of the four sysherd short cases only when the plain ones get a cache at all
  assert.match(r.stderr, /V8 code cache/, 'the header does not say which code cache sysherd ran with');
  assert.match(r.stderr, /NODE_EXTRA_CA_CERTS (is not set here|left out)/, 'the header says whether Node parsed a CA bundle at every start');
  assert.equal(json.cases.length, json.codeCache ? 18 : 14);
  for (const c of json.cases) assert.ok(c.runs === (c.name.includes(' -H ') ? 1 : 2) && c.medianMs > 0, `${c.name}: ${JSON.stringify(c)}`);
  assert.ok(/\b(met|MISSED)\b/.test(r.stderr), 'every target has its verdict');
  for (const x of json.ratios) assert.ok(Number.isFinite(x.value) && x.value > 0, `${x.what}: ${x.value}`);
  assert.equal(json.rss.length, 2);
  assert.ok(json.rss.every((x) => x.units >= 40 && x.sysherdKb > 10_000), JSON.stringify(json.rss));
});
