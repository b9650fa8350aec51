import type { JobResult } from './types.js';

/**
 * Every failure of the library is a `SystemdError`. One subclass per family of D-Bus error,
 * each carrying the exit code systemctl uses for it (see systemctl's
 * `translate_bus_error_to_exit_status`), so the CLI maps errors to exit codes in one place.
 */

/** Exit codes as systemctl uses them (LSB for the status verbs, sysexits-like for the rest). */
export const ExitCode = {
  /** Generic failure (also: a job that failed). */
  FAILURE: 1,
  /** Invalid or excess arguments (LSB `EXIT_INVALIDARGUMENT`). */
  INVALID_ARGUMENT: 2,
  /** Not implemented / job type not applicable (LSB `EXIT_NOTIMPLEMENTED`). */
  NOT_IMPLEMENTED: 3,
  /** Insufficient privilege (LSB `EXIT_NOPERMISSION`). */
  NO_PERMISSION: 4,
  /** Program is not installed: no such unit (LSB `EXIT_NOTINSTALLED`). */
  NOT_INSTALLED: 5,
  /** Program is not configured: the unit failed to load (LSB `EXIT_NOTCONFIGURED`). */
  NOT_CONFIGURED: 6,
  /** Ended by SIGINT while waiting (shell convention 128+2). */
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** D-Bus error names that mean "you may not do this" (polkit and bus policy). */
const PERMISSION_ERRORS = new Set([
  'org.freedesktop.DBus.Error.AccessDenied',
  'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired',
  'org.freedesktop.DBus.Error.AuthFailed',
  'org.freedesktop.PolicyKit1.Error.NotAuthorized',
  'org.freedesktop.PolicyKit1.Error.Failed',
  'org.freedesktop.systemd1.OnlyByDependency',
  'org.freedesktop.systemd1.NoIsolation',
  'org.freedesktop.systemd1.TransactionIsDestructive',
]);

const NO_SUCH_UNIT_ERRORS = new Set(['org.freedesktop.systemd1.NoSuchUnit']);

const NOT_APPLICABLE_ERRORS = new Set([
  'org.freedesktop.systemd1.JobTypeNotApplicable',
  'org.freedesktop.DBus.Error.NotSupported',
]);

export interface SystemdErrorOptions {
  /** The D-Bus error name, when the error came from the bus. */
  dbusName?: string | undefined;
  cause?: unknown;
  /** A hint the CLI prints after the message (what to do about it). */
  hint?: string | undefined;
  /**
   * The message is systemctl's own failure text, word for word (`Failed to enable unit: …`):
   * the CLI prints it as it is, without `sysherd: ` and without dropping its final period.
   */
  verbatim?: boolean | undefined;
}

/** Base class of every error the library throws. */
export class SystemdError extends Error {
  /** The D-Bus error name (`org.freedesktop.systemd1.NoSuchUnit`, …) or `undefined`. */
  readonly dbusName: string | undefined;
  /** What the user can do about it, if anything useful can be said. */
  readonly hint: string | undefined;
  /** Print the message as it is: systemctl's own text (see `SystemdErrorOptions.verbatim`). */
  readonly verbatim: boolean;
  override name = 'SystemdError';

  constructor(message: string, opts: SystemdErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.dbusName = opts.dbusName;
    this.hint = opts.hint;
    this.verbatim = opts.verbatim ?? false;
  }

  /** Polkit, AccessDenied, InteractiveAuthorizationRequired and their kin. */
  get isPermission(): boolean {
    return false;
  }

  /** The unit (or unit file) does not exist. */
  get isNoSuchUnit(): boolean {
    return false;
  }

  /** The exit code systemctl uses for this error. */
  get exitCode(): ExitCodeValue {
    return ExitCode.FAILURE;
  }
}

/**
 * D-Bus errors systemctl maps to exit 4 (`translate_bus_error_to_exit_status`). The other
 * permission errors (InteractiveAuthorizationRequired, polkit's own) are exit 1 there.
 */
const EXIT_NOPERMISSION_ERRORS = new Set([
  'org.freedesktop.DBus.Error.AccessDenied',
  'org.freedesktop.systemd1.OnlyByDependency',
  'org.freedesktop.systemd1.NoIsolation',
  'org.freedesktop.systemd1.TransactionIsDestructive',
]);

/**
 * The caller is not allowed to do this: exit 4 for AccessDenied & co (and for our own checks,
 * such as the sandbox needing root), exit 1 for InteractiveAuthorizationRequired and polkit's
 * errors, as systemctl. `isPermission` is `true` for all of them.
 */
export class PermissionError extends SystemdError {
  override name = 'PermissionError';
  override get isPermission(): boolean {
    return true;
  }
  override get exitCode(): ExitCodeValue {
    if (this.dbusName !== undefined && !EXIT_NOPERMISSION_ERRORS.has(this.dbusName)) return ExitCode.FAILURE;
    return ExitCode.NO_PERMISSION;
  }
}

/** No such unit (exit 5). A missing unit *file* (`FileNotFound`) is a `BusError`, exit 1, as in systemctl. */
export class NoSuchUnitError extends SystemdError {
  override name = 'NoSuchUnitError';
  override get isNoSuchUnit(): boolean {
    return true;
  }
  override get exitCode(): ExitCodeValue {
    return ExitCode.NOT_INSTALLED;
  }
}

/** The job type does not apply to the unit, or the operation is not supported (exit 3). */
export class NotApplicableError extends SystemdError {
  override name = 'NotApplicableError';
  override get exitCode(): ExitCodeValue {
    return ExitCode.NOT_IMPLEMENTED;
  }
}

/** The unit failed to load: a bad unit file (exit 6). A masked unit is a `BusError` (`UnitMasked`, exit 1), as in systemctl. */
export class LoadFailedError extends SystemdError {
  override name = 'LoadFailedError';
  override get exitCode(): ExitCodeValue {
    return ExitCode.NOT_CONFIGURED;
  }
}

/** Bad input from the caller (invalid unit name, unknown state…): nothing was sent (exit 1, as systemctl). */
export class InvalidArgumentError extends SystemdError {
  override name = 'InvalidArgumentError';
  override get exitCode(): ExitCodeValue {
    return ExitCode.FAILURE;
  }
}

/** The bus could not be reached, or it went away (exit 1). */
export class ConnectionError extends SystemdError {
  override name = 'ConnectionError';
  /** The address that was tried. */
  readonly address: string | undefined;
  constructor(message: string, opts: SystemdErrorOptions & { address?: string } = {}) {
    super(message, opts);
    this.address = opts.address;
  }
}

/** A call got no reply in time (exit 1). */
export class TimeoutError extends SystemdError {
  override name = 'TimeoutError';
}

/** Any other error the bus or systemd answered with (exit 1). */
export class BusError extends SystemdError {
  override name = 'BusError';
}

/** Problems with `sysherd sandbox` (not root, cgroup2 missing, systemd did not come up…). */
export class SandboxError extends SystemdError {
  override name = 'SandboxError';
}

/** The result of a job that did not end in `done` or `skipped`. */
export type FailedJobResult = Exclude<JobResult, 'done' | 'skipped'>;

/** A job ended with a result other than `done`/`skipped` (exit 1, as systemctl). */
export class JobError extends SystemdError {
  override name = 'JobError';
  readonly unit: string;
  readonly jobType: string;
  readonly result: FailedJobResult | string;
  readonly jobPath: string;
  constructor(
    message: string,
    info: { unit: string; jobType: string; result: string; jobPath: string },
    opts: SystemdErrorOptions = {},
  ) {
    super(message, opts);
    this.unit = info.unit;
    this.jobType = info.jobType;
    this.result = info.result;
    this.jobPath = info.jobPath;
  }
}

/** Waiting was interrupted (Ctrl-C); the job keeps running in systemd. */
export class InterruptedError extends SystemdError {
  override name = 'InterruptedError';
  override get exitCode(): ExitCodeValue {
    return ExitCode.INTERRUPTED;
  }
}

/** Turn a D-Bus error reply (name + text) into the matching `SystemdError` subclass. */
export function fromDBusError(name: string, text: string, cause?: unknown): SystemdError {
  const message = text || name;
  const opts = { dbusName: name, cause };
  if (PERMISSION_ERRORS.has(name)) {
    return new PermissionError(message, {
      ...opts,
      hint: 'run as root, or with a polkit rule that allows it',
    });
  }
  if (NO_SUCH_UNIT_ERRORS.has(name)) return new NoSuchUnitError(message, opts);
  if (NOT_APPLICABLE_ERRORS.has(name)) return new NotApplicableError(message, opts);
  if (name === 'org.freedesktop.systemd1.LoadFailed') return new LoadFailedError(message, opts);
  if (name === 'org.freedesktop.DBus.Error.NoReply' || name === 'org.freedesktop.DBus.Error.Timeout') {
    return new TimeoutError(message, opts);
  }
  if (name === 'org.freedesktop.DBus.Error.InvalidArgs') return new InvalidArgumentError(message, opts);
  return new BusError(message, opts);
}

/**
 * The text systemctl shows for an error (sd-bus's bus_error_message): the bus daemon's
 * AccessDenied text ("Rejected send message, 2 matched rules; …") is too verbose, so it is
 * "Access denied"; otherwise the error's own message.
 */
export function busErrorMessage(e: unknown): string {
  if (e instanceof SystemdError && e.dbusName === 'org.freedesktop.DBus.Error.AccessDenied') return 'Access denied';
  return e instanceof Error ? e.message : String(e);
}
