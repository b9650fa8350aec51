/**
 * Test harness: make system-mode sandboxes reachable as ssh "hosts" on 127.0.0.1, the way a real
 * fleet is (`ssh HOST systemd-stdio-bridge` carries D-Bus, so `systemctl -H HOST …` works).
 *
 *   const hosts = await startSshHosts({ sb1: sandbox1.pid1!, sb2: sandbox2.pid1! });
 *   spawn(BIN, ['-H', 'sb1', 'list-units'], { env: hosts.env });   // PATH finds hosts' ssh
 *   await hosts.stop();
 *
 * One sshd on a free port of 127.0.0.1, one key per host whose authorized_keys line forces its
 * command to run inside that host's sandbox (`nsenter -t PID1 … sh -c "$SSH_ORIGINAL_COMMAND"`).
 * `DIR/bin/ssh` runs /usr/bin/ssh with `-F DIR/ssh_config` (BatchMode, no known_hosts), and is
 * first on `env.PATH`: systemctl -H and sysherd -H both run `ssh` from PATH. sshd is killed when
 * the process exits, whatever happens (it is checked for by the repo's before-stop hook).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SshHosts {
  dir: string;
  port: number;
  /** Environment for a client: PATH starts with DIR/bin (the ssh wrapper). */
  env: NodeJS.ProcessEnv;
  /** A private key that no host accepts (to test a refused key): use with `refusedEnv`. */
  refusedEnv: NodeJS.ProcessEnv;
  sshdPid: number;
  /** Point a host at another sandbox (its PID 1), e.g. one booted later. */
  setPid(name: string, pid1: number): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<number>();
let hooked = false;

function killAll(): void {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  live.clear();
}

/** A free TCP port on 127.0.0.1 (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address() as net.AddressInfo;
      srv.close(() => resolve(addr.port));
    });
  });
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' });
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Start sshd for these hosts: name → the host pid of that sandbox's PID 1 (0: set it later). */
export async function startSshHosts(hosts: Record<string, number>): Promise<SshHosts> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sysherd-ssh-'));
  await fsp.chmod(dir, 0o700);
  await fsp.mkdir(path.join(dir, 'bin'));
  await fsp.mkdir('/run/sshd', { recursive: true });
  const port = await freePort();
  keygen(path.join(dir, 'host_key'));
  const authorized: string[] = [];
  const config: string[] = [];
  for (const [name, pid1] of Object.entries(hosts)) {
    const key = path.join(dir, `key-${name}`);
    keygen(key);
    const pub = (await fsp.readFile(`${key}.pub`, 'utf8')).trim();
    // the pid is read at each login, so a host can be pointed at a sandbox booted later
    await fsp.writeFile(path.join(dir, `pid-${name}`), String(pid1));
    authorized.push(
      `command="nsenter -t $(cat ${dir}/pid-${name}) -m -p -u -i -n -r -w sh -c \\"$SSH_ORIGINAL_COMMAND\\"",no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding ${pub}`,
    );
    config.push(`Host ${name}`, `  IdentityFile ${key}`, '  IdentitiesOnly yes');
  }
  // `nobridge`: a host without systemd-stdio-bridge (its shell finds nothing on PATH)
  const nobridge = path.join(dir, 'key-nobridge');
  keygen(nobridge);
  authorized.push(`command="env PATH=/nonexistent /bin/sh -c \\"$SSH_ORIGINAL_COMMAND\\"",no-pty ${(await fsp.readFile(`${nobridge}.pub`, 'utf8')).trim()}`);
  config.push('Host nobridge', `  IdentityFile ${nobridge}`, '  IdentitiesOnly yes');
  // `hangs`: logs in, then its bridge never answers (a wedged host)
  const hangs = path.join(dir, 'key-hangs');
  keygen(hangs);
  authorized.push(`command="exec cat >/dev/null",no-pty ${(await fsp.readFile(`${hangs}.pub`, 'utf8')).trim()}`);
  config.push('Host hangs', `  IdentityFile ${hangs}`, '  IdentitiesOnly yes');
  // only our names go to 127.0.0.1: any other name fails to resolve, as a missing host does
  const names = [...Object.keys(hosts), 'nobridge', 'hangs'].join(' ');
  const common = ['Host *', '  StrictHostKeyChecking no', '  UserKnownHostsFile /dev/null', '  LogLevel ERROR', '  BatchMode yes'];
  const route = [`Host ${names}`, '  HostName 127.0.0.1', `  Port ${port}`, '  User root'];
  keygen(path.join(dir, 'key-refused'));
  await fsp.writeFile(path.join(dir, 'authorized_keys'), `${authorized.join('\n')}\n`);
  await fsp.writeFile(path.join(dir, 'ssh_config'), `${[...config, ...route, ...common].join('\n')}\n`);
  // the refused key: its own config, same hosts, a key that is not in authorized_keys
  const refused = [...route, `  IdentityFile ${path.join(dir, 'key-refused')}`, '  IdentitiesOnly yes', ...common];
  await fsp.writeFile(path.join(dir, 'ssh_config_refused'), `${refused.join('\n')}\n`);
  await fsp.mkdir(path.join(dir, 'bin-refused'));
  await fsp.writeFile(path.join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${dir}/ssh_config "$@"\n`, { mode: 0o755 });
  await fsp.writeFile(path.join(dir, 'bin-refused', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${dir}/ssh_config_refused "$@"\n`, { mode: 0o755 });
  await fsp.writeFile(
    path.join(dir, 'sshd_config'),
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${dir}/host_key`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      `PidFile ${dir}/sshd.pid`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'LogLevel ERROR',
      'MaxStartups 100:30:200',
      'MaxSessions 100',
      '',
    ].join('\n'),
  );
  // -D: stays in the foreground, so the pid we hold is sshd's own
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-f', path.join(dir, 'sshd_config'), '-E', path.join(dir, 'sshd.log')], { stdio: 'ignore' });
  const pid = sshd.pid!;
  live.add(pid);
  if (!hooked) {
    hooked = true;
    process.on('exit', killAll);
  }
  let exited = false;
  sshd.once('exit', () => {
    exited = true;
    live.delete(pid);
  });
  await waitFor(async () => exited || (await canConnect(port)), 10_000, 'sshd to listen');
  if (exited) throw new Error(`sshd did not start: ${fs.readFileSync(path.join(dir, 'sshd.log'), 'utf8')}`);
  const pathWith = (bin: string): string => `${path.join(dir, bin)}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  return {
    dir,
    port,
    env: { ...process.env, PATH: pathWith('bin') },
    refusedEnv: { ...process.env, PATH: pathWith('bin-refused') },
    sshdPid: pid,
    async setPid(name, pid1) {
      await fsp.writeFile(path.join(dir, `pid-${name}`), String(pid1));
    },
    async stop() {
      if (!exited) {
        const gone = new Promise<void>((r) => sshd.once('exit', () => r()));
        process.kill(pid, 'SIGTERM');
        await gone;
      }
      live.delete(pid);
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
