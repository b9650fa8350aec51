/**
 * The man page and the shell completions are generated from the program (src/build/gen-docs.ts,
 * run by `npm run build`): each names every verb, sub-verb and long option the program defines,
 * and the built files on disk are what the current program generates.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../../src/cli/main.ts';
import { memoryIO } from '../../../src/output/io.ts';
import { GENERATED, generateAll } from '../../../src/build/docs/generate.ts';
import { allCommands, programModel } from '../../../src/build/docs/model.ts';

const root = new URL('../../../', import.meta.url);

/** Straight from commander, not from the generator's model: what the program accepts. */
function walk(cmd: Command, out: { verbs: Set<string>; options: Set<string>; hidden: Set<string> }): void {
  const help = cmd.createHelp();
  for (const o of help.visibleOptions(cmd)) if (o.long) out.options.add(o.long);
  for (const sub of cmd.commands) {
    if (!help.visibleCommands(cmd).includes(sub)) {
      out.hidden.add(sub.name());
      continue;
    }
    out.verbs.add(sub.name());
    walk(sub, out);
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('man page and completions', () => {
  const found = { verbs: new Set<string>(), options: new Set<string>(), hidden: new Set<string>() };
  walk(buildProgram(memoryIO()), found);
  const generated = generateAll();

  for (const file of GENERATED) {
    const text = generated[file].replace(/\\-/g, '-').replace(/\\f[BIRP]/g, '');
    it(`${file} names every verb`, () => {
      for (const v of found.verbs) {
        assert.ok(new RegExp(`(^|[^\\w-])${escape(v)}($|[^\\w-])`, 'm').test(text), `${file} does not mention the verb ${v}`);
      }
    });
    it(`${file} names every long option`, () => {
      for (const o of found.options) {
        const bare = o.replace(/^--/, '');
        // fish spells options as `-l name`
        assert.ok(text.includes(o) || (file.endsWith('.fish') && text.includes(`-l ${bare}`)), `${file} does not mention ${o}`);
      }
    });
    // (the man page may name a hidden verb's word in prose: only the completions must not offer it)
    if (file.startsWith('completions/')) it(`${file} does not offer hidden verbs`, () => {
      // the completions call `sysherd __complete -- …`; they must not offer it
      for (const h of found.hidden) assert.ok(!new RegExp(`['" ]${escape(h)}(?! --)['" \\n]`).test(text), `${file} offers the hidden ${h}`);
    });
  }

  it('the built files are what the current program generates (npm run build)', (t) => {
    const missing = GENERATED.filter((f) => !existsSync(new URL(f, root)));
    if (missing.length === GENERATED.length) {
      t.diagnostic('not built yet: checked in memory only');
      return;
    }
    // the man page's date is the build's
    const norm = (s: string): string => s.replace(/^\.TH .*$/m, '.TH');
    for (const f of GENERATED) {
      assert.ok(existsSync(new URL(f, root)), `${f} is missing: run npm run build`);
      assert.equal(norm(readFileSync(new URL(f, root), 'utf8')), norm(generated[f]), `${f} is stale: run npm run build`);
    }
  });

  it('every verb\'s --help has one-line examples (its own, or examples.ts\'s)', () => {
    const m = programModel();
    const missing = allCommands(m)
      .filter((c) => c.name !== 'help' && c.examples.length === 0)
      .map((c) => c.path.join(' '));
    assert.deepEqual(missing, [], 'these verbs have no "Examples:" in their --help');
    for (const c of allCommands(m)) for (const e of c.examples) assert.match(e, /^sysherd /, `${c.path.join(' ')}: an example that is not a sysherd command line: ${e}`);
  });

  it('a verb with examples of its own shows only those', () => {
    const io = memoryIO();
    const program = buildProgram(io);
    const cmd = program.commands.find((c) => c.name() === 'list-units')!;
    cmd.outputHelp();
    assert.equal(io.stdout().match(/Examples:/g)?.length, 1, io.stdout());
  });

  it('found the verbs and options to check', () => {
    assert.ok(found.verbs.has('list-units') && found.verbs.has('sandbox') && found.verbs.has('exec'));
    assert.ok(found.options.has('--state') && found.options.has('--json') && found.options.has('--uid'));
  });

  it('the model sees the values the completions offer', () => {
    const m = programModel();
    const words = (long: string): string[] => {
      const v = m.options.find((o) => o.long === long)!.value;
      return v.kind === 'words' ? v.words : [];
    };
    assert.ok(words('--job-mode').includes('replace'));
    assert.ok(words('--kill-whom').includes('main'));
    assert.ok(words('--output').includes('json-pretty'));
    assert.ok(words('--state').includes('failed'));
    assert.ok(words('--type').includes('service'));
    assert.ok(words('--json').includes('pretty'));
    assert.equal(m.options.find((o) => o.long === '--property')!.value.kind, 'live');
  });
});
