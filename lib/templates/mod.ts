// Public face of the template side: the service that turns node templates into Jobs, its parts,
// and the injected runtime (clock, log, backoff). Contracts are in types.ts.

export type {
  BlockHeader,
  BlockTemplate,
  DagInfo,
  Job,
  NodeClient,
  NodeInfo,
  SubmitVerdict,
} from "./types.ts";
export {
  type JobListener,
  type ServiceErrorCode,
  type ServiceStatus,
  TemplateService,
  TemplateServiceError,
  type TemplateServiceOptions,
} from "./service.ts";
export { jobBlockHash, JobStore, makeJob, type PowFactory } from "./jobs.ts";
export { BlockSubmitter, type SubmitterOptions } from "./submit.ts";
export { Coalescer, type CoalescerOptions } from "./coalescer.ts";
export type { PowState } from "../pow/mod.ts";
export type { LatencySnapshot } from "./latency.ts";
export {
  type Backoff,
  type Clock,
  exponentialBackoff,
  type LogFn,
  type LogLevel,
  silentLog,
  sleep,
  systemClock,
} from "./runtime.ts";
