// The shapes Stats exposes: options, node status and the read-only snapshot.
// Types only: `stats.ts` produces them; `metrics/`, `http/` and the console formatter read them.

import type {
  BlockVerdictKind,
  ProxyRejectReason,
  RefusedReason,
  ShareOutcome,
} from "../session/events.ts";
import type { Hashrates } from "./hashrate.ts";
import type { HistogramSnapshot } from "./histogram.ts";

/** How a Stats table is bounded and timed. */
export interface StatsOptions {
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Most workers tracked individually; later ones count only in totals, until one has a valid
   * share: it then takes the place of the longest-idle worker that never had one. Default 5000.
   */
  maxWorkers?: number;
  /** Most workers tracked from one IP, workers with a valid share apart. Default 1000. */
  maxWorkersPerIp?: number;
  /** A worker with no event for this long (ms) is forgotten. Default 1 h. */
  idleEvictMs?: number;
  /** Most recent blocks kept in the list. Default 200. */
  maxBlocks?: number;
  /** How often (ms) idle workers are looked for while events arrive. Default 60 s. */
  sweepEveryMs?: number;
}

/** Share counts by outcome ("weak" is a low-difficulty share). */
export type ShareCounts = Record<ShareOutcome, number>;

/** What the composition root learns from the node. */
export interface NodeStatus {
  /** Whether the node link is up. */
  connected: boolean;
  /** e.g. "kaspa-mainnet" */
  network: string;
  /** The node says it is synced. */
  synced: boolean;
  /** Virtual DAA score. */
  daaScore: bigint;
  /** Blocks in the node's DAG. */
  blockCount: bigint;
  /** Estimated network hashrate, hashes per second. */
  networkHashrate: bigint;
  /** Network difficulty. */
  difficulty: number;
  /** When the newest block template arrived, ms since the epoch. */
  templateAt: number | undefined;
}

/** Node status as of a snapshot, with derived ages. */
export interface NodeSnapshot extends NodeStatus {
  /** now - templateAt, ms; null before the first template. */
  templateAgeMs: number | null;
  /** Latest node RPC round trip, ms; null before the first. */
  rpcLatencyMs: number | null;
}

/** One tracked worker at one instant. */
export interface WorkerSnapshot {
  /** Stable identity: wallet and worker name (or IP when unnamed). */
  key: string;
  /** Worker name as given, "" when none. */
  worker: string;
  /** Name to show: the worker name, or the IP when unnamed. */
  name: string;
  /** Payout address. */
  wallet: string;
  /** Miner software / user agent, as last seen. */
  miner: string;
  /** Remote IP, as last seen. */
  ip: string;
  /** Dialect id, as last seen. */
  dialect: string;
  /** Open connections authorized as this worker. */
  connections: number;
  /** ms since the epoch */
  firstSeenAt: number;
  /** ms since the epoch, any event */
  lastSeenAt: number;
  /** ms since the epoch; null before the first share */
  lastShareAt: number | null;
  /** Hashes per second, from accepted share difficulty. */
  hashrate: Hashrates;
  /** Shares by outcome. */
  shares: ShareCounts;
  /** Sum of the difficulty of accepted shares. */
  acceptedDifficulty: number;
  /** Current share difficulty; null until set. */
  difficulty: number | null;
  /** Jobs sent. */
  jobs: number;
  /** Connections closed. */
  disconnects: number;
  /** Errors by the bridges' names (err_missing_job, err_bad_data_from_miner, ...: stats/errors.ts). */
  errors: Record<string, number>;
  /** Blocks found, accepted by the node, and later reported blue or red. */
  blocks: { found: number; accepted: number; blue: number; red: number };
}

/** A found block's color as the node reported it. */
export type BlockColor = "pending" | "blue" | "red";

