import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { openPolkitAgent, wantPolkitAgent } from '../../../src/core/polkit-agent.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysherd-agent-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A stand-in for pkttyagent: records its arguments, closes the notify fd when "registered", waits for SIGTERM. */
function fakeAgent(name: string, body: string): string {
  const file = path.join(dir, name);
  // the stand-in holds none of the test runner's streams
  fs.writeFileSync(file, `#!/bin/sh\nexec </dev/null >/dev/null 2>&1\necho "$@" > ${dir}/${name}.args\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('polkit agent (systemctl polkit_agent_open)', () => {
  it('only on a terminal, not as root, on the local system manager, unless --no-ask-password', () => {
    const yes = { stdinIsTTY: true, euid: 1000, localSystem: true, askPassword: true };
    assert.equal(wantPolkitAgent(yes), true);
    assert.equal(wantPolkitAgent({ ...yes, stdinIsTTY: false }), false);
    assert.equal(wantPolkitAgent({ ...yes, euid: 0 }), false);
    assert.equal(wantPolkitAgent({ ...yes, localSystem: false }), false);
    assert.equal(wantPolkitAgent({ ...yes, askPassword: false }), false);
  });

  it('starts the agent with --notify-fd 3 --fallback, waits until it closes fd 3, ends it', async () => {
    const bin = fakeAgent(
      'agent',
      `trap 'echo term > ${dir}/term; kill $s 2>/dev/null; exit 0' TERM\nsleep 0.3\necho ready > ${dir}/ready\nexec 3>&-\nsleep 30 & s=$!\nwait $s`,
    );
    const t0 = Date.now();
    const agent = await openPolkitAgent({ binary: bin });
    assert.ok(agent);
    try {
      assert.ok(Date.now() - t0 >= 250, 'resolved before the agent closed its notify fd');
      assert.equal(fs.readFileSync(`${dir}/agent.args`, 'utf8'), '--notify-fd 3 --fallback\n');
      assert.equal(fs.existsSync(`${dir}/ready`), true);
    } finally {
      await agent.close();
    }
    await agent.close();
    assert.equal(fs.readFileSync(`${dir}/term`, 'utf8'), 'term\n');
  });

  it('an agent that exits at once, or is missing, does not hold the call', async () => {
    const quick = await openPolkitAgent({ binary: fakeAgent('quick', 'exit 1') });
    assert.ok(quick);
    await quick.close();
    assert.equal(await openPolkitAgent({ binary: path.join(dir, 'missing') }), null);
  });
});
