/**
 * Unit names: validation and mangling the way systemctl does it (`unit_name_mangle_with_suffix`):
 * a bare name gets `.service`; an absolute path becomes a `.device` or `.mount` unit; characters a
 * unit name cannot hold are escaped as `\xNN`. Glob patterns are left alone where patterns are
 * allowed.
 */
import { InvalidArgumentError } from './errors.js';

/** Unit types systemd knows (the suffix after the last dot). */
export const UNIT_TYPES = [
  'service',
  'mount',
  'swap',
  'socket',
  'target',
  'device',
  'automount',
  'timer',
  'path',
  'slice',
  'scope',
] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

const UNIT_NAME_MAX = 255;
const VALID_CHARS = /^[A-Za-z0-9:_.\\@-]+$/;
const GLOB = /[*?[]/;

export function isUnitType(s: string): s is UnitType {
  return (UNIT_TYPES as readonly string[]).includes(s);
}

/** The type suffix of a unit name (`service` for `a.service`), or `undefined`. */
export function unitTypeOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : undefined;
}

/** `true` when the name is a syntactically valid unit name (`foo.service`, `getty@tty1.service`). */
export function isValidUnitName(name: string): boolean {
  if (name.length === 0 || name.length > UNIT_NAME_MAX) return false;
  if (!VALID_CHARS.test(name)) return false;
  const type = unitTypeOf(name);
  if (!type || !isUnitType(type)) return false;
  const prefix = name.slice(0, name.length - type.length - 1);
  if (prefix.length === 0 || prefix.startsWith('@')) return false;
  const at = prefix.indexOf('@');
  if (at >= 0 && prefix.indexOf('@', at + 1) >= 0) return false;
  return true;
}

/** `true` when the string holds glob characters (`*`, `?`, `[`). */
export function isGlob(s: string): boolean {
  return GLOB.test(s);
}

/** systemd's path escaping (`systemd-escape --path`): `/dev/sda1` → `dev-sda1`. */
export function escapePath(path: string): string {
  const trimmed = path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (trimmed === '') return '-';
  return trimmed
    .split('/')
    .map((seg) => escapeString(seg))
    .join('-');
}

/** systemd's string escaping (`systemd-escape`): everything outside `[A-Za-z0-9:_.]` as `\xNN`. */
export function escapeString(s: string): string {
  let out = '';
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const c = String.fromCharCode(b);
    const leadingDot = i === 0 && c === '.';
    if (!leadingDot && /[A-Za-z0-9:_.]/.test(c)) out += c;
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Escape what cannot stand in a unit name, keeping the characters that can (`@`, `-`, `\`). */
function escapeInvalid(s: string, allowGlob: boolean): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9:_.\\@-]/.test(c) || (allowGlob && /[*?[\]!^]/.test(c))) out += c;
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export interface MangleResult {
  name: string;
  /** Set when the input had to be escaped: a warning as systemctl prints it. */
  warning?: string;
}

/**
 * Turn what a user typed into a unit name: `nginx` → `nginx.service`, `/home` → `home.mount`,
 * `/dev/sda` → `dev-sda.device`, `foo bar` → `foo\x20bar.service` (with a warning).
 * With `allowGlob`, patterns like `ssh*` are passed through (a pattern without a suffix gets none).
 * Throws `InvalidArgumentError` when no valid name can be made.
 */
export function mangleUnitName(input: string, opts: { suffix?: UnitType; allowGlob?: boolean } = {}): MangleResult {
  const suffix = opts.suffix ?? 'service';
  if (input.length === 0) throw new InvalidArgumentError('unit name is empty', { hint: 'give a unit name such as nginx.service' });
  if (opts.allowGlob && isGlob(input)) {
    return { name: escapeInvalid(input, true) };
  }
  if (isValidUnitName(input)) return { name: input };
  if (input.startsWith('/')) {
    const escaped = escapePath(input);
    const name = `${escaped}.${input.startsWith('/dev/') || input === '/dev' ? 'device' : 'mount'}`;
    if (isValidUnitName(name)) return { name };
  }
  let name = escapeInvalid(input, false);
  const type = unitTypeOf(name);
  if (!type || !isUnitType(type)) name = `${name}.${suffix}`;
  if (!isValidUnitName(name)) {
    throw new InvalidArgumentError(`invalid unit name "${input}"`, {
      hint: 'unit names are NAME.TYPE (NAME of letters, digits and ":-_.\\@"); see systemd-escape',
    });
  }
  if (name !== input && name !== `${input}.${suffix}`) {
    return { name, warning: `Invalid unit name "${input}" escaped as "${name}" (maybe you should use systemd-escape?)` };
  }
  return { name };
}

/** systemd's object-path escaping of a unit name (`a.service` → `a_2eservice`). */
export function unitObjectPath(name: string): string {
  // bus_label_escape(): letters always, digits except in first position, the rest as _XX
  let out = '';
  Buffer.from(name, 'utf8').forEach((b, i) => {
    const c = String.fromCharCode(b);
    if (/[A-Za-z]/.test(c) || (i > 0 && /[0-9]/.test(c))) out += c;
    else out += `_${b.toString(16).padStart(2, '0')}`;
  });
  return `/org/freedesktop/systemd1/unit/${out || '_'}`;
}
