// Bucketed time ring: sums of a quantity per fixed-width time bucket, bounded memory.
// Pure: callers pass the time; used for windowed hashrate (share work per bucket).

/**
 * A ring of `count` buckets, each `widthMs` wide and aligned to multiples of `widthMs` since the
 * epoch. Adding to a bucket that has rotated out of the ring is dropped; memory never grows.
 *
 * @example
 * ```ts
 * import { BucketRing } from "./ring.ts";
 * const r = new BucketRing(5_000, 12); // one minute in 5 s buckets
 * r.add(10_000, 3);
 * r.add(12_000, 4);
 * if (r.sum(14_000, 12) !== 7) throw new Error();
 * ```
 */
export class BucketRing {
  readonly widthMs: number;
  readonly count: number;
  #sums: Float64Array;
  /** Absolute bucket index held by each slot; -1 when empty. */
  #stamps: Float64Array;
  #newest = -1;

  constructor(widthMs: number, count: number) {
    if (!(widthMs > 0) || !Number.isInteger(count) || count < 1) {
      throw new RangeError(`bad ring shape: width ${widthMs} ms, ${count} buckets`);
    }
    this.widthMs = widthMs;
    this.count = count;
    this.#sums = new Float64Array(count);
    this.#stamps = new Float64Array(count).fill(-1);
  }

  /** Adds `value` to the bucket holding time `at` (ms). Values older than the ring are dropped. */
  add(at: number, value: number): void {
    const idx = Math.floor(at / this.widthMs);
    if (idx <= this.#newest - this.count) return;
    const slot = idx % this.count;
    if (this.#stamps[slot] !== idx) {
      this.#stamps[slot] = idx;
      this.#sums[slot] = 0;
    }
    this.#sums[slot] = (this.#sums[slot] ?? 0) + value;
    if (idx > this.#newest) this.#newest = idx;
  }

  /**
   * Sum over the `buckets` most recent buckets ending with the one holding `now` (ms),
   * i.e. over [bucketStart(now) - (buckets-1)·width, now]. `buckets` is capped at the ring size.
   */
  sum(now: number, buckets: number): number {
    const last = Math.floor(now / this.widthMs);
    const n = Math.min(buckets, this.count);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const idx = last - i;
      const slot = idx % this.count;
      if (slot >= 0 && this.#stamps[slot] === idx) total += this.#sums[slot] ?? 0;
    }
    return total;
  }

  /** Start (ms) of the window that `sum(now, buckets)` covers. */
  windowStart(now: number, buckets: number): number {
    const n = Math.min(buckets, this.count);
    return (Math.floor(now / this.widthMs) - (n - 1)) * this.widthMs;
  }
}
