/**
 * Every state a unit can be in, for validating `--state` (systemd 252 and later; the union of
 * all unit types' sub-states). `systemctl --state=help` prints the same lists.
 */
export const LOAD_STATES = ['stub', 'loaded', 'not-found', 'bad-setting', 'error', 'merged', 'masked'] as const;

export const ACTIVE_STATES = ['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance'] as const;

/** Sub-states by unit type. */
export const SUB_STATES: Record<string, readonly string[]> = {
  automount: ['dead', 'waiting', 'running', 'failed'],
  device: ['dead', 'tentative', 'plugged'],
  mount: ['dead', 'mounting', 'mounting-done', 'mounted', 'remounting', 'unmounting', 'remounting-sigterm', 'remounting-sigkill', 'unmounting-sigterm', 'unmounting-sigkill', 'failed', 'cleaning'],
  path: ['dead', 'waiting', 'running', 'failed'],
  scope: ['dead', 'start-chown', 'running', 'abandoned', 'stop-sigterm', 'stop-sigkill', 'failed'],
  service: ['dead', 'condition', 'start-pre', 'start', 'start-post', 'running', 'exited', 'reload', 'reload-signal', 'reload-notify', 'stop', 'stop-watchdog', 'stop-sigterm', 'stop-sigkill', 'stop-post', 'final-watchdog', 'final-sigterm', 'final-sigkill', 'failed', 'dead-before-auto-restart', 'failed-before-auto-restart', 'dead-resources-pinned', 'auto-restart', 'auto-restart-queued', 'cleaning'],
  slice: ['dead', 'active'],
  socket: ['dead', 'start-pre', 'start-chown', 'start-post', 'listening', 'running', 'stop-pre', 'stop-pre-sigterm', 'stop-pre-sigkill', 'stop-post', 'final-sigterm', 'final-sigkill', 'failed', 'cleaning'],
  swap: ['dead', 'activating', 'activating-done', 'active', 'deactivating', 'deactivating-sigterm', 'deactivating-sigkill', 'failed', 'cleaning'],
  target: ['dead', 'active'],
  timer: ['dead', 'waiting', 'running', 'elapsed', 'failed'],
};

/** Every state `--state` accepts, without duplicates. */
export function allUnitStates(): string[] {
  const set = new Set<string>([...LOAD_STATES, ...ACTIVE_STATES]);
  for (const list of Object.values(SUB_STATES)) for (const s of list) set.add(s);
  return [...set];
}

/** The `--state=help` text, as systemctl prints it. */
export function statesHelp(): string {
  const lines = ['Available unit load states:', ...LOAD_STATES, '', 'Available unit active states:', ...ACTIVE_STATES];
  for (const [type, subs] of Object.entries(SUB_STATES)) lines.push('', `Available ${type} unit substates:`, ...subs);
  return `${lines.join('\n')}\n`;
}
