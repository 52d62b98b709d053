// Per-address job cache: for each payout address in use, its listeners, its current job and the
// node link that job came from; plus the recent jobs late shares are judged against. Pure.

import type { Job } from "../kaspa/mod.ts";
import type { Logger } from "../log/mod.ts";
import { Broadcast } from "./broadcast.ts";
import { JobStore, type JobStoreOptions } from "./jobs.ts";

/** One payout address in use. */
export interface AddressJobs {
  /** The payout address. */
  readonly address: string;
  /** Its listeners. */
  readonly broadcast: Broadcast;
  /** Its newest job, once one was made. */
  current: Job | undefined;
  /** The node connection `current`'s template came from (the service counts connections). */
  link: number;
  /** Whether a template fetch for it is in flight. */
  fetching: boolean;
}

/** Jobs by payout address, and recent jobs by seq and pre-PoW hash. */
export class JobCache {
  readonly #byAddress = new Map<string, AddressJobs>();
  readonly #store: JobStore;
  readonly #log: Logger;
  readonly #halted: () => boolean;

  /** An empty cache; its broadcasts stop once `halted()` says so. */
  constructor(options: JobStoreOptions & { log: Logger; halted: () => boolean }) {
    this.#store = new JobStore(options);
    this.#log = options.log;
    this.#halted = options.halted;
  }

  /** The entry of `address`; `created` is true when this call made it. */
  open(address: string): { entry: AddressJobs; created: boolean } {
    const found = this.#byAddress.get(address);
    if (found !== undefined) return { entry: found, created: false };
    const entry: AddressJobs = {
      address,
      broadcast: new Broadcast(this.#log, this.#halted),
      current: undefined,
      link: 0,
      fetching: false,
    };
    this.#byAddress.set(address, entry);
    return { entry, created: true };
  }

  /** Forgets `entry` once nobody listens to it any more. */
  release(entry: AddressJobs): void {
    if (entry.broadcast.size === 0 && this.isLive(entry)) this.#byAddress.delete(entry.address);
  }

  /** Whether `entry` is still the one of its address (not released meanwhile). */
  isLive(entry: AddressJobs): boolean {
    return this.#byAddress.get(entry.address) === entry;
  }

  /** The newest job of `address`, if any. */
  current(address: string): Job | undefined {
    return this.#byAddress.get(address)?.current;
  }

  /** Every address in use. */
  entries(): AddressJobs[] {
    return [...this.#byAddress.values()];
  }

  /** Addresses in use. */
  get addresses(): number {
    return this.#byAddress.size;
  }

  /**
   * Makes `job` (from node link `link`) the current job of `entry` and stores it, unless it is the
   * same work from the same link: a poll on a quiet network is not sent again, but after a
   * failover blocks must be submitted from the live node's template. Returns whether it is new.
   */
  accept(entry: AddressJobs, job: Job, link: number): boolean {
    if (
      entry.current !== undefined && entry.link === link && entry.current.workKey === job.workKey
    ) {
      return false;
    }
    entry.link = link;
    this.#store.add(job);
    entry.current = job;
    return true;
  }

  /** A recent job by its sequence number. */
  bySeq(seq: number): Job | undefined {
    return this.#store.bySeq(seq);
  }

  /** A recent job by its pre-PoW hash (hex). */
  byPrePowHash(hex: string): Job | undefined {
    return this.#store.byPrePowHash(hex);
  }

  /** Jobs kept for late shares. */
  get storedJobs(): number {
    return this.#store.size;
  }

  /**
   * Drops jobs older than the retention window (`now` in ms), never an address's current job.
   * Returns how many went early because of the cap.
   */
  prune(now: number): number {
    const pinned = new Set<Job>();
    for (const entry of this.#byAddress.values()) if (entry.current) pinned.add(entry.current);
    return this.#store.prune(now, pinned);
  }
}
