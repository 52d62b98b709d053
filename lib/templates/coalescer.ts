// Turns bursts of "something changed" into runs spaced at least an interval apart, always running after
// the latest trigger. Pure apart from the injected clock.

import type { Clock } from "../runtime/mod.ts";

/** Timing and work of a Coalescer. */
export interface CoalescerOptions {
  /** Minimum time between the starts of two runs, ms. */
  intervalMs: number;
  /** Time source for the interval timer. */
  clock: Clock;
  /**
   * The work; gets the time of the first trigger it answers (ms since the epoch). It should not
   * reject; a rejection is passed to `onError`.
   */
  run: (firstTriggerAt: number) => Promise<void>;
  /** Receives a rejection of `run`. */
  onError?: (error: unknown) => void;
}

/**
 * Runs `run` after triggers: at once when the last run started long enough ago, else when the
 * interval is over. Triggers during a run cause exactly one more run after it.
 */
export class Coalescer {
  #lastStart = -Infinity;
  #firstTriggerAt: number | undefined;
  #timer: unknown;
  #running = false;
  #stopped = false;

  /** An idle coalescer. */
  constructor(readonly options: CoalescerOptions) {}

  /** Asks for a run covering everything up to now. */
  trigger(): void {
    if (this.#stopped) return;
    this.#firstTriggerAt ??= this.options.clock.now();
    if (this.#running || this.#timer !== undefined) return;
    const wait = this.#lastStart + this.options.intervalMs - this.options.clock.now();
    if (wait <= 0) {
      this.#start();
    } else {
      this.#timer = this.options.clock.setTimeout(() => {
        this.#timer = undefined;
        this.#start();
      }, wait);
    }
  }

  #start(): void {
    if (this.#stopped) return;
    const firstTriggerAt = this.#firstTriggerAt ?? this.options.clock.now();
    this.#firstTriggerAt = undefined;
    this.#running = true;
    this.#lastStart = this.options.clock.now();
    this.options.run(firstTriggerAt)
      .catch((e) => this.options.onError?.(e))
      .finally(() => {
        this.#running = false;
        if (this.#firstTriggerAt !== undefined) this.trigger();
      });
  }

  /** Whether a run is in progress or scheduled. */
  get busy(): boolean {
    return this.#running || this.#timer !== undefined;
  }

  /** Cancels a scheduled run; a run in progress finishes but triggers nothing more. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
