// Registry of dialects by id.
// Pure: a constant table; adding a miner family means one file plus one line here.

import { arrayJobs } from "./array_jobs.ts";
import { bigJob } from "./big_job.ts";
import { bitmain } from "./bitmain.ts";
import type { Dialect, DialectId } from "./dialect.ts";
import { simplified } from "./simplified.ts";

/** Every dialect, keyed by id. */
export const DIALECTS: Readonly<Record<DialectId, Dialect>> = {
  A: arrayJobs,
  B: bigJob,
  C: bitmain,
  D: simplified,
};

/** Whether `id` names a dialect (for config validation). */
export function isDialectId(id: string): id is DialectId {
  return Object.hasOwn(DIALECTS, id);
}
