/**
 * The lifecycle verbs, one implementation (systemctl's `start_unit`): expand the arguments,
 * queue one EnqueueUnitJob per unit on one connection, await every job together, say what
 * systemctl says on stderr (word for word, `sysherd` for `systemctl`), exit as systemctl exits.
 * What systemctl never had: `--json` (one document: the requested jobs and every auxiliary job
 * with its result) and, on a terminal, a spinner driven by JobRemoved.
 */
import { outcomeText, settledOutcome, wentDown, type UnitOutcome } from '../../core/outcome.js';
import type { ConnectOptions } from '../../core/bus.js';
import { busErrorMessage, InvalidArgumentError, SystemdError } from '../../core/errors.js';
import { expandUnitNames, startGlobWarning } from '../../core/expand.js';
import { jobFailureLines } from '../../core/job.js';
import { Manager } from '../../core/manager.js';
import { openPolkitAgentMaybe, type PolkitAgent } from '../../core/polkit-agent.js';
import {
  activeTriggeringUnits,
  isFailedResult,
  runTransaction,
  type RequestedJob,
  type TransactionHooks,
  type TransactionReport,
} from '../../core/transaction.js';
import type { JobMode, JobType } from '../../core/types.js';
import type { UnitType } from '../../core/names.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';
import { startJobProgress, type JobProgress } from '../../output/job-progress.js';
import { writeJson } from '../../output/json.js';
import { onInterrupt } from '../interrupt.js';
import { runMarkedJobs } from '../../core/marked.js';
import { watchUntilInactive, type UnitEnded } from '../../core/wait-units.js';

export interface LifecycleOptions {
  /** The verb as typed (`restart`, `condrestart`, …). */
  verb: string;
  /** The EnqueueUnitJob type of the verb (`UNIT_ACTIONS`). */
  jobType: JobType;
  /** A stop verb: warn about units that can still activate the stopped ones. */
  stop: boolean;
  /** The unit arguments as typed. */
  args: string[];
  /** The type a bare name gets (default `service`; isolate: `target`). */
  suffix?: UnitType;
  mode: JobMode;
  /** `false` with `--no-block`. */
  block: boolean;
  /** `-T`. */
  showTransaction: boolean;
  quiet: boolean;
  /** `--all`, `--state`, `--type`: how globs expand. */
  all: boolean;
  states: string[];
  types: string[];
  json: 'pretty' | 'short' | null;
  connect: ConnectOptions;
  /** `false` with `--no-ask-password`. */
  askPassword: boolean;
  /** `--user` (messages name `sysherd --user`). */
  user: boolean;
  /** `--address`/`-H`: not the local manager (no polkit agent). */
  remote: boolean;
  /** `--wait` (start/restart): after the jobs, wait until every unit is inactive or failed again. */
  wait?: boolean;
  /** `--marked` (reload-or-restart, no units): the jobs of `EnqueueMarkedJobs`. */
  marked?: boolean;
}

const PROGRAM = 'sysherd';
const QUIET_ENQUEUE_ERRORS = new Set([
  'org.freedesktop.systemd1.NoSuchUnit',
  'org.freedesktop.systemd1.UnitMasked',
  'org.freedesktop.systemd1.JobTypeNotApplicable',
]);

/** The `--json` document (schema in src/build/docs/manual/lifecycle.md). */
export interface LifecycleJson {
  verb: string;
  jobType: string;
  jobMode: string;
  /** `false` with `--no-block`: results are `null`, the jobs are queued. */
  waited: boolean;
  units: {
    unit: string;
    job: number | null;
    type: string | null;
    result: string | null;
    serviceResult: string | null;
    ms: number | null;
    error: { name: string; message: string } | null;
  }[];
  auxiliary: { unit: string; job: number; type: string; anchor: string; result: string | null }[];
  exitCode: number;
}

export function lifecycleJson(verb: string, report: TransactionReport): LifecycleJson {
  return {
    verb,
    jobType: report.jobType,
    jobMode: report.mode,
    waited: report.waited,
    units: report.units.map((u) => ({
      unit: u.unit,
      job: u.jobId,
      type: u.jobType,
      result: u.result,
      serviceResult: u.serviceResult,
      ms: u.ms,
      error: u.error && !u.ignored ? { name: u.error.dbusName ?? u.error.name, message: u.error.message } : null,
    })),
    auxiliary: report.auxiliary.map((a) => ({ unit: a.unit, job: a.jobId, type: a.jobType, anchor: a.anchor, result: a.result })),
    exitCode: report.exitCode,
  };
}

