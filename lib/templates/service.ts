// The template service: the node link's state (up, network, synced) and the composition of the
// template side: fetch (fetch.ts), per-address cache (cache.ts), broadcast, block submission.

import {
  checkAddressNetwork,
  decodeAddress,
  type Job,
  type NodeClient,
  type PowFactory,
  prefixForNetwork,
} from "../kaspa/mod.ts";
import { type Logger, silentLogger } from "../log/mod.ts";
import { type Backoff, type Clock, exponentialBackoff, systemClock } from "../runtime/mod.ts";
import type { JobSource } from "../session/mod.ts";
import type { JobListener } from "./broadcast.ts";
import { JobCache } from "./cache.ts";
import { type LinkState, TemplateFetcher } from "./fetch.ts";
import type { LatencySnapshot } from "./latency.ts";
import { NodeBlockSubmitter } from "./submit.ts";

/** How the template service is wired and tuned. */
export interface TemplateServiceOptions {
  /** The node link (usually a ReconnectingNodeClient); the service connects and closes it. */
  node: NodeClient;
  /** Time source. Default the system clock. */
  clock?: Clock;
  /** Structured logs. Default silent. */
  log?: Logger;
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

const encoder = new TextEncoder();

/**
 * Fetches templates, makes jobs, and hands them to subscribers by payout address (the sessions'
 * JobSource); `submitter` sends solved blocks to the node (the sessions' BlockSubmitter).
 */
export class TemplateService implements JobSource {
  /** Submits solved blocks to the node: what the Stratum sessions are given. */
  readonly submitter: NodeBlockSubmitter;
  readonly #node: NodeClient;
  readonly #log: Logger;
  readonly #opts: TemplateServiceOptions;
  readonly #cache: JobCache;
  readonly #fetcher: TemplateFetcher;
  readonly #state: LinkState = {
    connected: false,
    network: undefined,
    wrongNetwork: false,
    link: 0,
  };
  #synced = false;
  #unlisten: Array<() => void> = [];
  #ready: { promise: Promise<void>; resolve: () => void };
  #stopped = false;

  /** Creates the service; nothing happens until start(). */
  constructor(options: TemplateServiceOptions) {
    this.#opts = options;
    this.#node = options.node;
    const clock = options.clock ?? systemClock;
    const log = this.#log = options.log ?? silentLogger;
    const halted = () => this.#stopped;
    this.#cache = new JobCache({
      retentionMs: options.retentionMs ?? 60_000,
      maxJobs: options.maxJobs ?? 4096,
      log,
      halted,
    });
    this.#fetcher = new TemplateFetcher({
      node: this.#node,
      clock,
      log,
      cache: this.#cache,
      state: this.#state,
      extraData: options.extraData ?? encoder.encode("kstratum"),
      coalesceMs: options.coalesceMs ?? 250,
      pollMs: options.pollMs ?? 1000,
      ...(options.powFactory === undefined ? {} : { powFactory: options.powFactory }),
      useTemplate: (isSynced) => {
        this.#setSynced(isSynced);
        return isSynced || options.allowUnsynced === true;
      },
      halted,
    });
    this.submitter = new NodeBlockSubmitter({
      node: this.#node,
      clock,
      log,
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
      this.#node.onNewTemplate(() => this.#fetcher.notified()),
      this.#node.onConnectionChange((up) => this.#onConnection(up)),
    );
    this.#fetcher.start();
    this.#node.connect().catch((e) => this.#log.error("node connect failed", { error: String(e) }));
  }

  /** Resolves once the node's network is known and matches the configured one. */
  whenReady(): Promise<void> {
    return this.#ready.promise;
  }

  /** Stops timers and listeners and closes the node client. Pending submits return. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#fetcher.stop();
    this.submitter.stop();
    for (const off of this.#unlisten.splice(0)) off();
    await this.#node.close();
  }

  /** The node's network name, once known. */
  get network(): string | undefined {
    return this.#state.network;
  }

  /**
   * Validates a payout address: checksum and, once the node's network is known, its prefix.
   * Throws AddressError (code "wrong-network" for a prefix of another network).
   */
  checkAddress(address: string): void {
    const network = this.#state.network;
    if (network === undefined) decodeAddress(address);
    else checkAddressNetwork(address, network);
  }

  /**
   * Subscribes to jobs paying `address`; the current job, if any, is delivered at once. The first
   * subscriber of an address causes a fetch. Returns the unsubscribe function. Throws AddressError.
   */
  subscribe(address: string, listener: JobListener): () => void {
    this.checkAddress(address);
    const { entry, created } = this.#cache.open(address);
    if (created) this.#fetcher.fetchOne(entry, undefined).catch(() => {});
    const remove = entry.broadcast.add(listener);
    if (entry.current !== undefined && this.#serving()) {
      entry.broadcast.deliver(listener, entry.current);
    }
    return () => {
      remove();
      this.#cache.release(entry);
    };
  }

  /** The latest job for `address`, if any. */
  currentJob(address: string): Job | undefined {
    return this.#cache.current(address);
  }

  /** A recent job by its sequence number. */
  jobBySeq(seq: number): Job | undefined {
    return this.#cache.bySeq(seq);
  }

  /** A recent job by its pre-PoW hash (hex). */
  jobByPrePowHash(hex: string): Job | undefined {
    return this.#cache.byPrePowHash(hex);
  }

  /** A snapshot for health checks and metrics. */
  status(): ServiceStatus {
    return {
      connected: this.#state.connected,
      network: this.#state.network,
      synced: this.#synced,
      serving: this.#serving(),
      addresses: this.#cache.addresses,
      storedJobs: this.#cache.storedJobs,
      lastJobAt: this.#fetcher.lastJobAt,
      notifyToJob: this.#fetcher.latency(),
    };
  }

  #serving(): boolean {
    const s = this.#state;
    return s.connected && !s.wrongNetwork && s.network !== undefined &&
      (this.#synced || this.#opts.allowUnsynced === true);
  }

  #onConnection(up: boolean): void {
    if (this.#stopped) return;
    this.#state.connected = up;
    if (up) this.#state.link++;
    if (!up) {
      this.#log.warn("node down: keeping the last jobs until it is back", {
        addresses: this.#cache.addresses,
      });
      return;
    }
    this.#learnNetwork().catch((e) =>
      this.#log.error("could not learn the node's network", { error: String(e) })
    );
  }

  async #learnNetwork(): Promise<void> {
    const dag = await this.#node.getDagInfo();
    const info = await this.#node.getInfo();
    const network = dag.networkName;
    const expected = this.#opts.network;
    if (expected !== undefined && prefixForNetwork(expected) !== prefixForNetwork(network)) {
      this.#state.wrongNetwork = true;
      const error = new TemplateServiceError(
        "wrong-network",
        `node runs ${network} but kstratum is configured for ${expected}`,
      );
      this.#log.error(error.message, { node: network, configured: expected });
      return;
    }
    this.#state.wrongNetwork = false;
    this.#state.network = network;
    this.#synced = info.isSynced;
    this.#log.info("node ready", {
      network,
      version: info.serverVersion,
      synced: info.isSynced,
      blocks: dag.blockCount,
    });
    this.#ready.resolve();
    this.#fetcher.trigger();
  }

  #setSynced(synced: boolean): void {
    if (synced === this.#synced) return;
    this.#synced = synced;
    if (synced) this.#log.info("node synced: handing out work");
    else if (this.#opts.allowUnsynced) this.#log.warn("node not synced (allowed by config)");
    else this.#log.warn("node not synced: no new work until it is");
  }
}
