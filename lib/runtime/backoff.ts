// Retry delays: the Backoff function type and exponential backoff with optional jitter.
// Pure when the injected random source is.

/** Maps a 0-based attempt number to a delay in ms. */
export type Backoff = (attempt: number) => number;

/**
 * Exponential backoff: base·factor^attempt capped at max, with optional jitter drawn from `random`
 * (a function returning [0, 1)). Pure when `random` is.
 *
 * @example
 * const b = exponentialBackoff({ baseMs: 100, maxMs: 1000 });
 * b(0); // 100
 * b(5); // 1000
 */
export function exponentialBackoff(options: {
  baseMs: number;
  maxMs: number;
  factor?: number;
  /** Fraction of the delay randomized, 0..1. Default 0. */
  jitter?: number;
  random?: () => number;
}): Backoff {
  const { baseMs, maxMs, factor = 2, jitter = 0, random = Math.random } = options;
  return (attempt) => {
    const raw = Math.min(maxMs, baseMs * factor ** Math.max(0, attempt));
    return jitter === 0 ? raw : Math.round(raw * (1 - jitter + jitter * random()));
  };
}
