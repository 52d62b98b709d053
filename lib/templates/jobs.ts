// The bounded store of recent jobs, so late shares still find theirs.
// Pure: time comes in as arguments; lookups by sequence number and by pre-PoW hash hex.

import type { Job } from "../kaspa/mod.ts";

/** Retention and cap of a JobStore. */
export interface JobStoreOptions {
  /** Jobs stay findable at least this long after creation, ms (floored at 30000). */
  retentionMs: number;
  /** Hard cap on stored jobs; beyond it the oldest unpinned jobs go first, whatever their age. */
  maxJobs: number;
}

/** Recent jobs by seq and by pre-PoW hash hex. */
export class JobStore {
  /** Effective retention, ms. */
  readonly retentionMs: number;
  /** Effective cap. */
  readonly maxJobs: number;
  #bySeq = new Map<number, Job>();
  #byPrePow = new Map<string, Job>();

  /** An empty store. */
  constructor(options: JobStoreOptions) {
    this.retentionMs = Math.max(30_000, options.retentionMs);
    this.maxJobs = Math.max(1, options.maxJobs);
  }

  /** Stores `job` under its seq and pre-PoW hash. */
  add(job: Job): void {
    this.#bySeq.set(job.seq, job);
    this.#byPrePow.set(job.workKey, job);
  }

  /** The job with sequence number `seq`, if still kept. */
  bySeq(seq: number): Job | undefined {
    return this.#bySeq.get(seq);
  }

  /** The job with this pre-PoW hash (hex, any case), if still kept. */
  byPrePowHash(hex: string): Job | undefined {
    return this.#byPrePow.get(hex.toLowerCase());
  }

  /** Jobs kept. */
  get size(): number {
    return this.#bySeq.size;
  }

  /**
   * Drops jobs older than the retention window, never one in `pinned` (the current job of each
   * address). Returns how many were dropped only because of the count cap.
   */
  prune(now: number, pinned: ReadonlySet<Job>): number {
    const cutoff = now - this.retentionMs;
    for (const job of this.#bySeq.values()) {
      if (job.createdAt >= cutoff) break; // seq order is creation order
      if (!pinned.has(job)) this.#delete(job);
    }
    let capped = 0;
    for (const job of this.#bySeq.values()) {
      if (this.#bySeq.size <= this.maxJobs) break;
      if (pinned.has(job)) continue;
      this.#delete(job);
      capped++;
    }
    return capped;
  }

  #delete(job: Job): void {
    this.#bySeq.delete(job.seq);
    if (this.#byPrePow.get(job.workKey) === job) this.#byPrePow.delete(job.workKey);
  }
}
