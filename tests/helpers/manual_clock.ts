// A Clock whose time only moves when a test says so; timers fire in due order during advance().
// Test helper for lib/templates and lib/node (Clock from lib/runtime).

import type { Clock } from "../../lib/runtime/mod.ts";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets pending promise callbacks run (one real macrotask turn drains every microtask). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class ManualClock implements Clock {
  #now: number;
  #timers = new Map<number, Timer>();
  #seq = 0;

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Timers still pending. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await flush();
    for (;;) {
      let next: [number, Timer] | undefined;
      for (const entry of this.#timers) {
        const t = entry[1];
        if (t.at > end) continue;
        if (
          next === undefined || t.at < next[1].at || (t.at === next[1].at && t.seq < next[1].seq)
        ) {
          next = entry;
        }
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].fn();
      await flush();
    }
    this.#now = end;
    await flush();
  }
}
