// Public face of shares: job ring with duplicate guard, nonce parsing, difficulty and validateShare.
// Pure: depends on pow/ (PoW and targets) and on the Job contract.

export { DEFAULT_MAX_NONCES, DEFAULT_RING_CAPACITY, JobRing } from "./job_ring.ts";
export type { JobRingOptions, RingEntry } from "./job_ring.ts";
export { parseHexNonce, parseNonce } from "./nonce.ts";
export type { NonceContext } from "./nonce.ts";
export { validateShare } from "./validate.ts";
export type { ShareInput, ShareVerdict } from "./validate.ts";
export { clampDifficulty, isDifficulty, MAX_DIFFICULTY, roundPow2 } from "./difficulty.ts";
