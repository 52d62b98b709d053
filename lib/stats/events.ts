// The events the Stratum side reports about miners, shares and blocks.
// Types only: `session/` and `templates/` emit them; `stats/` and `metrics/` consume them.

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
  /** Dialect id, e.g. "A", "B", "C", "D". */
  dialect: string;
}

export type ShareOutcome = "valid" | "stale" | "duplicate" | "weak" | "invalid";

export interface ShareEvent {
  who: WorkerRef;
  outcome: ShareOutcome;
  /** Share difficulty the share was judged at (stratum difficulty units). */
  difficulty: number;
  /** ms since the epoch */
  at: number;
}

export type BlockVerdictKind = "accepted" | "rejected" | "unreachable";

export interface BlockEvent {
  who: WorkerRef;
  /** Block hash, hex. */
  hash: string;
  daaScore: bigint;
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

/** Sink for everything worth counting. Implementations must not throw or block. */
export interface MinerEvents {
  connected(ip: string, dialect: string): void;
  disconnected(who: WorkerRef | undefined, ip: string, reason: string): void;
  authorized(who: WorkerRef): void;
  share(event: ShareEvent): void;
  /** A job was sent to a miner. */
  jobSent(who: WorkerRef): void;
  difficultyChanged(who: WorkerRef, difficulty: number): void;
  blockFound(event: BlockEvent): void;
  /** The node later told us whether an accepted block is blue. */
  blockColor(hash: string, blue: boolean): void;
  /** A protocol error answered to a miner (bad request, unknown method, ...). */
  protocolError(who: WorkerRef | undefined, code: number): void;
}

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
