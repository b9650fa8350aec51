/**
 * VALUE_OPTIONS (src/cli/early-ssh.ts) is the hand-kept list of options that take a value: the
 * argv scans before commander runs (the default verb, the verb of a line, the host flags, the
 * shim's early ssh) step over an option's value with it. A value option missing there makes its
 * value look like the verb (`sysherd --state failed` would be the unknown verb "failed").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';

import { buildProgram } from '../../../src/cli/main.ts';
import { VALUE_OPTIONS } from '../../../src/cli/early-ssh.ts';
import { memoryIO } from '../../../src/output/io.ts';

/** Every option of the program and of its verbs (and theirs), with the command it belongs to. */
function allOptions(c: Command, path = c.name()): { where: string; flags: string[]; required: boolean }[] {
  const own = c.options.map((o) => ({ where: path, flags: [o.long, o.short].filter((f): f is string => f !== undefined), required: o.required }));
  return [...own, ...c.commands.flatMap((sub) => allOptions(sub, `${path} ${sub.name()}`))];
}

test('every option that takes a required value is in VALUE_OPTIONS, and nothing else is', () => {
  const options = allOptions(buildProgram(memoryIO()));
  const valued = new Set(options.filter((o) => o.required).flatMap((o) => o.flags));
  for (const o of options.filter((x) => x.required)) {
    for (const f of o.flags) assert.ok(VALUE_OPTIONS.has(f), `${f} (${o.where}) takes a value: add it to VALUE_OPTIONS`);
  }
  // the rest of the list: spellings the argv rewriting (normalizeArgv) turns into those options
  const rewritten = new Set(['--kill-who']);
  for (const f of VALUE_OPTIONS) assert.ok(valued.has(f) || rewritten.has(f), `${f} is in VALUE_OPTIONS but no option takes it with a value`);
});
