// Registry of dialects by id.
// Pure: a constant table; adding a miner family means one file, one id and one line here.

import { arrayDialect } from "./array.ts";
import { bighexDialect } from "./bighex.ts";
import { bitmainDialect } from "./bitmain.ts";
import type { Dialect, DialectId } from "./dialect.ts";
import { simpleDialect } from "./simple.ts";

/** Every dialect, keyed by id. */
export const DIALECTS: Readonly<Record<DialectId, Dialect>> = {
  array: arrayDialect,
  bighex: bighexDialect,
  bitmain: bitmainDialect,
  simple: simpleDialect,
};

/** Whether `id` names a dialect (for config validation). */
export function isDialectId(id: string): id is DialectId {
  return Object.hasOwn(DIALECTS, id);
}
