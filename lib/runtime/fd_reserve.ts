// A reserve of spare file descriptors: held while all is well, lent to the node link's (re)connect,
// and the gate that refuses new connections while it is short. Pure but for the injected opener.

import type { Clock } from "./clock.ts";

/** One held descriptor (a read-only file handle in production). */
export interface FdHandle {
  /** Gives the descriptor back to the process. */
  close(): void;
}

/** How the reserve tells the composition root what happened (for logs). */
export interface FdReserveEvents {
  /** The reserve holds fewer than its size and cannot refill (out of descriptors). */
  short?(held: number, size: number): void;
  /** The reserve is full again after `shortMs` short. */
  restored?(shortMs: number): void;
  /** The opener failed for a reason other than a shortage: the reserve is off for good. */
  off?(error: unknown): void;
}

/** Size, opener and timing of an {@linkcode FdReserve}. */
export interface FdReserveOptions {
  /** Descriptors to hold (K). */
  size: number;
  /**
   * Opens one descriptor. Throws when it cannot: an error whose `code` is EMFILE or ENFILE is a
   * shortage (retried); any other (no permission, no such file) turns the reserve off.
   */
  open: () => FdHandle;
  /** Timers for the refill retry. */
  clock: Clock;
  /** While short, a refill is tried this often, ms. Default 250. */
  retryMs?: number;
  /** What happened, for logs. */
  events?: FdReserveEvents;
}

/** Whether `e` is the OS saying the process (EMFILE) or the system (ENFILE) is out of descriptors. */
export function isOutOfDescriptors(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "EMFILE" || code === "ENFILE";
}

/**
 * Holds `size` spare descriptors so that a descriptor shortage hits new miners first and never the
 * node link: {@linkcode FdReserve.lend} gives them back to the process for the length of a connect
 * attempt, then refills; {@linkcode FdReserve.admit} tells the accept loops whether a connection
 * just accepted may stay. A reserve whose opener fails for another reason (no read permission) is
 * off: it admits everything and lends nothing.
 *
 * @example
 * ```ts
 * import { FdReserve } from "./fd_reserve.ts";
 * import { systemClock } from "./clock.ts";
 * const reserve = new FdReserve({ size: 2, open: () => ({ close() {} }), clock: systemClock });
 * reserve.fill(); // true: 2 held
 * await reserve.lend(async () => {}); // released during the call, refilled after
 * reserve.admit(); // true: full
 * reserve.close();
 * ```
 */
export class FdReserve {
  readonly #options: FdReserveOptions;
  readonly #held: FdHandle[] = [];
  readonly #retryMs: number;
  /** Connect attempts running with the reserve lent to them. */
  #lent = 0;
  #off = false;
  #closed = false;
  /** Since when (clock ms) the reserve has been short; undefined while full. */
  #shortSince: number | undefined;
  #timer: unknown;

  /** An empty reserve; {@linkcode FdReserve.fill} takes the descriptors. */
  constructor(options: FdReserveOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`reserve size must be a positive integer, got ${options.size}`);
    }
    this.#options = options;
    this.#retryMs = options.retryMs ?? 250;
  }

  /** Descriptors held now. */
  get held(): number {
    return this.#held.length;
  }

  /** Descriptors the reserve holds when full. */
  get size(): number {
    return this.#options.size;
  }

  /** Whether the reserve is off (its opener failed for a reason other than a shortage). */
  get off(): boolean {
    return this.#off;
  }

  /** Whether the reserve is lent to a connect attempt now. */
  get lent(): boolean {
    return this.#lent > 0;
  }

  /** Whether the reserve holds all its descriptors (an off reserve counts as full). */
  get full(): boolean {
    return this.#off || this.#held.length >= this.#options.size;
  }

  /**
   * Takes descriptors until full or out of them; not while lent (the connect attempt needs what
   * was released). Returns whether the reserve is full. While short, a timer keeps trying.
   */
  fill(): boolean {
    if (this.#closed || this.#off) return true;
    if (this.#lent > 0) return false;
    while (this.#held.length < this.#options.size) {
      const handle = this.#open();
      if (handle === undefined) break;
      this.#held.push(handle);
    }
    this.#track();
    return this.full;
  }

  /**
   * Runs `attempt` (a connect) with the reserve's descriptors given back to the process, then
   * refills. Attempts may overlap; the reserve refills after the last one ends.
   */
  async lend<T>(attempt: () => Promise<T>): Promise<T> {
    if (this.#off || this.#closed) return await attempt();
    this.#lent++;
    this.#release();
    try {
      return await attempt();
    } finally {
      this.#lent--;
      if (this.#lent === 0) this.fill();
    }
  }

  /**
   * Whether a connection that was just accepted may stay. Normally: the reserve is full, after a
   * refill. While lent to a connect attempt: `size` more descriptors can still be opened, so the
   * attempt keeps what it was lent (checked by opening and closing them). Call
   * {@linkcode FdReserve.fill} after closing a refused connection, so its descriptor goes to the
   * reserve before the next miner takes it.
   */
  admit(): boolean {
    if (this.#off || this.#closed) return true;
    if (this.#lent === 0) return this.fill();
    const probe: FdHandle[] = [];
    try {
      while (probe.length < this.#options.size) {
        const handle = this.#open();
        if (handle === undefined) return this.#off;
        probe.push(handle);
      }
      return true;
    } finally {
      for (const h of probe) closeQuietly(h);
    }
  }

  /** Gives every descriptor back and stops the refill timer. */
  close(): void {
    this.#closed = true;
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#release();
  }

  #release(): void {
    for (const h of this.#held.splice(0)) closeQuietly(h);
  }

  /** One descriptor, or undefined when out of them (or the reserve just turned off). */
  #open(): FdHandle | undefined {
    try {
      return this.#options.open();
    } catch (e) {
      if (isOutOfDescriptors(e)) return undefined;
      this.#off = true;
      this.#release();
      this.#options.events?.off?.(e);
      return undefined;
    }
  }

  /** Reports short / restored once each way and keeps the retry timer running while short. */
  #track(): void {
    const now = this.#options.clock.now();
    if (this.full) {
      if (this.#shortSince !== undefined) {
        const shortMs = now - this.#shortSince;
        this.#shortSince = undefined;
        this.#options.events?.restored?.(shortMs);
      }
      return;
    }
    if (this.#shortSince === undefined) {
      this.#shortSince = now;
      this.#options.events?.short?.(this.#held.length, this.#options.size);
    }
    if (this.#timer === undefined) {
      this.#timer = this.#options.clock.setTimeout(() => {
        this.#timer = undefined;
        if (!this.#closed && this.#lent === 0) this.fill();
      }, this.#retryMs);
    }
  }
}

/**
 * The production opener: a read-only handle on the running executable, a file that is always
 * there and readable under the start task's --allow-read.
 */
export function openExecutable(): FdHandle {
  return Deno.openSync(Deno.execPath(), { read: true });
}

function closeQuietly(handle: FdHandle): void {
  try {
    handle.close();
  } catch {
    // Already closed.
  }
}
