/** systemd's words for booleans (parse_boolean). */
const TRUE_WORDS = new Set(['1', 'yes', 'y', 'true', 't', 'on']);
const FALSE_WORDS = new Set(['0', 'no', 'n', 'false', 'f', 'off']);

/** systemd's parse_boolean (case-insensitive); `undefined` when it is neither. */
export function parseBoolean(s: string): boolean | undefined {
  const v = s.toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  return undefined;
}
