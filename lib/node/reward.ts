// A found block's fate as kaspad's GetBlockRewardInfo (Toccata) reports it: colour, confirmations,
// the merging chain block and the reward. Types only: the gRPC and wRPC clients produce them.

/** What the node knows of one block's reward. */
export interface BlockRewardInfo {
  /** "unknown" until a chain block has merged the block. */
  color: "unknown" | "blue" | "red";
  /** Confirmations of the merging chain block; set once the colour is known. */
  confirmations: bigint | undefined;
  /** The chain block that merged it, hex; set once the colour is known. */
  mergingHash: string | undefined;
  /** Reward, sompi; set only once the block is blue and merged. */
  rewardSompi: bigint | undefined;
}

/** A node client that can ask for a block's reward. */
export interface RewardReader {
  /**
   * kaspad's getBlockRewardInfo for `hash` (hex). Rejects with NodeError("unsupported") when the
   * node has no such RPC (older than Toccata), NodeError("rpc") when it refuses (unknown hash).
   */
  getBlockRewardInfo(hash: string): Promise<BlockRewardInfo>;
}

/** Whether an RPC error message says the node does not know the method at all. */
export function isUnknownMethod(message: string): boolean {
  return /not implemented|unsupported|unknown (method|request|payload)|method not found|no such method|not supported/i
    .test(message);
}
