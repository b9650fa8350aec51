/**
 * cgroup2 helpers for the sandboxes: find the cgroup2 hierarchy, name and create a sandbox's
 * subtree, kill everything in it and remove it.
 *
 * Every function that kills or removes checks first that the path it was given is a sandbox
 * cgroup (`<root>/sandbox-user-…` or `<root>/sandbox-system-…`): a corrupt state file must never
 * make us kill the machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { SandboxError } from '../core/errors.js';

/** Where a cgroup2 hierarchy is mounted: the unified one of a hybrid machine first. */
export const CGROUP2_CANDIDATES = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'] as const;

/** `statfs(2)` f_type of a cgroup2 filesystem. */
const CGROUP2_SUPER_MAGIC = 0x63677270;

/** A sandbox cgroup: a direct child of a cgroup2 root, named `sandbox-<mode>-<id>`. */
const SANDBOX_CGROUP_RE = /^\/sys\/fs\/cgroup(?:\/unified)?\/sandbox-(?:user|system)-[0-9A-Za-z_-]+$/;

/** The cgroup2 hierarchy to create sandboxes under, or `null` when the machine has none. */
export function findCgroup2Root(): string | null {
  for (const root of CGROUP2_CANDIDATES) {
    try {
      if (!fs.existsSync(path.join(root, 'cgroup.procs'))) continue;
      if (fs.statfsSync(root).type === CGROUP2_SUPER_MAGIC) return root;
    } catch {
      // not there, or not readable: try the next one
    }
  }
  return null;
}

/** Whether `p` is a path this module may kill and remove. */
export function isSandboxCgroupPath(p: string): boolean {
  return SANDBOX_CGROUP_RE.test(p);
}

function assertSandboxCgroup(p: string, source: string): void {
  if (!isSandboxCgroupPath(p)) {
    throw new SandboxError(
      `refusing to stop cgroup "${p}" named in ${source}: it is not a sandbox cgroup (<cgroup2 root>/sandbox-user-… or sandbox-system-…)`,
      { hint: `remove ${source} if it is stale` },
    );
  }
}

let counter = 0;

/**
 * Create a fresh, empty sandbox cgroup `<root>/sandbox-<mode>-<our pid>-<n>-<tag>` and return its
 * path. `n` counts up past names left over by an earlier process with the same pid; `tag` is the
 * identity of the sandbox directory (`d<dev>i<ino>`), checked before the cgroup is stopped.
 */
export function createSandboxCgroup(root: string, mode: 'user' | 'system', tag: string): string {
  if (!/^[0-9A-Za-z_]+$/.test(tag)) throw new SandboxError(`invalid sandbox cgroup tag ${JSON.stringify(tag)}`);
  for (let tries = 0; tries < 1000; tries++) {
    const cg = path.join(root, `sandbox-${mode}-${process.pid}-${counter++}-${tag}`);
    try {
      fs.mkdirSync(cg);
      return cg;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new SandboxError(`cannot create cgroup ${cg}: ${(err as Error).message}`, {
        cause: err,
        hint: 'sysherd sandbox needs root and a writable cgroup2 hierarchy',
      });
    }
  }
  throw new SandboxError(`cannot create a cgroup under ${root}: every name is taken`, {
    hint: `remove stale ${root}/sandbox-* cgroups (rmdir)`,
  });
}

/** Whether any process is left in the subtree (`populated` of `cgroup.events`); false if gone. */
export function isPopulated(cg: string): boolean {
  let events: string;
  try {
    events = fs.readFileSync(path.join(cg, 'cgroup.events'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  return /^populated 1$/m.test(events);
}

/** All directories of the subtree, deepest first (the order `rmdir` needs). */
function subtreeDepthFirst(cg: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
    out.push(dir);
  };
  walk(cg);
  return out;
}

/** SIGKILL every process of the subtree: `cgroup.kill` (Linux ≥ 5.14), else one by one. */
function killSubtree(cg: string): void {
  try {
    fs.writeFileSync(path.join(cg, 'cgroup.kill'), '1');
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !fs.existsSync(cg)) return;
    if (code !== 'ENOENT') throw err;
  }
  // no cgroup.kill (old kernel): kill what is there now; the caller repeats until unpopulated
  for (const dir of subtreeDepthFirst(cg)) {
    let procs = '';
    try {
      procs = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8');
    } catch {
      continue;
    }
    for (const line of procs.split('\n')) {
      const pid = Number(line);
      if (!Number.isInteger(pid) || pid <= 1) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Remove the subtree; returns the directories that could not be removed yet (EBUSY). */
function removeSubtree(cg: string): string[] {
  const busy: string[] = [];
  for (const dir of subtreeDepthFirst(cg)) {
    try {
      fs.rmdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') busy.push(dir);
    }
  }
  return busy;
}

/**
 * The steps of killing and removing a sandbox cgroup. Yields how many milliseconds to wait
 * before it goes on, so that one implementation serves both the async and the sync stop.
 * `source` names where the path came from, for error messages.
 */
export function* killAndRemoveSteps(cg: string, source: string): Generator<number, void, void> {
  assertSandboxCgroup(cg, source);
  if (!fs.existsSync(cg)) return;

  // Kill until the subtree is empty, then remove it. A process that was on its way in (a launcher
  // moving itself into the cgroup just now) shows up as populated again: kill again.
  const deadline = Date.now() + 5000;
  let lastKill = 0;
  let busy: string[] = [];
  for (;;) {
    const now = Date.now();
    if (isPopulated(cg)) {
      if (now >= deadline) {
        throw new SandboxError(`processes of sandbox cgroup ${cg} did not die within 5 s of cgroup.kill`, {
          hint: `see ${path.join(cg, 'cgroup.procs')}; try again, then kill them by hand`,
        });
      }
      if (now - lastKill >= 250) {
        killSubtree(cg);
        lastKill = now;
      }
    } else {
      busy = removeSubtree(cg);
      if (busy.length === 0) return;
      // rmdir answers EBUSY for a moment while exited tasks are being released
      if (now >= deadline) {
        throw new SandboxError(`cannot remove sandbox cgroup ${busy[0]}: its processes died but it stayed busy for 5 s`, {
          hint: `remove it later with: find ${cg} -depth -type d -exec rmdir {} \\;`,
        });
      }
    }
    yield 20;
  }
}
