// Public face of the template side: the service that turns node templates into Jobs and its parts.
// The contracts it serves (Job, NodeClient) are the Kaspa domain's (lib/kaspa).

export {
  type JobListener,
  type ServiceErrorCode,
  type ServiceStatus,
  TemplateService,
  TemplateServiceError,
  type TemplateServiceOptions,
} from "./service.ts";
export { JobStore, type JobStoreOptions } from "./jobs.ts";
export { BlockSubmitter, type SubmitterOptions } from "./submit.ts";
export { Coalescer, type CoalescerOptions } from "./coalescer.ts";
export type { LatencySnapshot } from "./latency.ts";
