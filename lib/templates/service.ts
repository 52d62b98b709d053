// The template service: one template per payout address in use, coalesced, hashed once into a Job,
// published to that address's subscribers; node health, network check, recent-job lookups, submission.

import { setImmediate } from "node:timers";
import {
  checkAddressNetwork,
  decodeAddress,
  type Job,
  makeJob,
  type NodeClient,
  type PowFactory,
  prefixForNetwork,
  type SubmitVerdict,
} from "../kaspa/mod.ts";
import { type LogFn, silentLog } from "../log/mod.ts";
import { type Backoff, type Clock, exponentialBackoff, systemClock } from "../runtime/mod.ts";
import { Coalescer } from "./coalescer.ts";
import { JobStore } from "./jobs.ts";
import { BlockSubmitter } from "./submit.ts";
import { type LatencySnapshot, LatencyStats } from "./latency.ts";

/** How the template service is wired and tuned. */
export interface TemplateServiceOptions {
  /** The node link (usually a ReconnectingNodeClient); the service connects and closes it. */
  node: NodeClient;
  /** Time source. Default the system clock. */
  clock?: Clock;
  /** Structured log sink. Default silent. */
  log?: LogFn;
  /** Coinbase extra data (the node prepends its version and "/"). Default "kstratum". */
  extraData?: Uint8Array;
  /** Minimum time between two template fetch rounds, ms. Default 250. */
  coalesceMs?: number;
  /** Poll for a template when no notification came for this long, ms. Default 1000. */
  pollMs?: number;
  /** Jobs stay findable this long, ms (at least 30000). Default 60000. */
  retentionMs?: number;
  /** Cap on stored jobs. Default 4096. */
  maxJobs?: number;
  /** Hand out work from an unsynced node (devnet, tests). Default false. */
  allowUnsynced?: boolean;
  /** Network the operator expects (e.g. "mainnet"); the service refuses another. */
  network?: string;
  /** Retry delays while submitting to an unreachable node. Default 250 ms doubling to 2 s. */
  submitBackoff?: Backoff;
  /** Give up submitting to an unreachable node once the job is this old, ms. Default 20000. */
  submitMaxAgeMs?: number;
  /** How often to ask for an accepted block's color, ms. Default 2000. */
  colorIntervalMs?: number;
  /** Stop asking for a block's color after this long, ms. Default 120000. */
  colorMaxMs?: number;
  /** Told once per accepted block whether it ended up blue. */
  onBlockColor?: (hash: string, blue: boolean) => void;
  /** Builds a job's PoW state. Default lib/pow createPowState. */
  powFactory?: PowFactory;
}

/** Receives each new job for an address. Must not throw. */
export type JobListener = (job: Job) => void;

/** Why the service refuses to serve. */
export type ServiceErrorCode = "wrong-network";

/** The node runs another network than configured. */
export class TemplateServiceError extends Error {
  /** Error name, for logs. */
  override readonly name = "TemplateServiceError";
  /** Makes an error with a stable `code`. */
  constructor(readonly code: ServiceErrorCode, message: string) {
    super(message);
  }
}

/** What the service knows about the node, for health and metrics. */
export interface ServiceStatus {
  /** Whether the node link is up. */
  connected: boolean;
  /** Network name as the node reports it, once known. */
  network: string | undefined;
  /** Whether the node's last template said it is synced. */
  synced: boolean;
  /** Whether miners get work now (connected, right network, synced or allowed unsynced). */
  serving: boolean;
  /** Distinct payout addresses with subscribers. */
  addresses: number;
  /** Jobs kept for late shares. */
  storedJobs: number;
  /** When the last job was published, ms since the epoch. */
  lastJobAt: number | undefined;
  /** Notification → job published, ms. */
  notifyToJob: LatencySnapshot;
}

interface Subscription {
  listeners: Set<JobListener>;
  /**
   * `listeners` as an array for fan-out rounds, made again only after the set changed: a
   * 10k-entry copy per round lived as long as the round and was promoted garbage.
   */
  snapshot: JobListener[] | undefined;
  current: Job | undefined;
  /** The node connection `current`'s template came from (see #link). */
  link: number;
  fetching: boolean;
  /** The fan-out in progress, if any. */
  round: FanOutRound | undefined;
}

/** One job on its way to an address's listeners: `listeners[at]` is served next. */
interface FanOutRound {
  job: Job;
  listeners: JobListener[];
  at: number;
}

