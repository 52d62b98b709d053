// Public face of dialects: the Dialect interface, the four families, detection and the registry.
// Pure: depends on protocol/ and the hex codec of kaspa/.

export type {
  AuthorizeFields,
  DecodedRequest,
  Dialect,
  DialectId,
  JobWork,
  NonceForm,
  NonceInput,
  NotifyFields,
} from "./dialect.ts";
export { arrayJobs } from "./array_jobs.ts";
export { bigJob } from "./big_job.ts";
export { bitmain } from "./bitmain.ts";
export { simplified } from "./simplified.ts";
export { detectDialect, isSubscribe, provisionalDialect, subscribeAgent } from "./detect.ts";
export { DIALECTS, isDialectId } from "./registry.ts";
