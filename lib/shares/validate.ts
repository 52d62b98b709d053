// Share validation: duplicate guard, PoW against the share target and the network target.
// Pure computation over Job.pow(); neighbouring-job retry and ambiguous nonces are bounded loops.

import { difficultyToTarget } from "../pow/mod.ts";
import type { JobRing, RingEntry } from "./job_ring.ts";

/** What a submitted share turned out to be. */
export type ShareVerdict =
  | { kind: "duplicate"; entry: RingEntry; nonce: bigint }
  | { kind: "weak"; entry: RingEntry }
  | {
    kind: "valid";
    /** The job the share solved (may be a neighbour of the one named). */
    entry: RingEntry;
    nonce: bigint;
    /** Difficulty the share was judged at. */
    difficulty: number;
    /** Whether its PoW also meets the network target: a block. */
    block: boolean;
    powValue: bigint;
  };

/** Inputs of {@linkcode validateShare}. */
export interface ShareInput {
  /** The miner's job ring (its duplicate guard is updated). */
  ring: JobRing;
  /** The job the miner named. */
  entry: RingEntry;
  /** Candidate nonces, most likely first (see parseNonce). */
  nonces: readonly bigint[];
  /** Earlier jobs to retry a weak share against (0 for most dialects). */
  neighbourJobs: number;
  /**
   * The share names its work, not a job (Simplified Stratum): also try the other jobs of that
   * work, sent under older timestamps (one work is sent again under a new timestamp after a
   * failover), newest first, up to max(2, neighbourJobs) more.
   */
  byWork?: boolean;
  /** Share difficulty to judge a share on `entry` at. */
  difficultyOf(entry: RingEntry): number;
}

/**
 * Judges a share: duplicate if its nonce was already recorded for the job's work; otherwise the
 * first (job, nonce) pair whose PoW meets the share target (or the network target: a block is
 * never lost to a high share difficulty) is valid and recorded; weak when none does.
 *
 * Cost: at most `nonces.length · (1 + neighbourJobs)` PoW evaluations (`1 + max(2, neighbourJobs)`
 * jobs with byWork).
 */
export function validateShare(input: ShareInput): ShareVerdict {
  const { ring, entry, nonces } = input;
  const jobs = input.byWork === true
    ? ring.sameWork(entry.key, 1 + Math.max(2, input.neighbourJobs))
    : [entry, ...ring.before(entry, input.neighbourJobs)];
  for (const candidate of jobs) {
    for (const nonce of nonces) {
      if (ring.seen(candidate, nonce)) return { kind: "duplicate", entry: candidate, nonce };
      const difficulty = input.difficultyOf(candidate);
      const powValue = candidate.job.pow().powValue(nonce);
      const block = powValue <= candidate.job.networkTarget;
      if (block || powValue <= difficultyToTarget(difficulty)) {
        ring.record(candidate, nonce);
        return { kind: "valid", entry: candidate, nonce, difficulty, block, powValue };
      }
    }
  }
  return { kind: "weak", entry };
}
