// Contracts between the node link, the template service and the Stratum side.
// Types only: `node/` implements NodeClient, `templates/` publishes Jobs, `session/` consumes them.

import type { PowState } from "../pow/mod.ts";

/** Header fields kstratum needs, every integer exact. Hashes are 32 raw bytes. */
export interface BlockHeader {
  /** u16 */
  version: number;
  /** One array per parent level, each a list of 32-byte hashes. */
  parents: Uint8Array[][];
  hashMerkleRoot: Uint8Array;
  acceptedIdMerkleRoot: Uint8Array;
  utxoCommitment: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  timestamp: bigint;
  /** Compact target, u32. */
  bits: number;
  nonce: bigint;
  daaScore: bigint;
  blueScore: bigint;
  /** Accumulated blue work (arbitrary size, non-negative). */
  blueWork: bigint;
  pruningPoint: Uint8Array;
}

/**
 * A block template exactly as the node sent it. `header` is decoded for hashing; `raw` is the
 * transport's lossless copy of the whole block, opaque to everyone but the NodeClient that made it.
 */
export interface BlockTemplate {
  header: BlockHeader;
  raw: unknown;
  /** Payout address this template pays. */
  payAddress: string;
  /** Whether the node said it is synced when it built the template. */
  isSynced: boolean;
}

/** Outcome of submitBlock, classified so callers never branch on message text. */
export type SubmitVerdict =
  | { kind: "accepted" }
  | { kind: "rejected"; reason: "invalid" | "ibd" | "route-full" | "other"; message: string }
  | { kind: "unreachable"; message: string };

export interface NodeInfo {
  serverVersion: string;
  isSynced: boolean;
  isUtxoIndexed: boolean;
}

export interface DagInfo {
  /** e.g. "kaspa-mainnet", "kaspa-devnet" */
  networkName: string;
  blockCount: bigint;
  difficulty: number;
  virtualDaaScore: bigint;
  tipHashes: string[];
}

/** The node as the template service needs it; gRPC and wRPC implement it. */
export interface NodeClient {
  /** Resolves once connected (and subscribed to new-template notifications). */
  connect(): Promise<void>;
  close(): Promise<void>;
  getInfo(): Promise<NodeInfo>;
  getDagInfo(): Promise<DagInfo>;
  getBlockTemplate(payAddress: string, extraData: Uint8Array): Promise<BlockTemplate>;
  /** Submits `template` with only the nonce replaced. */
  submitBlock(template: BlockTemplate, nonce: bigint): Promise<SubmitVerdict>;
  /** Whether block `hash` (hex) is blue; undefined while the node does not know yet. */
  getCurrentBlockColor(hash: string): Promise<boolean | undefined>;
  /** Estimated network hashrate, hashes per second. */
  estimateNetworkHashesPerSecond(windowSize: number): Promise<bigint>;
  /** Called on every new-template notification. Returns an unsubscribe function. */
  onNewTemplate(listener: () => void): () => void;
  /** Called with true on (re)connect and false on loss. Returns an unsubscribe function. */
  onConnectionChange(listener: (up: boolean) => void): () => void;
}

/** A unit of work for miners: one template, hashed once, shared by every miner paying its address. */
export interface Job {
  /** Process-wide sequence number, increasing. */
  seq: number;
  template: BlockTemplate;
  /** 32 bytes: header hash with timestamp and nonce zeroed. */
  prePowHash: Uint8Array;
  /** Milliseconds; the timestamp miners hash with. */
  timestamp: bigint;
  /** Block target from the header bits. */
  networkTarget: bigint;
  /** When the job was published, ms since the epoch. */
  createdAt: number;
  /** PoW state for this job (the matrix), built on first use and cached. */
  pow(): PowState;
}
