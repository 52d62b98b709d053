// Public face of the template side: the service that turns node templates into Jobs and submits
// solved blocks, and its parts. The contracts it serves (Job, NodeClient) are lib/kaspa's.

export {
  type ServiceErrorCode,
  type ServiceStatus,
  TemplateService,
  TemplateServiceError,
  type TemplateServiceOptions,
} from "./service.ts";
export { Broadcast, type JobListener } from "./broadcast.ts";
export { JobStore, type JobStoreOptions } from "./jobs.ts";
export { NodeBlockSubmitter, type SubmitterOptions } from "./submit.ts";
export { Coalescer, type CoalescerOptions } from "./coalescer.ts";
export type { LatencySnapshot } from "./latency.ts";
