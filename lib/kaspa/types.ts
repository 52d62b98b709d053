// The Kaspa domain's contracts: header, template, node verdicts, the NodeClient and the Job.
// Types only: `node/` implements NodeClient, `templates/` publishes Jobs, `session/` consumes them.

import type { PowState } from "../pow/mod.ts";

/** Header fields kstratum needs, every integer exact. Hashes are 32 raw bytes. */
export interface BlockHeader {
  /** u16 */
  version: number;
  /** One array per parent level, each a list of 32-byte hashes. */
  parents: Uint8Array[][];
  /** Merkle root of the block's transactions, 32 bytes. */
  hashMerkleRoot: Uint8Array;
  /** Merkle root of the transactions this block accepts, 32 bytes. */
  acceptedIdMerkleRoot: Uint8Array;
  /** UTXO set commitment, 32 bytes. */
  utxoCommitment: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  timestamp: bigint;
  /** Compact target, u32. */
  bits: number;
  /** u64; 0 in a template, the miner's nonce in a solved block. */
  nonce: bigint;
  /** DAA score, u64. */
  daaScore: bigint;
  /** Blue score, u64. */
  blueScore: bigint;
  /** Accumulated blue work (arbitrary size, non-negative). */
  blueWork: bigint;
  /** Hash of the pruning point block, 32 bytes. */
  pruningPoint: Uint8Array;
}

/**
 * A block template exactly as the node sent it. `header` is decoded for hashing; `raw` is the
 * transport's lossless copy of the whole block, opaque to everyone but the NodeClient that made it.
 */
export interface BlockTemplate {
  /** The decoded header, for hashing. */
  header: BlockHeader;
  /** The transport's lossless copy of the whole block; only its NodeClient reads it. */
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

/** What getInfo reports about the node. */
export interface NodeInfo {
  /** kaspad's version string, e.g. "2.1.0". */
  serverVersion: string;
  /** Whether the node considers itself synced (it refuses blocks otherwise). */
  isSynced: boolean;
  /** Whether the node runs with --utxoindex (kstratum does not need it). */
  isUtxoIndexed: boolean;
}

/** What getBlockDagInfo reports about the DAG. */
export interface DagInfo {
  /** e.g. "kaspa-mainnet", "kaspa-devnet" */
  networkName: string;
  /** Blocks the node holds, u64. */
  blockCount: bigint;
  /** Network difficulty as the node reports it (about 2^255 / target). */
  difficulty: number;
  /** DAA score of the virtual block, u64. */
  virtualDaaScore: bigint;
  /** Hashes of the DAG tips, hex. */
  tipHashes: string[];
}

/** The node as the template service needs it; gRPC and wRPC implement it. */
export interface NodeClient {
  /** Resolves once connected (and subscribed to new-template notifications). */
  connect(): Promise<void>;
  /** Closes the connection and stops reconnecting. */
  close(): Promise<void>;
  /** The node's version and sync state. */
  getInfo(): Promise<NodeInfo>;
  /** The network name, block count, difficulty and DAA score. */
  getDagInfo(): Promise<DagInfo>;
  /** A template paying `payAddress`; `extraData` (bytes) goes into the coinbase after the node's own. */
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
  /** The template the job was built from. */
  template: BlockTemplate;
  /** 32 bytes: header hash with timestamp and nonce zeroed. */
  prePowHash: Uint8Array;
  /** `prePowHash` in hex: names the work (jobs of equal work share one duplicate guard). */
  workKey: string;
  /** Milliseconds; the timestamp miners hash with. */
  timestamp: bigint;
  /** Block target from the header bits. */
  networkTarget: bigint;
  /** When the job was published, ms since the epoch. */
  createdAt: number;
  /** PoW state for this job (the matrix), built on first use and cached. */
  pow(): PowState;
}
