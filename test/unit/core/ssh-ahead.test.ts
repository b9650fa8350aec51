/**
 * The handover of a child spawned ahead (the shim's ssh) to the transport's stream, with real
 * child processes (sh, cat) standing in for ssh.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';

import { ConnectionError } from '../../../src/core/errors.ts';
import { endSpawnedAhead, spawnAhead, takeSpawnedAhead } from '../../../src/core/ssh-ahead.ts';
import { ChildStream, type ChildStreamFailure } from '../../../src/core/transport.ts';

const failure: ChildStreamFailure = {
  spawnError: (e) => new ConnectionError(`not started: ${e.code}`),
  ended: (code, _signal, stderr, answered) => new ConnectionError(`ended ${code} answered=${answered}: ${stderr.trim()}`),
};

/** Wait until `check` holds (events of the child arrive on the loop). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), 'timed out');
}

describe('a child spawned ahead', () => {
  it('is taken only for exactly its argv, once; the stream speaks over it with its stderr so far', async () => {
    spawnAhead('sh', ['-c', 'echo first words >&2; exec cat']);
    assert.equal(takeSpawnedAhead(['-c', 'something else']), undefined);
    assert.equal(takeSpawnedAhead(['-c']), undefined);
    // it is watched meanwhile: spawn and stderr recorded, nothing lost
    const peek = (process as unknown as Record<symbol, { spawned: boolean; stderr: string }>)[Symbol.for('sysherd.ssh-ahead')]!;
    await until(() => peek.spawned && peek.stderr.includes('first words'));
    const ahead = takeSpawnedAhead(['-c', 'echo first words >&2; exec cat']);
    assert.ok(ahead !== undefined);
    assert.equal(takeSpawnedAhead(['-c', 'echo first words >&2; exec cat']), undefined, 'taken once');
    const s = new ChildStream('unused', [], process.env, failure, ahead);
    assert.equal(s.child, ahead.child);
    assert.equal(s.started, true);
    s.write('ping\n');
    const [chunk] = (await once(s, 'data')) as [Buffer];
    assert.equal(chunk.toString(), 'ping\n');
    // it ends as any stream's child: its reason carries the stderr read before the handover
    const failed = once(s, 'error');
    ahead.child.kill('SIGKILL');
    const [err] = (await failed) as [Error];
    assert.match(err.message, /^ended null answered=true: first words$/);
  });
  it('that could not be started fails the stream that takes it with its spawn error', async () => {
    spawnAhead('/nonexistent/ssh', ['h']);
    const peek = (process as unknown as Record<symbol, { error?: Error }>)[Symbol.for('sysherd.ssh-ahead')]!;
    await until(() => peek.error !== undefined);
    const s = new ChildStream('unused', [], process.env, failure, takeSpawnedAhead(['h']));
    const [err] = (await once(s, 'error')) as [Error];
    assert.equal(err.message, 'not started: ENOENT');
  });
  it('that ended before it was taken fails the stream with its exit and stderr', async () => {
    spawnAhead('sh', ['-c', 'echo Permission denied >&2; exit 255']);
    const peek = (process as unknown as Record<symbol, { closed?: unknown }>)[Symbol.for('sysherd.ssh-ahead')]!;
    await until(() => peek.closed !== undefined);
    const s = new ChildStream('unused', [], process.env, failure, takeSpawnedAhead(['-c', 'echo Permission denied >&2; exit 255']));
    assert.ok(s.destroyed);
    const [err] = (await once(s, 'error')) as [Error];
    assert.equal(err.message, 'ended 255 answered=false: Permission denied');
  });
  it('that nobody takes is ended', async () => {
    spawnAhead('sleep', ['60']);
    const peek = (process as unknown as Record<symbol, { child: import('node:child_process').ChildProcess }>)[Symbol.for('sysherd.ssh-ahead')]!;
    const exited = once(peek.child, 'exit');
    endSpawnedAhead();
    const [code, signal] = await exited;
    assert.deepEqual([code, signal], [null, 'SIGTERM']);
    assert.equal(takeSpawnedAhead(['60']), undefined);
    endSpawnedAhead(); // nothing there: nothing happens
  });
});