/** One found block in the recent list. */
export interface BlockRecord {
  /** Block hash, hex. */
  hash: string;
  /** Display name of the worker that found it. */
  worker: string;
  /** Payout address of the finder. */
  wallet: string;
  /** Miner software of the finder. */
  miner: string;
  /** Remote IP of the finder. */
  ip: string;
  /** The block's DAA score. */
  daaScore: bigint;
  /** The winning nonce, when known. */
  nonce: bigint | undefined;
  /** The block's blue score, when known. */
  blueScore: bigint | undefined;
  /** What the node said when the block was submitted. */
  verdict: BlockVerdictKind;
  /** The node's reason when rejected. */
  reason: string | undefined;
  /** "pending" until the node reports the block's color (only accepted blocks get one). */
  color: BlockColor;
  /** ms since the epoch */
  at: number;
}

/** Server-wide counters since start; they survive worker eviction. */
export interface Totals {
  /** Shares by outcome. */
  shares: ShareCounts;
  /** Sum of the difficulty of accepted shares. */
  acceptedDifficulty: number;
  /** Jobs sent. */
  jobs: number;
  /** Connections closed. */
  disconnects: number;
  /** Protocol errors answered. */
  protocolErrors: number;
  /** Connections a PROXY protocol listener closed before their session, by reason. */
  proxyRejected: Record<ProxyRejectReason, number>;
  /** Connections and requests refused to protect kstratum, by reason. */
  refused: Record<RefusedReason, number>;
  /** Blocks found, by node verdict, and by later color. */
  blocks: {
    found: number;
    accepted: number;
    rejected: number;
    unreachable: number;
    blue: number;
    red: number;
  };
}

/** Whether balances can be read: "pending" until the node is asked, "off" when it cannot answer. */
export type BalancesState = "pending" | "on" | "off";

/** Payout address balances (kaspad's getBalancesByAddresses, which needs --utxoindex). */
export interface BalancesSnapshot {
  /** "on" once the node answered; "off" when it cannot (see `reason`). */
  state: BalancesState;
  /** Why balances are off, for people; null otherwise. */
  reason: string | null;
  /** When the node last answered, ms since the epoch; null before. */
  refreshedAt: number | null;
  /** One entry per payout address asked about, sorted by address. */
  wallets: WalletBalance[];
}

/** One payout address's balance. */
export interface WalletBalance {
  /** The payout address. */
  address: string;
  /** Its balance, sompi (1 KAS = 100,000,000 sompi). */
  sompi: bigint;
}

/** Everything Stats knows at one instant; plain data, safe to hand to readers. */
export interface StatsSnapshot {
  /** ms since the epoch */
  now: number;
  /** When Stats was created, ms since the epoch. */
  startedAt: number;
  /** Server-wide counters. */
  totals: Totals;
  /** Whole-server hashrate, hashes per second (includes untracked workers). */
  hashrate: Hashrates;
  /** Open connections by the dialect reported at connect. */
  connections: { total: number; byDialect: Record<string, number> };
  /** Sorted by wallet, then name. */
  workers: WorkerSnapshot[];
  /** Newest first. */
  blocks: BlockRecord[];
  /** Null until the composition root reports the node. */
  node: NodeSnapshot | null;
  /** Errors not tied to a tracked worker, by the bridges' names (stats/errors.ts). */
  unattributedErrors: Record<string, number>;
  /** Payout address balances as the node last reported them. */
  balances: BalancesSnapshot;
  /** Template-to-miners fan-out latency, ms. */
  fanout: HistogramSnapshot;
  /** Node RPC round trips, ms. */
  nodeRpc: HistogramSnapshot;
  /** The worker table's bounds and what they cost. */
  limits: {
    /** Workers tracked individually now (the length of `workers` when it was asked for). */
    tracked: number;
    /** Most workers tracked individually. */
    maxWorkers: number;
    /** Events about workers that could not be tracked because the table was full. */
    untrackedEvents: number;
    /** Workers forgotten for idleness since start. */
    evicted: number;
  };
}
