/**
 * `--with-dependencies` for list-units, list-unit-files, show, status and cat: the named units
 * followed by their direct dependencies (core/expand.ts `appendUnitDependencies`), systemctl's
 * warnings about units it could not read on stderr.
 */
import { appendUnitDependencies, type DependencyKind } from '../../core/expand.js';
import type { Manager } from '../../core/manager.js';
import { escapeTerminal } from '../../output/escape.js';
import type { IO } from '../../output/io.js';

/** `names` as they are without `kind` (no --with-dependencies), else with their dependencies. */
export async function extendWithDependencies(manager: Manager, names: string[], kind: DependencyKind | undefined, io: IO): Promise<string[]> {
  if (kind === undefined) return names;
  const r = await appendUnitDependencies(manager, names, kind);
  for (const w of r.warnings) io.err.write(`${escapeTerminal(w)}\n`);
  return r.names;
}
