/**
 * Preset policy (systemd.preset(5)), read the way systemctl 252 reads it for the PRESET column of
 * `list-unit-files`: from the *.preset files of this machine (systemctl reads them client-side
 * too; there is no D-Bus call for a unit file's preset without loading the unit). The first rule
 * whose pattern matches decides; no matching rule means "enabled".
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from './errors.js';

export type PresetScope = 'system' | 'user';

export interface PresetRule {
  action: 'enable' | 'disable';
  /** A glob (fnmatch without FNM_PATHNAME, no backslash escapes). */
  pattern: string;
  /** `enable foo@.service a b`: the instances to enable. */
  instances: string[];
}

/** systemd's preset directories, highest priority first (`read_presets`). */
export const PRESET_DIRS: Record<PresetScope, string[]> = {
  system: ['/etc/systemd/system-preset', '/run/systemd/system-preset', '/usr/local/lib/systemd/system-preset', '/usr/lib/systemd/system-preset'],
  user: ['/etc/systemd/user-preset', '/run/systemd/user-preset', '/usr/local/lib/systemd/user-preset', '/usr/lib/systemd/user-preset'],
};

/**
 * systemd's `conf_files_list`: the *.preset files of `dirs`, a name in an earlier directory hiding
 * the same name in later ones (a link to /dev/null hides it for good), ordered by file name.
 */
export function presetFiles(dirs: string[], root = '/'): string[] {
  const byName = new Map<string, string>();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(join(root, dir));
    } catch {
      continue;
    }
    for (const name of entries) {
      if (!name.endsWith('.preset') || byName.has(name)) continue;
      byName.set(name, join(root, dir, name));
    }
  }
  return [...byName.keys()]
    .sort()
    .map((n) => byName.get(n)!)
    .filter((file) => {
      try {
        return realpathSync(file) !== '/dev/null' && statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

/** Parse one preset file's text (`enable PATTERN [INSTANCE…]`, `disable PATTERN`, # and ; comments). */
export function parsePresets(text: string): PresetRule[] {
  const rules: PresetRule[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) continue;
    const m = /^(enable|disable)\s+(.+)$/.exec(l);
    if (!m) continue; // systemd warns "Couldn't parse line" and goes on
    if (m[1] === 'enable') {
      const [pattern, ...instances] = m[2]!.split(/\s+/);
      if (instances.length > 0 && !/^[^@]+@\.[a-z]+$/.test(pattern!)) continue; // instances only for templates
      rules.push({ action: 'enable', pattern: pattern!, instances });
    } else {
      rules.push({ action: 'disable', pattern: m[2]!, instances: [] });
    }
  }
  return rules;
}

/** Every rule in force for `scope`, in the order systemd tries them. */
export function readPresets(scope: PresetScope = 'system', root = '/'): PresetRule[] {
  const rules: PresetRule[] = [];
  for (const file of presetFiles(PRESET_DIRS[scope], root)) {
    try {
      rules.push(...parsePresets(readFileSync(file, 'utf8')));
    } catch {
      // unreadable: as if absent
    }
  }
  return rules;
}

/** `fnmatch(pattern, s, FNM_NOESCAPE)`: `*`, `?`, `[…]` with `!`/`^` negation and ranges. */
export function fnmatch(pattern: string, s: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!' || pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, j);
      let neg = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, (x) => `\\${x}`)}]`;
      i = j;
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, (x) => `\\${x}`);
  }
  try {
    return new RegExp(`${re}$`, 'u').test(s);
  } catch {
    return pattern === s;
  }
}

/** systemd's `query_presets` for a unit file name: `enabled` or `disabled`. */
export function queryPreset(name: string, rules: PresetRule[]): 'enabled' | 'disabled' {
  for (const r of rules) if (fnmatch(r.pattern, name)) return r.action === 'enable' ? 'enabled' : 'disabled';
  return 'enabled';
}

/** Unit file states systemctl shows no preset for (`show_preset_for_state`). */
export const NO_PRESET_STATES = new Set(['alias', 'static', 'generated', 'transient']);

/** systemd's preset modes (`unit_file_preset_mode_table`), in its order: `--preset-mode=`. */
export const PRESET_MODES = ['full', 'enable-only', 'disable-only'] as const;
export type PresetMode = (typeof PRESET_MODES)[number];

/** `--preset-mode=VALUE`: one of systemctl's values or `help`, else its error (verbatim, exit 1). */
export function parsePresetMode(value: string): PresetMode | 'help' {
  if (value === 'help' || (PRESET_MODES as readonly string[]).includes(value)) return value as PresetMode | 'help';
  throw new InvalidArgumentError(`Failed to parse preset mode: ${value}.`, { verbatim: true });
}
