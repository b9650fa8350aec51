/** A completion request: what `complete.ts` reads off a command line, what `run/complete.ts` answers. */

/** What the line asks for at the cursor. */
export interface CompletionRequest {
  /** `{ kind: 'units', verb, args }` for a verb's positional, or an option's value. */
  what: { kind: 'units'; verb: string; args: string[] } | { kind: 'option'; option: string };
  /** The word being completed (for an option: its value so far). */
  prefix: string;
  user: boolean;
  address?: string;
  /** `-H`/`--hosts` on the line: remote names are not completed (no ssh on TAB). */
  remote: boolean;
}
