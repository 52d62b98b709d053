// Template fetching: one getBlockTemplate per payout address in use, coalesced after node
// notifications and polled when the node is quiet; each new template becomes a Job, broadcast.

import { makeJob, type NodeClient, type PowFactory } from "../kaspa/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Clock } from "../runtime/mod.ts";
import type { AddressJobs, JobCache } from "./cache.ts";
import { Coalescer } from "./coalescer.ts";
import { type LatencySnapshot, LatencyStats } from "./latency.ts";

/** The node link as the service sees it; the fetcher reads it live. */
export interface LinkState {
  /** Whether the node link is up. */
  connected: boolean;
  /** Network name as the node reports it, once known. */
  network: string | undefined;
  /** Whether the node runs another network than configured. */
  wrongNetwork: boolean;
  /** Counts node (re)connections: a template from a new link is new work even if it hashes alike. */
  link: number;
}

/** Parts and tuning of a TemplateFetcher. */
export interface FetcherOptions {
  /** Where templates come from. */
  node: NodeClient;
  /** Time source of the coalescing interval and the poll. */
  clock: Clock;
  /** Structured logs. */
  log: Logger;
  /** Where new jobs go. */
  cache: JobCache;
  /** The node link's state, read live. */
  state: Readonly<LinkState>;
  /** Coinbase extra data. */
  extraData: Uint8Array;
  /** Minimum time between two fetch rounds, ms. */
  coalesceMs: number;
  /** Poll when no notification came for this long, ms. */
  pollMs: number;
  /** Builds a job's PoW state. Default lib/pow createPowState. */
  powFactory?: PowFactory;
  /** Told each template's sync flag; returns whether to hand that template out. */
  useTemplate: (isSynced: boolean) => boolean;
  /** Whether the service stopped. */
  halted: () => boolean;
}

/** Round size of a fetch: at most this many getBlockTemplate calls at once. */
const FETCH_PARALLEL = 16;

/** Fetches templates for every address in use and publishes the new jobs. */
export class TemplateFetcher {
  readonly #o: FetcherOptions;
  readonly #coalescer: Coalescer;
  readonly #latency = new LatencyStats();
  #lastNotifyAt = -Infinity;
  /** First notification not yet answered by a fetch round (for the latency figure). */
  #pendingNotifyAt: number | undefined;
  #lastJobAt: number | undefined;
  #pollTimer: unknown;

  /** An idle fetcher; start() begins polling. */
  constructor(options: FetcherOptions) {
    this.#o = options;
    this.#coalescer = new Coalescer({
      intervalMs: options.coalesceMs,
      clock: options.clock,
      run: () => this.#fetchAll(),
      onError: (e) => options.log.error("template round failed", { error: String(e) }),
    });
  }

  /** Starts the quiet-node poll (which also prunes old jobs). */
  start(): void {
    this.#schedulePoll();
  }

  /** Stops the poll and any scheduled round. */
  stop(): void {
    this.#coalescer.stop();
    this.#o.clock.clearTimeout(this.#pollTimer);
  }

  /** The node said it has a new template. */
  notified(): void {
    this.#lastNotifyAt = this.#o.clock.now();
    this.#pendingNotifyAt ??= this.#lastNotifyAt;
    if (this.#o.state.network !== undefined) this.#coalescer.trigger();
  }

  /** Asks for a fetch round for every address. */
  trigger(): void {
    this.#coalescer.trigger();
  }

  /** When the last job was published, ms since the epoch. */
  get lastJobAt(): number | undefined {
    return this.#lastJobAt;
  }

  /** Notification → job published, ms. */
  latency(): LatencySnapshot {
    return this.#latency.snapshot();
  }

  #ready(): boolean {
    const s = this.#o.state;
    return s.connected && s.network !== undefined && !s.wrongNetwork;
  }

  #schedulePoll(): void {
    const { clock, pollMs, state, log, cache } = this.#o;
    this.#pollTimer = clock.setTimeout(() => {
      if (this.#o.halted()) return;
      const quiet = clock.now() - this.#lastNotifyAt >= pollMs;
      if (quiet && state.connected && state.network !== undefined) this.#coalescer.trigger();
      if (cache.prune(clock.now()) > 0) {
        log.warn("job store full: dropped jobs younger than the retention window");
      }
      this.#schedulePoll();
    }, pollMs);
  }

  async #fetchAll(): Promise<void> {
    const notifiedAt = this.#pendingNotifyAt;
    this.#pendingNotifyAt = undefined;
    if (!this.#ready()) return;
    const entries = this.#o.cache.entries();
    for (let i = 0; i < entries.length; i += FETCH_PARALLEL) {
      await Promise.all(
        entries.slice(i, i + FETCH_PARALLEL).map((entry) => this.fetchOne(entry, notifiedAt)),
      );
    }
  }

  /** Fetches one template for `entry`; `notifiedAt` (ms) is the notification it answers, if any. */
  async fetchOne(entry: AddressJobs, notifiedAt: number | undefined): Promise<void> {
    if (!this.#ready()) return;
    if (entry.fetching) {
      this.#coalescer.trigger(); // fetch again after this one: the caller wants a newer template
      return;
    }
    const { node, clock, cache, state } = this.#o;
    entry.fetching = true;
    const link = state.link;
    try {
      const template = await node.getBlockTemplate(entry.address, this.#o.extraData);
      if (!this.#o.useTemplate(template.isSynced)) return;
      if (!cache.isLive(entry)) return; // unsubscribed meanwhile
      const job = makeJob(template, clock.now(), this.#o.powFactory);
      if (!cache.accept(entry, job, link)) return;
      this.#lastJobAt = job.createdAt;
      if (notifiedAt !== undefined) this.#latency.record(job.createdAt - notifiedAt);
      entry.broadcast.publish(job);
    } catch (e) {
      this.#o.log.warn("template fetch failed", { address: entry.address, error: String(e) });
    } finally {
      entry.fetching = false;
    }
  }
}
