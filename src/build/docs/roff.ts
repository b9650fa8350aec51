/** Plain text for a man(7) page. */

/** Characters with a groff name, and ASCII stand-ins for those groff's default device lacks. */
const SPECIAL: Record<string, string> = {
  '●': '\\(bu',
  '•': '\\(bu',
  '…': '.\\|.\\|.',
  '→': '\\(->',
  '←': '\\(<-',
  '—': '\\(em',
  '–': '\\(en',
  '×': '\\(mu',
  '≤': '\\(<=',
  '≥': '\\(>=',
  '─': '\\-',
  '└': '\\(ga\\-',
  '├': '|\\-',
  '│': '|',
  '✖': 'x',
  '✔': '+',
  '○': 'o',
  '⇥': '\\(->|',
  '↻': '(again)',
};

/** Code points groff's default (ps) device has glyphs for: Latin-1, quotes and dashes, arrows, math. */
const SAFE = /[\u00a0-\u00ff\u2010-\u2027\u2190-\u2193\u2212\u2264\u2265]/u;

/** Text for a man page line: backslashes, hyphens, and a leading dot or quote made harmless. */
export function roff(s: string): string {
  const t = s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/'/g, '\\(aq')
    .replace(/`/g, '\\(ga')
    .replace(/\.\.\./g, '.\\|.\\|.')
    .replace(/[^\x20-\x7e\t]/gu, (c) => SPECIAL[c] ?? (SAFE.test(c) ? `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]` : '?'));
  return /^[.']/.test(t) ? `\\&${t}` : t;
}
