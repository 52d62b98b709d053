// Jobs made from templates (hashed once, PoW state built lazily) and the bounded store of recent jobs.
// Pure: time comes in as arguments; lookups by sequence number and by pre-PoW hash hex.

import { headerHash, prePowHash, toHex } from "../block/mod.ts";
import { compactToTarget, createPowState, type PowState } from "../pow/mod.ts";
import type { BlockTemplate, Job } from "./types.ts";

let lastSeq = 0;

/** Builds the PoW state of a job (injectable so tests can count or avoid WASM work). */
export type PowFactory = (prePowHash: Uint8Array, timestamp: bigint) => PowState;

/**
 * Makes the Job for `template`: pre-PoW hash and network target computed now, PoW state on first
 * use and then cached. `createdAt` is ms since the epoch.
 */
export function makeJob(
  template: BlockTemplate,
  createdAt: number,
  powFactory: PowFactory = createPowState,
): Job {
  const pre = prePowHash(template.header);
  const timestamp = template.header.timestamp;
  let state: PowState | undefined;
  return {
    seq: ++lastSeq,
    template,
    prePowHash: pre,
    workKey: toHex(pre),
    timestamp,
    networkTarget: compactToTarget(template.header.bits),
    createdAt,
    pow: () => (state ??= powFactory(pre, timestamp)),
  };
}

/** Hash (hex) of the block `job` becomes with `nonce`. */
export function jobBlockHash(job: Job, nonce: bigint): string {
  return toHex(headerHash({ ...job.template.header, nonce }));
}

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
