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

/** The reserve's state as published in {@linkcode FdReserve.shared}, at index 0. */
const STATE = { full: 0, lent: 1, short: 2, off: 3 } as const;

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
  /**
   * The state for other threads (Int32 state, held, size), kept current by this reserve: a
   * {@linkcode SharedReserveGate} on it answers a Stratum thread's accept loop.
   */
  readonly shared: SharedArrayBuffer = new SharedArrayBuffer(3 * 4);
  readonly #view = new Int32Array(this.shared);
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
    Atomics.store(this.#view, 2, options.size);
    this.#publish();
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
    this.#publish();
    try {
      return await attempt();
    } finally {
      this.#lent--;
      if (this.#lent === 0) this.fill();
      else this.#publish();
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
    this.#publish();
  }

  /** Writes the state other threads read (see {@linkcode FdReserve.shared}). */
  #publish(): void {
    const state = this.#off || this.#closed
      ? STATE.off
      : this.#lent > 0
      ? STATE.lent
      : this.full
      ? STATE.full
      : STATE.short;
    Atomics.store(this.#view, 0, state);
    Atomics.store(this.#view, 1, this.#held.length);
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
      this.#publish();
      this.#options.events?.off?.(e);
      return undefined;
    }
  }

  /** Reports short / restored once each way and keeps the retry timer running while short. */
  #track(): void {
    this.#publish();
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
 * A Stratum thread's view of the main thread's reserve (from {@linkcode FdReserve.shared}): the same
 * answers as {@linkcode FdReserve.admit}, except that a thread cannot refill the reserve itself (the
 * main thread's retry timer does, every 250 ms while short).
 *
 * @example
 * ```ts
 * import { FdReserve, SharedReserveGate } from "./fd_reserve.ts";
 * import { systemClock } from "./clock.ts";
 * const open = () => ({ close() {} });
 * const reserve = new FdReserve({ size: 2, open, clock: systemClock });
 * reserve.fill();
 * new SharedReserveGate(reserve.shared, open).admit(); // true: full
 * ```
 */
export class SharedReserveGate {
  readonly #view: Int32Array;
  readonly #open: () => FdHandle;

  /** `shared` from the main thread's FdReserve; `open` as its opener (for the probe while lent). */
  constructor(shared: SharedArrayBuffer, open: () => FdHandle) {
    this.#view = new Int32Array(shared);
    this.#open = open;
  }

  /** Descriptors the reserve holds now. */
  get held(): number {
    return Atomics.load(this.#view, 1);
  }

  /** Descriptors the reserve holds when full. */
  get size(): number {
    return Atomics.load(this.#view, 2);
  }

  /** Whether a connection just accepted may stay (see FdReserve.admit). */
  admit(): boolean {
    const state = Atomics.load(this.#view, 0);
    if (state === STATE.full || state === STATE.off) return true;
    if (state === STATE.short) return false;
    const probe: FdHandle[] = [];
    try {
      while (probe.length < this.size) probe.push(this.#open());
      return true;
    } catch (e) {
      return !isOutOfDescriptors(e); // another failure: no probe possible, refuse nobody for it
    } finally {
      for (const h of probe) closeQuietly(h);
    }
  }

  /** Whether the reserve is full (or off); the main thread does the refilling. */
  fill(): boolean {
    const state = Atomics.load(this.#view, 0);
    return state === STATE.full || state === STATE.off;
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
