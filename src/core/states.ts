/**
 * Every state a unit or unit file can be in, for validating `--state`: systemd 252's lists, the
 * union of all unit types' sub-states. `systemctl --state=help` (252) prints the same lists.
 */
export const LOAD_STATES = ['stub', 'loaded', 'not-found', 'bad-setting', 'error', 'merged', 'masked'] as const;

export const ACTIVE_STATES = ['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance'] as const;

/** Unit file states (`list-unit-files --state=`). */
export const UNIT_FILE_STATES = ['enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'alias', 'masked', 'masked-runtime', 'static', 'disabled', 'indirect', 'generated', 'transient', 'bad'] as const;

/** Sub-states by unit type. */
export const SUB_STATES: Record<string, readonly string[]> = {
  automount: ['dead', 'waiting', 'running', 'failed'],
  device: ['dead', 'tentative', 'plugged'],
  mount: ['dead', 'mounting', 'mounting-done', 'mounted', 'remounting', 'unmounting', 'remounting-sigterm', 'remounting-sigkill', 'unmounting-sigterm', 'unmounting-sigkill', 'failed', 'cleaning'],
  path: ['dead', 'waiting', 'running', 'failed'],
  scope: ['dead', 'start-chown', 'running', 'abandoned', 'stop-sigterm', 'stop-sigkill', 'failed'],
  service: ['dead', 'condition', 'start-pre', 'start', 'start-post', 'running', 'exited', 'reload', 'stop', 'stop-watchdog', 'stop-sigterm', 'stop-sigkill', 'stop-post', 'final-watchdog', 'final-sigterm', 'final-sigkill', 'failed', 'auto-restart', 'cleaning'],
  slice: ['dead', 'active'],
  socket: ['dead', 'start-pre', 'start-chown', 'start-post', 'listening', 'running', 'stop-pre', 'stop-pre-sigterm', 'stop-pre-sigkill', 'stop-post', 'final-sigterm', 'final-sigkill', 'failed', 'cleaning'],
  swap: ['dead', 'activating', 'activating-done', 'active', 'deactivating', 'deactivating-sigterm', 'deactivating-sigkill', 'failed', 'cleaning'],
  target: ['dead', 'active'],
  timer: ['dead', 'waiting', 'running', 'elapsed', 'failed'],
};

/** Every state `--state` accepts, without duplicates. */
export function allUnitStates(): string[] {
  const set = new Set<string>([...LOAD_STATES, ...ACTIVE_STATES, ...UNIT_FILE_STATES]);
  for (const list of Object.values(SUB_STATES)) for (const s of list) set.add(s);
  return [...set];
}

/** The `--state=help` text, as systemctl prints it. */
export function statesHelp(): string {
  const lines = ['Available unit load states:', ...LOAD_STATES, '', 'Available unit active states:', ...ACTIVE_STATES, '', 'Available unit file states:', ...UNIT_FILE_STATES];
  for (const [type, subs] of Object.entries(SUB_STATES)) lines.push('', `Available ${type} unit substates:`, ...subs);
  return `${lines.join('\n')}\n`;
}
