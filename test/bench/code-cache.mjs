// Start-up with and without the code cache, hyperfine-style: the commands interleaved round by
// round, the median wall time of each. Run it as the user whose cache is measured (not root:
// root never uses the cache), e.g. inside a system sandbox:
//   sysherd sandbox exec --uid 65534 DIR -- env HOME=/tmp/h node test/bench/code-cache.mjs [ROUNDS]
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = process.env.SYSHERD_BENCH_BIN ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'sysherd.js');
const rounds = Number(process.argv[2] ?? 40);
const node = process.execPath;
const cases = [
  ['node -e 0', [node, '-e', '0'], {}],
  ['--help (cache)', [node, bin, '--help'], {}],
  ['--help (no cache)', [node, bin, '--help'], { SYSHERD_CODE_CACHE: '0' }],
  ['is-active (cache)', [node, bin, 'is-active', 'sandbox.target'], {}],
  ['is-active (no cache)', [node, bin, 'is-active', 'sandbox.target'], { SYSHERD_CODE_CACHE: '0' }],
];
const times = cases.map(() => []);
const run = ([, argv, env]) => spawnSync(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: 'ignore' });
for (const c of cases) run(c); // warm up: the first cached run writes the cache
for (let r = 0; r < rounds; r++) {
  cases.forEach((c, i) => {
    const t = process.hrtime.bigint();
    const res = run(c);
    times[i].push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.status !== 0) throw new Error(`${c[0]} exited ${res.status}`);
  });
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const [i, [name]] of cases.entries()) console.log(`${name.padEnd(22)} ${median(times[i]).toFixed(1)} ms`);
