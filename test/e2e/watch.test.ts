/**
 * `watch` end to end, over ssh: sandbox A for the file is host sb1; the fleet test boots sandbox B
 * as sb2, so two managers stream at once. Actions run inside the sandboxes with systemctl.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { execArgv, execInSandbox, readSandbox } from '../../src/sandbox/sandbox.js';
import { bootSandbox, type BootedSandbox } from '../helpers/sandbox.js';
import { startSshHosts, type SshHosts } from '../helpers/ssh-hosts.js';
import { BIN, cliEnv, ensureBuilt, projectRoot } from './helpers.js';

const UNITS = {
  'w.service': '[Unit]\nDescription=Watched\n[Service]\nExecStart=/bin/sleep infinity\n',
  'bad.service': '[Unit]\nDescription=Fails\n[Service]\nExecStart=/bin/false\n',
  'other.service': '[Service]\nExecStart=/bin/sleep infinity\n',
};

let sb: BootedSandbox | undefined;
let hosts: SshHosts | undefined;

interface Watch {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  events: () => Record<string, unknown>[];
  /** Wait until `pred` holds over what was printed (generous deadline). */
  until: (pred: () => boolean, what: string, ms?: number) => Promise<void>;
  exit: Promise<number | null>;
}

function watch(args: string[], env: Record<string, string> = {}, inside?: string): Watch {
  // inside a sandbox (as root there: systemd's private socket), or here with the hosts' ssh
  const cmd = inside === undefined ? undefined : execArgv(readSandbox(inside), [process.execPath, BIN, ...args]);
  const child = cmd
    ? spawn(cmd.file, cmd.args, { env: cmd.env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, [BIN, ...args], { cwd: projectRoot, env: { ...cliEnv(env), PATH: hosts!.env.PATH }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  // a death by a signal as the shell reports it (128+N)
  const exit = new Promise<number | null>((r) => child.once('close', (code, signal) => r(code ?? (signal === 'SIGINT' ? 130 : signal === null ? null : 128))));
  const w: Watch = {
    child,
    out: () => out,
    err: () => err,
    events: () => out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
    until: async (pred, what, ms = 30_000) => {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) {
          child.kill('SIGKILL');
          throw new Error(`timed out waiting for ${what}\n--- stdout ---\n${out.slice(-3000)}\n--- stderr ---\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    exit,
  };
  return w;
}

/** The events of one host, as compact strings (`JobNew w.service`, `PropertiesChanged bad.service failed/failed`). */
function story(events: Record<string, unknown>[], host: string): string[] {
  return events
    .filter((e) => String(e.host) === host)
    .map((e) => {
      const unit = e.unit === undefined ? '' : ` ${String(e.unit)}`;
      if (e.event === 'PropertiesChanged') return `${String(e.event)}${unit} ${String(e.active)}/${String(e.sub)}`;
      if (e.event === 'JobRemoved') return `${String(e.event)}${unit} ${String(e.result)}`;
      if (e.event === 'Reloading') return `Reloading ${String(e.active)}`;
      return `${String(e.event)}${unit}`;
    });
}

/** Is `want` a subsequence of `have` (in this order, other events in between allowed)? */
function inOrder(have: string[], want: string[]): boolean {
  let i = 0;
  for (const h of have) if (i < want.length && h === want[i]) i++;
  return i === want.length;
}

describe('watch', () => {
  before(async () => {
    ensureBuilt();
    sb = await bootSandbox('system', { units: UNITS });
    hosts = await startSshHosts({ sb1: sb.pid1!, sb2: sb.pid1! });
  });
  after(async () => {
    await hosts?.stop();
    await sb?.stop();
  });

  it('--json on two hosts at once: a restart, a failing start and a daemon-reload, in order; survives a re-exec; Ctrl-C ends it by SIGINT (130)', async () => {
    const b = await bootSandbox('system', { units: UNITS });
    try {
      await hosts!.setPid('sb2', b.pid1!);
      const w = watch(['-H', 'sb1,sb2', 'watch', '--json', 'w.service', 'bad*']);
      await w.until(() => w.events().filter((e) => e.event === 'Subscribed').length === 2, 'both hosts to subscribe');
      for (const dir of [sb!.dir, b.dir]) {
        assert.equal((await execInSandbox(dir, ['systemctl', 'start', 'w.service'])).code, 0);
        assert.equal((await execInSandbox(dir, ['systemctl', 'restart', 'w.service'])).code, 0);
        assert.equal((await execInSandbox(dir, ['systemctl', 'start', 'other.service'])).code, 0); // filtered out
        await execInSandbox(dir, ['systemctl', 'start', 'bad.service']);
        assert.equal((await execInSandbox(dir, ['systemctl', 'daemon-reload'])).code, 0);
      }
      const want = [
        'JobNew w.service',
        'PropertiesChanged w.service active/running',
        'JobRemoved w.service done',
        'JobNew w.service',
        'PropertiesChanged w.service deactivating/stop-sigterm',
        'PropertiesChanged w.service inactive/dead',
        'PropertiesChanged w.service active/running',
        'JobRemoved w.service done',
        'JobNew bad.service',
        'PropertiesChanged bad.service failed/failed',
        'Reloading true',
        'Reloading false',
        'Resubscribed',
      ];
      await w.until(() => inOrder(story(w.events(), 'sb1'), want) && inOrder(story(w.events(), 'sb2'), want), 'the events of both hosts');
      for (const e of w.events()) {
        assert.match(String(e.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(e.host === 'sb1' || e.host === 'sb2');
        assert.ok(e.unit === undefined || e.unit === 'w.service' || e.unit === 'bad.service', `filtered: ${JSON.stringify(e)}`);
      }
      const jobNew = w.events().find((e) => e.event === 'JobNew')!;
      assert.deepEqual(Object.keys(jobNew).sort(), ['event', 'host', 'job', 'time', 'unit']);
      assert.equal(typeof jobNew.job, 'number');

      // a re-exec of sb1's manager: said, and events keep coming afterwards
      const before = w.events().length;
      assert.equal((await execInSandbox(sb!.dir, ['systemctl', 'daemon-reexec'])).code, 0);
      await w.until(() => w.events().slice(before).some((e) => e.host === 'sb1' && e.event === 'Resubscribed'), 'the re-subscription after a re-exec');
      const mark = w.events().length;
      assert.equal((await execInSandbox(sb!.dir, ['systemctl', 'stop', 'w.service'])).code, 0);
      await w.until(() => inOrder(story(w.events().slice(mark), 'sb1'), ['JobNew w.service', 'PropertiesChanged w.service inactive/dead', 'JobRemoved w.service done']), 'events after the re-exec');

      w.child.kill('SIGINT');
      assert.equal(await w.exit, 130, w.err());
    } finally {
      await b.stop();
      await hosts!.setPid('sb2', sb!.pid1!);
    }
  });

  it("on systemd's private socket (root on the machine): a re-exec drops the connection, the watch reconnects and says so", async () => {
    const w = watch(['watch', '--json', 'w.service'], {}, sb!.dir);
    await w.until(() => w.events().some((e) => e.event === 'Subscribed'), 'the watch to start');
    assert.equal((await execInSandbox(sb!.dir, ['systemctl', 'daemon-reexec'])).code, 0);
    await w.until(() => w.events().some((e) => e.event === 'Resubscribed' && e.reason === 'reconnected'), 'the reconnection');
    const mark = w.events().length;
    assert.equal((await execInSandbox(sb!.dir, ['systemctl', 'restart', 'w.service'])).code, 0);
    await w.until(() => inOrder(story(w.events().slice(mark), 'null'), ['JobNew w.service', 'JobRemoved w.service done']), 'events after the reconnection');
    // Ctrl-C to sysherd itself (nsenter, its parent, does not pass signals on)
    const pid = Number(execFileSync('pgrep', ['-P', String(w.child.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
    process.kill(pid, 'SIGINT');
    assert.equal(await w.exit, 130, w.err());
  });

  it('--user: the calling user\'s manager (here a user-mode sandbox on its session bus)', async () => {
    const u = await bootSandbox('user', { units: { 'u.service': '[Service]\nExecStart=/bin/sleep infinity\n' } });
    try {
      const w = watch(['--user', 'watch', '--json'], u.env);
      await w.until(() => w.events().some((e) => e.event === 'Subscribed'), 'the watch to start');
      const env = { ...process.env, ...u.env, SYSTEMD_COLORS: '0' };
      const r = await new Promise<number | null>((resolve) => spawn('systemctl', ['--user', 'restart', 'u.service'], { env: { ...env, SYSTEMCTL_FORCE_BUS: '1' }, stdio: 'ignore' }).once('close', resolve));
      assert.equal(r, 0);
      await w.until(() => inOrder(story(w.events(), 'null'), ['JobNew u.service', 'PropertiesChanged u.service active/running', 'JobRemoved u.service done']), 'the user manager\'s events');
      w.child.kill('SIGINT');
      assert.equal(await w.exit, 130, w.err());
    } finally {
      await u.stop();
    }
  });

  it('for people: one timestamped line per event; --type filters; a lost connection ends it with one line and exit 1', async () => {
    const b = await bootSandbox('system', { units: UNITS });
    try {
      await hosts!.setPid('sb2', b.pid1!);
      const w = watch(['-H', 'sb2', 'watch', '--type=service']);
      await w.until(() => /watching/.test(w.err()), 'the watch to start');
      assert.equal((await execInSandbox(b.dir, ['systemctl', 'restart', 'w.service'])).code, 0);
      await w.until(() => /w\.service: job \d+ done\n/.test(w.out()), 'the restart');
      for (const line of w.out().trim().split('\n')) assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} sb2 \S+\.service: /, line);
      assert.match(w.out(), /^\d\d:\d\d:\d\d\.\d{3} sb2 w\.service: active \(running\)$/m);
      await b.stop();
      assert.equal(await w.exit, 1, w.err());
      const errLines = w.err().trim().split('\n');
      assert.match(errLines[errLines.length - 1]!, /^sysherd: lost the connection to sb2 over ssh: /);
      assert.equal(errLines.filter((l) => l.startsWith('sysherd:')).length, 1, w.err());
    } finally {
      await b.stop();
      await hosts!.setPid('sb2', sb!.pid1!);
    }
  });
});
