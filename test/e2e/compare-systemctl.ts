/**
 * sysherd against systemctl 252 inside one booted system sandbox: run both (in the sandbox's
 * namespaces, piped, in a UTF-8 locale, optionally as another uid) and check stdout byte for
 * byte, stderr line by line (ours says `sysherd: ` first and drops the final period) and the
 * exit code.
 *
 *     const { systemctl, sysherd, same } = sandboxCompare(() => sb.dir);
 *     await same(['list-jobs'], { code: 0 });
 */
import assert from 'node:assert/strict';

import { execInSandbox } from '../../src/sandbox/sandbox.js';
import { BIN } from './helpers.js';

export type Run = { code: number | null; stdout: string; stderr: string };

const ENV = ['env', 'LANG=C.UTF-8'];

/** stderr lines without the program prefix and the final period, the program named `systemctl` in them. */
export function errLines(s: string): string[] {
  return s
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^(sysherd|systemctl): /, '').replace(/\.$/, '').replace(/\bsysherd\b/g, 'systemctl'));
}

export function describeRuns(args: string[], ours: Run, theirs: Run): string {
  return `${args.join(' ')}\n--- sysherd (exit ${ours.code})\n${ours.stdout}${ours.stderr}--- systemctl (exit ${theirs.code})\n${theirs.stdout}${theirs.stderr}`;
}

export function sandboxCompare(dir: () => string) {
  const opts = (uid?: number) => (uid === undefined ? {} : { uid });
  const systemctl = (args: string[], uid?: number): Promise<Run> => execInSandbox(dir(), [...ENV, 'systemctl', ...args], opts(uid));
  const sysherd = (args: string[], uid?: number): Promise<Run> => execInSandbox(dir(), [...ENV, process.execPath, BIN, ...args], opts(uid));
  /** Run both (systemctl first) and check stdout, stderr and exit code are the same. */
  const same = async (args: string[], o: { uid?: number; code?: number } = {}): Promise<{ ours: Run; theirs: Run }> => {
    const theirs = await systemctl(args, o.uid);
    const ours = await sysherd(args, o.uid);
    const msg = describeRuns(args, ours, theirs);
    assert.equal(ours.stdout, theirs.stdout, `stdout\n${msg}`);
    assert.deepEqual(errLines(ours.stderr), errLines(theirs.stderr), `stderr\n${msg}`);
    assert.equal(ours.code, theirs.code, `exit code\n${msg}`);
    if (o.code !== undefined) assert.equal(ours.code, o.code, msg);
    return { ours, theirs };
  };
  return { systemctl, sysherd, same };
}
