/**
 * The manual: every `*.md` file of src/build/docs/manual/ becomes one section of man/sysherd.1
 * (after OPTIONS and JSON OUTPUT, before EXIT STATUS), so one source serves `man sysherd` and the
 * web (the files read as they are on GitHub).
 *
 * One page, not a page per topic: `man sysherd` then holds everything (searchable with `/`, as
 * systemctl(1) does), and a topic added by anyone is installed with the package without touching
 * package.json's "man" list or the man test. Order: the known topics below first, in reading
 * order; any other file after them, alphabetically by name.
 *
 * A file's title (the section's name) is its one top heading when it has exactly one and starts
 * with it (`# Status` or `## Security`), else the known topic's title, else the file name. The
 * next heading level down becomes `.SS` subsections, deeper ones bold run-in headings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { toRoff } from './markdown.ts';
import { roff } from './roff.ts';

/** Known topics, in the order the page gives them, and their titles when the file has none. */
export const KNOWN_TOPICS: [name: string, title: string][] = [
  ['usage', 'Usage'],
  ['lifecycle', 'Lifecycle verbs'],
  ['unit-verbs', 'Unit verbs'],
  ['status', 'Status and the journal'],
  ['jobs', 'Jobs'],
  ['unit-files', 'Unit files and queries'],
  ['unit-file-verbs', 'Unit file verbs'],
  ['system-state', 'System state'],
  ['inspect', 'Inspecting units'],
  ['herd', 'herd'],
  ['remote', 'Remote hosts, fleets and watch'],
  ['sandbox', 'Sandbox'],
  ['library', 'As a library'],
  ['options', 'Options'],
  ['terminal', 'The terminal'],
  ['completion', 'Shell completion, the man page, the package'],
  ['performance', 'Performance'],
  ['security', 'Security'],
  ['development', 'Development'],
];

export interface Topic {
  /** The file name without `.md`. */
  name: string;
  markdown: string;
}

export const MANUAL_DIR = new URL('./manual/', import.meta.url);

/** The manual's files in the page's order: known topics first, then the others alphabetically. */
export function readManual(dir: URL = MANUAL_DIR): Topic[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.md'));
  } catch {
    return [];
  }
  const rank = (n: string): number => {
    const i = KNOWN_TOPICS.findIndex(([k]) => `${k}.md` === n);
    return i < 0 ? KNOWN_TOPICS.length : i;
  };
  return names
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((f) => ({ name: f.slice(0, -3), markdown: readFileSync(new URL(f, dir), 'utf8') }));
}

interface Heading {
  line: number;
  level: number;
  text: string;
}

/** The headings outside fenced code. */
function headings(lines: string[]): Heading[] {
  const out: Heading[] = [];
  let fence = false;
  lines.forEach((l, i) => {
    if (/^```/.test(l)) fence = !fence;
    const h = fence ? null : /^(#{1,6}) +(.*?)\s*#*\s*$/.exec(l);
    if (h) out.push({ line: i, level: h[1]!.length, text: h[2]! });
  });
  return out;
}

/** A heading's text for the page: markdown's inline marks dropped. */
function plain(text: string): string {
  return text.replace(/`/g, '').replace(/\*\*([^*]+)\*\*/g, '$1');
}

/** Quoted for a macro argument (`.SH "A B"`): roff text, double quotes as roff's `\(dq`. */
function macroArg(text: string): string {
  return `"${roff(text).replace(/"/g, '\\(dq')}"`;
}

/** A section's title: man's convention, upper case. */
function sectionTitle(text: string): string {
  return text.toUpperCase();
}

/** One topic as roff: its `.SH`, `.SS` subsections, bold run-in headings below those. */
export function topicToRoff(topic: Topic): { title: string; subsections: string[]; roff: string[] } {
  const lines = topic.markdown.replace(/\r\n/g, '\n').replace(/<!--[\s\S]*?-->/g, '').split('\n');
  const hs = headings(lines);
  const top = hs.length > 0 ? Math.min(...hs.map((h) => h.level)) : 1;
  const tops = hs.filter((h) => h.level === top);
  const first = hs[0];
  const ownTitle = tops.length === 1 && first !== undefined && first.level === top && lines.slice(0, first.line).every((l) => l.trim() === '');
  const known = KNOWN_TOPICS.find(([k]) => k === topic.name)?.[1];
  const title = ownTitle ? plain(first.text) : (known ?? topic.name.replace(/[-_]+/g, ' '));
  // the level that becomes .SS: below the title, or the top level when the file has no title
  const sub = ownTitle ? top + 1 : top;
  const out: string[] = [`.SH ${macroArg(sectionTitle(title))}`];
  const subsections: string[] = [];
  let block: string[] = [];
  let runIn = false;
  const flush = (): void => {
    const body = toRoff(block);
    if (body.length > 0) {
      // a body starts a paragraph of its own, except right under a bold run-in heading
      if (!runIn && !/^\.(PP|TP|IP|SS|SH)/.test(body[0]!)) out.push('.PP');
      out.push(...body);
    }
    block = [];
    runIn = false;
  };
  let next = 0;
  for (let i = 0; i < lines.length; i++) {
    const h = hs[next];
    if (h?.line !== i) {
      block.push(lines[i]!);
      continue;
    }
    next++;
    flush();
    if (ownTitle && i === first!.line) continue;
    const text = plain(h.text);
    if (h.level <= sub) {
      out.push(`.SS ${macroArg(text)}`);
      subsections.push(text);
    } else {
      out.push('.PP', `\\fB${roff(text)}\\fR`, '.br');
      runIn = true;
    }
  }
  flush();
  return { title, subsections, roff: out };
}

/** Every topic of the manual as roff sections, and the titles of its `--json` subsections. */
export function manualSections(topics: Topic[] = readManual()): { roff: string[]; json: { section: string; subsection: string }[] } {
  const out: string[] = [];
  const json: { section: string; subsection: string }[] = [];
  for (const t of topics) {
    const r = topicToRoff(t);
    out.push(...r.roff);
    for (const s of r.subsections) if (/json/i.test(s)) json.push({ section: sectionTitle(r.title), subsection: s });
  }
  return { roff: out, json };
}
