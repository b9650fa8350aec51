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
});
