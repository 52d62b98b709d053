// Time, logging and backoff as parameters: what the template service and node clients are given.
// Pure except `systemClock`, which only wraps the platform timers.

/** Timers and the current time, injected so tests control them. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` after `ms` milliseconds; returns an opaque handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer from setTimeout (unknown handles are ignored). */
  clearTimeout(handle: unknown): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

/** Resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Structured log sink: a short message plus fields. Must not throw. */
export type LogFn = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Drops every log line. */
export const silentLog: LogFn = (): void => {};

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
