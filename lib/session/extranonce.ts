// Allocation of extranonces (nonce prefixes) so no two live miners search the same nonces.
// Pure: a bounded in-memory pool per extranonce size; sequential, so transcripts are stable.

import type { ExtranonceSize } from "./types.ts";

/** An extranonce value: the high `size` bytes of every nonce its miner submits. */
export interface Extranonce {
  /** Numeric value, 0 to 256^size - 1. */
  readonly value: number;
  /** `size` bytes as hex, "" for size 0. */
  readonly hex: string;
  /** Bytes. */
  readonly size: ExtranonceSize;
}

/**
 * Which extranonce values one of several threads may hand out: those with
 * `value % count === index`, so threads serving miners side by side never share a value.
 */
export interface ExtranonceSlice {
  /** This thread's index, 0 to count - 1. */
  index: number;
  /** Threads sharing the space. */
  count: number;
}

/**
 * Hands out unique extranonces of one size, lowest free value from a rotating cursor (starting
 * at 1, so the first miner gets "0001" at size 2). When every value is live (256 miners at
 * size 1) acquire() refuses (counted in `refused`): two miners sharing a value would search the
 * same nonces and do the same work twice.
 */
export class ExtranoncePool {
  /** Extranonce bytes. */
  readonly size: ExtranonceSize;
  /** Values this pool may hand out (256^size, or this thread's share of it). */
  readonly #slots: number;
  readonly #index: number;
  readonly #stride: number;
  /** Slots held by a miner (slot k is value index + k * stride). */
  readonly #live = new Set<number>();
  #cursor: number;
  #refused = 0;

  /** A pool of `size`-byte extranonces; `slice` confines it to one thread's share. */
  constructor(size: ExtranonceSize, slice: ExtranonceSlice = { index: 0, count: 1 }) {
    if (
      !(Number.isInteger(slice.count) && slice.count >= 1 && slice.index >= 0 &&
        slice.index < slice.count)
    ) {
      throw new RangeError(`bad extranonce slice ${slice.index}/${slice.count}`);
    }
    this.size = size;
    const space = 256 ** size;
    this.#index = slice.index;
    this.#stride = slice.count;
    this.#slots = Math.max(0, Math.ceil((space - slice.index) / slice.count));
    // Value 0 is handed out last when this pool holds it: the first miner gets "0001" alone.
    this.#cursor = this.#slots > 1 && slice.index === 0 ? 1 : 0;
  }

  /** Values currently held by at least one miner. */
  get inUse(): number {
    return this.#live.size;
  }

  /** Allocations refused because every value was live. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * A value for a new miner, or undefined when every value is live (then counted in `refused`);
   * release it when the miner leaves.
   */
  acquire(): Extranonce | undefined {
    if (this.size === 0) return { value: 0, hex: "", size: 0 };
    const slots = this.#slots;
    let slot = this.#cursor % slots;
    for (let i = 0; i < slots && this.#live.has(slot); i++) slot = (slot + 1) % slots;
    if (slots === 0 || this.#live.has(slot)) {
      this.#refused++;
      return undefined;
    }
    this.#live.add(slot);
    this.#cursor = (slot + 1) % slots;
    const value = this.#index + slot * this.#stride;
    return { value, hex: value.toString(16).padStart(this.size * 2, "0"), size: this.size };
  }

  /** Returns `extranonce` to the pool. */
  release(extranonce: Extranonce): void {
    if (extranonce.size !== this.size || this.size === 0) return;
    const offset = extranonce.value - this.#index;
    if (offset < 0 || offset % this.#stride !== 0) return;
    this.#live.delete(offset / this.#stride);
  }
}

/** One pool per extranonce size, shared by every listener of a server. */
export class ExtranoncePools {
  readonly #pools = new Map<ExtranonceSize, ExtranoncePool>();
  readonly #slice: ExtranonceSlice | undefined;

  /** Pools confined to `slice` of each space when threads share it. */
  constructor(slice?: ExtranonceSlice) {
    this.#slice = slice;
  }

  /** The pool for `size`. */
  pool(size: ExtranonceSize): ExtranoncePool {
    let pool = this.#pools.get(size);
    if (pool === undefined) {
      pool = new ExtranoncePool(size, this.#slice);
      this.#pools.set(size, pool);
    }
    return pool;
  }
}
