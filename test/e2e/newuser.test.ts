/**
 * What a new user trips on (issue 14), on a pseudo-terminal next to systemctl in one system
 * sandbox: Ctrl-C in a shell loop, the pager for list views, narrow terminals, completion
 * candidates, help, honest success lines, herd graph, and the small ones.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { buildProgram } from '../../src/cli/main.ts';
import { execInSandbox } from '../../src/sandbox/sandbox.ts';
import { memoryIO } from '../../src/output/io.ts';
import { bootSandbox, type BootedSandbox } from '../helpers/sandbox.ts';
import { BIN, cliEnv, ensureBuilt, projectRoot, runCli, runScriptPty, shellQuote, waitActiveState } from './helpers.ts';

const UNITS: Record<string, string> = {
  'slow.service': '[Unit]\nDescription=Slow oneshot that takes a while to start up\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sleep 30\n',
  'db.service': '[Unit]\nDescription=Database\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n',
  'web.service': '[Unit]\nDescription=Web front end\nRequires=db.service\nAfter=db.service\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n',
  'broken.service': '[Unit]\nDescription=Broken service that exits at once with an error\n[Service]\nExecStart=/bin/sh -c "exit 3"\n',
  'static.service': '[Unit]\nDescription=A static unit\n[Service]\nExecStart=/bin/sleep infinity\n',
  'echo.socket': '[Unit]\nDescription=Echo per connection\n[Socket]\nListenStream=127.0.0.1:7777\nAccept=yes\n',
  'echo@.service': '[Unit]\nDescription=Echo\n[Service]\nExecStart=/bin/cat\nStandardInput=socket\n',
};

let sb: BootedSandbox;
let address: string;

before(async () => {
  ensureBuilt();
  sb = await bootSandbox('system', { units: UNITS });
  address = sb.busAddress;
});
after(async () => {
  await sb?.stop();
});

/** Run a command inside the sandbox as root; its output. */
async function inside(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return execInSandbox(sb.dir, argv);
}

/**
 * Run argv inside the sandbox on a pseudo-terminal of `cols` columns (script(1), `stty`), with
 * `env` set (through env(1): the sandbox gives its commands a fresh environment): exit code and
 * the terminal's bytes, CR removed.
 */
function pty(argv: string[], opts: { cols: number; rows?: number; env?: Record<string, string> }): Promise<{ code: number | null; output: string }> {
  const envArgs = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const inner = [process.execPath, BIN, 'sandbox', 'exec', sb.dir, '--', 'env', ...envArgs, ...argv].map(shellQuote).join(' ');
  return runScriptPty(`stty cols ${opts.cols} rows ${opts.rows ?? 50}; ${inner}`, { TERM: 'xterm-256color' });
}

const OURS = [process.execPath, BIN];