const encoder = new TextEncoder();

/**
 * Listeners a fan-out serves per slice, about 10 µs each. Slices follow each other with
 * setImmediate (a few µs) for up to FANOUT_BURST_MS, then with setTimeout(0) (about 2 ms in Deno).
 * Why both: while immediates keep coming, Deno polls sockets only now and then (a read waited
 * 3-6 ms behind a chain of 50 µs steps), so back-to-back slices held share replies for most of a
 * round; a timer lets the runtime wait on its sockets. Measured (1k miners at 2,000 shares/s, reply
 * p99; 10k miners at 2 templates/s, fan-out p99): back to back 33 ms / 297 ms; 4 ms bursts
 * 13 ms / 385 ms; 1 ms bursts 9 ms / 614 ms; no templates at all: 7.7 ms reply p99.
 * A MessagePort round trip instead of the timer (about 20 µs) was tried later: fan-out 310 ms
 * instead of 410, but reply p99 28 ms instead of 9, so Deno does not poll sockets on it either;
 * a 30 µs crypto.subtle.digest as the yield: fan-out 272 ms, reply p99 18 ms.
 */
const FANOUT_SLICE = 64;
const FANOUT_BURST_MS = 4;

/** Fetches templates, makes jobs, and hands them to subscribers by payout address. */
export class TemplateService {
  readonly #node: NodeClient;
  readonly #clock: Clock;
  readonly #log: LogFn;
  readonly #opts: TemplateServiceOptions;
  readonly #extra: Uint8Array;
  readonly #subs = new Map<string, Subscription>();
  readonly #jobs: JobStore;
  readonly #coalescer: Coalescer;
  readonly #submitter: BlockSubmitter;
  readonly #latency = new LatencyStats();
  #network: string | undefined;
  #connected = false;
  /** Counts node (re)connections: a template from a new link is new work even if it hashes alike. */
  #link = 0;
  #synced = false;
  #wrongNetwork = false;
  #lastNotifyAt = -Infinity;
  /** First notification not yet answered by a fetch round (for the latency figure). */
  #pendingNotifyAt: number | undefined;
  #lastJobAt: number | undefined;
  #pollTimer: unknown;
  #unlisten: Array<() => void> = [];
  #ready: { promise: Promise<void>; resolve: () => void };
  #stopped = false;

