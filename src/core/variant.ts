/**
 * A D-Bus variant: a value with its signature. What `raw` calls return for each `v` (show prints
 * the signatures) and what a caller passes to send one (`variant('s', 'debug')` for Properties.Set,
 * SetUnitProperties' `a(sv)`). The only class the wire code (wire.ts, decode.ts, marshal.ts) shares.
 */
export class Variant {
  constructor(
    /** One complete D-Bus type: `s`, `t`, `a(sasbttttuii)`, … */
    readonly signature: string,
    readonly value: unknown,
  ) {}
}
