/** systemd's parse_boolean (src/core/values.ts); 64-bit markers as null are decode.test.ts's (plain bodies). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBoolean } from '../../../src/core/values.ts';

describe('parseBoolean', () => {
  it("takes systemd's words, any case; anything else is undefined", () => {
    for (const w of ['1', 'yes', 'Y', 'true', 't', 'ON']) assert.equal(parseBoolean(w), true, w);
    for (const w of ['0', 'No', 'n', 'FALSE', 'f', 'off']) assert.equal(parseBoolean(w), false, w);
    for (const w of ['', '2', 'yess', 'enable']) assert.equal(parseBoolean(w), undefined, w);
  });
});
