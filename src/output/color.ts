/**
 * The palette: every colour sysherd writes comes from here. Where systemctl's bytes matter (status,
 * the journal lines, the list tables' markers and legends: a drop-in writes what systemctl writes
 * with colours on) the escape sequences are systemd 252's own (src/basic/terminal-util.h); where
 * they do not (herd's Shepherd-style output, sysherd's own messages) `colors()`, chalk's bytes.
 * Colours only where
 * the stream is a terminal (decided by `IO`): with `color` off every helper here writes nothing.
 */
import { hostname } from 'node:os';

/** systemd 252's ANSI sequences (terminal-util.h), as its tools write them with colours on. */
export const ANSI = {
  normal: '\x1b[0m',
  blue: '\x1b[0;34m',
  red: '\x1b[0;1;31m', // ANSI_HIGHLIGHT_RED
  green: '\x1b[0;1;32m', // ANSI_HIGHLIGHT_GREEN
  yellow: '\x1b[0;1;38;5;185m', // ANSI_HIGHLIGHT_YELLOW (khaki3: "more legible")
  highlight: '\x1b[0;1;39m', // ANSI_HIGHLIGHT
  grey: '\x1b[0;38;5;245m', // ANSI_GREY
  underline: '\x1b[0;4m', // ANSI_UNDERLINE
} as const;

/** systemd's `get_log_colors`: the colour of a journal line and of its highlight, by priority. */
export function logColors(priority: number, color: boolean): { on: string; off: string; hl: string } {
  if (!color) return { on: '', off: '', hl: '' };
  if (priority <= 3) return { on: ANSI.red, off: ANSI.normal, hl: ANSI.highlight };
  if (priority <= 4) return { on: ANSI.yellow, off: ANSI.normal, hl: ANSI.highlight };
  if (priority <= 5) return { on: ANSI.highlight, off: ANSI.normal, hl: ANSI.red };
  if (priority >= 7) return { on: ANSI.grey, off: ANSI.normal, hl: ANSI.red };
  return { on: '', off: '', hl: '' };
}

/** The colour of an audit record's line that has none by priority (journalctl: blue). */
export const AUDIT_COLORS = { on: ANSI.blue, off: ANSI.normal, hl: '' } as const;

/** systemd's `urlify_enabled`: `$SYSTEMD_URLIFY` if it is a boolean, else whether colours are on. */
export function urlifyEnabled(color: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.SYSTEMD_URLIFY?.toLowerCase();
  if (v !== undefined && ['1', 'yes', 'y', 'true', 't', 'on'].includes(v)) return true;
  if (v !== undefined && ['0', 'no', 'n', 'false', 'f', 'off'].includes(v)) return false;
  return color;
}

/** Colours and hyperlinks as systemctl uses them (none when `color` is off). */
export class Paint {
  constructor(
    readonly color: boolean,
    readonly urlify: boolean,
    readonly host: string = hostname(),
  ) {}
  /** `code`, only when colours are on ('' otherwise): for text that closes it with `off`. */
  on(code: string): string {
    return this.color ? code : '';
  }
  wrap(code: string, text: string): string {
    return this.color && code !== '' ? `${code}${text}${ANSI.normal}` : text;
  }
  /** `format_active_state`: red for failed, green for active/reloading. */
  activeOn(state: string): string {
    if (!this.color) return '';
    return state === 'failed' ? ANSI.red : state === 'active' || state === 'reloading' ? ANSI.green : '';
  }
  /** `format_enable_state`: yellow for disabled, green for enabled. */
  enableOn(state: string | null): string {
    if (!this.color) return '';
    return state === 'disabled' ? ANSI.yellow : state === 'enabled' ? ANSI.green : '';
  }
  off(on: string): string {
    return on === '' ? '' : ANSI.normal;
  }
  /** `terminal_urlify`: an OSC 8 hyperlink around text. */
  link(url: string, text: string): string {
    return this.urlify ? `\x1b]8;;${url}\x07${text}\x1b]8;;\x07` : text;
  }
  /** `terminal_urlify_path`: a file:// link (with the host name, as systemd). */
  path(path: string, text = path): string {
    return this.link(`file://${this.host}${path}`, text);
  }
}

/** A table's header cell as systemd's format-table writes it: underlined (when colours are on). */
export function headerStyle(color: boolean): (s: string) => string {
  return (s) => (color && s.trim() !== '' ? `${ANSI.underline}${s}${ANSI.normal}` : s);
}

/**
 * The styles of sysherd's own messages, with chalk's codes at its level 1 (16 colours): chalk's
 * bytes, without loading chalk at every start (~0.4 ms; test/unit/output/color.test.ts compares
 * the two).
 */
const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  underline: [4, 24],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const satisfies Record<string, readonly [number, number]>;

export type StyleName = keyof typeof STYLES;

/** `c.red('x')`, `c.red.bold('x')`: chalk's way of writing a style, for the styles above. */
export type Colors = ((...text: unknown[]) => string) & { readonly [K in StyleName]: Colors };

interface Styler {
  open: string;
  close: string;
  openAll: string;
  closeAll: string;
  parent: Styler | undefined;
}

/** chalk's stringReplaceAll: each `find` followed by `add`. */
function afterEach(text: string, find: string, add: string): string {
  let i = text.indexOf(find);
  if (i < 0) return text;
  let out = '';
  let end = 0;
  do {
    out += text.slice(end, i) + find + add;
    end = i + find.length;
    i = text.indexOf(find, end);
  } while (i >= 0);
  return out + text.slice(end);
}

/** chalk's applyStyle: inner closes re-open the outer styles; each line break closes and re-opens all. */
function applyStyle(styler: Styler, text: string): string {
  if (text === '') return text;
  if (text.includes('\u001B')) {
    for (let s: Styler | undefined = styler; s !== undefined; s = s.parent) text = afterEach(text, s.close, s.open);
  }
  let lf = text.indexOf('\n');
  if (lf >= 0) {
    // chalk's stringEncaseCRLFWithFirstIndex
    let out = '';
    let end = 0;
    do {
      const cr = text[lf - 1] === '\r';
      out += text.slice(end, cr ? lf - 1 : lf) + styler.closeAll + (cr ? '\r\n' : '\n') + styler.openAll;
      end = lf + 1;
      lf = text.indexOf('\n', end);
    } while (lf >= 0);
    text = out + text.slice(end);
  }
  return styler.openAll + text + styler.closeAll;
}

function makeColors(enabled: boolean, styler: Styler | undefined): Colors {
  const c = ((...text: unknown[]): string => {
    const s = text.length === 1 ? `${text[0] as string}` : text.join(' ');
    return enabled && styler !== undefined ? applyStyle(styler, s) : s;
  }) as Colors;
  for (const name of Object.keys(STYLES) as StyleName[]) {
    let made: Colors | undefined;
    Object.defineProperty(c, name, {
      get: () => {
        if (made === undefined) {
          const [open, close] = STYLES[name];
          const o = `\u001B[${open}m`;
          const cl = `\u001B[${close}m`;
          made = makeColors(enabled, { open: o, close: cl, openAll: (styler?.openAll ?? '') + o, closeAll: cl + (styler?.closeAll ?? ''), parent: styler });
        }
        return made;
      },
    });
  }
  return c;
}

const cache = new Map<boolean, Colors>();

/** Colours that colour when `enabled`, and write the text alone otherwise (where systemd's bytes do not matter). */
export function colors(enabled: boolean): Colors {
  let c = cache.get(enabled);
  if (!c) cache.set(enabled, (c = makeColors(enabled, undefined)));
  return c;
}
