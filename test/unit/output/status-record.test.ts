import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { buildRecord, exitText, timestamp } from '../../../src/output/status-record.ts';
import { gathered } from '../../helpers/gathered.ts';

describe('status records', () => {
  it("a killed process's signal as systemd 252's signal_to_string names it: without SIG, real-time ones as RTMIN+n", () => {
    assert.equal(exitText(2, 15), 'code=killed, signal=TERM');
    assert.equal(exitText(2, 6), 'code=killed, signal=ABRT');
    assert.equal(exitText(2, 36), 'code=killed, signal=RTMIN+2');
    assert.equal(exitText(2, 34), 'code=killed, signal=RTMIN+0');
    assert.equal(exitText(2, 64), 'code=killed, signal=RTMIN+30');
  });

  it('timestamps as ISO and µs, null when never', () => {
    assert.deepEqual(timestamp(1795319312021077), { iso: '2026-11-22T03:48:32.021Z', usec: 1795319312021077 });
    assert.equal(timestamp(0), null);
    assert.equal(timestamp(null), null);
  });

  it('exit texts as systemctl: exit status names, signals by name', () => {
    assert.equal(exitText(1, 203), 'code=exited, status=203/EXEC');
    assert.equal(exitText(1, 7), 'code=exited, status=7');
    assert.equal(exitText(2, 15), 'code=killed, signal=TERM');
  });

  it('a record from raw properties: the main process, its exit, the exec list', () => {
    const rec = buildRecord(
      gathered(
        { Id: 'a.service', Description: 'A', LoadState: 'loaded', ActiveState: 'failed', SubState: 'failed', InactiveEnterTimestamp: 1795319312021077 },
        { Result: 'exit-code', ExecMainPID: 42, MainPID: 0, ExecMainCode: 1, ExecMainStatus: 3, ExecStart: [['/bin/false', ['/bin/false'], false, 1, 0, 2, 0, 42, 1, 3]] },
      ),
      { showAll: false },
    );
    assert.equal(rec.unit, 'a.service');
    assert.equal(rec.result, 'exit-code');
    assert.deepEqual(rec.mainExit, { code: 'exited', status: 3 });
    assert.equal(rec.mainRunning, false);
    assert.equal(rec.since?.usec, 1795319312021077);
    assert.deepEqual(
      rec.exec.map((e) => [e.property, e.pid, e.code, e.status]),
      [['ExecStart', 42, 'exited', 3]],
    );
    assert.equal(rec.journal, null);
  });
});
