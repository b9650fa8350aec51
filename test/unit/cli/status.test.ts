import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidArgumentError } from '../../../src/core/errors.ts';
import { parseLines, parseOutputMode, unitNameFromPath } from '../../../src/cli/run/status.ts';

describe('status helpers', () => {
  it('unit names from object paths', () => {
    assert.equal(unitNameFromPath('/org/freedesktop/systemd1/unit/tpl_40one_2eservice'), 'tpl@one.service');
    assert.equal(unitNameFromPath('/org/freedesktop/systemd1/unit/_2d_2eslice'), '-.slice');
  });

  it('-n and -o are checked as systemctl checks them', () => {
    assert.equal(parseLines(undefined), 10);
    assert.equal(parseLines('0'), 0);
    assert.throws(() => parseLines('x'), InvalidArgumentError);
    assert.equal(parseOutputMode(undefined), 'short');
    assert.equal(parseOutputMode('short-iso'), 'short-iso');
    assert.throws(() => parseOutputMode('nope'), InvalidArgumentError);
  });
});
