// Keeps a NodeClient connected: reconnects with an injected backoff and fails over across endpoints in order.
// Re-subscription is the inner client's connect(); this wrapper only decides when and where to connect.

import type {
  BlockTemplate,
  DagInfo,
  NodeClient,
  NodeInfo,
  SubmitVerdict,
} from "../kaspa/types.ts";
import { type Logger, silentLogger } from "../log/mod.ts";
import type { Backoff, Clock } from "../runtime/mod.ts";
import type { AddressBalance, BalanceReader } from "./balance.ts";
import type { BlockRewardInfo, RewardReader } from "./reward.ts";
import { NodeError } from "./errors.ts";
import { Listeners } from "./listeners.ts";

/** A single-endpoint client that can be connected again after a loss. */
export interface EndpointClient extends NodeClient, BalanceReader, RewardReader {
  /** Human-readable endpoint, for logs. */
  readonly endpoint: string;
}

/** Endpoints and timing of a ReconnectingNodeClient. */
export interface ReconnectOptions {
  /** Endpoints in order of preference; on loss the first reachable one is used. */
  endpoints: EndpointClient[];
  /** Delay before the next full pass over the endpoints, by failed-pass count. */
  backoff: Backoff;
  /** Time source for backoff sleeps. */
  clock: Clock;
  /** Structured logs. Default silent. */
  log?: Logger;
  /**
   * Runs each endpoint connect attempt (the composition root lends it the descriptor reserve
   * here, so a reconnect during a descriptor shortage has what it needs). Default: just runs it.
   */
  aroundConnect?: (attempt: () => Promise<void>) => Promise<void>;
}

/** NodeClient that survives node restarts and fails over between endpoints. */
export class ReconnectingNodeClient implements NodeClient, BalanceReader, RewardReader {
  #active: EndpointClient | undefined;
  #closed = false;
  #running = false;
  #templates = new Listeners<[]>();
  #connection = new Listeners<[boolean]>();
  #waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  #lost: (() => void) | undefined;
  #sleepTimer: unknown;
  #wake: (() => void) | undefined;
  /** An endpoint that stopped answering: tried last on the next pass. */
  #silent: EndpointClient | undefined;
  #log: Logger;

