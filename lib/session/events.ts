// The events the Stratum side reports about miners, shares and blocks: the session's output contract.
// Types plus a sink that drops everything: `session/` and `net/` emit them; `stats/` counts them.

/** Who a share or connection belongs to. */
export interface WorkerRef {
  /** Worker name as the miner gave it (the part after the dot), "" when none. */
  worker: string;
  /** Payout address. */
  wallet: string;
  /** Miner software / user agent, e.g. "IceRiverMiner-v1.1". */
  miner: string;
  /** Remote IP. */
  ip: string;
  /** Dialect id (dialects/ DialectId: "array", "bighex", "bitmain", "simple"); "grpc" for the gRPC mining front. */
  dialect: string;
}

/** How a share was judged; "weak" is below the worker's difficulty. */
export type ShareOutcome = "valid" | "stale" | "duplicate" | "weak" | "invalid";

/** A share was judged. */
export interface ShareEvent {
  /** Who sent it. */
  who: WorkerRef;
  /** How it was judged. */
  outcome: ShareOutcome;
  /** Share difficulty the share was judged at (stratum difficulty units). */
  difficulty: number;
  /** ms since the epoch */
  at: number;
}

/** What the node said to a submitted block ("unreachable": it could not be asked). */
export type BlockVerdictKind = "accepted" | "rejected" | "unreachable";

/** A share met the network target and was submitted as a block. */
export interface BlockEvent {
  /** Who found it. */
  who: WorkerRef;
  /** Block hash, hex. */
  hash: string;
  /** The block's DAA score. */
  daaScore: bigint;
  /** What the node said. */
  verdict: BlockVerdictKind;
  /** Node's reason when rejected. */
  reason?: string;
  /** The winning nonce, when the emitter has it (shown in metrics labels). */
  nonce?: bigint;
  /** The block's blue score, when the emitter has it (shown in metrics labels). */
  blueScore?: bigint;
  /** ms since the epoch */
  at: number;
}

/**
 * Why a request was refused when its code alone does not say (24 covers both): a worker that gave
 * no payout address, or one that is not a valid address for the node's network.
 */
export type RefusalCause = "no-address" | "bad-address";

/** Sink for everything worth counting. Implementations must not throw or block. */
export interface MinerEvents {
  /** A miner connected from `ip`; `dialect` as known at connect. */
  connected(ip: string, dialect: string): void;
  /** A connection closed; `who` is set when it had authorized. */
  disconnected(who: WorkerRef | undefined, ip: string, reason: string): void;
  /** A worker authorized on a connection. */
  authorized(who: WorkerRef): void;
  /** A share was judged. */
  share(event: ShareEvent): void;
  /** A job was sent to a miner. */
  jobSent(who: WorkerRef): void;
  /** The worker's share difficulty changed (stratum difficulty units). */
  difficultyChanged(who: WorkerRef, difficulty: number): void;
  /** A block was found and submitted. */
  blockFound(event: BlockEvent): void;
  /** The node later told us whether an accepted block is blue. */
  blockColor(hash: string, blue: boolean): void;
  /** A protocol error answered to a miner (bad request, unknown method, ...), `cause` when known. */
  protocolError(who: WorkerRef | undefined, code: number, cause?: RefusalCause): void;
  /** A connection on a PROXY protocol listener was closed before its session started. */
  proxyRejected?(reason: ProxyRejectReason): void;
  /** A connection or request was refused to protect kstratum (a budget or a shortage). */
  refused?(reason: RefusedReason): void;
}

/**
 * What kstratum refused to protect itself: a new connection while the descriptor reserve is short
 * (`descriptors`), a payout address past the per-connection, per-IP or total budget
 * (`address_budget`), a miner when every extranonce is live (`extranonce_full`).
 */
export type RefusedReason = "descriptors" | "address_budget" | "extranonce_full";

/** Every RefusedReason, in metrics order. */
export const REFUSED_REASONS: readonly RefusedReason[] = [
  "descriptors",
  "address_budget",
  "extranonce_full",
];

/**
 * Why a PROXY protocol listener closed a connection: its peer is not in trusted_proxies, it sent
 * no header or a malformed one (over the byte budget included), or none within the timeout.
 */
export type ProxyRejectReason = "untrusted" | "malformed" | "timeout";

/** Every ProxyRejectReason, in metrics order. */
export const PROXY_REJECT_REASONS: readonly ProxyRejectReason[] = [
  "untrusted",
  "malformed",
  "timeout",
];

/** A sink that drops everything (for tests and tools that do not count). */
export const noEvents: MinerEvents = {
  connected() {},
  disconnected() {},
  authorized() {},
  share() {},
  jobSent() {},
  difficultyChanged() {},
  blockFound() {},
  blockColor() {},
  protocolError() {},
};