describe('1. Ctrl-C stops a shell loop, as systemctl does', () => {
  /**
   * `for u in slow db; do TOOL start $u; done` inside the sandbox on a pty; Ctrl-C (a real ^C on
   * the terminal: SIGINT to its foreground process group) while slow starts. The loop's bash
   * outlives our view of the terminal, so what tells is whether db was started after.
   */
  async function loop(tool: string[]): Promise<{ output: string; dbState: string }> {
    await inside(['systemctl', 'stop', 'slow.service', 'db.service', 'web.service']);
    const toolLine = tool.map(shellQuote).join(' ');
    const script = `for u in slow db; do ${toolLine} start $u; done; echo LOOP-WENT-ON`;
    const inner = [process.execPath, BIN, 'sandbox', 'exec', sb.dir, '--', 'env', 'SYSTEMD_COLORS=0', 'bash', '-c', script].map(shellQuote).join(' ');
    const cmd = `stty cols 100 rows 20; exec ${inner}`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: projectRoot, env: cliEnv({ TERM: 'xterm-256color' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    assert.equal(await waitActiveState(address, 'slow.service', 'activating', 30_000), 'activating', out);
    await new Promise((r) => setTimeout(r, 500));
    child.stdin.write('\x03');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await closed;
    clearTimeout(timer);
    child.stdin.destroy();
    // a loop that went on starts db now: give it the time
    await new Promise((r) => setTimeout(r, 2000));
    const dbState = (await inside(['systemctl', 'is-active', 'db.service'])).stdout.trim();
    return { output: out.replace(/\r/g, ''), dbState };
  }

  test('systemctl and sysherd: the loop ends at the first start; db is never started', async () => {
    const theirs = await loop(['systemctl']);
    assert.equal(theirs.dbState, 'inactive', `systemctl: ${theirs.output}`);
    const ours = await loop(OURS);
    assert.equal(ours.dbState, 'inactive', `sysherd: the loop went on\n${ours.output}`);
    assert.doesNotMatch(ours.output, /LOOP-WENT-ON/, ours.output);
    assert.match(ours.output, /sysherd: interrupted; the queued jobs go on in systemd/);
    await inside(['systemctl', 'stop', 'slow.service']);
  });

  test('watch: Ctrl-C ends it by SIGINT, so the shell (and a loop) sees a death by signal', async () => {
    const cmd = `exec bash -c ${shellQuote(`${OURS.map(shellQuote).join(' ')} --address ${shellQuote(address)} watch; echo "status=$?"; echo LOOP-WENT-ON`)}`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: projectRoot, env: cliEnv({ TERM: 'xterm-256color' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    const end = Date.now() + 30_000;
    while (!/watching/.test(out)) {
      assert.ok(Date.now() < end, `the watch never started: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.stdin.write('\x03');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await closed;
    clearTimeout(timer);
    child.stdin.destroy();
    // bash -c dies of SIGINT with its child: nothing after the watch runs
    assert.doesNotMatch(out, /LOOP-WENT-ON|status=/, out);
  });
});

describe('2. list views go through the pager on a terminal, as systemctl', () => {
  const pagerEnv = { SYSTEMD_PAGERSECURE: '0', SYSTEMD_PAGER: 'sed s/^/P:/', SYSTEMD_COLORS: '0' };
  test('list-units, list-unit-files, list-jobs (and sysherd alone): paged, wide, the same bytes as systemctl; --no-pager: not paged', async () => {
    for (const verb of [['list-units'], ['list-unit-files'], ['list-jobs'], ['list-units', '--no-pager']]) {
      const theirs = await pty(['systemctl', ...verb], { cols: 60, env: pagerEnv });
      const ours = await pty([...OURS, ...verb], { cols: 60, env: pagerEnv });
      assert.equal(ours.output, theirs.output, verb.join(' '));
      assert.equal(ours.code, theirs.code, verb.join(' '));
      if (verb.includes('--no-pager')) assert.doesNotMatch(ours.output, /^P:/m);
      else assert.match(ours.output, /^P:/m, verb.join(' '));
    }
    const bare = await pty([...OURS], { cols: 60, env: pagerEnv });
    const theirs = await pty(['systemctl'], { cols: 60, env: pagerEnv });
    assert.equal(bare.output, theirs.output);
  });

  test('herd status and herd log are paged; --no-pager and --json are not', async () => {
    for (const args of [['herd', 'status'], ['herd', 'status', 'db'], ['herd', 'log']]) {
      const r = await pty([...OURS, ...args], { cols: 80, env: pagerEnv });
      assert.equal(r.code, 0, r.output);
      const lines = r.output.split('\n').filter((l) => l !== '');
      assert.ok(lines.length > 0 && lines.every((l) => l.startsWith('P:')), `${args.join(' ')}:\n${r.output}`);
      const plain = await pty([...OURS, '--no-pager', ...args], { cols: 80, env: pagerEnv });
      assert.doesNotMatch(plain.output, /^P:/m);
    }
    const json = await pty([...OURS, '--json', 'herd', 'status'], { cols: 80, env: pagerEnv });
    assert.doesNotMatch(json.output, /^P:/m);
  });
});

describe('3. narrow terminals: columns shrink by systemctl rules', () => {
  test('list-units at 60 columns, colours on: byte for byte systemctl (a failed row included)', async () => {
    await inside(['systemctl', 'start', 'broken.service', 'echo.socket']);
    assert.equal(await waitActiveState(address, 'broken.service', 'failed'), 'failed');
    for (const cols of [60, 45]) {
      const theirs = await pty(['systemctl', '--no-pager', 'list-units'], { cols });
      const ours = await pty([...OURS, '--no-pager', 'list-units'], { cols });
      // `● name` one red span (the blank between is red too), as TABLE_SET_BOTH_COLORS
      assert.match(theirs.output, /\x1b\[0;1;31m●\x1b\[0m\x1b\[0;1;31m \x1b\[0m\x1b\[0;1;31mbroken/, 'the failed row is there, in red');
      assert.equal(ours.output, theirs.output, `at ${cols} columns`);
      const table = theirs.output.slice(0, theirs.output.indexOf('\n\n'));
      assert.ok(table.split('\n').every((l) => [...l.replace(/\x1b\[[0-9;]*m/g, '')].length <= cols), table);
    }
  });

  test('every other table at 50 and 70 columns (colours off): the same as systemctl', async () => {
    for (const verb of [['list-unit-files'], ['list-sockets', '--all'], ['list-timers', '--all'], ['list-units', '--all'], ['list-jobs']]) {
      for (const cols of [50, 70]) {
        const theirs = await pty(['systemctl', '--no-pager', ...verb], { cols, env: { SYSTEMD_COLORS: '0' } });
        const ours = await pty([...OURS, '--no-pager', ...verb], { cols, env: { SYSTEMD_COLORS: '0' } });
        assert.equal(ours.output, theirs.output, `${verb.join(' ')} at ${cols}`);
      }
    }
  });
});

describe('4. completion: the candidates of systemctl 252 own bash completion, verb by verb', () => {
  /** The script's VERBS table: group → verbs. */
  async function scriptVerbs(): Promise<Map<string, string>> {
    const text = (await inside(['cat', '/usr/share/bash-completion/completions/systemctl'])).stdout;
    const table = /local -A VERBS=\(([\s\S]*?)\n\s*\)/.exec(text)![1]!;
    const verbs = new Map<string, string>();
    for (const m of table.matchAll(/\[(\w+)\]='([^']*)'/g)) for (const v of m[2]!.split(/\s+/).filter(Boolean)) verbs.set(v, m[1]!);
    return verbs;
  }

  test('every verb sysherd has that the script knows: the same names', { timeout: 300_000 }, async () => {
    const groups = await scriptVerbs();
    const ours = new Set(buildProgram(memoryIO()).commands.map((c) => c.name()));
    const verbs = [...groups.keys()].filter((v) => ours.has(v) && !['FILE', 'ENVS', 'JOBS', 'MACHINES', 'MOUNT', 'TARGET_AND_UNITS'].includes(groups.get(v)!));
    assert.ok(verbs.length >= 25, `only ${verbs.length} verbs to compare: ${verbs.join(' ')}`);
    assert.ok(verbs.includes('restart') && verbs.includes('start') && verbs.includes('enable'));
    await inside(['systemctl', 'start', 'broken.service', 'db.service']);
    const driver = [
      'source /usr/share/bash-completion/completions/systemctl',
      'for verb in "$@"; do COMP_WORDS=(systemctl "$verb" ""); COMP_CWORD=2; COMPREPLY=(); _systemctl 2>/dev/null',
      '  echo "== $verb"; printf "%s\\n" "${COMPREPLY[@]}"; done',
    ].join('\n');
    const parse = (text: string): Map<string, string[]> => {
      const m = new Map<string, string[]>();
      let cur = '';
      for (const line of text.split('\n')) {
        if (line.startsWith('== ')) m.set((cur = line.slice(3)), []);
        // the script hands bash names quoted for the line (printf %q): compare the names themselves
        else if (line !== '') m.get(cur)!.push(line.replace(/^"(.*)"$/, '$1').replace(/\\\\/g, '\\'));
      }
      for (const [k, v] of m) m.set(k, [...new Set(v)].sort());
      return m;
    };
    const compare = async (): Promise<string[]> => {
      const theirs = parse((await inside(['bash', '-c', driver, 'bash', ...verbs])).stdout);
      const bad: string[] = [];
      for (const verb of verbs) {
        const r = await runCli(['__complete', '--', '--address', address, verb, ''], { timeoutMs: 60_000 });
        const mine = [...new Set(r.stdout.split('\n').filter(Boolean))].sort();
        const want = theirs.get(verb) ?? [];
        if (JSON.stringify(mine) !== JSON.stringify(want)) {
          bad.push(`${verb}: only sysherd ${JSON.stringify(mine.filter((n) => !want.includes(n)))}, only systemctl ${JSON.stringify(want.filter((n) => !mine.includes(n)))}`);
        }
      }
      return bad;
    };
    // completing loads units (systemctl show, our LoadUnit) and systemd collects idle ones again:
    // what is loaded can change between the two runs; a second round settles it
    let bad = await compare();
    if (bad.length > 0) bad = await compare();
    assert.deepEqual(bad, []);
    const r = await runCli(['__complete', '--', '--address', address, 'restart', 'bro']);
    assert.equal(r.stdout, 'broken.service\n', 'restart bro<TAB> → broken.service (failed)');
  });
});

describe('5. help', () => {
  const pagerEnv = { SYSTEMD_PAGERSECURE: '0', SYSTEMD_PAGER: 'sed s/^/P:/' };
  test('VERB --help lists the options the verb reads; --help: verbs first, options after; paged on a terminal', async () => {
    const r = await pty([...OURS, '--no-pager', 'restart', '--help'], { cols: 120 });
    assert.equal(r.code, 0, r.output);
    const reads = r.output.slice(r.output.indexOf('Options it reads'));
    for (const flag of ['-T, --show-transaction', '--no-block', '--job-mode', '-q, --quiet', '--json', '--no-ask-password']) assert.ok(reads.includes(flag), `${flag} in\n${r.output}`);
    assert.ok(r.output.indexOf('Options it reads') < r.output.indexOf('Examples:'), 'the options before the examples');
    const top = await pty([...OURS, '--help'], { cols: 120, env: pagerEnv });
    assert.equal(top.code, 0);
    const lines = top.output.split('\n').filter((l) => l !== '');
    assert.ok(lines.every((l) => l.startsWith('P:')), `paged:\n${top.output}`);
    assert.ok(top.output.indexOf('P:Commands:') < top.output.indexOf('P:Options:'), 'verbs first');
  });
});

describe('6. honest success lines', () => {
  test('start of a service that exits at once: ✖ and what happened; exit code as systemctl; herd says why', async () => {
    await inside(['systemctl', 'reset-failed']);
    const theirs = await inside(['systemctl', 'start', 'broken.service']);
    await inside(['systemctl', 'reset-failed']);
    const ours = await pty([...OURS, 'start', 'broken'], { cols: 120, env: { SYSTEMD_COLORS: '0' } });
    assert.equal(ours.code, theirs.code, ours.output);
    assert.match(ours.output, /✖ broken\.service start done in [\d.]+ m?s, but it failed \(exit-code\): code=exited, status=3\n/, ours.output);
    assert.doesNotMatch(ours.output, /✔ broken/);
    const ok = await pty([...OURS, 'start', 'db'], { cols: 120, env: { SYSTEMD_COLORS: '0' } });
    assert.match(ok.output, /✔ db\.service start done in/, ok.output);
    const herd = await inside([...OURS, 'herd', 'start', 'broken']);
    assert.equal(herd.code, 1);
    assert.equal(herd.stderr, 'sysherd: failed to start service broken; Process exited with code 3.\n');
    assert.doesNotMatch(herd.stderr, /result 'done'/);
  });

  test("a multi-unit spinner names the units it still waits for", async () => {
    await inside(['systemctl', 'stop', 'slow.service', 'db.service']);
    const r = await pty([...OURS, 'start', 'db', 'slow'], { cols: 160, env: { SYSTEMD_COLORS: '0' } });
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Starting 2 units… 1\/2 done, waiting for slow\.service/, r.output);
    await inside(['systemctl', 'stop', 'slow.service']);
  });
});

describe('8. herd graph', () => {
  test("the overview's services, stopped ones with their edges; no slices nor common targets unless --all", async () => {
    await inside(['systemctl', 'stop', 'web.service']);
    await inside(['systemctl', 'start', 'db.service']);
    const overview = JSON.parse((await inside([...OURS, '--json=short', 'herd', 'status'])).stdout) as Record<string, { service: string }[]>;
    const listed = new Set(Object.values(overview).flat().map((e) => e.service));
    const g = JSON.parse((await inside([...OURS, '--json=short', 'herd', 'graph'])).stdout) as { nodes: { service: string; unit: string }[]; edges: { from: string; to: string }[] };
    const drawn = new Set(g.nodes.filter((n) => /\.(service|timer)$/.test(n.unit)).map((n) => n.service));
    assert.deepEqual([...listed].filter((s) => !drawn.has(s)), [], 'every service of the overview is drawn');
    assert.ok(listed.has('web'), 'web (stopped, not loaded) is in the overview');
    assert.ok(g.edges.some((e) => e.from === 'web' && e.to === 'db'), 'web keeps its Requires= edge to db');
    const units = new Map(g.nodes.map((n) => [n.service, n.unit]));
    assert.deepEqual(g.edges.filter((e) => units.get(e.to)?.endsWith('.slice') || e.to === 'sysinit.target'), [], 'no edges to slices or sysinit.target');
    const all = JSON.parse((await inside([...OURS, '--json=short', '--all', 'herd', 'graph'])).stdout) as typeof g;
    const allUnits = new Map(all.nodes.map((n) => [n.service, n.unit]));
    assert.ok(all.edges.some((e) => allUnits.get(e.to)?.endsWith('.slice')), '--all keeps the slices');
    assert.ok(all.edges.some((e) => e.to === 'sysinit.target'), '--all keeps sysinit.target');
  });
});

describe('9. small ones', () => {
  test('list-sockets: an Accept=yes socket activates "-" in the table and null in JSON, as systemctl', async () => {
    await inside(['systemctl', 'start', 'echo.socket']);
    const theirs = await inside(['systemctl', '-o', 'json', 'list-sockets', 'echo.socket']);
    const ours = await inside([...OURS, '-o', 'json', 'list-sockets', 'echo.socket']);
    assert.deepEqual(JSON.parse(ours.stdout), JSON.parse(theirs.stdout));
    assert.equal((JSON.parse(ours.stdout) as { activates: unknown }[])[0]!.activates, null);
    const table = await inside([...OURS, 'list-sockets', 'echo.socket']);
    assert.equal(table.stdout, (await inside(['systemctl', 'list-sockets', 'echo.socket'])).stdout);
  });

  test('herd status of a static unit says static, not disabled', async () => {
    const r = await inside([...OURS, 'herd', 'status', 'static']);
    assert.match(r.stdout, /^ {2}It is static\.$/m, r.stdout);
    assert.doesNotMatch(r.stdout, /It is disabled/);
  });

  test('watch: one stop, one "unloaded" (not six)', async () => {
    await inside(['systemctl', 'start', 'db.service']);
    const child = spawn(process.execPath, [BIN, '--address', address, 'watch', 'db.service'], { cwd: projectRoot, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const end = Date.now() + 30_000;
    while (!/watching/.test(err)) {
      assert.ok(Date.now() < end, err);
      await new Promise((r) => setTimeout(r, 50));
    }
    await inside(['systemctl', 'stop', 'db.service']);
    await inside(['systemctl', 'status', 'db.service']); // looks it up again: loaded, collected again
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGINT');
    await new Promise((r) => child.once('close', r));
    assert.match(out, /db\.service: inactive \(dead\)/, out);
    assert.ok((out.match(/unloaded/g) ?? []).length <= 1, out);
    assert.doesNotMatch(out, /: loaded\n/, out);
  });

  test('a misspelt verb, a bogus state, and systemctl own failure text as systemctl prints it', async () => {
    const verb = await runCli(['restrat']);
    assert.equal(verb.stderr, "sysherd: Unknown command verb 'restrat', did you mean 'restart'?\n");
    const state = await runCli(['--address', address, '--state=bogus', 'list-units']);
    assert.equal(state.stderr, "sysherd: unknown --state value 'bogus'; 'sysherd --state=help' lists the valid states\n");
    await inside(['touch', '/etc/systemd/system/plain.service']);
    const theirs = await inside(['systemctl', 'mask', 'plain.service']);
    const ours = await inside([...OURS, 'mask', 'plain.service']);
    assert.match(theirs.stderr, /^Failed to mask unit: File \/etc\/systemd\/system\/plain\.service already exists\.\n$/);
    assert.equal(ours.stderr, theirs.stderr);
    assert.equal(ours.code, theirs.code);
  });
});
