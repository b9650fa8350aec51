/**
 * Jobs: the object systemd queues for StartUnit & co. Waiting is signal-driven (JobRemoved via a
 * `ManagerSubscription` set up before the job was enqueued); polling (`await`) is there too, for
 * callers that cannot subscribe.
 */
import type { Bus } from './bus.js';
import { JobError, SystemdError, TimeoutError } from './errors.js';
import { unitObjectPath } from './names.js';
import { ManagerSubscription } from './signal.js';
import type { JobRemoved, JobState, JobType } from './types.js';

const JOB_IFACE = 'org.freedesktop.systemd1.Job';
const PROPS = 'org.freedesktop.DBus.Properties';
const GONE = new Set(['org.freedesktop.systemd1.NoSuchJob', 'org.freedesktop.DBus.Error.UnknownObject', 'org.freedesktop.DBus.Error.UnknownMethod']);

/** Job results that count as success. */
export function isJobSuccess(result: string): boolean {
  return result === 'done' || result === 'skipped';
}

/** A job queued in systemd. */
export class Job {
  readonly bus: Bus;
  /** The job's object path, `/org/freedesktop/systemd1/job/N`. */
  readonly path: string;
  /** The unit the job is for, when known. */
  readonly unit: string;
  /** What the job does (`start`, `stop`, `restart`, …), when known. */
  readonly jobType: JobType;
  /** The subscription that was listening when the job was enqueued (signal-driven waits use it). */
  readonly subscription: ManagerSubscription | undefined;

  constructor(bus: Bus, path: string, info: { unit?: string; jobType?: JobType; subscription?: ManagerSubscription } = {}) {
    this.bus = bus;
    this.path = path;
    this.unit = info.unit ?? '';
    this.jobType = info.jobType ?? '';
    this.subscription = info.subscription;
  }

  /** The job's numeric id (the last path element). */
  get id(): number {
    return Number(this.path.slice(this.path.lastIndexOf('/') + 1));
  }

  /** `waiting` or `running` while systemd has it; `gone` once it has finished. */
  async state(): Promise<JobState | 'gone'> {
    try {
      const [v] = await this.bus.call({ path: this.path, interface: PROPS, member: 'Get', signature: 'ss', body: [JOB_IFACE, 'State'] });
      return v as JobState;
    } catch (e) {
      if (e instanceof SystemdError && e.dbusName && GONE.has(e.dbusName)) return 'gone';
      throw e;
    }
  }

  /**
   * Wait by polling until the job is gone. Polling cannot see how the job ended; use
   * `awaitSignal` for the result.
   */
  async await(opts: { interval?: number; timeout?: number } = {}): Promise<void> {
    const interval = opts.interval ?? 100;
    const deadline = opts.timeout === undefined ? Infinity : Date.now() + opts.timeout;
    for (;;) {
      if ((await this.state()) === 'gone') return;
      if (Date.now() >= deadline) {
        throw new TimeoutError(`job ${this.id} (${this.jobType} ${this.unit}) did not finish within ${opts.timeout} ms`, {
          hint: 'the job is still queued in systemd',
        });
      }
      await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()))));
    }
  }

  /**
   * Wait for the job's JobRemoved signal and check its result: `done`/`skipped` resolve with the
   * signal, any other result rejects with a `JobError` explained the way systemctl explains it.
   * A job not enqueued through this library's Manager subscribes first and, if the job is already
   * gone by then, resolves with result `unknown`.
   */
  async awaitSignal(opts: { timeout?: number } = {}): Promise<JobRemoved> {
    // concurrent waits each get the signal (the subscription resolves every waiter of a path);
    // a later wait gets the one that already came
    const removed = this.removed ?? (await this.waitForRemoved(opts));
    this.removed = removed;
    if (!isJobSuccess(removed.result) && removed.result !== 'unknown') {
      throw await jobError(this.bus, removed, this.jobType);
    }
    return removed;
  }

  /** The JobRemoved of this job, once it came. */
  private removed: JobRemoved | undefined;

  private async waitForRemoved(opts: { timeout?: number }): Promise<JobRemoved> {
    let removed: JobRemoved;
    if (this.subscription) {
      removed = await this.subscription.awaitJobRemoved(this.path, opts);
    } else {
      const sub = await ManagerSubscription.subscribe(this.bus);
      try {
        const pending = sub.awaitJobRemoved(this.path, opts);
        if ((await this.state()) === 'gone') {
          const early = sub.takeJobRemoved(this.path);
          pending.catch(() => undefined);
          removed = early ?? { id: this.id, jobPath: this.path, unit: this.unit, result: 'unknown' };
        } else {
          removed = await pending;
        }
      } finally {
        await sub.unsubscribe().catch(() => undefined);
      }
    }
    return removed;
  }

  /** Cancel the job. `false` when systemd no longer has it (it finished or was cancelled). */
  async cancel(): Promise<boolean> {
    try {
      await this.bus.call({ path: this.path, interface: JOB_IFACE, member: 'Cancel', mutating: true });
      return true;
    } catch (e) {
      if (e instanceof SystemdError && e.dbusName && GONE.has(e.dbusName)) return false;
      throw e;
    }
  }
}

/** systemctl's explanations of a failed service's `Result` (bus-wait-for-jobs.c, systemd 252). */
const SYSTEMCTL_SERVICE_RESULTS: Record<string, string> = {
  resources: 'of unavailable resources or another system error',
  protocol: 'the service did not take the steps required by its unit configuration',
  timeout: 'a timeout was exceeded',
  'exit-code': 'the control process exited with error code',
  signal: 'a fatal signal was delivered to the control process',
  'core-dump': 'a fatal signal was delivered causing the control process to dump core',
  watchdog: 'the service failed to send watchdog ping',
  'start-limit-hit': 'start of the service was attempted too often',
  'oom-kill': 'of an out-of-memory (OOM) siutation', // sic, as systemd 252 prints it
};

