// What the gRPC mining port takes from the rest of kstratum: the parts Stratum sessions use too.
// Types only.

import type { Logger } from "../log/mod.ts";
import type { Clock } from "../runtime/mod.ts";
import type { BlockSubmitter, JobSource, MinerEvents, ValidateAddress } from "../session/mod.ts";

/** What the front takes from the rest of kstratum: the same parts Stratum sessions use. */
export interface GrpcFrontDeps {
  /** Job streams per payout address (the template service). */
  jobs: JobSource;
  /** Where solved blocks go (the template service's submitter, shared with Stratum sessions). */
  submitter: BlockSubmitter;
  /** Where connections, shares and blocks are counted (the same sink as Stratum's). */
  events: MinerEvents;
  /** Payout address check, with the node's network. */
  validateAddress: ValidateAddress;
  /** Whether the node is synced, for getInfo. */
  synced(): boolean;
  /** Time source. */
  clock: Clock;
  /** Structured log. Default silent. */
  log?: Logger;
}
