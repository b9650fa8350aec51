import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

import { KNOWN_TOPICS, manualSections, readManual, topicToRoff } from '../../../../src/build/docs/manual.ts';
import { tableToRoff, toRoff } from '../../../../src/build/docs/markdown.ts';

/** A manual folder with these files, for the time of `fn`. */
function withManual<T>(files: Record<string, string>, fn: (dir: URL) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'sysherd-manual-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return fn(pathToFileURL(`${dir}/`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the manual → man page sections', () => {
  it('known topics first in their fixed order, then any other file alphabetically; not .md files ignored', () => {
    const names = withManual({ 'zeta.md': '# Z\n', 'herd.md': '# herd\n', 'alpha.md': '# A\n', 'status.md': '# S\n', 'lifecycle.md': '# L\n', 'notes.txt': 'x' }, (dir) =>
      readManual(dir).map((t) => t.name),
    );
    assert.deepEqual(names, ['lifecycle', 'status', 'herd', 'alpha', 'zeta']);
    assert.deepEqual(withManual({}, (dir) => readManual(dir)), []);
    const known = KNOWN_TOPICS.map(([k]) => k);
    assert.equal(new Set(known).size, known.length, 'no topic twice');
  });

  it('a file whose one top heading is `#`: that is the section, `##` subsections, `###` bold run-in headings', () => {
    const r = topicToRoff({ name: 'status', markdown: '# `status` and the journal\n\nIntro **bold**.\n\n## `status --json`\n\nKeys.\n\n### Deeper\n\nText.\n' });
    assert.equal(r.title, 'status and the journal');
    assert.deepEqual(r.subsections, ['status --json']);
    assert.deepEqual(r.roff, ['.SH "STATUS AND THE JOURNAL"', '.PP', 'Intro \\fBbold\\fR\\&.', '.SS "status \\-\\-json"', '.PP', 'Keys.', '.PP', '\\fBDeeper\\fR', '.br', 'Text.']);
  });

  it('a file that starts with its one `##` heading (as other topics are written): `###` become subsections', () => {
    const r = topicToRoff({ name: 'security', markdown: '## Security\n\nWhy.\n\n### The code cache\n\nWhat it trusts.\n\n### Start-up\n\nNumbers.\n' });
    assert.equal(r.title, 'Security');
    assert.deepEqual(r.subsections, ['The code cache', 'Start-up']);
    assert.equal(r.roff[0], '.SH "SECURITY"');
  });

  it('no title of its own: the known title, else the file name; several top headings are subsections', () => {
    assert.equal(topicToRoff({ name: 'remote', markdown: 'Just text.\n' }).roff[0], '.SH "REMOTE HOSTS, FLEETS AND WATCH"');
    const r = topicToRoff({ name: 'new-topic', markdown: '## One\n\na\n\n## Two\n\nb\n' });
    assert.equal(r.roff[0], '.SH "NEW TOPIC"');
    assert.deepEqual(r.subsections, ['One', 'Two']);
  });

  it('headings inside fenced code stay code', () => {
    const r = topicToRoff({ name: 'x', markdown: '# X\n\n```sh\n# a comment\nsysherd status\n```\n' });
    assert.deepEqual(r.subsections, []);
    assert.ok(r.roff.includes('# a comment'), r.roff.join('\n'));
  });

  it('--json subsections are listed for the JSON OUTPUT section', () => {
    const m = manualSections([
      { name: 'status', markdown: '# Status\n\n## `status --json`\n\nk\n\n## Differences\n\nd\n' },
      { name: 'herd', markdown: "# herd\n\n## herd's `--json`\n\nk\n" },
    ]);
    assert.deepEqual(m.json, [
      { section: 'STATUS', subsection: 'status --json' },
      { section: 'HERD', subsection: "herd's --json" },
    ]);
  });

  it('paragraphs, bullets, fenced code, inline code and bold, escaped for roff', () => {
    assert.deepEqual(toRoff(['A `x-y` and **b**', 'more.', '', '- one', '  two', '- three', '', '```', '.dot first', 'a\\b', '```']), [
      'A \\fBx\\-y\\fR and \\fBb\\fR more.',
      '.PP',
      '.IP \\(bu 2',
      'one two',
      '.IP \\(bu 2',
      'three',
      '.PP',
      '.RS 2',
      '.nf',
      '\\&.dot first',
      'a\\eb',
      '.fi',
      '.RE',
    ]);
  });

  it('tables as tagged paragraphs: two columns plain, more labelled by their headers', () => {
    assert.deepEqual(tableToRoff([['code', 'when'], ['---', '---'], ['0', 'success']]), ['.TP', '0', 'success']);
    assert.deepEqual(tableToRoff([['key', 'type', ''], ['---', '---', '---'], ['`unit`', 'string', 'the Id'], ['`x`', '', '']]), [
      '.TP',
      '\\fBunit\\fR',
      'type: string; the Id',
      '.TP',
      '\\fBx\\fR',
      '\\(em',
    ]);
  });
});
