// Latency figures over a bounded window of recent samples (notification → job, in ms).
// Pure.

/** Latency figures, ms. */
export interface LatencySnapshot {
  /** Samples recorded since start. */
  count: number;
  /** Most recent sample. */
  lastMs: number | undefined;
  /** Over the retained window. */
  p50Ms: number | undefined;
  /** 95th percentile. */
  p95Ms: number | undefined;
  /** Largest. */
  maxMs: number | undefined;
}

/** Keeps the last `window` samples. */
export class LatencyStats {
  #samples: number[] = [];
  #next = 0;
  #count = 0;
  #last: number | undefined;

  constructor(readonly window = 1024) {}

  record(ms: number): void {
    this.#last = ms;
    this.#count++;
    if (this.#samples.length < this.window) this.#samples.push(ms);
    else this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.window;
  }

  snapshot(): LatencySnapshot {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length === 0
        ? undefined
        : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return {
      count: this.#count,
      lastMs: this.#last,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      maxMs: sorted.at(-1),
    };
  }
}
