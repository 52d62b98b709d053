// Job encodings cached on the broadcast path: each job body is written once per wire format.
// Pure: entries live exactly as long as their Job (WeakMap); sessions only add their job id.

import type { Dialect } from "../dialects/mod.ts";
import type { Job } from "../kaspa/types.ts";

/**
 * Shared by every session of a server: thousands of miners on one address cost one bigint →
 * decimal conversion per job and format, not one per miner.
 */
export class JobEncodings {
  readonly #bodies = new WeakMap<Job, Map<string, string>>();
  #encoded = 0;

  /** Bodies encoded so far (tests use it to prove sharing). */
  get encoded(): number {
    return this.#encoded;
  }

  /** The dialect's job body for `job`, encoded on first use. */
  body(job: Job, dialect: Dialect): string {
    let byFormat = this.#bodies.get(job);
    if (byFormat === undefined) {
      byFormat = new Map();
      this.#bodies.set(job, byFormat);
    }
    let body = byFormat.get(dialect.bodyFormat);
    if (body === undefined) {
      body = dialect.jobBody(job);
      byFormat.set(dialect.bodyFormat, body);
      this.#encoded++;
    }
    return body;
  }
}
