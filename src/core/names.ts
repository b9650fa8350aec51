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

/**
 * `true` when the name is a syntactically valid unit name (`foo.service`, `getty@tty1.service`,
 * `getty@.service`), as systemd's `unit_name_is_valid(…, UNIT_NAME_ANY)`: at most 255 bytes, a
 * known type after the last dot, a prefix of `[A-Za-z0-9:_.\\@-]` not starting with `@`.
 */
export function isValidUnitName(name: string): boolean {
  if (name.length === 0 || Buffer.byteLength(name) > UNIT_NAME_MAX) return false;
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  if (!isUnitType(name.slice(dot + 1))) return false;
  const prefix = name.slice(0, dot);
  if (!VALID_CHARS.test(prefix)) return false;
  return !prefix.startsWith('@');
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

const VALID_CHAR = /[A-Za-z0-9:_.\\@-]/;
const VALID_GLOB_CHAR = /[A-Za-z0-9:_.\\@\-[\]!*?]/;

/** systemd's `do_escape_mangle`: `/` → `-`, what cannot stand in a unit name as `\xNN`. */
function escapeMangle(s: string, allowGlob: boolean): { out: string; mangled: boolean } {
  const valid = allowGlob ? VALID_GLOB_CHAR : VALID_CHAR;
  let out = '';
  let mangled = false;
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (c === '/') {
      out += '-';
      mangled = true;
    } else if (b >= 0x80 || !valid.test(c)) {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
      mangled = true;
    } else out += c;
  }
  return { out, mangled };
}

/** systemd's `path_simplify` + `path_is_normalized`: `null` when a component is `.` or `..`. */
function simplifyPath(path: string): string | null {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (path.split('/').includes('..')) return null;
  return `/${parts.join('/')}`;
}

/** systemd's `unit_name_from_path`: `/dev/sda` + `.device` → `dev-sda.device`, or `null`. */
export function unitNameFromPath(path: string, suffix: string): string | null {
  const simple = simplifyPath(path);
  if (simple === null) return null;
  const name = `${escapePath(simple)}.${suffix}`;
  return isValidUnitName(name) && !name.slice(0, name.lastIndexOf('.')).includes('@') ? name : null;
}

export interface MangleResult {
  name: string;
  /** Set when the input had to be escaped: systemctl's notice, word for word. */
  warning?: string;
}

/**
 * Turn what a user typed into a unit name, as systemd's `unit_name_mangle_with_suffix`:
 * `nginx` → `nginx.service`, `/home` → `home.mount`, `/dev/sda` → `dev-sda.device`,
 * `foo bar` → `foo\x20bar.service` with the notice systemctl prints
 * (`Invalid unit name "foo bar" escaped as "foo\x20bar" (maybe you should use systemd-escape?).`).
 * With `allowGlob` (systemctl's UNIT_NAME_MANGLE_GLOB, used by every verb that takes units),
 * patterns like `ssh*` pass through, and the result is not checked: the manager refuses an
 * invalid name itself (`@foo` → `@foo.service`, "Unit name @foo.service is not valid.").
 * Without it, a result that is no valid unit name throws `InvalidArgumentError`.
 * An empty input always throws (systemctl: "Failed to mangle name: Invalid argument").
 */
export function mangleUnitName(input: string, opts: { suffix?: UnitType; allowGlob?: boolean } = {}): MangleResult {
  const suffix = opts.suffix ?? 'service';
  const allowGlob = opts.allowGlob ?? false;
  if (input.length === 0) throw new InvalidArgumentError('Failed to mangle name: Invalid argument', { hint: 'give a unit name such as nginx.service' });
  if (isValidUnitName(input)) return { name: input };
  let suggestEscape = true;
  if (isGlob(input) && [...input].every((c) => VALID_GLOB_CHAR.test(c))) {
    if (allowGlob) return { name: input };
    suggestEscape = false;
  }
  if (input.startsWith('/')) {
    const simple = simplifyPath(input);
    if (simple !== null && (simple === '/dev' || simple.startsWith('/dev/') || simple === '/sys' || simple.startsWith('/sys/'))) {
      const dev = unitNameFromPath(input, 'device');
      if (dev) return { name: dev };
    }
    const mount = unitNameFromPath(input, 'mount');
    if (mount) return { name: mount };
  }
  const { out, mangled } = escapeMangle(input, allowGlob);
  const warning = mangled
    ? `Invalid unit name "${input}" escaped as "${out}"${suggestEscape ? ' (maybe you should use systemd-escape?)' : ''}.`
    : undefined;
  let name = out;
  if ((!allowGlob || !isGlob(name)) && !isValidUnitName(name)) name = `${name}.${suffix}`;
  if (!allowGlob && !isValidUnitName(name)) {
    throw new InvalidArgumentError(`invalid unit name "${input}"`, {
      hint: 'unit names are NAME.TYPE (NAME of letters, digits and ":-_.\\@"); see systemd-escape',
    });
  }
  return warning === undefined ? { name } : { name, warning };
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
