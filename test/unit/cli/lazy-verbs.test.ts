/**
 * Start-up builds only the verb on the line (src/cli/main.ts REGISTRAR_VERBS): the table must say
 * exactly which verbs each registrar adds, and a program built for one verb must have that verb,
 * built as in the whole program.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';

import { buildProgram, REGISTRAR_VERBS } from '../../../src/cli/main.ts';
import { memoryIO } from '../../../src/output/io.ts';

const names = (p: Command): string[] => p.commands.flatMap((c) => [c.name(), ...c.aliases()]);

test('each registrar adds exactly the verbs the table lists (add a new verb to REGISTRAR_VERBS in main.ts)', () => {
  for (const [register, verbs] of REGISTRAR_VERBS) {
    const p = new Command('x');
    register(p, memoryIO());
    assert.deepEqual(names(p), [...verbs], `${register.name}`);
  }
});

test('a program built for one verb has it, as the whole program has it, and no verb of another listed family', () => {
  const whole = buildProgram(memoryIO());
  const listed = new Set([...REGISTRAR_VERBS.values()].flat());
  for (const verbs of REGISTRAR_VERBS.values()) {
    for (const verb of verbs) {
      const p = buildProgram(memoryIO(), verb);
      const got = names(p);
      assert.ok(got.includes(verb), `${verb} is built`);
      const mine = p.commands.find((c) => c.name() === verb || c.aliases().includes(verb))!;
      const theirs = whole.commands.find((c) => c.name() === verb || c.aliases().includes(verb))!;
      assert.equal(mine.helpInformation(), theirs.helpInformation(), `${verb}'s options and help`);
      for (const other of got) if (listed.has(other)) assert.ok(verbs.includes(other), `${other} built for ${verb}`);
    }
  }
});

test('no verb, or a word that is not a listed verb: every verb (help and suggestions see them all)', () => {
  const all = names(buildProgram(memoryIO()));
  assert.deepEqual(names(buildProgram(memoryIO(), undefined)), all);
  assert.deepEqual(names(buildProgram(memoryIO(), 'stauts')), all);
  for (const v of REGISTRAR_VERBS.values()) for (const verb of v) assert.ok(all.includes(verb));
});

test('every verb of the program is in the table (a registrar left out is built for every line: slower start-up)', () => {
  const listed = new Set([...REGISTRAR_VERBS.values()].flat());
  const missing = names(buildProgram(memoryIO())).filter((v) => !listed.has(v) && !v.startsWith('__') && v !== 'complete' && v !== 'completion');
  assert.deepEqual(missing, []);
});
