// Fixed-bucket latency histogram (ms), the data behind Prometheus histograms.
// Pure and bounded: one counter per bucket, no samples kept.

/** A histogram's state: `counts[i]` observations ≤ `bounds[i]` and > the previous bound. */
export interface HistogramSnapshot {
  /** Upper bounds in ms, increasing. */
  bounds: readonly number[];
  /** Per-bucket counts (not cumulative); one extra last entry for observations above every bound. */
  counts: number[];
  /** Sum of observations, ms. */
  sum: number;
  /** Number of observations. */
  count: number;
  /** Most recent observation in ms, undefined before the first. */
  last: number | undefined;
}

/** Default bounds for sub-second latencies, ms. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
];

/**
 * Counts observations into fixed buckets.
 *
 * @example
 * ```ts
 * import { Histogram } from "./histogram.ts";
 * const h = new Histogram([10, 100]);
 * h.observe(5); h.observe(50); h.observe(500);
 * if (h.snapshot().counts.join() !== "1,1,1") throw new Error();
 * ```
 */
export class Histogram {
  /** Upper bounds in ms, increasing. */
  readonly bounds: readonly number[];
  #counts: number[];
  #sum = 0;
  #count = 0;
  #last: number | undefined;

  /** Buckets end at `bounds` (ms, increasing); one more bucket holds everything above. */
  constructor(bounds: readonly number[] = LATENCY_BOUNDS_MS) {
    for (let i = 1; i < bounds.length; i++) {
      if (!((bounds[i] ?? 0) > (bounds[i - 1] ?? 0))) {
        throw new RangeError("histogram bounds must increase");
      }
    }
    this.bounds = [...bounds];
    this.#counts = new Array(bounds.length + 1).fill(0);
  }

  /** Records one observation of `ms` milliseconds. Negative or non-finite values are ignored. */
  observe(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    let i = 0;
    while (i < this.bounds.length && ms > (this.bounds[i] ?? Infinity)) i++;
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#sum += ms;
    this.#count++;
    this.#last = ms;
  }

  /** A copy of the current state. */
  snapshot(): HistogramSnapshot {
    return {
      bounds: this.bounds,
      counts: [...this.#counts],
      sum: this.#sum,
      count: this.#count,
      last: this.#last,
    };
  }
}
