// Per-job PoW state over the WASM kernel: matrix built once, then cheap share checks.
// Owns the slot cache that maps live job states onto the kernel's fixed set of matrix slots.

import { heapU8, heapView, kernel, readU256 } from "./_kernel.ts";
import { PowError } from "./errors.ts";
import { MAX_U256 } from "./target.ts";

/** Per-job proof-of-work state; see {@link createPowState}. */
export interface PowState {
  /** PoW value of `nonce` (u64) as a 256-bit integer. */
  powValue(nonce: bigint): bigint;
  /** True when PoW(nonce) <= target (256-bit). Fast path: no bigint allocation per call beyond the nonce. */
  meets(nonce: bigint, target: bigint): boolean;
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/*
 * Memory policy (measured, then chosen). Each state keeps its slot image (first-hash base state +
 * matrix, 4352 bytes) in a JS-owned Uint8Array, so a dropped state is reclaimed by the ordinary
 * GC and nothing has to be freed. The kernel holds SLOT_COUNT (64) images in fixed memory; a
 * state checking a share pages its image into a slot if it is not resident, evicting the least
 * recently used one (a 4 KiB copy; the bench's 128-job rotation, all misses, costs well under
 * 1 µs more per check). Kernel memory is static (5 pages, no memory.grow), and the cache holds
 * state ids, never the states. Creating 50,000 states behind a 200-job ring kept RSS flat
 * (about 75 MB). Rejected: slots owned in WASM memory and freed by a FinalizationRegistry, since
 * finalizers run late or never, so bursts of jobs would exhaust slots or force memory growth.
 */
const slotOwner = new Float64Array(kernel.slotCount); // state id per slot, 0 = free
const slotUsed = new Float64Array(kernel.slotCount); // LRU clock per slot
let clock = 0;
let nextId = 1;

/** Least recently used slot. */
function victimSlot(): number {
  let best = 0;
  let bestUse = Infinity;
  for (let s = 0; s < kernel.slotCount; s++) {
    const used = slotUsed[s] ?? 0;
    if (used < bestUse) {
      bestUse = used;
      best = s;
    }
  }
  return best;
}

/**
 * Takes a slot away from the cache for direct kernel use (tests, vector checks): its current
 * owner will reload its image on next use. Internal to lib/pow and its tests.
 */
export function borrowSlot(): number {
  const slot = victimSlot();
  slotOwner[slot] = 0;
  slotUsed[slot] = ++clock;
  return slot;
}

/** Target last written to the kernel, and whether any PoW can meet it. */
let cachedTarget: bigint | undefined;
let cachedReachable = false;

/** Writes `target` as 4 LE words into the kernel unless it is already there. */
function loadTarget(target: bigint): boolean {
  if (target === cachedTarget) return cachedReachable;
  cachedTarget = target;
  cachedReachable = target >= 0n;
  const t = target > MAX_U256 ? MAX_U256 : target < 0n ? 0n : target;
  const p = kernel.targetPtr;
  heapView.setBigUint64(p, BigInt.asUintN(64, t), true);
  heapView.setBigUint64(p + 8, BigInt.asUintN(64, t >> 64n), true);
  heapView.setBigUint64(p + 16, BigInt.asUintN(64, t >> 128n), true);
  heapView.setBigUint64(p + 24, BigInt.asUintN(64, t >> 192n), true);
  return cachedReachable;
}

function checkNonce(nonce: bigint): void {
  if (typeof nonce !== "bigint" || nonce < 0n || nonce > U64_MAX) {
    throw new PowError("invalid-nonce", `nonce must be a u64 bigint, got ${String(nonce)}`);
  }
}

class KernelPowState implements PowState {
  readonly #id: number;
  readonly #image: Uint8Array;
  #slot: number;

  constructor(id: number, slot: number, image: Uint8Array) {
    this.#id = id;
    this.#slot = slot;
    this.#image = image;
  }

  /** Makes this state's image resident and returns its slot. */
  #acquire(): number {
    let slot = this.#slot;
    if (slotOwner[slot] !== this.#id) {
      slot = victimSlot();
      heapU8.set(this.#image, kernel.slotPtr(slot));
      slotOwner[slot] = this.#id;
      this.#slot = slot;
    }
    slotUsed[slot] = ++clock;
    return slot;
  }

  powValue(nonce: bigint): bigint {
    checkNonce(nonce);
    kernel.powValue(this.#acquire(), nonce);
    return readU256(kernel.outPtr);
  }

  meets(nonce: bigint, target: bigint): boolean {
    checkNonce(nonce);
    if (!loadTarget(target)) return false;
    return kernel.meets(this.#acquire(), nonce) !== 0;
  }
}

/**
 * Builds the per-job state (the matrix) once. prePowHash: 32 bytes; timestamp in ms.
 * Costs one matrix generation and rank check (tens of µs); share checks are then cheap.
 * Throws PowError `matrix-unavailable` if no full-rank matrix appears within the kernel's
 * attempt cap (the reference would loop forever; only degenerate seeds such as all zeros do this).
 *
 * @example
 * ```ts
 * import { createPowState, difficultyToTarget } from "./mod.ts";
 * const state = createPowState(new Uint8Array(32).fill(1), 1_700_000_000_000n);
 * const pow = state.powValue(42n); // 256-bit integer
 * state.meets(42n, pow); // true
 * state.meets(42n, difficultyToTarget(1e12)); // almost surely false
 * ```
 */
export function createPowState(prePowHash: Uint8Array, timestamp: bigint): PowState {
  if (!(prePowHash instanceof Uint8Array) || prePowHash.length !== 32) {
    throw new PowError("invalid-pre-pow-hash", "pre-PoW hash must be 32 bytes");
  }
  if (typeof timestamp !== "bigint" || timestamp < 0n || timestamp > U64_MAX) {
    throw new PowError("invalid-timestamp", "timestamp must be a u64 bigint (ms)");
  }
  const slot = victimSlot();
  heapU8.set(prePowHash, kernel.inPtr);
  const attempts = kernel.setup(slot, timestamp, 0);
  const id = nextId++;
  // The slot now holds the new image, whatever it held before.
  slotOwner[slot] = attempts === 0 ? 0 : id;
  slotUsed[slot] = attempts === 0 ? 0 : ++clock;
  if (attempts === 0) {
    throw new PowError(
      "matrix-unavailable",
      `no full-rank matrix after ${kernel.maxAttempts} attempts for this pre-PoW hash`,
    );
  }
  const start = kernel.slotPtr(slot);
  return new KernelPowState(id, slot, heapU8.slice(start, start + kernel.slotBytes));
}
