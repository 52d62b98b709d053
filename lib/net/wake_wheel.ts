// Wake-ups for every connection of a server on one runtime timer: due times on a coarse grid.
// Why: a setTimeout per connection re-armed on every held job was a third of the heap garbage at 10k miners.

/** Something woken at (or just after) the time it asked for. */
export interface Wakeable {
  /** Called once per schedule, from the wheel's timer. */
  wake(): void;
}

/** Default grid of due times, ms: a wake-up comes at most this much after the time asked for. */
export const WAKE_RESOLUTION_MS = 4;

/**
 * Due times of many Wakeables, each rounded up to the grid and kept in one Set per grid slot;
 * one setTimeout for the earliest slot. Scheduling again replaces the earlier time; scheduling
 * for the slot already held costs two map lookups and allocates nothing.
 */
export class WakeWheel {
  readonly #now: () => number;
  readonly #resolutionMs: number;
  readonly #slotOf = new Map<Wakeable, number>();
  readonly #slots = new Map<number, Set<Wakeable>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  /** `now`: the clock due times are in (ms); `resolutionMs`: the grid, at least 1. */
  constructor(now: () => number, resolutionMs = WAKE_RESOLUTION_MS) {
    this.#now = now;
    this.#resolutionMs = Math.max(1, resolutionMs);
  }

  /** Wakeables with a wake-up scheduled. */
  get size(): number {
    return this.#slotOf.size;
  }

  /** Wakes `w` at `atMs` (rounded up to the grid), replacing any earlier schedule of `w`. */
  schedule(w: Wakeable, atMs: number): void {
    const res = this.#resolutionMs;
    const slot = Math.ceil(atMs / res) * res;
    const old = this.#slotOf.get(w);
    if (old === slot) return;
    if (old !== undefined) this.#leave(w, old);
    this.#slotOf.set(w, slot);
    let members = this.#slots.get(slot);
    if (members === undefined) {
      members = new Set();
      this.#slots.set(slot, members);
    }
    members.add(w);
    if (slot < this.#timerAt) this.#arm(slot);
  }

  /** Drops the wake-up of `w`, if any. */
  cancel(w: Wakeable): void {
    const old = this.#slotOf.get(w);
    if (old === undefined) return;
    this.#slotOf.delete(w);
    this.#leave(w, old);
  }

  /** Drops every wake-up and the timer (server stop). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#slotOf.clear();
    this.#slots.clear();
  }

  #leave(w: Wakeable, slot: number): void {
    const members = this.#slots.get(slot);
    if (members === undefined) return;
    members.delete(w);
    if (members.size === 0) this.#slots.delete(slot);
    // The timer may stay armed for an emptied slot: it then finds nothing due and re-arms.
  }

  #arm(slot: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = slot;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, slot - this.#now()));
  }

  #fire(): void {
    // Due: the slot the timer was armed for (as a per-connection timer would, whatever the clock
    // reads: tests drive it by hand) and every slot the clock has passed.
    const dueBy = Math.max(this.#timerAt, this.#now());
    this.#timer = undefined;
    this.#timerAt = Infinity;
    // Due slots first, then wake: a woken one may schedule again (into a later slot, or a past
    // one, which the next timer serves) while the slots are being read.
    const due: Array<[number, Set<Wakeable>]> = [];
    for (const [slot, members] of this.#slots) {
      if (slot > dueBy) continue;
      this.#slots.delete(slot);
      due.push([slot, members]);
    }
    for (const [slot, members] of due) {
      for (const w of members) {
        if (this.#slotOf.get(w) !== slot) continue; // cancelled or moved by an earlier wake-up
        this.#slotOf.delete(w);
        try {
          w.wake();
        } catch (e) {
          // One wake-up's fault must not cost the others theirs; it surfaces as a timer's would.
          queueMicrotask(() => {
            throw e;
          });
        }
      }
    }
    let next = Infinity;
    for (const slot of this.#slots.keys()) if (slot < next) next = slot;
    if (next < this.#timerAt) this.#arm(next);
  }
}
