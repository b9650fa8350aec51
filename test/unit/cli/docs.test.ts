/**
 * The man page and the shell completions name every verb and every long option the program
 * defines, so they cannot drift from the CLI.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../../src/cli/main.ts';
import { memoryIO } from '../../../src/output/io.ts';

const root = new URL('../../../', import.meta.url);
const files = ['man/sysherd.1', 'completions/sysherd.bash', 'completions/_sysherd', 'completions/sysherd.fish'];

function walk(cmd: Command, out: { verbs: Set<string>; options: Set<string> }): void {
  for (const o of cmd.options) if (o.long && !o.hidden) out.options.add(o.long);
  for (const sub of cmd.commands) {
    out.verbs.add(sub.name());
    walk(sub, out);
  }
}

describe('man page and completions', () => {
  const found = { verbs: new Set<string>(), options: new Set<string>() };
  walk(buildProgram(memoryIO()), found);
  for (const file of files) {
    const text = readFileSync(new URL(file, root), 'utf8').replace(/\\-/g, '-');
    it(`${file} names every verb`, () => {
      for (const v of found.verbs) assert.ok(new RegExp(`\\b${v}\\b`).test(text), `${file} does not mention the verb ${v}`);
    });
    it(`${file} names every long option`, () => {
      for (const o of found.options) {
        const bare = o.replace(/^--/, '');
        // fish spells options as `-l name`
        assert.ok(text.includes(o) || (file.endsWith('.fish') && text.includes(`-l ${bare}`)), `${file} does not mention ${o}`);
      }
    });
  }
  it('found the verbs and options to check', () => {
    assert.ok(found.verbs.has('list-units') && found.verbs.has('sandbox') && found.verbs.has('exec'));
    assert.ok(found.options.has('--state') && found.options.has('--json') && found.options.has('--uid'));
  });
});
