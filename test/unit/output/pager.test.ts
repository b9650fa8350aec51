/** The pager's decisions, as systemd 252's pager_open (checked against systemctl in a pty). */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { memoryIO } from '../../../src/output/io.ts';
import { openPager, pagerSecurity, planPager, sessionOwnerUid, splitPagerCommand } from '../../../src/output/pager.ts';

const tty = { outIsTTY: true, errIsTTY: true };
const dir = mkdtempSync(path.join(tmpdir(), 'pager-test-'));
for (const name of ['less', 'more', 'mypager']) {
  writeFileSync(path.join(dir, name), '#!/bin/sh\ncat >/dev/null\n');
  chmodSync(path.join(dir, name), 0o755);
}
const base = { TERM: 'xterm', PATH: dir, LANG: 'C.UTF-8' };
const user = { uid: 1000, euid: 1000, owner: 1000 };
const sudo = { uid: 0, euid: 0, owner: 1000 };
const rootNoSession = { uid: 0, euid: 0, owner: null };

describe('planPager', () => {
  it('pages only on a terminal (stdout and stderr), with $TERM set and not dumb, and not with --no-pager', () => {
    assert.deepEqual(planPager(tty, { env: base }, user).argv, ['less']);
    assert.equal(planPager({ outIsTTY: false, errIsTTY: true }, { env: base }, user).argv, null);
    assert.equal(planPager({ outIsTTY: true, errIsTTY: false }, { env: base }, user).argv, null);
    assert.equal(planPager(tty, { env: { ...base, TERM: 'dumb' } }, user).argv, null);
    assert.equal(planPager(tty, { env: { PATH: dir } }, user).argv, null);
    assert.equal(planPager(tty, { env: base, enabled: false }, user).argv, null);
  });
  it('$SYSTEMD_PAGER, else $PAGER; cat or empty turns it off', () => {
    assert.deepEqual(planPager(tty, { env: { ...base, PAGER: 'mypager -x' } }, user).argv, ['mypager', '-x']);
    assert.deepEqual(planPager(tty, { env: { ...base, PAGER: 'more', SYSTEMD_PAGER: 'mypager' } }, user).argv, ['mypager']);
    assert.equal(planPager(tty, { env: { ...base, SYSTEMD_PAGER: 'cat', PAGER: 'mypager' } }, user).argv, null);
    assert.equal(planPager(tty, { env: { ...base, SYSTEMD_PAGER: '' } }, user).argv, null);
    assert.equal(planPager(tty, { env: { ...base, PAGER: '  ' } }, user).argv, null);
    // a pager that is not there: the fallbacks (pager, less, more)
    assert.deepEqual(planPager(tty, { env: { ...base, PAGER: 'nosuchpager' } }, user).argv, ['less']);
  });
  it('sets LESS (or $SYSTEMD_LESS), LESSCHARSET in a UTF-8 locale, +G to jump to the end', () => {
    const p = planPager(tty, { env: base }, user);
    assert.equal(p.env.LESS, 'FRSXMK');
    assert.equal(p.env.LESSCHARSET, 'utf-8');
    assert.equal(p.env.LESSSECURE, undefined);
    assert.equal(planPager(tty, { env: { ...base, SYSTEMD_LESS: 'R' }, jumpToEnd: true }, user).env.LESS, 'R +G');
    assert.equal(planPager(tty, { env: { ...base, LANG: 'C' } }, user).env.LESSCHARSET, undefined);
  });
  it('secure mode under sudo or as root without a session: only less, LESSSECURE=1, $PAGER ignored', () => {
    for (const ids of [sudo, rootNoSession, { uid: 1000, euid: 0, owner: 1000 }]) {
      const p = planPager(tty, { env: { ...base, PAGER: 'mypager', SYSTEMD_PAGER: 'mypager' } }, ids);
      assert.deepEqual(p.argv, ['less']);
      assert.equal(p.env.LESSSECURE, '1');
    }
    // no less: more is not secure, so no pager at all
    const noLess = mkdtempSync(path.join(tmpdir(), 'pager-test-'));
    writeFileSync(path.join(noLess, 'more'), '#!/bin/sh\n');
    chmodSync(path.join(noLess, 'more'), 0o755);
    assert.equal(planPager(tty, { env: { ...base, PATH: noLess } }, sudo).argv, null);
  });
  it('SYSTEMD_PAGERSECURE set explicitly: the environment pager is trusted; a bad value means secure and untrusted', () => {
    const on = planPager(tty, { env: { ...base, PAGER: 'mypager', SYSTEMD_PAGERSECURE: '1' } }, rootNoSession);
    assert.deepEqual(on.argv, ['mypager']);
    assert.equal(on.env.LESSSECURE, '1');
    const off = planPager(tty, { env: { ...base, PAGER: 'mypager', SYSTEMD_PAGERSECURE: 'no', LESSSECURE: '1' } }, sudo);
    assert.deepEqual(off.argv, ['mypager']);
    assert.equal(off.env.LESSSECURE, undefined);
    const bad = planPager(tty, { env: { ...base, PAGER: 'mypager', SYSTEMD_PAGERSECURE: 'bogus' } }, user);
    assert.deepEqual(bad.argv, ['less']);
    assert.equal(bad.env.LESSSECURE, '1');
  });
});

