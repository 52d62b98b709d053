// A Job made from a block template (hashed once, PoW state built lazily) and the hash of the
// block a nonce turns it into. Pure: time comes in as an argument.

import { headerHash, prePowHash } from "./header.ts";
import { toHex } from "./hex.ts";
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
