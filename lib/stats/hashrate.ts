// Windowed hashrate from accepted share difficulty (1 min, 15 min, 1 h), fixed memory.
// Pure: one share at difficulty d stands for d · 2^32 hashes (stratum.md §5).

import { BucketRing } from "./ring.ts";

/** Hashes one share at stratum difficulty 1 stands for. */
export const HASHES_PER_DIFFICULTY = 2 ** 32;

/** Hashes per second over the last minute, 15 minutes and hour. */
export interface Hashrates {
  /** Over the last minute. */
  m1: number;
  /** Over the last 15 minutes. */
  m15: number;
  /** Over the last hour. */
  h1: number;
}

const FINE_MS = 5_000; // 12 buckets → the 1 min window
const COARSE_MS = 60_000; // 60 buckets → the 15 min and 1 h windows

/**
 * Estimates hashrate over three windows from share work. Memory: 72 buckets (≈1.2 KB) per meter.
 *
 * A window's rate is the work in its buckets divided by the time those buckets cover, clipped to
 * `since` (when counting began) so a worker that joined 2 minutes ago is not diluted over an hour.
 *
 * @example
 * ```ts
 * import { HashrateMeter } from "./hashrate.ts";
 * const m = new HashrateMeter();
 * for (let t = 0; t < 60_000; t += 1_000) m.addShare(t, 1); // 1 share/s at difficulty 1
 * const r = m.rates(60_000, 0);
 * if (Math.abs(r.m1 - 2 ** 32) > 2 ** 28) throw new Error(String(r.m1));
 * ```
 */
export class HashrateMeter {
  #fine = new BucketRing(FINE_MS, 12);
  #coarse = new BucketRing(COARSE_MS, 60);

  /** Counts one accepted share at `difficulty` (stratum units) found at `at` (ms). */
  addShare(at: number, difficulty: number): void {
    if (!(difficulty > 0) || !Number.isFinite(difficulty)) return;
    const hashes = difficulty * HASHES_PER_DIFFICULTY;
    this.#fine.add(at, hashes);
    this.#coarse.add(at, hashes);
  }

  /** Rates in hashes per second at `now` (ms) for a meter that started counting at `since` (ms). */
  rates(now: number, since: number): Hashrates {
    return {
      m1: rate(this.#fine, now, since, 12),
      m15: rate(this.#coarse, now, since, 15),
      h1: rate(this.#coarse, now, since, 60),
    };
  }
}

function rate(ring: BucketRing, now: number, since: number, buckets: number): number {
  const work = ring.sum(now, buckets);
  if (work === 0) return 0;
  const start = Math.max(ring.windowStart(now, buckets), since);
  const spanMs = Math.max(now - start, FINE_MS);
  return work / (spanMs / 1000);
}