/** The message systemctl prints for a job result (bus-wait-for-jobs.c), without the details line. */
export function explainJobResult(result: string, unit: string, jobType: string, serviceResult?: string): string {
  switch (result) {
    case 'canceled':
      return `Job for ${unit} canceled.`;
    case 'timeout':
      return `Job for ${unit} timed out.`;
    case 'dependency':
      return `A dependency job for ${unit} failed.`;
    case 'invalid':
      return jobType === 'reload' || jobType === 'try-reload' ? `${unit} is not active, cannot reload.` : `Job for ${unit} is invalid.`;
    case 'assert':
      return `Assertion failed on job for ${unit}.`;
    case 'unsupported':
      return `Operation on or unit type of ${unit} not supported on this system.`;
    case 'collected':
      return `Queued job for ${unit} was garbage collected.`;
    case 'once':
      return `Unit ${unit} was started already once and can't be started again.`;
    case 'failed': {
      const why = serviceResult ? SYSTEMCTL_SERVICE_RESULTS[serviceResult] : undefined;
      return why ? `Job for ${unit} failed because ${why}.` : `Job for ${unit} failed.`;
    }
    default:
      return `Job for ${unit} finished with result '${result}'.`;
  }
}

/** Build the JobError for a failed JobRemoved; reads `Service.Result` for a failed service. */
export async function jobError(bus: Bus, removed: JobRemoved, jobType: string): Promise<JobError> {
  let serviceResult: string | undefined;
  if (removed.result === 'failed' && removed.unit.endsWith('.service')) {
    try {
      const [v] = await bus.call({
        path: unitObjectPath(removed.unit),
        interface: PROPS,
        member: 'Get',
        signature: 'ss',
        body: ['org.freedesktop.systemd1.Service', 'Result'],
      });
      if (typeof v === 'string' && v !== 'success') serviceResult = v;
    } catch {
      /* the unit may be gone already: explain without it */
    }
  }
  const message = explainJobResult(removed.result, removed.unit, jobType, serviceResult);
  const user = bus.kind === 'user' ? ' --user' : '';
  const hint =
    removed.result === 'failed' || removed.result === 'dependency' || removed.result === 'timeout'
      ? `see "systemctl${user} status ${removed.unit}" and "journalctl${user} -xeu ${removed.unit}" for details`
      : undefined;
  return new JobError(message, { unit: removed.unit, jobType, result: removed.result, jobPath: removed.jobPath }, { hint });
}

const SHELL_NEED_QUOTES = '"\\`$*?[\'()<>|&;!';
const SHELL_NEED_ESCAPE = '"\\`$';

/** systemd's `shell_maybe_quote(s, 0)`: double quotes when needed, `"\`$` backslash-escaped. */
export function shellMaybeQuote(s: string): string {
  const i = [...s].findIndex((c) => c <= ' ' || c.charCodeAt(0) >= 127 || SHELL_NEED_QUOTES.includes(c));
  if (i < 0) return s;
  const chars = [...s];
  const head = chars.slice(0, i).join('');
  const tail = chars
    .slice(i)
    .map((c) => (SHELL_NEED_ESCAPE.includes(c) ? `\\${c}` : c))
    .join('');
  return `"${head}${tail}"`;
}

/**
 * The lines systemctl prints on stderr when a job it waited for did not succeed
 * (`check_wait_response` in bus-wait-for-jobs.c, systemd 252), word for word. `program` replaces
 * `systemctl` in the hint; `extraArgs` are systemctl's (`--user`, `-H host`), put after both
 * `program` and `journalctl`. `[]` for `done`/`skipped`.
 */
export function jobFailureLines(
  result: string,
  unit: string,
  serviceResult: string | null | undefined,
  opts: { program?: string; extraArgs?: string[] } = {},
): string[] {
  const extra = opts.extraArgs && opts.extraArgs.length > 0 ? ` ${opts.extraArgs.join(' ')}` : '';
  const systemctl = `${opts.program ?? 'systemctl'}${extra}`;
  const journalctl = `journalctl${extra}`;
  switch (result) {
    case 'done':
    case 'skipped':
      return [];
    case 'canceled':
      return [`Job for ${unit} canceled.`];
    case 'timeout':
      return [`Job for ${unit} timed out.`];
    case 'dependency':
      return [`A dependency job for ${unit} failed. See 'journalctl -xe' for details.`];
    case 'invalid':
      return [`${unit} is not active, cannot reload.`];
    case 'assert':
      return [`Assertion failed on job for ${unit}.`];
    case 'unsupported':
      return [`Operation on or unit type of ${unit} not supported on this system.`];
    case 'collected':
      return [`Queued job for ${unit} was garbage collected.`];
    case 'once':
      return [`Unit ${unit} was started already once and can't be started again.`];
    default: {
      if (!unit.endsWith('.service')) return ['Job failed. See "journalctl -xe" for details.'];
      const q = shellMaybeQuote(unit);
      const why = serviceResult ? SYSTEMCTL_SERVICE_RESULTS[serviceResult] : undefined;
      const lines = [
        why ? `Job for ${unit} failed because ${why}.` : `Job for ${unit} failed.`,
        `See "${systemctl} status ${q}" and "${journalctl} -xeu ${q}" for details.`,
      ];
      if (serviceResult === 'start-limit-hit') {
        lines.push(`To force a start use "${systemctl} reset-failed ${q}"`, `followed by "${systemctl} start ${q}" again.`);
      }
      return lines;
    }
  }
}
