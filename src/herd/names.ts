/**
 * Service names the Shepherd way: `alpha` is `alpha.service`; other unit types keep their
 * suffix (`tick.timer`), and are printed with it.
 */
import { mangleUnitName } from '../core/names.js';

/** The unit a herd name means: `alpha` → `alpha.service`, `tick.timer` stays. */
export function unitOf(name: string): string {
  return mangleUnitName(name).name;
}

/** How herd prints a unit: without `.service`, other types with their suffix. */
export function serviceName(unit: string): string {
  return unit.endsWith('.service') ? unit.slice(0, -'.service'.length) : unit;
}
