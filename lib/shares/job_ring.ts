// Per-channel ring of the jobs a miner was sent, with the duplicate guard for each job's work.
// Pure and bounded: at most `capacity` jobs and `maxNonces` remembered nonces in total.

import type { Job } from "../templates/types.ts";

/** Default number of jobs kept for late shares (the Go and Rust bridges keep 300). */
export const DEFAULT_RING_CAPACITY = 300;
/** Default bound on nonces remembered by one ring for duplicate detection. */
export const DEFAULT_MAX_NONCES = 16_384;

/** One piece of work's duplicate guard, shared by ring entries of the same work. */
export interface Work {
  /** Nonces already accepted for this work. */
  nonces: ReadonlySet<bigint>;
  /** Ring entries pointing at it. */
  refs: number;
}

/** One job as sent to one miner. */
export interface RingEntry {
  /** Per-connection job id (1, 2, ...). */
  readonly id: number;
  /** The job itself. */
  readonly job: Job;
  /** Share difficulty announced with this job. */
  readonly difficulty: number;
  /** Name of the work (pre-PoW hash hex): equal work shares one duplicate set. */
  readonly key: string;
  /** Duplicate guard of the work. */
  readonly work: Work;
}

/**
 * The nonce set of every work without an accepted share yet, shared and never written: most jobs
 * a miner is sent get no share, and an empty Set per job was a third of an idle miner's memory.
 */
const NO_NONCES: ReadonlySet<bigint> = new Set<bigint>();

/** Options for {@linkcode JobRing}. */
export interface JobRingOptions {
  /** Jobs kept; at least 1. Default 300. */
  capacity?: number;
  /** Nonces remembered across the ring; past it the oldest jobs are dropped. Default 16384. */
  maxNonces?: number;
}

/**
 * Recent jobs by id and by work key. Entries of the same work (one job re-sent under a new id
 * with a new difficulty) share one nonce set, so a share cannot be counted once per id.
 * When the nonce bound is reached the oldest jobs leave the ring: their shares become stale
 * instead of unguarded.
 */
export class JobRing {
  /** Jobs kept. */
  readonly capacity: number;
  /** Nonces remembered across the ring. */
  readonly maxNonces: number;
  #nextId = 1;
  #entries: RingEntry[] = [];
  #byId = new Map<number, RingEntry>();
  #byKey = new Map<string, RingEntry>();
  #works = new Map<string, Work>();
  #nonceCount = 0;

  /** An empty ring. */
  constructor(options: JobRingOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_RING_CAPACITY);
    this.maxNonces = Math.max(1, options.maxNonces ?? DEFAULT_MAX_NONCES);
  }

  /** Jobs held. */
  get size(): number {
    return this.#entries.length;
  }

  /** Nonces remembered. */
  get nonceCount(): number {
    return this.#nonceCount;
  }

  /** Adds `job` (sent at `difficulty`) under the next id; evicts the oldest past capacity. */
  add(job: Job, difficulty: number, key: string): RingEntry {
    let work = this.#works.get(key);
    if (work === undefined) {
      work = { nonces: NO_NONCES, refs: 0 };
      this.#works.set(key, work);
    }
    work.refs++;
    const entry: RingEntry = { id: this.#nextId++, job, difficulty, key, work };
    this.#entries.push(entry);
    this.#byId.set(entry.id, entry);
    this.#byKey.set(key, entry);
    while (this.#entries.length > this.capacity) this.#evictOldest();
    return entry;
  }

  /** The job sent under `id`, if still held. */
  get(id: number): RingEntry | undefined {
    return this.#byId.get(id);
  }

  /** The newest job with work `key`, if still held. */
  byKey(key: string): RingEntry | undefined {
    return this.#byKey.get(key);
  }

  /** The newest job held. */
  newest(): RingEntry | undefined {
    return this.#entries.at(-1);
  }

  /** Up to `n` jobs sent just before `entry`, nearest first (neighbouring-job retry). */
  before(entry: RingEntry, n: number): RingEntry[] {
    const out: RingEntry[] = [];
    for (let id = entry.id - 1; id > 0 && out.length < n; id--) {
      const e = this.#byId.get(id);
      if (e === undefined) break;
      out.push(e);
    }
    return out;
  }

  /** Whether `nonce` was already recorded for this entry's work. */
  seen(entry: RingEntry, nonce: bigint): boolean {
    return entry.work.nonces.has(nonce);
  }

  /** Records `nonce` for the entry's work; drops the oldest jobs while over the nonce bound. */
  record(entry: RingEntry, nonce: bigint): void {
    const work = entry.work;
    if (work.nonces.has(nonce)) return;
    if (work.nonces === NO_NONCES) work.nonces = new Set([nonce]);
    else (work.nonces as Set<bigint>).add(nonce);
    this.#nonceCount++;
    while (this.#nonceCount > this.maxNonces && this.#entries.length > 0) this.#evictOldest();
  }

  #evictOldest(): void {
    const old = this.#entries.shift();
    if (old === undefined) return;
    this.#byId.delete(old.id);
    if (this.#byKey.get(old.key) === old) this.#byKey.delete(old.key);
    if (--old.work.refs === 0) {
      this.#nonceCount -= old.work.nonces.size;
      this.#works.delete(old.key);
    }
  }
}
