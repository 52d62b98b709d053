// Keeps the payout addresses' balances fresh: one batched getBalancesByAddresses call per period.
// Timers and node calls at the edge; needs kaspad --utxoindex, checked with getInfo on each connect.

import type { Logger } from "../log/mod.ts";
import type { BalanceReader } from "../node/mod.ts";
import type { Stats } from "../stats/mod.ts";
import type { NodeClient } from "../kaspa/mod.ts";

/** Most payout addresses asked about in one call; the least recently seen are dropped past it. */
export const MAX_BALANCE_ADDRESSES = 1000;

/** The sentence /api/status and the log give when the node has no UTXO index. */
export const NO_UTXOINDEX: string =
  "the node runs without --utxoindex, so it cannot report balances; restart kaspad with " +
  "--utxoindex to get ks_balance_by_wallet_gauge";

/** What the watcher needs from the node link. */
export type BalanceNode = Pick<NodeClient, "getInfo" | "onConnectionChange"> & BalanceReader;

/** Dependencies and timing of a BalanceWatch. */
export interface BalanceWatchOptions {
  /** The node link (getInfo says whether it has a UTXO index). */
  node: BalanceNode;
  /** Where the balances go (ks_balance_by_wallet_gauge, /api/status). */
  stats: Stats;
  /** Where the off / failing lines go. */
  log: Logger;
  /** Refresh period, ms. */
  everyMs: number;
  /** Clock, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** Most addresses per call. Default MAX_BALANCE_ADDRESSES. */
  maxAddresses?: number;
}

/**
 * Reads the balances of every payout address seen (see()) on a fixed period, in one call per
 * refresh, and hands them to Stats. A node without --utxoindex turns balances off: one warning,
 * /api/status says why, nothing else changes; a node that gains the index turns them back on.
 */
export class BalanceWatch {
  readonly #o: BalanceWatchOptions;
  readonly #now: () => number;
  readonly #max: number;
  /** Payout addresses, least recently seen first. */
  #addresses = new Map<string, true>();
  /** Whether the connected node has a UTXO index; undefined until asked. */
  #indexed: boolean | undefined;
  #failing = false;
  #running = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #unlisten: (() => void) | undefined;
  /** Bumped on every (re)connect, so a getInfo answer from an older link is ignored. */
  #link = 0;

  /** A stopped watcher; call start(). */
  constructor(options: BalanceWatchOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxAddresses ?? MAX_BALANCE_ADDRESSES;
  }

  /** Notes a payout address (a worker authorized with it, or a block paid it). */
  see(address: string): void {
    if (address === "") return;
    this.#addresses.delete(address);
    this.#addresses.set(address, true);
    if (this.#addresses.size > this.#max) {
      const oldest = this.#addresses.keys().next().value;
      if (oldest !== undefined) this.#addresses.delete(oldest);
    }
  }

  /** The addresses the next refresh asks about, least recently seen first. */
  get addresses(): string[] {
    return [...this.#addresses.keys()];
  }

  /** Starts the period and the connect check; returns stop. */
  start(): () => void {
    this.#unlisten = this.#o.node.onConnectionChange((up) => {
      this.#link++;
      if (up) void this.#checkIndex();
    });
    this.#timer = setInterval(() => void this.refresh(), this.#o.everyMs);
    void this.#checkIndex();
    return () => this.stop();
  }

  /** Stops the period. */
  stop(): void {
    clearInterval(this.#timer);
    this.#unlisten?.();
    this.#unlisten = undefined;
  }

  /** Asks the node whether it has a UTXO index; turns balances on or off on a change. */
  async #checkIndex(): Promise<void> {
    const link = this.#link;
    let indexed: boolean;
    try {
      indexed = (await this.#o.node.getInfo()).isUtxoIndexed;
    } catch {
      return; // not connected yet: asked again on connect
    }
    if (link !== this.#link || indexed === this.#indexed) return;
    this.#indexed = indexed;
    if (!indexed) {
      this.#o.log.warn(`wallet balances off: ${NO_UTXOINDEX}`);
      this.#o.stats.setBalancesOff(NO_UTXOINDEX);
      return;
    }
    this.#o.log.info("wallet balances on: the node has a UTXO index", {
      everyMs: this.#o.everyMs,
    });
    await this.refresh();
  }

  /**
   * One refresh: a single getBalancesByAddresses call for every address seen (when the node has a
   * UTXO index and there is an address). Failures are logged once per streak, never thrown.
   */
  async refresh(): Promise<void> {
    if (this.#running || this.#indexed !== true || this.#addresses.size === 0) return;
    this.#running = true;
    try {
      const balances = await this.#o.node.getBalancesByAddresses(this.addresses);
      this.#o.stats.setBalances(balances, this.#now());
      if (this.#failing) this.#o.log.info("wallet balances readable again");
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) {
        this.#o.log.warn("wallet balances not read; keeping the last values", {
          error: String(err),
        });
      }
      this.#failing = true;
      void this.#checkIndex(); // the node may have been restarted without --utxoindex
    } finally {
      this.#running = false;
    }
  }
}
