// Broadcast of one payout address's jobs to its listeners, in slices that give the event loop
// back between bursts. Real timers only: slicing is about the event loop, not service time.

import { setImmediate } from "node:timers";
import type { Job } from "../kaspa/mod.ts";
import type { Logger } from "../log/mod.ts";

/** Receives each new job for an address. Must not throw. */
export type JobListener = (job: Job) => void;

/**
 * Listeners served per slice (about 10 µs each). Slices follow one another with setImmediate for
 * up to FANOUT_BURST_MS, then with setTimeout(0), which lets Deno poll its sockets: share replies
 * run between bursts instead of behind a whole broadcast. docs/architecture.md gives the figures.
 */
const FANOUT_SLICE = 64;
const FANOUT_BURST_MS = 4;

/** One job on its way to the listeners: `listeners[at]` is served next. */
interface Round {
  job: Job;
  listeners: JobListener[];
  at: number;
}

/** The listeners of one address and the fan-out round in progress, if any. */
export class Broadcast {
  readonly #listeners = new Set<JobListener>();
  /**
   * `#listeners` as an array for fan-out rounds, made again only after the set changed (a
   * 10k-entry copy per round would live as long as the round and become promoted garbage).
   */
  #snapshot: JobListener[] | undefined;
  #round: Round | undefined;
  readonly #log: Logger;
  readonly #halted: () => boolean;

  /** An empty broadcast; rounds stop as soon as `halted()` says so. */
  constructor(log: Logger, halted: () => boolean) {
    this.#log = log;
    this.#halted = halted;
  }

  /** Adds `listener` (added twice, served twice); returns the function that removes it. */
  add(listener: JobListener): () => void {
    const wrapped: JobListener = (job) => listener(job);
    this.#listeners.add(wrapped);
    this.#snapshot = undefined;
    return () => {
      this.#listeners.delete(wrapped);
      this.#snapshot = undefined;
    };
  }

  /** Listeners now. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Hands `job` to one listener; a throwing listener is logged, never propagated. */
  deliver(listener: JobListener, job: Job): void {
    try {
      listener(job);
    } catch (e) {
      this.#log.error("job listener threw", { error: String(e) });
    }
  }

  /**
   * Hands `job` to every listener in slices of FANOUT_SLICE. A newer job ends the older round;
   * the listeners that round had not reached come first in the new one, so a fan-out longer than
   * the publish interval cannot starve the same tail each time.
   */
  publish(job: Job): void {
    const old = this.#round;
    let listeners: JobListener[];
    if (old !== undefined && old.at < old.listeners.length) {
      listeners = old.listeners.slice(old.at);
      const first = new Set(listeners);
      for (const listener of this.#listeners) if (!first.has(listener)) listeners.push(listener);
    } else listeners = this.#snapshot ??= [...this.#listeners];
    const round: Round = { job, listeners, at: 0 };
    this.#round = round;
    let burstFrom = performance.now();
    const slice = (): void => {
      if (this.#round !== round || this.#halted()) return;
      const end = Math.min(listeners.length, round.at + FANOUT_SLICE);
      while (round.at < end) {
        const listener = listeners[round.at++]!;
        if (this.#listeners.has(listener)) this.deliver(listener, job);
      }
      if (round.at >= listeners.length) this.#round = undefined;
      else if (performance.now() - burstFrom < FANOUT_BURST_MS) setImmediate(slice);
      else {
        setTimeout(() => {
          burstFrom = performance.now();
          slice();
        }, 0);
      }
    };
    slice();
  }
}
