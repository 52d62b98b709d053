// Wake-ups for every connection of a server on one runtime timer: due times on a coarse grid.
// Why: a setTimeout per connection re-armed on every held job was a third of the heap garbage at 10k miners.

/** One wake-up's holder: made once per connection, scheduled again and again without allocating. */
export class Wakeable {
  /** Called once per schedule, from the wheel's timer. */
  readonly wake: () => void;
  /** Token of the live schedule (0: none); entries with an older token are left-overs. */
  token = 0;
  /** Grid time of the live schedule, ms. */
  at = 0;

  /** A holder that runs `wake` when due. */
  constructor(wake: () => void) {
    this.wake = wake;
  }
}

/** Default grid of due times, ms: a wake-up comes at most this much after the time asked for. */
export const WAKE_RESOLUTION_MS = 4;

/** The Wakeables scheduled into one grid slot, each with the token it had then. */
interface Slot {
  members: Wakeable[];
  tokens: number[];
  /** Entries left over by a reschedule or cancel. */
  stale: number;
}

/** A slot compacts once this many entries (and at least half of them) are left-overs. */
const COMPACT_MIN = 64;

/**
 * Due times of many Wakeables, each rounded up to the grid, in one list per grid slot; one
 * setTimeout for the earliest slot. Scheduling again or cancelling only bumps the Wakeable's
 * token: the old entry stays in its slot's list and is skipped when that slot fires (a slot
 * compacts when left-overs are most of it), so moving a wake time allocates nothing but the
 * list entry: no per-schedule map or set updates, whose rehashing at 10k connections was
 * promoted garbage too.
 */
export class WakeWheel {
  readonly #now: () => number;
  readonly #resolutionMs: number;
  readonly #slots = new Map<number, Slot>();
  #nextToken = 1;
  #live = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  /** `now`: the clock due times are in (ms); `resolutionMs`: the grid, at least 1. */
  constructor(now: () => number, resolutionMs = WAKE_RESOLUTION_MS) {
    this.#now = now;
    this.#resolutionMs = Math.max(1, resolutionMs);
  }

  /** Wakeables with a wake-up scheduled. */
  get size(): number {
    return this.#live;
  }

  /** Wakes `w` at `atMs` (rounded up to the grid), replacing any earlier schedule of `w`. */
  schedule(w: Wakeable, atMs: number): void {
    const res = this.#resolutionMs;
    const at = Math.ceil(atMs / res) * res;
    if (w.token === 0) this.#live++;
    else if (w.at === at) return;
    else this.#leave(w.at);
    w.token = this.#nextToken++;
    w.at = at;
    let slot = this.#slots.get(at);
    if (slot === undefined) {
      slot = { members: [], tokens: [], stale: 0 };
      this.#slots.set(at, slot);
    }
    slot.members.push(w);
    slot.tokens.push(w.token);
    if (at < this.#timerAt) this.#arm(at);
  }

  /** Drops the wake-up of `w`, if any. */
  cancel(w: Wakeable): void {
    if (w.token === 0) return;
    w.token = 0;
    this.#live--;
    this.#leave(w.at);
  }

  /** Drops every wake-up and the timer (server stop). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    for (const slot of this.#slots.values()) for (const w of slot.members) w.token = 0;
    this.#slots.clear();
    this.#live = 0;
  }

  /** One entry of the slot at `at` became a left-over; compacts the slot when they dominate. */
  #leave(at: number): void {
    const slot = this.#slots.get(at);
    if (slot === undefined || ++slot.stale < COMPACT_MIN) return;
    if (slot.stale * 2 < slot.members.length) return;
    const { members, tokens } = slot;
    let kept = 0;
    for (let i = 0; i < members.length; i++) {
      if (members[i]!.token !== tokens[i]) continue;
      members[kept] = members[i]!;
      tokens[kept++] = tokens[i]!;
    }
    members.length = kept;
    tokens.length = kept;
    slot.stale = 0;
    // An emptied slot stays until its time (its timer may be armed): it then finds nothing due.
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - this.#now()));
  }

  #fire(): void {
    // Due: the slot the timer was armed for (as a per-connection timer would, whatever the clock
    // reads: tests drive it by hand) and every slot the clock has passed.
    const dueBy = Math.max(this.#timerAt, this.#now());
    this.#timer = undefined;
    this.#timerAt = Infinity;
    // Due slots first, then wake: a woken one may schedule again (into a later slot, or a past
    // one, which the next timer serves) while the slots are being read.
    const due: Slot[] = [];
    for (const [at, slot] of this.#slots) {
      if (at > dueBy) continue;
      this.#slots.delete(at);
      due.push(slot);
    }
    for (const { members, tokens } of due) {
      for (let i = 0; i < members.length; i++) {
        const w = members[i]!;
        if (w.token !== tokens[i]) continue; // rescheduled or cancelled since
        w.token = 0;
        this.#live--;
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
    for (const at of this.#slots.keys()) if (at < next) next = at;
    if (next < this.#timerAt) this.#arm(next);
  }
}