  /** Listens to every endpoint; connect() starts the loop. */
  constructor(readonly options: ReconnectOptions) {
    if (options.endpoints.length === 0) {
      throw new RangeError("at least one node endpoint is needed");
    }
    this.#log = options.log ?? silentLogger;
    for (const client of options.endpoints) {
      client.onNewTemplate(() => {
        if (this.#active === client) this.#templates.emit();
      });
      client.onConnectionChange((up) => {
        if (!up && this.#active === client) this.#lost?.();
      });
    }
  }

  /** Endpoint in use, or undefined while disconnected. */
  get activeEndpoint(): string | undefined {
    return this.#active?.endpoint;
  }

  /** Starts the connection loop; resolves when first connected, rejects if closed before that. */
  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(new NodeError("closed", "node client closed"));
    if (this.#active !== undefined) return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) =>
      this.#waiters.push({ resolve, reject })
    );
    if (!this.#running) {
      this.#running = true;
      this.#loop().catch((e) => this.#log.error("node reconnect loop failed", { error: String(e) }))
        .finally(() => (this.#running = false));
    }
    return connected;
  }

  async #loop(): Promise<void> {
    let failedPasses = 0;
    while (!this.#closed) {
      const client = await this.#connectFirst();
      if (client === undefined) {
        const delay = this.options.backoff(failedPasses++);
        this.#log.warn("no kaspad endpoint reachable, retrying", { inMs: delay });
        await this.#sleep(delay);
        continue;
      }
      failedPasses = 0;
      const lost = new Promise<void>((resolve) => (this.#lost = resolve));
      this.#active = client;
      this.#log.info("node connected", { endpoint: client.endpoint });
      for (const w of this.#waiters.splice(0)) w.resolve();
      this.#connection.emit(true);
      await lost;
      this.#active = undefined;
      this.#lost = undefined;
      if (this.#closed) return;
      this.#log.warn("node connection lost, reconnecting", { endpoint: client.endpoint });
      this.#connection.emit(false);
    }
  }

  async #connectFirst(): Promise<EndpointClient | undefined> {
    const silent = this.#silent;
    this.#silent = undefined;
    const order = silent === undefined
      ? this.options.endpoints
      : [...this.options.endpoints.filter((c) => c !== silent), silent];
    for (const client of order) {
      if (this.#closed) return undefined;
      try {
        const around = this.options.aroundConnect;
        await (around === undefined ? client.connect() : around(() => client.connect()));
        if (this.#closed) {
          await client.close();
          return undefined;
        }
        return client;
      } catch (e) {
        this.#log.warn("node endpoint failed", { endpoint: client.endpoint, error: String(e) });
      }
    }
    return undefined;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#sleepTimer = this.options.clock.setTimeout(resolve, ms);
    });
  }

  /** Stops reconnecting and closes every endpoint. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.options.clock.clearTimeout(this.#sleepTimer);
    this.#wake?.();
    const error = new NodeError("closed", "node client closed");
    for (const w of this.#waiters.splice(0)) w.reject(error);
    const active = this.#active;
    this.#lost?.();
    await Promise.all(this.options.endpoints.map((c) => c.close()));
    if (active !== undefined) this.#connection.emit(false);
  }

  #client(): EndpointClient {
    const c = this.#active;
    if (c === undefined) throw new NodeError("disconnected", "no kaspad connection");
    return c;
  }

  /** getInfo on the active endpoint; NodeError("disconnected") when none. */
  getInfo(): Promise<NodeInfo> {
    return this.#run((c) => c.getInfo());
  }
  /** getBlockDagInfo on the active endpoint. */
  getDagInfo(): Promise<DagInfo> {
    return this.#run((c) => c.getDagInfo());
  }
  /** A template from the active endpoint. */
  getBlockTemplate(payAddress: string, extraData: Uint8Array): Promise<BlockTemplate> {
    return this.#run((c) => c.getBlockTemplate(payAddress, extraData));
  }
  /** Block color from the active endpoint. */
  getCurrentBlockColor(hash: string): Promise<boolean | undefined> {
    return this.#run((c) => c.getCurrentBlockColor(hash));
  }
  /** Network hashrate from the active endpoint, hashes per second. */
  estimateNetworkHashesPerSecond(windowSize: number): Promise<bigint> {
    return this.#run((c) => c.estimateNetworkHashesPerSecond(windowSize));
  }

  /** A block's reward info from the active endpoint (kaspad since Toccata). */
  getBlockRewardInfo(hash: string): Promise<BlockRewardInfo> {
    return this.#run((c) => c.getBlockRewardInfo(hash));
  }

  /** Balances from the active endpoint, in one call (the node needs --utxoindex). */
  getBalancesByAddresses(addresses: readonly string[]): Promise<AddressBalance[]> {
    return this.#run((c) => c.getBalancesByAddresses(addresses));
  }

  /**
   * Submits through the active endpoint. A template is tied to its transport's raw form, so a block
   * whose template came from another endpoint kind is reported unreachable rather than mangled.
   */
  submitBlock(template: BlockTemplate, nonce: bigint): Promise<SubmitVerdict> {
    const c = this.#active;
    if (c === undefined) {
      return Promise.resolve({ kind: "unreachable", message: "no kaspad connection" });
    }
    return c.submitBlock(template, nonce).catch((e) => {
      if (e instanceof TypeError) return { kind: "unreachable", message: e.message } as const;
      throw e;
    });
  }

  #run<T>(fn: (c: EndpointClient) => Promise<T>): Promise<T> {
    let client: EndpointClient;
    try {
      client = this.#client();
    } catch (e) {
      return Promise.reject(e);
    }
    return fn(client).catch((e) => {
      this.#onCallError(client, e);
      throw e;
    });
  }

  /**
   * A call that timed out on the active endpoint means a node that still holds its connection but
   * no longer answers (frozen, overloaded); waiting for keepalive to drop it took about 40 s. With
   * another endpoint configured, its stream is closed and the others are tried first.
   */
  #onCallError(client: EndpointClient, error: unknown): void {
    if (!(error instanceof NodeError) || error.code !== "timeout") return;
    if (this.#active !== client || this.options.endpoints.length < 2) return;
    this.#log.warn("node not answering: trying the other endpoints", {
      endpoint: client.endpoint,
      error: error.message,
    });
    this.#silent = client;
    client.close().catch(() => {});
    this.#lost?.();
  }

  /** Listens to new-template notifications of the active endpoint. */
  onNewTemplate(listener: () => void): () => void {
    return this.#templates.add(listener);
  }

  /** Listens to (re)connect (true) and loss (false). */
  onConnectionChange(listener: (up: boolean) => void): () => void {
    return this.#connection.add(listener);
  }
}
