// JSON views of a stats snapshot for /api/status, /api/workers and /api/blocks.
// Pure: bigints become decimal strings, absent values become null; no configuration, no secrets.

import type {
  BalancesState,
  BlockRecord,
  Hashrates,
  StatsSnapshot,
  Totals,
  WorkerSnapshot,
} from "../stats/mod.ts";
import { sompiToKas } from "../metrics/mod.ts";
import type { HealthVerdict } from "./health.ts";

/** The node as /api/status shows it. */
export interface NodeJson {
  /** The node link is up. */
  connected: boolean;
  /** e.g. "kaspa-mainnet" */
  network: string;
  /** The node says it is synced. */
  synced: boolean;
  /** Decimal string. */
  daaScore: string;
  /** Decimal string. */
  blockCount: string;
  /** Hashes per second, decimal string. */
  networkHashrate: string;
  /** Network difficulty. */
  difficulty: number;
  /** Age of the newest template, ms; null before the first. */
  templateAgeMs: number | null;
  /** Latest node RPC round trip, ms; null before the first. */
  rpcLatencyMs: number | null;
}

/** Payout address balances as /api/status shows them. */
export interface BalancesJson {
  /** "on": read from the node; "off": the node cannot report them (see reason); "pending": not yet. */
  state: BalancesState;
  /** Why balances are off, for people; null otherwise. */
  reason: string | null;
  /** When the node last answered, ms since the epoch; null before. */
  refreshedAt: number | null;
  /** One entry per payout address, sorted by address. */
  wallets: { address: string; kas: number; sompi: string }[];
}

/** The /api/status document. */
export interface StatusJson {
  /** kstratum version. */
  version: string;
  /** Server time, ms since the epoch: compute "ago" from this, not the viewer's clock. */
  now: number;
  /** ms since the epoch */
  startedAt: number;
  /** Process uptime, ms. */
  uptimeMs: number;
  /** Same verdict as /health. */
  health: HealthVerdict;
  /** Null until the node has been heard from. */
  node: NodeJson | null;
  /** Whole-server hashes per second. */
  hashrate: Hashrates;
  /** Open miner connections, by dialect. */
  connections: { total: number; byDialect: Record<string, number> };
  /** Server-wide counters since start. */
  totals: Totals;
  /** The worker table: tracked now, cap, events past the cap, idle workers forgotten. */
  workers: { tracked: number; max: number; untrackedEvents: number; evicted: number };
  /** Payout address balances (kaspad --utxoindex), or why they are off. */
  balances: BalancesJson;
}

/** One worker in /api/workers (no bigints, so the snapshot shape as is). */
export type WorkerJson = WorkerSnapshot;

/** The /api/workers document. */
export interface WorkersJson {
  /** Server time, ms since the epoch. */
  now: number;
  /** Workers tracked; `workers` holds them all, or the first `?limit=` of them. */
  total: number;
  /** Sorted by wallet, then name. */
  workers: WorkerJson[];
}

/** One found block in /api/blocks. */
export interface BlockJson {
  /** Block hash, hex. */
  hash: string;
  /** Display name of the finder. */
  worker: string;
  /** Payout address of the finder. */
  wallet: string;
  /** Miner software of the finder. */
  miner: string;
  /** Remote IP of the finder. */
  ip: string;
  /** Decimal string. */
  daaScore: string;
  /** Decimal string, null when unknown. */
  nonce: string | null;
  /** Decimal string, null when unknown. */
  blueScore: string | null;
  /** What the node said at submission. */
  verdict: BlockRecord["verdict"];
  /** The node's reason when rejected, else null. */
  reason: string | null;
  /** "pending" until the node reports blue or red. */
  color: BlockRecord["color"];
  /** ms since the epoch */
  at: number;
}

/** The /api/blocks document. */
export interface BlocksJson {
  /** Server time, ms since the epoch. */
  now: number;
  /** Block counters since start. */
  totals: Totals["blocks"];
  /** Newest first. */
  blocks: BlockJson[];
}

/** Inputs to the status view beyond the snapshot. */
export interface StatusExtras {
  /** kstratum version. */
  version: string;
  /** Process uptime, ms. */
  uptimeMs: number;
  /** The current health verdict. */
  health: HealthVerdict;
}

/** The /api/status document. */
export function statusJson(snap: StatsSnapshot, extras: StatusExtras): StatusJson {
  const n = snap.node;
  return {
    version: extras.version,
    now: snap.now,
    startedAt: snap.startedAt,
    uptimeMs: extras.uptimeMs,
    health: extras.health,
    node: n
      ? {
        connected: n.connected,
        network: n.network,
        synced: n.synced,
        daaScore: n.daaScore.toString(),
        blockCount: n.blockCount.toString(),
        networkHashrate: n.networkHashrate.toString(),
        difficulty: n.difficulty,
        templateAgeMs: n.templateAgeMs,
        rpcLatencyMs: n.rpcLatencyMs,
      }
      : null,
    hashrate: snap.hashrate,
    connections: snap.connections,
    totals: snap.totals,
    workers: {
      tracked: snap.limits.tracked,
      max: snap.limits.maxWorkers,
      untrackedEvents: snap.limits.untrackedEvents,
      evicted: snap.limits.evicted,
    },
    balances: {
      state: snap.balances.state,
      reason: snap.balances.reason,
      refreshedAt: snap.balances.refreshedAt,
      wallets: snap.balances.wallets.map((w) => ({
        address: w.address,
        kas: sompiToKas(w.sompi),
        sompi: w.sompi.toString(),
      })),
    },
  };
}

/** The /api/workers document: every worker, or the first `limit` (in snapshot order). */
export function workersJson(snap: StatsSnapshot, limit = Infinity): WorkersJson {
  const workers = limit < snap.workers.length ? snap.workers.slice(0, limit) : snap.workers;
  return { now: snap.now, total: snap.workers.length, workers };
}

/**
 * JSON.stringify(workersJson(snap, limit)) in pieces of `perChunk` workers (a worker is about 640 bytes,
 * so the default keeps a piece near 64 KB), for a body streamed in slices: at 10,000 workers the
 * document is 6.4 MB and one stringify held the event loop for about 35 ms on every dashboard
 * refresh.
 */
export function* workersJsonChunks(
  snap: StatsSnapshot,
  limit = Infinity,
  perChunk = 100,
): Generator<string> {
  const workers = snap.workers;
  const end = Math.min(workers.length, limit);
  yield `{"now":${JSON.stringify(snap.now)},"total":${workers.length},"workers":[`;
  for (let i = 0; i < end; i += perChunk) {
    const part = JSON.stringify(workers.slice(i, Math.min(end, i + perChunk)));
    yield `${i === 0 ? "" : ","}${part.slice(1, -1)}`;
  }
  yield "]}";
}

/** The /api/blocks document. */
export function blocksJson(snap: StatsSnapshot): BlocksJson {
  return {
    now: snap.now,
    totals: snap.totals.blocks,
    blocks: snap.blocks.map((b) => ({
      hash: b.hash,
      worker: b.worker,
      wallet: b.wallet,
      miner: b.miner,
      ip: b.ip,
      daaScore: b.daaScore.toString(),
      nonce: b.nonce?.toString() ?? null,
      blueScore: b.blueScore?.toString() ?? null,
      verdict: b.verdict,
      reason: b.reason ?? null,
      color: b.color,
      at: b.at,
    })),
  };
}