  /** Creates the service; nothing happens until start(). */
  constructor(options: TemplateServiceOptions) {
    this.#opts = options;
    this.#node = options.node;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? silentLog;
    this.#extra = options.extraData ?? encoder.encode("kstratum");
    this.#jobs = new JobStore({
      retentionMs: options.retentionMs ?? 60_000,
      maxJobs: options.maxJobs ?? 4096,
    });
    this.#coalescer = new Coalescer({
      intervalMs: options.coalesceMs ?? 250,
      clock: this.#clock,
      run: () => this.#fetchAll(),
      onError: (e) => this.#log("error", "template round failed", { error: String(e) }),
    });
    this.#submitter = new BlockSubmitter({
      node: this.#node,
      clock: this.#clock,
      log: this.#log,
      backoff: options.submitBackoff ?? exponentialBackoff({ baseMs: 250, maxMs: 2000 }),
      maxAgeMs: options.submitMaxAgeMs ?? 20_000,
      colorIntervalMs: options.colorIntervalMs ?? 2000,
      colorMaxMs: options.colorMaxMs ?? 120_000,
      onBlockColor: options.onBlockColor,
    });
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.#ready = { promise, resolve };
  }

  /** Listens to the node and starts connecting (in the background). */
  start(): void {
    this.#unlisten.push(
      this.#node.onNewTemplate(() => this.#onNotification()),
      this.#node.onConnectionChange((up) => this.#onConnection(up)),
    );
    this.#schedulePoll();
    this.#node.connect().catch((e) =>
      this.#log("error", "node connect failed", { error: String(e) })
    );
  }

  /** Resolves once the node's network is known and matches the configured one. */
  whenReady(): Promise<void> {
    return this.#ready.promise;
  }

  /** Stops timers and listeners and closes the node client. Pending submits return. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#coalescer.stop();
    this.#submitter.stop();
    this.#clock.clearTimeout(this.#pollTimer);
    for (const off of this.#unlisten.splice(0)) off();
    await this.#node.close();
  }

  /** The node's network name, once known. */
  get network(): string | undefined {
    return this.#network;
  }

  /**
   * Validates a payout address: checksum and, once the node's network is known, its prefix.
   * Throws AddressError (code "wrong-network" for a prefix of another network).
   */
  checkAddress(address: string): void {
    if (this.#network === undefined) decodeAddress(address);
    else checkAddressNetwork(address, this.#network);
  }

  /**
   * Subscribes to jobs paying `address`; the current job, if any, is delivered at once. The first
   * subscriber of an address causes a fetch. Returns the unsubscribe function. Throws AddressError.
   */
  subscribe(address: string, listener: JobListener): () => void {
    this.checkAddress(address);
    let sub = this.#subs.get(address);
    if (sub === undefined) {
      sub = {
        listeners: new Set(),
        snapshot: undefined,
        current: undefined,
        link: 0,
        fetching: false,
        round: undefined,
      };
      this.#subs.set(address, sub);
      this.#fetchOne(address, sub, undefined).catch(() => {});
    }
    const entry = sub;
    const wrapped: JobListener = (job) => listener(job);
    entry.listeners.add(wrapped);
    entry.snapshot = undefined;
    if (entry.current !== undefined && this.#serving()) this.#deliver(wrapped, entry.current);
    return () => {
      entry.listeners.delete(wrapped);
      entry.snapshot = undefined;
      if (entry.listeners.size === 0 && this.#subs.get(address) === entry) {
        this.#subs.delete(address);
      }
    };
  }

  /** The latest job for `address`, if any. */
  currentJob(address: string): Job | undefined {
    return this.#subs.get(address)?.current;
  }

  /** A recent job by its sequence number. */
  jobBySeq(seq: number): Job | undefined {
    return this.#jobs.bySeq(seq);
  }

  /** A recent job by its pre-PoW hash (hex). */
  jobByPrePowHash(hex: string): Job | undefined {
    return this.#jobs.byPrePowHash(hex);
  }

  /** Submits a solved job (see BlockSubmitter.submit). */
  submitBlock(job: Job, nonce: bigint): Promise<SubmitVerdict> {
    return this.#submitter.submit(job, nonce);
  }

  /** A snapshot for health checks and metrics. */
  status(): ServiceStatus {
    return {
      connected: this.#connected,
      network: this.#network,
      synced: this.#synced,
      serving: this.#serving(),
      addresses: this.#subs.size,
      storedJobs: this.#jobs.size,
      lastJobAt: this.#lastJobAt,
      notifyToJob: this.#latency.snapshot(),
    };
  }

  #serving(): boolean {
    return this.#connected && !this.#wrongNetwork && this.#network !== undefined &&
      (this.#synced || this.#opts.allowUnsynced === true);
  }

  #onNotification(): void {
    this.#lastNotifyAt = this.#clock.now();
    this.#pendingNotifyAt ??= this.#lastNotifyAt;
    if (this.#network !== undefined) this.#coalescer.trigger();
  }

  #onConnection(up: boolean): void {
    if (this.#stopped) return;
    this.#connected = up;
    if (up) this.#link++;
    if (!up) {
      this.#log("warn", "node down: keeping the last jobs until it is back", {
        addresses: this.#subs.size,
      });
      return;
    }
    this.#learnNetwork().catch((e) =>
      this.#log("error", "could not learn the node's network", { error: String(e) })
    );
  }

  async #learnNetwork(): Promise<void> {
    const dag = await this.#node.getDagInfo();
    const info = await this.#node.getInfo();
    const network = dag.networkName;
    const expected = this.#opts.network;
    if (expected !== undefined && prefixForNetwork(expected) !== prefixForNetwork(network)) {
      this.#wrongNetwork = true;
      const error = new TemplateServiceError(
        "wrong-network",
        `node runs ${network} but kstratum is configured for ${expected}`,
      );
      this.#log("error", error.message, { node: network, configured: expected });
      return;
    }
    this.#wrongNetwork = false;
    this.#network = network;
    this.#synced = info.isSynced;
    this.#log("info", "node ready", {
      network,
      version: info.serverVersion,
      synced: info.isSynced,
      blocks: dag.blockCount,
    });
    this.#ready.resolve();
    this.#coalescer.trigger();
  }

  #schedulePoll(): void {
    const pollMs = this.#opts.pollMs ?? 1000;
    this.#pollTimer = this.#clock.setTimeout(() => {
      if (this.#stopped) return;
      const quiet = this.#clock.now() - this.#lastNotifyAt >= pollMs;
      if (quiet && this.#connected && this.#network !== undefined) this.#coalescer.trigger();
      const pinned = new Set<Job>();
      for (const s of this.#subs.values()) if (s.current) pinned.add(s.current);
      if (this.#jobs.prune(this.#clock.now(), pinned) > 0) {
        this.#log("warn", "job store full: dropped jobs younger than the retention window");
      }
      this.#schedulePoll();
    }, pollMs);
  }

  async #fetchAll(): Promise<void> {
    const notifiedAt = this.#pendingNotifyAt;
    this.#pendingNotifyAt = undefined;
    if (!this.#connected || this.#network === undefined || this.#wrongNetwork) return;
    const entries = [...this.#subs.entries()];
    const limit = 16;
    for (let i = 0; i < entries.length; i += limit) {
      await Promise.all(
        entries.slice(i, i + limit).map(([a, s]) => this.#fetchOne(a, s, notifiedAt)),
      );
    }
  }

  /** Fetches one template for `address`; `notifiedAt` (ms) is the notification it answers, if any. */
  async #fetchOne(
    address: string,
    sub: Subscription,
    notifiedAt: number | undefined,
  ): Promise<void> {
    if (!this.#connected || this.#network === undefined || this.#wrongNetwork) return;
    if (sub.fetching) {
      this.#coalescer.trigger(); // fetch again after this one: the caller wants a newer template
      return;
    }
    sub.fetching = true;
    const link = this.#link;
    try {
      const template = await this.#node.getBlockTemplate(address, this.#extra);
      this.#setSynced(template.isSynced);
      if (!template.isSynced && this.#opts.allowUnsynced !== true) return;
      if (this.#subs.get(address) !== sub) return; // unsubscribed meanwhile
      const job = makeJob(template, this.#clock.now(), this.#opts.powFactory);
      // Same work as before (a poll on a quiet network) is not sent again, unless the template came
      // over a new link: after a failover, blocks must be submitted from the live node's template.
      const same = sub.current !== undefined && sub.link === link &&
        sub.current.workKey === job.workKey;
      if (same) return;
      sub.link = link;
      this.#jobs.add(job);
      sub.current = job;
      this.#lastJobAt = job.createdAt;
      if (notifiedAt !== undefined) this.#latency.record(job.createdAt - notifiedAt);
      this.#fanOut(sub, job);
    } catch (e) {
      this.#log("warn", "template fetch failed", { address, error: String(e) });
    } finally {
      sub.fetching = false;
    }
  }

  #setSynced(synced: boolean): void {
    if (synced === this.#synced) return;
    this.#synced = synced;
    if (synced) this.#log("info", "node synced: handing out work");
    else if (this.#opts.allowUnsynced) this.#log("warn", "node not synced (allowed by config)");
    else this.#log("warn", "node not synced: no new work until it is");
  }

  /**
   * Hands `job` to every listener of `sub` in slices of FANOUT_SLICE: share replies and socket
   * reads run between bursts of slices instead of waiting behind a whole 10k-miner broadcast.
   * A newer job ends the older round; the listeners that round had not reached come first in the
   * new one, so a fan-out longer than the publish interval cannot starve the same tail each time.
   */
  #fanOut(sub: Subscription, job: Job): void {
    const old = sub.round;
    let listeners: JobListener[];
    if (old !== undefined && old.at < old.listeners.length) {
      listeners = old.listeners.slice(old.at);
      const first = new Set(listeners);
      for (const listener of sub.listeners) if (!first.has(listener)) listeners.push(listener);
    } else listeners = sub.snapshot ??= [...sub.listeners];
    const round: FanOutRound = { job, listeners, at: 0 };
    sub.round = round;
    // Real timers and performance.now, not the injected clock: slicing is about giving the event
    // loop back, not about time in the service's sense (tests drive that clock by hand).
    let burstFrom = performance.now();
    const slice = (): void => {
      if (sub.round !== round || this.#stopped) return;
      const end = Math.min(listeners.length, round.at + FANOUT_SLICE);
      while (round.at < end) {
        const listener = listeners[round.at++]!;
        if (sub.listeners.has(listener)) this.#deliver(listener, job);
      }
      if (round.at >= listeners.length) sub.round = undefined;
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

  #deliver(listener: JobListener, job: Job): void {
    try {
      listener(job);
    } catch (e) {
      this.#log("error", "job listener threw", { error: String(e) });
    }
  }
}
