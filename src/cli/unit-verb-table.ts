/**
 * The tables of the unit and manager verbs (one row per verb; cli/unit-verbs.ts registers them,
 * run/unit-verbs.ts and run/manager-verbs.ts do them). Kept apart so parsing loads no run code.
 */

/** systemctl's `verb_clean_or_freeze`: the Manager method of each verb. */
export const CLEAN_OR_FREEZE = [
  { verb: 'clean', method: 'CleanUnit', description: 'Remove the runtime, state, cache, logs or configuration directories of units (--what=; default cache,runtime)' },
  { verb: 'freeze', method: 'FreezeUnit', description: 'Freeze the processes of units (cgroup freezer)' },
  { verb: 'thaw', method: 'ThawUnit', description: 'Thaw frozen units' },
] as const;
export type CleanOrFreezeVerb = (typeof CLEAN_OR_FREEZE)[number]['verb'];

/**
 * The get/set verbs: without a value they print it, with one they set it. `service`: the first
 * argument is a service, whose BusName= answers org.freedesktop.LogControl1.
 */
export const SETTINGS = [
  { verb: 'log-level', service: false, usage: '[level]', description: "Get or set the manager's log level (emerg, alert, crit, err, warning, notice, info, debug)" },
  { verb: 'log-target', service: false, usage: '[target]', description: "Get or set the manager's log target (console, journal, kmsg, journal-or-kmsg, null, …)" },
  { verb: 'service-watchdogs', service: false, usage: '[bool]', description: 'Get or set whether service watchdogs (WatchdogSec=) are enforced' },
  { verb: 'service-log-level', service: true, usage: '<service> [level]', description: "Get or set a service's log level (org.freedesktop.LogControl1 on its BusName=)" },
  { verb: 'service-log-target', service: true, usage: '<service> [target]', description: "Get or set a service's log target (org.freedesktop.LogControl1 on its BusName=)" },
] as const;
export type SettingVerb = (typeof SETTINGS)[number]['verb'];

/** SetEnvironment/UnsetEnvironment verbs. */
export const ENVIRONMENT_VERBS = [
  { verb: 'set-environment', usage: 'NAME=VALUE…', description: "Set variables in the manager's environment (NAME=VALUE…)" },
  { verb: 'unset-environment', usage: 'NAME…', description: "Remove variables from the manager's environment (NAME or NAME=VALUE…)" },
  { verb: 'import-environment', usage: 'NAME…', description: "Copy variables of this environment into the manager's (NAME…; none: every one, deprecated)" },
] as const;
export type EnvironmentVerb = (typeof ENVIRONMENT_VERBS)[number]['verb'];

/** What `--what=help` lists (systemctl 252 lists these five; systemd also takes `all`). */
export const CLEAN_WHAT = ['runtime', 'state', 'cache', 'logs', 'configuration'];
