/**
 * The built man page (npm run build:docs): renders clean with `groff -man -ww -z` (any warning
 * fails), has the sections a man page needs, and names every verb and option of the program.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { manPage } from '../../src/build/docs/man.ts';
import { KNOWN_TOPICS, readManual, topicToRoff } from '../../src/build/docs/manual.ts';
import { programModel } from '../../src/build/docs/model.ts';
import { memoryIO } from '../../src/output/io.ts';
import { projectRoot } from './helpers.ts';

const PAGE = path.join(projectRoot, 'man', 'sysherd.1');

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 60_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

describe('man page', () => {
  let rendered = '';
  before(async () => {
    if (!fs.existsSync(PAGE)) execFileSync('npm', ['run', 'build:docs'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    const r = await run('man', ['-l', PAGE], { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '200', LANG: 'C.UTF-8' });
    assert.equal(r.code, 0, r.stderr);
    rendered = r.stdout.replace(/.\x08/g, '');
  });

  test('groff -man -ww -z: no warnings', async () => {
    const r = await run('groff', ['-man', '-ww', '-z', PAGE]);
    assert.deepEqual([r.code, r.stderr], [0, '']);
    const utf8 = await run('groff', ['-man', '-ww', '-z', '-Tutf8', PAGE]);
    assert.deepEqual([utf8.code, utf8.stderr], [0, '']);
  });

  test('has the sections', () => {
    const sections = rendered.split('\n').filter((l) => /^[A-Z][A-Z ]+$/.test(l));
    for (const s of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'JSON OUTPUT', 'EXIT STATUS', 'ENVIRONMENT', 'EXAMPLES', 'SEE ALSO']) {
      assert.ok(sections.includes(s), `no ${s} section (has: ${sections.join(', ')})`);
    }
    for (const v of ['DBUS_SYSTEM_BUS_ADDRESS', 'DBUS_SESSION_BUS_ADDRESS', 'NO_COLOR', 'SYSTEMD_COLORS', 'SYSTEMD_PAGER', 'PAGER', 'SYSTEMD_LESS', 'SYSTEMD_PAGERSECURE']) {
      assert.match(rendered, new RegExp(`^\\s+${v}\\b`, 'm'), `ENVIRONMENT does not describe ${v}`);
    }
    assert.match(rendered, /\| jq /, 'EXAMPLES has no jq pipeline');
  });

  test("says what the program does (issue 14): legends on stdout, no promise that help VERB shows a verb's help", () => {
    const flat = rendered.replace(/\s+/g, ' ');
    assert.match(flat, /headers and legends of tables, as systemctl's/);
    assert.doesNotMatch(flat, /legends? (go|goes|are written) to (standard error|stderr)/i);
    assert.doesNotMatch(flat, /sysherd help COMMAND/);
    assert.match(flat, /sysherd help UNIT is systemctl's: it shows the units' man pages/);
  });

  test('names every verb and option of the program, with its examples', () => {
    const walk = (cmd: Command): void => {
      const help = cmd.createHelp();
      for (const o of help.visibleOptions(cmd)) if (o.long) assert.ok(rendered.includes(o.long), `the man page does not mention ${o.long}`);
      for (const sub of help.visibleCommands(cmd)) {
        const words = [];
        for (let c: Command | null = sub; c && c.parent; c = c.parent) words.unshift(c.name());
        assert.match(rendered, new RegExp(`^\\s+${words.join(' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'm'), `the man page has no entry for ${words.join(' ')}`);
        walk(sub);
      }
    };
    walk(buildProgram(memoryIO()));
  });

  test('every file of src/build/docs/manual/ is a section, known topics first in their order, the others after', () => {
    const topics = readManual();
    assert.ok(topics.length >= 8, `only ${topics.length} manual files`);
    const heads = rendered.split('\n').filter((l) => /^[A-Z][^a-z]*$/.test(l) && !l.startsWith('SYSHERD('));
    const titles = topics.map((t) => topicToRoff(t).title.toUpperCase());
    let at = -1;
    for (const title of titles) {
      const i = heads.indexOf(title.replace(/\s+/g, ' '));
      assert.ok(i > at, `section ${title} missing or out of order (sections: ${heads.join(' | ')})`);
      at = i;
    }
    const known = KNOWN_TOPICS.map(([k]) => k);
    const order = topics.map((t) => t.name);
    const firstUnknown = order.findIndex((n) => !known.includes(n));
    if (firstUnknown >= 0) {
      const rest = order.slice(firstUnknown);
      assert.ok(rest.every((n) => !known.includes(n)), `a known topic after an unknown one: ${order.join(', ')}`);
      assert.deepEqual(rest, [...rest].sort(), 'unknown topics alphabetically');
    }
  });

  test('topics of any shape render without a warning: a `##`-titled file, a file with no heading, every construct', async () => {
    const odd = [
      { name: 'security', markdown: '## Security\n\n### The cache: what it trusts\n\n- `O_NOFOLLOW` on **every** open;\n  a second line\n- 1. numbered\n\n| case | ms | verdict |\n|---|---|---|\n| `a\\|b` | 1.5 | ✔ |\n' },
      { name: 'zz-no-heading', markdown: 'Only text, a [link](https://example.org) and *emphasis*.\n\n```\n.starts with a dot\n\'quote\n back\\slash — … → ≤\n```\n\n    indented code\n\n#### Deep heading\n\n> quoted\n' },
    ];
    const page = manPage(programModel(), { version: '0', date: '2026-01-01', manual: [...readManual(), ...odd] });
    const dir = fs.mkdtempSync(path.join(projectRoot, 'dist', '.man-'));
    try {
      const file = path.join(dir, 'odd.1');
      fs.writeFileSync(file, page);
      for (const args of [['-man', '-ww', '-z', file], ['-man', '-ww', '-z', '-Tutf8', file]]) {
        const r = await run('groff', args);
        assert.deepEqual([r.code, r.stderr], [0, ''], args.join(' '));
      }
      const text = await run('man', ['-l', file], { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '120', LANG: 'C.UTF-8' });
      const out = text.stdout.replace(/.\x08/g, '');
      assert.match(out, /^SECURITY$/m);
      assert.match(out, /^ {3}The cache: what it trusts$/m, 'a ### under a ## title is a subsection');
      assert.match(out, /^ZZ NO HEADING$/m, 'a file without a heading is named after the file');
      assert.match(out, /^ {9}\.starts with a dot$/m, 'code kept verbatim, a leading dot included');
      assert.match(out, /ms: 1\.5; verdict: \+/, 'table cells labelled by their column');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