describe('pager helpers', () => {
  it('splits $PAGER at whitespace only, as systemd 252', () => {
    assert.deepEqual(splitPagerCommand(`/tmp/rec.sh "x\\"y" z\\ w 'a b'`), ['/tmp/rec.sh', '"x\\"y"', 'z\\', 'w', "'a", "b'"]);
    assert.deepEqual(splitPagerCommand('  less   -R\t'), ['less', '-R']);
  });
  it('finds the session owner in the cgroup path', () => {
    const f = path.join(dir, 'cgroup');
    writeFileSync(f, '0::/user.slice/user-1000.slice/session-3.scope\n');
    assert.equal(sessionOwnerUid(f), 1000);
    writeFileSync(f, '0::/user.slice/user-1001.slice/user@1001.service/app.slice/x.service\n');
    assert.equal(sessionOwnerUid(f), 1001);
    writeFileSync(f, '0::/system.slice/ssh.service\n');
    assert.equal(sessionOwnerUid(f), null);
    assert.equal(sessionOwnerUid(path.join(dir, 'nonexistent')), null);
  });
  it('pagerSecurity', () => {
    assert.deepEqual(pagerSecurity({}, user), { secure: false, trustEnvPager: true });
    assert.deepEqual(pagerSecurity({}, sudo), { secure: true, trustEnvPager: false });
  });
  it('openPager without a terminal returns the same IO and runs nothing', async () => {
    const io = memoryIO();
    const p = openPager(io, { env: base });
    assert.equal(p.active, false);
    assert.equal(p.io, io);
    await p.close();
  });
  it('openPager feeds the pager and survives it quitting early', async () => {
    const out = path.join(dir, 'paged');
    writeFileSync(path.join(dir, 'mypager'), `#!/bin/sh\n/usr/bin/head -c 5 > '${out}'\n`);
    const io = memoryIO({ outIsTTY: true, errIsTTY: true });
    const p = openPager(io, { env: { ...base, PAGER: 'mypager', SYSTEMD_PAGERSECURE: '0' } });
    assert.equal(p.active, true);
    for (let i = 0; i < 2000; i++) p.io.out.write('hello world, this is a long line of output\n');
    p.io.exitCode = 3;
    assert.equal(io.exitCode, 3, 'the exit code reaches the IO the caller holds');
    await p.close();
    p.io.out.write('after close is dropped\n');
    await p.close();
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(out, 'utf8'), 'hello');
  });
});
