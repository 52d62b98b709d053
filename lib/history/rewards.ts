// Follows every found block until it is final: asks kaspad's GetBlockRewardInfo for its colour,
// confirmations and reward and records them; with a node too old for the RPC, colours only.

import type { Logger } from "../log/mod.ts";
import { type BlockRewardInfo, NodeError, type RewardReader } from "../node/mod.ts";
import type { HistoryStore, StoredBlock } from "./store.ts";

/** The node calls the follower uses. */
export interface RewardNode extends RewardReader {
  /** Whether block `hash` is blue; undefined while the node does not know (the fallback path). */
  getCurrentBlockColor(hash: string): Promise<boolean | undefined>;
}

/** What the follower reads, writes and how often. */
export interface RewardFollowerOptions {
  /** The node link. */
  node: RewardNode;
  /** Where blocks are read from and their news written to. */
  store: HistoryStore;
  /** Logs: one line when the node lacks the RPC, one per block made final. */
  log: Logger;
  /** Wall clock, ms since the epoch. */
  now: () => number;
  /** Poll period, ms. Default 5000. */
  everyMs?: number;
  /** A block whose colour is still unknown this long after it was found stops being followed, ms. Default 86400000. */
  giveUpMs?: number;
}

/**
 * Confirmations of the merging chain block before a block's colour and reward are taken as final.
 * Until then the selected chain can still move (two blocks found on the same parents: which one the
 * chain goes through can change) and with it the merging block and the reward: a devnet test saw a
 * blue block's merging block change after it had been recorded. 10 chain blocks is about a second
 * on mainnet (10 blocks/s) and 10-20 s on a devnet mined by one CPU.
 */
export const FINAL_CONFIRMATIONS = 10;

/**
 * The next state of `block` given the node's answer: blue with a reward, or red, is final once its
 * merging block has `finalConfirmations` confirmations; a block still unknown after `giveUpMs` (ms)
 * is given up (final with no colour).
 */
export function applyRewardInfo(
  block: StoredBlock,
  info: BlockRewardInfo,
  nowMs: number,
  giveUpMs: number,
  finalConfirmations = FINAL_CONFIRMATIONS,
): StoredBlock {
  const next: StoredBlock = { ...block };
  if (info.color !== "unknown") next.color = info.color;
  if (info.confirmations !== undefined) next.confirmations = Number(info.confirmations);
  if (info.mergingHash !== undefined) next.mergingHash = info.mergingHash;
  if (info.rewardSompi !== undefined) next.rewardSompi = info.rewardSompi;
  const settled = next.color === "red" || (next.color === "blue" && next.rewardSompi !== null);
  next.final = (settled && (next.confirmations ?? 0) >= finalConfirmations) ||
    (next.color === null && nowMs - block.foundAt > giveUpMs);
  return next;
}

/** Polls the node for every open block in the store. */
export class RewardFollower {
  #timer: ReturnType<typeof setInterval> | undefined;
  #busy = false;
  #unsupported = false;

  /** A stopped follower; call start(). */
  constructor(readonly options: RewardFollowerOptions) {}

  /** Whether the node lacks GetBlockRewardInfo (then colours come without amounts). */
  get rewardsUnsupported(): boolean {
    return this.#unsupported;
  }

  /** Starts polling; returns stop. */
  start(): () => void {
    this.#timer = setInterval(() => void this.poll(), this.options.everyMs ?? 5000);
    return () => this.stop();
  }

  /** Stops polling. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One pass over the open blocks (a pass still running makes this a no-op). */
  async poll(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (const block of this.options.store.openBlocks()) {
        if (block.verdict !== "accepted") {
          this.options.store.putBlock({ ...block, final: true });
          continue;
        }
        const next = await this.#follow(block);
        if (next === undefined) break; // node unreachable: try again next pass
        if (!sameState(block, next)) this.options.store.putBlock(next);
        if (next.final && !block.final) {
          this.options.log.info("block final", {
            hash: next.hash,
            color: next.color ?? "unknown",
            rewardSompi: next.rewardSompi === null ? "" : String(next.rewardSompi),
          });
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  async #follow(block: StoredBlock): Promise<StoredBlock | undefined> {
    const { node, now, giveUpMs = 86_400_000 } = this.options;
    if (!this.#unsupported) {
      try {
        return applyRewardInfo(block, await node.getBlockRewardInfo(block.hash), now(), giveUpMs);
      } catch (e) {
        if (!(e instanceof NodeError)) throw e;
        if (e.code === "unsupported") {
          this.#unsupported = true;
          this.options.log.warn(
            "kaspad has no GetBlockRewardInfo (older than Toccata): blocks show blue or red " +
              "without reward amounts; upgrade kaspad to see them",
            { error: e.message },
          );
        } else if (e.code === "rpc") {
          // The node does not know the block yet (or any more): keep it open until giveUpMs.
          return applyRewardInfo(block, UNKNOWN, now(), giveUpMs);
        } else return undefined;
      }
    }
    try {
      const blue = await node.getCurrentBlockColor(block.hash);
      const next = { ...block };
      if (blue !== undefined) next.color = blue ? "blue" : "red";
      next.final = next.color !== null || now() - block.foundAt > giveUpMs;
      return next;
    } catch {
      return undefined;
    }
  }
}

const UNKNOWN: BlockRewardInfo = {
  color: "unknown",
  confirmations: undefined,
  mergingHash: undefined,
  rewardSompi: undefined,
};

function sameState(a: StoredBlock, b: StoredBlock): boolean {
  return a.color === b.color && a.confirmations === b.confirmations &&
    a.mergingHash === b.mergingHash && a.rewardSompi === b.rewardSompi && a.final === b.final;
}
