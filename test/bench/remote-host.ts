/**
 * For measuring `-H` by hand: a system-mode sandbox reachable as ssh host `h` (test/helpers/ssh-hosts.ts),
 * its client environment written to DIR/env.json, kept until SIGTERM/SIGINT.
 *
 *   node --import tsx test/bench/remote-host.ts /tmp/remote &   # then: PATH from env.json, `-H h`
 */
import * as fs from 'node:fs';

import { bootSandbox } from '../helpers/sandbox.js';
import { startSshHosts } from '../helpers/ssh-hosts.js';

const out = process.argv[2] ?? '/tmp/sysherd-remote';
const sb = await bootSandbox('system', { timeoutMs: 60_000 });
const hosts = await startSshHosts({ h: sb.pid1! });
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(`${out}/env.json`, JSON.stringify({ PATH: hosts.env.PATH }));
process.stderr.write(`ready: ${out}/env.json\n`);
const stop = async (): Promise<void> => {
  await hosts.stop();
  await sb.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
setInterval(() => undefined, 1 << 30);