/** systemctl's lines for a unit whose job could not be queued (`start_unit_one`'s `fail:`). */
export function enqueueFailureLines(jobType: string, unit: string, error: SystemdError, user: boolean): string[] {
  const text = busErrorMessage(error);
  const lines = [`Failed to ${jobType} ${unit}: ${text}`];
  if (!error.dbusName || !QUIET_ENQUEUE_ERRORS.has(error.dbusName)) {
    lines.push(`See ${user ? 'user' : 'system'} logs and '${PROGRAM}${user ? ' --user' : ''} status${unit.startsWith('-') ? ' --' : ''} ${unit}' for details.`);
  }
  return lines;
}

function seconds(ms: number | null): string {
  if (ms === null) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The spinner's final line of one unit. `after`: the unit's state once its start job ended
 * `done` — a service that exited at once is not a success to a person (`✖ broken.service start
 * done in 5 ms, but it failed (exit-code): code=exited, status=3`); the exit code stays
 * systemctl's (0: the job itself succeeded).
 */
export function finalLine(u: RequestedJob, after: UnitOutcome | null = null): { ok: boolean; text: string } {
  const name = escapeTerminal(u.unit);
  if (u.error) return { ok: u.ignored, text: `${name} ${u.ignored ? 'masked, skipped' : 'not queued'}` };
  const down = u.result === 'done' && wentDown(after);
  const ok = !isFailedResult(u.result) && !down;
  const why = u.serviceResult && u.serviceResult !== 'success' ? ` (${u.serviceResult})` : '';
  const then = down ? `, but ${escapeTerminal(outcomeText(after!))}` : '';
  return { ok, text: `${name} ${u.jobType ?? ''} ${u.result ?? 'pending'}${why} in ${seconds(u.ms)}${then}` };
}

/** Job types after which a unit should be up: their `done` is checked against the unit's state. */
const UP_JOBS = new Set(['start', 'restart']);

/** Run the verb; resolves with the transaction's report (`null` when nothing was queued: bad names). */
export async function runLifecycle(o: LifecycleOptions, io: IO): Promise<TransactionReport | null> {
  if (o.args.length === 0 && !o.marked) {
    io.err.write('Too few arguments.\n');
    io.exitCode = 1;
    return null;
  }
  const manager = await Manager.connect(o.connect);
  let agent: PolkitAgent | null = null;
  let progress = null as JobProgress | null; // set from hooks
  let interrupted = false;
  // stderr lines: above the spinner when there is one
  const say = (lines: string[]): void => {
    if (lines.length === 0) return;
    const safe = lines.map((l) => escapeTerminal(l));
    if (progress) progress.log(safe);
    else io.err.write(`${safe.join('\n')}\n`);
  };
  const offInterrupt = onInterrupt(
    () => {
      interrupted = true;
      progress?.stop();
      void agent?.close();
    },
    `the queued jobs go on in systemd; follow them with '${PROGRAM}${o.user ? ' --user' : ''} list-jobs' or '${PROGRAM}${o.user ? ' --user' : ''} status UNIT'`,
  );
  try {
    agent = await openPolkitAgentMaybe({ localSystem: !o.user && !o.remote, askPassword: o.askPassword }, (l) => io.err.write(l));

    // --marked: no names, the manager picks the units (EnqueueMarkedJobs)
    let names: string[] = [];
    try {
      const r = o.marked ? null : await expandUnitNames(manager, o.args, { warn: !o.quiet, all: o.all, states: o.states, types: o.types, ...(o.suffix ? { suffix: o.suffix } : {}) });
      if (r) {
        say(r.warnings);
        names = r.names;
        if (!o.all && r.expanded && o.jobType === 'start' && !o.quiet) say(startGlobWarning(PROGRAM));
      }
    } catch (e) {
      if (!(e instanceof InvalidArgumentError) || !e.message.startsWith('Failed to mangle name')) throw e;
      say([e.message, 'Failed to expand names: Invalid argument']);
      io.exitCode = 1;
      return null;
    }

    // the spinner starts once every job is queued: polkit may ask for a password while queuing
    const spinner = o.block && !o.quiet && !o.json && !o.marked;
    let progressStarting: Promise<void> | undefined;
    let ended = 0;
    // units whose job ended or was never queued: the rest are named as pending by the spinner
    const over = new Set<string>();
    const stillPending = (): string[] => names.filter((n) => !over.has(n));

    const extraArgs = o.user ? ['--user'] : [];
    const hooks: TransactionHooks = {
      onEnqueueFailed: (job) => {
        over.add(job.unit);
        if (!job.ignored && job.error) say(enqueueFailureLines(o.jobType, job.unit, job.error, o.user));
      },
      onEnqueued: (job, enqueued) => {
        if (o.showTransaction) {
          say([
            `Enqueued anchor job ${enqueued.id} ${enqueued.unit}/${enqueued.jobType}.`,
            ...enqueued.affected.map((a) => `Enqueued auxiliary job ${a.id} ${a.unit}/${a.jobType}.`),
          ]);
        }
        if (job.needDaemonReload) {
          say([
            `Warning: The unit file, source configuration file or drop-ins of ${job.unit} changed on disk. Run '${PROGRAM}${o.user ? ' --user' : ''} daemon-reload' to reload units.`,
          ]);
        }
      },
      onWaiting: (pending, total) => {
        if (!spinner || pending === 0) return;
        progressStarting = startJobProgress(io, o.verb, names).then((p) => {
          if (interrupted) return p?.stop();
          progress = p;
          p?.jobEnded(ended, total, stillPending());
        });
      },
      onJobRemoved: (job, done, total) => {
        ended = done;
        over.add(job.unit);
        progress?.jobEnded(done, total, stillPending());
        if (!o.quiet && isFailedResult(job.result)) say(jobFailureLines(job.result!, job.unitId ?? job.unit, job.serviceResult, { program: PROGRAM, extraArgs }));
      },
    };
    let report: TransactionReport;
    if (o.marked) {
      try {
        report = await runMarkedJobs(manager, { wait: o.block, hooks });
      } catch (e) {
        if (!(e instanceof SystemdError) || e.isPermission || !e.message.startsWith('Failed to start jobs')) throw e;
        say([e.message]);
        io.exitCode = 1;
        return null;
      }
    } else {
      report = await runTransaction(manager, names, o.jobType, {
        mode: o.mode,
        wait: o.block,
        // -T needs EnqueueUnitJob's reply, as systemctl's -T (refused by the bus policy unless root)
        method: o.showTransaction ? 'EnqueueUnitJob' : 'auto',
        // the auxiliary jobs' results are shown only in --json: without it, no Subscribe() (as
        // systemctl: systemd then does not send every unit's PropertiesChanged meanwhile)
        auxiliaryResults: o.json !== null,
        hooks,
      });
    }

    await progressStarting;
    if (progress) {
      // read what the started units did (only for the spinner's lines: one GetAll each, together)
      const after = await Promise.all(report.units.map((u) => (u.result === 'done' && UP_JOBS.has(u.jobType ?? '') ? settledOutcome(manager, u.unitId ?? u.unit) : null)));
      progress.finish(report.units.map((u, i) => finalLine(u, after[i])));
    }
    progress = null;

    if (o.block && o.stop && !o.quiet) {
      for (const u of report.units) {
        if (u.jobId === null) continue;
        const triggers = await activeTriggeringUnits(manager, u.unit);
        if (triggers.length > 0) say([`Warning: Stopping ${u.unit}, but it can still be activated by:`, ...triggers.map((t) => `  ${t}`)]);
      }
    }

    // --wait: as systemctl, silently until every queued unit is inactive or failed (failed: exit 1)
    let stopped: UnitEnded[] | null = null;
    if (o.wait) {
      const watch = await watchUntilInactive(
        manager.bus,
        report.units.filter((u) => u.jobId !== null).map((u) => u.unit),
      );
      try {
        stopped = await watch.done;
      } finally {
        await watch.close();
      }
      if (report.exitCode === 0 && stopped.some((u) => u.activeState !== 'inactive')) report.exitCode = 1;
    }

    if (o.json) writeJson(io, { ...lifecycleJson(o.verb, report), ...(stopped ? { stopped } : {}) }, o.json);
    if (report.exitCode !== 0) io.exitCode = report.exitCode;
    return report;
  } finally {
    offInterrupt();
    progress?.stop();
    await agent?.close();
    if (agent && process.env.SYSHERD_DEBUG) io.err.write('sysherd: polkit agent pkttyagent ended\n');
    manager.close();
  }
}
