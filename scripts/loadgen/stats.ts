// Sample collection and summaries for the load generator and the scale benchmark.
// Pure: bounded growable arrays of doubles, percentiles by sorting a copy.

/** Percentile summary of a set of samples (same unit as the samples). */
export interface Summary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** An empty summary (no samples). */
export const EMPTY_SUMMARY: Summary = { count: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };

/** Nearest-rank percentile `q` (0-1) of ascending `sorted`. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Summary of `values` (any order). */
export function summarize(values: ArrayLike<number>): Summary {
  if (values.length === 0) return { ...EMPTY_SUMMARY };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    count: sorted.length,
    min: sorted[0]!,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/** Rounds every number of a summary to `digits` decimals (for reports). */
export function rounded(s: Summary, digits = 3): Summary {
  const f = 10 ** digits;
  const r = (v: number) => Math.round(v * f) / f;
  return {
    count: s.count,
    min: r(s.min),
    p50: r(s.p50),
    p90: r(s.p90),
    p99: r(s.p99),
    max: r(s.max),
    mean: r(s.mean),
  };
}

/** Append-only doubles with a hard cap; samples past the cap are counted, not stored. */
export class Samples {
  #data: Float64Array;
  #length = 0;
  #dropped = 0;
  readonly #cap: number;

  /** `cap`: most samples kept. */
  constructor(cap = 5_000_000, initial = 1024) {
    this.#cap = cap;
    this.#data = new Float64Array(Math.min(initial, cap));
  }

  /** Adds one sample. */
  push(value: number): void {
    if (this.#length === this.#cap) {
      this.#dropped++;
      return;
    }
    if (this.#length === this.#data.length) {
      const next = new Float64Array(Math.min(this.#cap, this.#data.length * 2));
      next.set(this.#data);
      this.#data = next;
    }
    this.#data[this.#length++] = value;
  }

  /** Samples kept. */
  get length(): number {
    return this.#length;
  }

  /** Samples not kept because of the cap. */
  get dropped(): number {
    return this.#dropped;
  }

  /** A view of the kept samples. */
  values(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }

  /** Percentile summary of the kept samples. */
  summary(): Summary {
    return summarize(this.values());
  }
}
