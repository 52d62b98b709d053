// Nonce search for simulated miners: kHeavyHash through lib/pow, one PoW state per job shared by
// every miner that holds the job. Pure computation; the caller supplies candidate nonces.

import { compactToTarget, createPowState, type PowState } from "../../lib/pow/mod.ts";
import type { ShareKind } from "./options.ts";
import { type JobRef, prePowOf, toHex } from "./protocol.ts";

/** A nonce found, and how many hashes it took. */
export interface Found {
  nonce: bigint;
  hashes: number;
}

const MAX_STATES = 512;

/**
 * Finds nonces of a kind: `valid` meets the share target but not the network target (a plain
 * share), `block` meets the network target, `any` is the next candidate unchecked.
 */
export class NonceFinder {
  readonly networkTarget: bigint;
  readonly #maxTries: number;
  #states = new Map<string, PowState>();
  /** kHeavyHash evaluations so far. */
  hashes = 0;

  /** `networkBits`: the templates' compact target; `maxTries`: candidates per search. */
  constructor(networkBits: number, maxTries: number) {
    this.networkTarget = compactToTarget(networkBits);
    this.#maxTries = maxTries;
  }

  /** The PoW state of `job` (built once, kept for the most recent jobs). */
  stateOf(job: JobRef): PowState {
    const prePow = prePowOf(job);
    const key = `${toHex(prePow)}|${job.timestamp}`;
    let state = this.#states.get(key);
    if (state === undefined) {
      state = createPowState(prePow, BigInt(job.timestamp));
      if (this.#states.size >= MAX_STATES) {
        this.#states.delete(this.#states.keys().next().value!);
      }
      this.#states.set(key, state);
    }
    return state;
  }

  /**
   * A nonce of `kind` for `job` at `shareTarget`, drawing candidates from `next`; undefined when
   * none of maxTries candidates qualifies.
   */
  find(job: JobRef, shareTarget: bigint, kind: ShareKind, next: () => bigint): Found | undefined {
    if (kind === "any") return { nonce: next(), hashes: 0 };
    const state = this.stateOf(job);
    for (let tries = 1; tries <= this.#maxTries; tries++) {
      const nonce = next();
      const value = state.powValue(nonce);
      this.hashes++;
      const ok = kind === "block"
        ? value <= this.networkTarget
        : value <= shareTarget && value > this.networkTarget;
      if (ok) return { nonce, hashes: tries };
    }
    return undefined;
  }
}
