/**
 * The in-process journal reader (src/core/journal-file) against journalctl on the same files, in
 * one system-mode sandbox: every selection status and herd make (a unit's matches with `-n` and
 * this boot, the user-unit matches, herd's message-id and field matches, the whole journal, the
 * boot's first entry) gives the same entries, field for field — across rotated files
 * (`journalctl --rotate`), with compressed payloads (fields over 512 bytes: zstd or LZ4, whichever
 * this journald uses), non-UTF-8 and control bytes (byte arrays), and fields given twice. Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { execInSandbox } from '../../../../src/sandbox/sandbox.js';
import { type BootedSandbox, bootSandbox, projectRoot } from '../../../helpers/sandbox.js';

let sb: BootedSandbox;

const LONG = 'x'.repeat(3000);

async function sh(cmd: string): Promise<string> {
  const r = await execInSandbox(sb.dir, ['/bin/sh', '-c', cmd]);
  assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
  return r.stdout;
}

interface Pair {
  files: unknown;
  journalctl: unknown;
}

async function both(queries: object[]): Promise<Pair[]> {
  const r = await execInSandbox(sb.dir, ['/bin/sh', '-c', 'cd "$0" && exec env LANG=C.UTF-8 "$@"', projectRoot, process.execPath, '--import', 'tsx', `${projectRoot}/test/helpers/journal-read.ts`, JSON.stringify(queries)]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Pair[];
}

function assertSame(pairs: Pair[], queries: object[]): void {
  pairs.forEach((p, i) => assert.deepEqual(p.files, p.journalctl, `query ${JSON.stringify(queries[i])}`));
}

async function waitForLines(unit: string, n: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const out = await sh(`journalctl -q --no-pager -o cat -u ${unit} | wc -l`);
    if (Number(out.trim()) >= n) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${unit} did not log ${n} lines`);
}

before(async () => {
  sb = await bootSandbox('system', {
    units: {
      'talk.service': `[Unit]\nDescription=Talks\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line $i; done; echo ${LONG}; printf "bad \\\\377 byte\\\\n"; printf "ctl \\\\001 x\\\\n"; echo ünïcode'\n`,
      'fail.service': `[Unit]\nDescription=Fails\n[Service]\nExecStart=/bin/sh -c 'echo failing; exit 3'\n`,
      'quiet.service': '[Unit]\nDescription=Quiet\n[Service]\nType=oneshot\nExecStart=/bin/true\n',
    },
    timeoutMs: 60_000,
  });
  await sh('systemctl start talk.service; systemctl start fail.service || true; systemctl start quiet.service');
  await waitForLines('talk.service', 16);
  // a field given twice, and a long one (compressed) that is also a match
  await sh(`printf 'MESSAGE=twice\\nTWICE=a\\nTWICE=b\\nSYSLOG_IDENTIFIER=dup\\nBIG=${'y'.repeat(2000)}\\n' | logger --journald`);
});

after(async () => {
  await sb?.stop();
});

const QUERIES: object[] = [
  { units: ['talk.service'], lines: 10, boot: true },
  { units: ['talk.service'], lines: 3, boot: true },
  { units: ['talk.service'], lines: 100 },
  { units: ['talk.service', 'fail.service'], lines: 50, boot: true },
  { units: ['fail.service'], lines: 10, boot: true, notBefore: 1 },
  { units: ['quiet.service'], lines: 10, boot: true },
  { units: ['nothing-here.service'], lines: 10, boot: true },
  { units: ['-.slice'], lines: 5, boot: true },
  { userUnits: ['x.service'], uid: 1000, lines: 10 },
  { matches: ['SYSLOG_IDENTIFIER=dup'] },
  { matches: ['TWICE=b', 'SYSLOG_IDENTIFIER=dup'] },
  { matches: [`BIG=${'y'.repeat(2000)}`] },
  { messageIds: ['39f53479d3a045ac8e11786248231fbf', '7ad2d189f7e94e70a38c781354912448'], matches: ['_PID=1', 'UNIT=talk.service', 'UNIT=fail.service'] },
  { matches: ['_PID=1'], lines: 20 },
  { lines: 40, boot: true },
  { cutoff: true },
];

describe('the journal read in-process, against journalctl', () => {
  test('every selection, one journal file', async () => {
    assertSame(await both(QUERIES), QUERIES);
  });

  test('the same after rotation: entries from several files, interleaved', async () => {
    await sh('journalctl --rotate');
    await sh('systemctl restart talk.service; systemctl start fail.service || true');
    await waitForLines('talk.service', 32);
    await sh('journalctl --rotate');
    await sh('systemctl restart talk.service');
    await waitForLines('talk.service', 48);
    const files = await sh('ls /run/log/journal/*/ /var/log/journal/*/ 2>/dev/null || true');
    assert.ok((files.match(/\.journal/g) ?? []).length >= 3, `rotated files: ${files}`);
    // the long line is stored compressed: its bytes are in no file as they are
    const raw = await execInSandbox(sb.dir, ['/bin/sh', '-c', `grep -l ${'x'.repeat(200)} /run/log/journal/*/*.journal /var/log/journal/*/*.journal`]);
    assert.equal(raw.stdout, '', 'the long line is compressed in the files');
    const pairs = await both(QUERIES);
    assertSame(pairs, QUERIES);
    // the compressed long line and the byte arrays came through
    const talk = pairs[2]!.files as { message: string | null; messageBytes: unknown }[];
    assert.ok(talk.some((e) => e.message === LONG), 'the long (compressed) line');
    assert.ok(talk.some((e) => typeof e.messageBytes === 'object' && e.message?.startsWith('bad ')), 'the non-UTF-8 line');
    assert.ok(talk.length > 20, `talk.service's lines over three files: ${talk.length}`);
  });
});
