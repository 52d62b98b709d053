// Block submission to the node, as the session's BlockSubmitter: hash the block once, retry while
// the node is unreachable and the job fresh, then follow an accepted block's color for a while.

import { type Job, jobBlockHash, type NodeClient, type SubmitVerdict } from "../kaspa/mod.ts";
import { type Logger, silentLogger } from "../log/mod.ts";
import type { Backoff, Clock } from "../runtime/mod.ts";
import type { BlockSubmission, BlockSubmitter } from "../session/mod.ts";

/** Node, timing and hooks of a NodeBlockSubmitter. */
export interface SubmitterOptions {
  /** Where blocks go. */
  node: NodeClient;
  /** Time source for retries and color polls. */
  clock: Clock;
  /** Structured logs. Default silent. */
  log?: Logger;
  /** Give up retrying an unreachable node once the job is this old, ms. Default 20000. */
  maxAgeMs?: number;
  /** Delay before retry number `attempt`, ms. */
  backoff: Backoff;
  /** How often to ask for an accepted block's color, ms. Default 2000. */
  colorIntervalMs?: number;
  /** Stop asking after this long, ms. Default 120000. */
  colorMaxMs?: number;
  /** Told once per accepted block when the node knows its color. */
  onBlockColor?: (hash: string, blue: boolean) => void;
}

/** Submits solved jobs to the node and tracks their color. */
export class NodeBlockSubmitter implements BlockSubmitter {
  #log: Logger;
  #timers = new Set<unknown>();
  #sleepers = new Set<() => void>();
  #stopped = false;

  /** An idle submitter. */
  constructor(readonly options: SubmitterOptions) {
    this.#log = options.log ?? silentLogger;
  }

  /**
   * Submits `job` solved by `nonce`. While the node is unreachable or its submit route is full,
   * retries with backoff until it answers or the job is older than maxAgeMs. Resolves with the
   * last verdict and the block hash (hex), computed once here.
   */
  async submit(job: Job, nonce: bigint): Promise<BlockSubmission> {
    const hash = jobBlockHash(job, nonce);
    return { verdict: await this.#submit(job, nonce, hash), hash };
  }

  async #submit(job: Job, nonce: bigint, hash: string): Promise<SubmitVerdict> {
    const { node, clock, backoff, maxAgeMs = 20_000 } = this.options;
    for (let attempt = 0;; attempt++) {
      const verdict = await node.submitBlock(job.template, nonce).catch((e): SubmitVerdict => ({
        kind: "unreachable",
        message: e instanceof Error ? e.message : String(e),
      }));
      if (verdict.kind === "accepted") {
        this.#log.debug("block accepted", {
          hash,
          seq: job.seq,
          daaScore: job.template.header.daaScore,
        });
        this.#followColor(hash);
        return verdict;
      }
      // A full route means the node never looked at the block: retry it like an unreachable node.
      if (verdict.kind === "rejected" && verdict.reason !== "route-full") {
        this.#log.debug("block rejected", {
          hash,
          reason: verdict.reason,
          message: verdict.message,
        });
        return verdict;
      }
      const delay = backoff(attempt);
      if (this.#stopped || clock.now() + delay - job.createdAt > maxAgeMs) {
        this.#log.error("block not submitted: node unreachable", {
          hash,
          attempts: attempt + 1,
        });
        return verdict;
      }
      this.#log.warn("node unreachable while submitting a block, retrying", {
        hash,
        inMs: delay,
        ...(verdict.kind === "rejected" ? { reason: verdict.reason } : {}),
      });
      await this.#sleep(delay);
      if (this.#stopped) return verdict;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#sleepers.delete(wake);
        this.#timers.delete(handle);
        resolve();
      };
      const handle = this.options.clock.setTimeout(wake, ms);
      this.#timers.add(handle);
      this.#sleepers.add(wake);
    });
  }

  #followColor(hash: string): void {
    const { node, clock, colorIntervalMs = 2000, colorMaxMs = 120_000 } = this.options;
    const until = clock.now() + colorMaxMs;
    const poll = async () => {
      if (this.#stopped) return;
      const blue = await node.getCurrentBlockColor(hash).catch(() => undefined);
      if (blue !== undefined) {
        this.#log.debug(blue ? "block is blue" : "block is red", { hash });
        this.options.onBlockColor?.(hash, blue);
        return;
      }
      if (clock.now() + colorIntervalMs > until) {
        this.#log.warn("block color still unknown, giving up", { hash });
        return;
      }
      this.#schedule(poll, colorIntervalMs);
    };
    this.#schedule(poll, colorIntervalMs);
  }

  #schedule(fn: () => Promise<void>, ms: number): void {
    if (this.#stopped) return;
    const handle = this.options.clock.setTimeout(() => {
      this.#timers.delete(handle);
      fn().catch((e) => this.#log.error("block color poll failed", { error: String(e) }));
    }, ms);
    this.#timers.add(handle);
  }

  /** Number of pending timers (retries and color polls). */
  get pending(): number {
    return this.#timers.size;
  }

  /** Cancels color polling and pending retries (a retry in progress returns its verdict). */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) this.options.clock.clearTimeout(t);
    this.#timers.clear();
    for (const wake of [...this.#sleepers]) wake(); // a sleeping retry then sees #stopped
  }
}
