/** Colours, only where the stream is a terminal (decided by `IO`). */
import { Chalk, type ChalkInstance } from 'chalk';

const cache = new Map<boolean, ChalkInstance>();

/** A chalk that colours when `enabled`, and is a no-op otherwise. */
export function colors(enabled: boolean): ChalkInstance {
  let c = cache.get(enabled);
  if (!c) cache.set(enabled, (c = new Chalk({ level: enabled ? 1 : 0 })));
  return c;
}
