// Per-channel ring of the jobs a miner was sent, with the duplicate guard for each job's work.
// Pure and bounded: at most `capacity` jobs and `maxNonces` remembered nonces in total.

import type { Job } from "../kaspa/types.ts";

/** Default number of jobs kept for late shares (the Go and Rust bridges keep 300). */
export const DEFAULT_RING_CAPACITY = 300;
/** Default bound on nonces remembered by one ring for duplicate detection. */
export const DEFAULT_MAX_NONCES = 16_384;

/** One job as sent to one miner: a value made on lookup (compare entries by `id`, not identity). */
export interface RingEntry {
  /** Per-connection job id (1, 2, ...). */
  readonly id: number;
  /** The job itself. */
  readonly job: Job;
  /** Share difficulty announced with this job. */
  readonly difficulty: number;
  /** Name of the work (the job's workKey): equal work shares one duplicate set. */
  readonly key: string;
}

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
 *
 * Memory: every miner holds one ring of up to 300 jobs, so the ring is one circular array of
 * jobs (ids are consecutive, so lookup by id is arithmetic; the work key is the job's own) plus
 * the few difficulty changes still in range (a miner's difficulty changes rarely, so one number
 * per job was 2.4 KB of repeats), entries are made on lookup, and a work's nonce set exists only
 * once a share for it was accepted (most jobs never get one): about 2.4 KB per full ring instead
 * of 118 KB with an object and three map entries per job.
 */
export class JobRing {
  /** Jobs kept. */
  readonly capacity: number;
  /** Nonces remembered across the ring. */
  readonly maxNonces: number;
  #nextId = 1;
  /** Circular buffer; the oldest entry is at #head. */
  #jobs: Array<Job | undefined>;
  /** Difficulty changes, oldest first: jobs from id #diffFrom[i] on were sent at #diffValue[i]. */
  #diffFrom: number[] = [];
  #diffValue: number[] = [];
  #head = 0;
  #size = 0;
  /** Nonce sets of works with at least one accepted share, by work key. */
  #nonces = new Map<string, Set<bigint>>();
  #nonceCount = 0;

  /** An empty ring. */
  constructor(options: JobRingOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_RING_CAPACITY);
    this.maxNonces = Math.max(1, options.maxNonces ?? DEFAULT_MAX_NONCES);
    this.#jobs = new Array(this.capacity);
  }

  /** Jobs held. */
  get size(): number {
    return this.#size;
  }

  /** Nonces remembered. */
  get nonceCount(): number {
    return this.#nonceCount;
  }

  /** Adds `job` (sent at `difficulty`) under the next id; evicts the oldest past capacity. */
  add(job: Job, difficulty: number): RingEntry {
    if (this.#size === this.capacity) this.#evictOldest(job.workKey);
    const slot = (this.#head + this.#size) % this.capacity;
    this.#jobs[slot] = job;
    this.#size++;
    const id = this.#nextId++;
    const changes = this.#diffValue.length;
    if (changes === 0 || this.#diffValue[changes - 1] !== difficulty) {
      this.#diffFrom.push(id);
      this.#diffValue.push(difficulty);
    }
    // Forget changes that no job still held was sent under (the oldest held needs the one before).
    const oldest = this.#nextId - this.#size;
    while (this.#diffFrom.length > 1 && this.#diffFrom[1]! <= oldest) {
      this.#diffFrom.shift();
      this.#diffValue.shift();
    }
    return { id, job, difficulty, key: job.workKey };
  }

  /** The job sent under `id`, if still held. */
  get(id: number): RingEntry | undefined {
    const offset = id - (this.#nextId - this.#size);
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.#size) return undefined;
    return this.#at(offset);
  }

  /** The newest job with work `key`, if still held. */
  byKey(key: string): RingEntry | undefined {
    for (let i = this.#size - 1; i >= 0; i--) {
      if (this.#jobs[(this.#head + i) % this.capacity]!.workKey === key) return this.#at(i);
    }
    return undefined;
  }

  /**
   * Entries of work `key` sent as different jobs (the same work under another timestamp, as after
   * a failover), newest first, the newest entry of each job: at most `max`.
   */
  sameWork(key: string, max: number): RingEntry[] {
    const out: RingEntry[] = [];
    for (let i = this.#size - 1; i >= 0 && out.length < max; i--) {
      const job = this.#jobs[(this.#head + i) % this.capacity]!;
      if (job.workKey === key && !out.some((e) => e.job === job)) out.push(this.#at(i));
    }
    return out;
  }

  /** The newest job held. */
  newest(): RingEntry | undefined {
    return this.#size === 0 ? undefined : this.#at(this.#size - 1);
  }

  /** Up to `n` jobs sent just before `entry`, nearest first (neighbouring-job retry). */
  before(entry: RingEntry, n: number): RingEntry[] {
    const out: RingEntry[] = [];
    for (let id = entry.id - 1; out.length < n; id--) {
      const e = this.get(id);
      if (e === undefined) break;
      out.push(e);
    }
    return out;
  }

  /** Whether `nonce` was already recorded for this entry's work. */
  seen(entry: RingEntry, nonce: bigint): boolean {
    return this.#nonces.get(entry.key)?.has(nonce) ?? false;
  }

  /** Records `nonce` for the entry's work; drops the oldest jobs while over the nonce bound. */
  record(entry: RingEntry, nonce: bigint): void {
    const set = this.#nonces.get(entry.key);
    if (set === undefined) this.#nonces.set(entry.key, new Set([nonce]));
    else if (set.has(nonce)) return;
    else set.add(nonce);
    this.#nonceCount++;
    while (this.#nonceCount > this.maxNonces && this.#size > 0) this.#evictOldest();
  }

  /** The entry `offset` places after the oldest (0 <= offset < size). */
  #at(offset: number): RingEntry {
    const job = this.#jobs[(this.#head + offset) % this.capacity]!;
    const id = this.#nextId - this.#size + offset;
    return { id, job, difficulty: this.#difficultyOf(id), key: job.workKey };
  }

  /** Difficulty job `id` (held) was sent at: the last change at or before it. */
  #difficultyOf(id: number): number {
    let i = this.#diffFrom.length - 1;
    while (i > 0 && this.#diffFrom[i]! > id) i--;
    return this.#diffValue[i]!;
  }

  /** Drops the oldest job; its work's nonces go too unless a newer entry (or `keep`, the work being added) holds it. */
  #evictOldest(keep?: string): void {
    if (this.#size === 0) return;
    const key = this.#jobs[this.#head]!.workKey;
    this.#jobs[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    const set = this.#nonces.get(key);
    // A work's nonces go with its last entry (a re-sent job shares the work of earlier ids).
    if (set !== undefined && key !== keep && this.byKey(key) === undefined) {
      this.#nonceCount -= set.size;
      this.#nonces.delete(key);
    }
  }
}
