import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';

import { writeDrained } from '../../../src/output/io.ts';
import { JsonArrayWriter, objectAround, renderJson } from '../../../src/output/json.ts';

const ROWS = [{ a: 1, b: { c: [1, 2], d: 'x\ny' } }, { a: 2, b: { c: [], d: '' } }, null, [{ e: {} }]];

async function streamed(rows: unknown[], pretty: boolean, around?: Record<string, unknown>): Promise<string> {
  let text = '';
  const write = (s: string): void => {
    text += s;
  };
  const a = around ? objectAround(around, 'units', pretty) : { head: '', tail: '', depth: 0 };
  const w = new JsonArrayWriter(write, pretty, a.head, a.tail, a.depth);
  for (const r of rows) await w.push(r);
  await w.end();
  return text;
}

describe('JSON streamed one record at a time', () => {
  it('the same bytes as the whole value at once: arrays, empty arrays, pretty and short', async () => {
    for (const pretty of [true, false]) {
      for (const rows of [ROWS, [], [1]]) {
        assert.equal(await streamed(rows, pretty), renderJson(rows, pretty));
        const system = { host: 'h', nested: { x: [1, { y: 2 }] } };
        assert.equal(await streamed(rows, pretty, { system }), renderJson({ system, units: rows }, pretty));
        assert.equal(await streamed(rows, pretty, { system: null }), renderJson({ system: null, units: rows }, pretty));
      }
    }
  });

  it('nothing is written before the first record or the end', () => {
    let text = '';
    const w = new JsonArrayWriter((s) => void (text += s), true);
    assert.equal(text, '');
    assert.equal(w.started, false);
    void w.push(1);
    assert.equal(w.started, true);
  });

  it('writeDrained waits while a stream is full, and not for ever when it closes', async () => {
    const s = new PassThrough({ highWaterMark: 4 });
    const listeners = (): number => s.listenerCount('close') + s.listenerCount('error') + s.listenerCount('drain');
    const before = listeners();
    const waiting = writeDrained(s, 'more than four bytes');
    assert.ok(waiting instanceof Promise, 'a full stream makes the writer wait');
    let done = false;
    void waiting.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    s.resume();
    await waiting;
    assert.equal(listeners(), before, 'no listener left behind');
    const closed = new PassThrough({ highWaterMark: 1 });
    const w2 = writeDrained(closed, 'xx');
    closed.destroy();
    await w2;
  });
});
