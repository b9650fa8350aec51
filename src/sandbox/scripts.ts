/**
 * The only shell programs the sandboxes run. They are constants: every piece of data (the
 * sandbox directory, the cgroup, the host paths to bind) reaches them as a positional
 * parameter, never by interpolation into the program text.
 *
 * They follow the tried scripts `user-mode.sh` and `system-mode.sh` step for step.
 */

/**
 * `sh -c ENTER_CGROUP sh CGROUP_DIR COMMAND ARGS…`: move this shell into the cgroup, then
 * exec the command in its place (same pid). The `&&` makes sure the command never runs if
 * the move failed: `unshare --cgroup` must only ever start inside the sandbox cgroup.
 */
export const ENTER_CGROUP = 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"';

/**
 * `bash -c USER_MODE bash DIR`, run by `unshare --mount --cgroup --propagation private` with
 * XDG_RUNTIME_DIR, XDG_CONFIG_HOME and DBUS_SESSION_BUS_ADDRESS in its environment.
 *
 * A private cgroup2 view rooted at our subtree (the cgroup namespace makes the new mount start
 * there); a private /run/systemd that holds `system/` so that sd_booted() is true; then
 * `systemd --user` in place of this shell (no pid namespace: it must not be PID 1).
 */
export const USER_MODE = `set -eu
D=$1
mount -t tmpfs tmpfs /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount --bind "$D/runsd" /run/systemd
exec /usr/lib/systemd/systemd --user
`;

/**
 * `bash -c SYSTEM_MODE bash DIR HOSTPATH…`, run as PID 1 of the namespaces of
 * `unshare --mount --cgroup --pid --fork --uts --ipc --net --propagation private`.
 *
 * A throwaway overlay of / (upper layer on a tmpfs), its own /proc, a private cgroup2 mount,
 * the host's /sys/firmware (EFI variables) and /sys/power sleep states hidden,
 * /run and /tmp fresh, DIR/run-dbus as /run/dbus (the system bus socket, reachable from the
 * host), DIR/units as /etc/systemd/system, each HOSTPATH bound read-only at the same path;
 * then systemd boots sandbox.target in a chroot of it.
 */
export const SYSTEM_MODE = `set -eu
D=$1; shift
mount -t tmpfs tmpfs "$D/ovl"
mkdir -p "$D/ovl/upper" "$D/ovl/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$D/ovl/upper,workdir=$D/ovl/work" "$D/merged"
mount -t proc proc "$D/merged/proc"
mount --rbind /sys "$D/merged/sys"
mount -t cgroup2 cgroup2 "$D/merged/sys/fs/cgroup"
# the host's firmware variables and sleep states are not the sandbox's: a suspend, or a reboot
# into the firmware setup or a boot loader entry, asked of the sandbox's logind, must not reach
# the host (logind then answers that the system cannot do it)
mount -t tmpfs -o ro,nosuid,nodev,noexec,mode=0555 tmpfs "$D/merged/sys/firmware"
for f in state disk mem_sleep; do
  if [ -e "$D/merged/sys/power/$f" ]; then mount --bind /dev/null "$D/merged/sys/power/$f"; fi
done
mount --rbind /dev "$D/merged/dev"
mount -t tmpfs tmpfs "$D/merged/run"
mkdir -p "$D/merged/run/dbus"
mount --bind "$D/run-dbus" "$D/merged/run/dbus"
mount --bind "$D/units" "$D/merged/etc/systemd/system"
mount -t tmpfs tmpfs "$D/merged/tmp"
for p in "$@"; do
  mkdir -p "$D/merged$p"
  mount --rbind "$p" "$D/merged$p"
  mount -o remount,bind,ro "$D/merged$p"
done
hostname sandbox
cd "$D/merged"
exec chroot . env container=sandbox /usr/lib/systemd/systemd --unit=sandbox.target
`;

/** The target the system-mode sandbox boots (DIR/units/sandbox.target). */
export const SANDBOX_TARGET = `[Unit]
Description=Sandbox
Wants=dbus.socket systemd-journald.socket systemd-journald.service
`;
