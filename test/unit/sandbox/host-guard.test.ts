import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SYSTEM_MODE } from '../../../src/sandbox/scripts.ts';

describe('system-mode sandbox: the host is out of reach of its logind', () => {
  it('hides /sys/firmware (EFI variables) behind a read-only tmpfs', () => {
    assert.match(SYSTEM_MODE, /mount -t tmpfs -o ro[^\n]* tmpfs "\$D\/merged\/sys\/firmware"/);
  });
  it('hides the sleep states (/sys/power/state, disk, mem_sleep) behind /dev/null', () => {
    assert.match(SYSTEM_MODE, /for f in state disk mem_sleep; do/);
    assert.match(SYSTEM_MODE, /mount --bind \/dev\/null "\$D\/merged\/sys\/power\/\$f"/);
  });
  it('does so after /sys is bound and before systemd starts', () => {
    const sys = SYSTEM_MODE.indexOf('mount --rbind /sys');
    const fw = SYSTEM_MODE.indexOf('/sys/firmware"');
    const boot = SYSTEM_MODE.indexOf('exec chroot');
    assert.ok(sys >= 0 && sys < fw && fw < boot);
  });
});
