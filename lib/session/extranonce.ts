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
 * Hands out unique extranonces of one size, lowest free value from a rotating cursor (starting
 * at 1, so the first miner gets "0001" at size 2). When every value is live (256 miners at
 * size 1) acquire() refuses (counted in `refused`): two miners sharing a value would search the
 * same nonces and do the same work twice.
 */
export class ExtranoncePool {
  /** Extranonce bytes. */
  readonly size: ExtranonceSize;
  readonly #space: number;
  readonly #live = new Map<number, number>();
  #cursor = 1;
  #refused = 0;

  /** A pool of `size`-byte extranonces. */
  constructor(size: ExtranonceSize) {
    this.size = size;
    this.#space = 256 ** size;
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
    let value = this.#cursor % this.#space;
    for (let i = 0; i < this.#space && this.#live.has(value); i++) {
      value = (value + 1) % this.#space;
    }
    if (this.#live.has(value)) {
      this.#refused++;
      return undefined;
    }
    this.#live.set(value, (this.#live.get(value) ?? 0) + 1);
    this.#cursor = (value + 1) % this.#space;
    return { value, hex: value.toString(16).padStart(this.size * 2, "0"), size: this.size };
  }

  /** Returns `extranonce` to the pool. */
  release(extranonce: Extranonce): void {
    if (extranonce.size !== this.size || this.size === 0) return;
    const count = this.#live.get(extranonce.value);
    if (count === undefined) return;
    if (count <= 1) this.#live.delete(extranonce.value);
    else this.#live.set(extranonce.value, count - 1);
  }
}

/** One pool per extranonce size, shared by every listener of a server. */
export class ExtranoncePools {
  readonly #pools = new Map<ExtranonceSize, ExtranoncePool>();

  /** The pool for `size`. */
  pool(size: ExtranonceSize): ExtranoncePool {
    let pool = this.#pools.get(size);
    if (pool === undefined) {
      pool = new ExtranoncePool(size);
      this.#pools.set(size, pool);
    }
    return pool;
  }
}
