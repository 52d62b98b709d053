// JSON views of a stats snapshot for /api/status, /api/workers and /api/blocks.
// Pure: bigints become decimal strings, absent values become null; no configuration, no secrets.

import type { Hashrates } from "../stats/hashrate.ts";
import type { BlockRecord, StatsSnapshot, Totals, WorkerSnapshot } from "../stats/types.ts";
import type { HealthVerdict } from "./health.ts";

export interface NodeJson {
  connected: boolean;
  network: string;
  synced: boolean;
  /** Decimal string. */
  daaScore: string;
  /** Decimal string. */
  blockCount: string;
  /** Hashes per second, decimal string. */
  networkHashrate: string;
  difficulty: number;
  templateAgeMs: number | null;
  rpcLatencyMs: number | null;
}

export interface StatusJson {
  version: string;
  /** Server time, ms since the epoch: compute "ago" from this, not the viewer's clock. */
  now: number;
  /** ms since the epoch */
  startedAt: number;
  /** Process uptime, ms. */
  uptimeMs: number;
  health: HealthVerdict;
  node: NodeJson | null;
  /** Whole-server hashes per second. */
  hashrate: Hashrates;
  connections: { total: number; byDialect: Record<string, number> };
  totals: Totals;
  workers: { tracked: number; max: number; untrackedEvents: number; evicted: number };
}

export type WorkerJson = WorkerSnapshot;

export interface WorkersJson {
  now: number;
  workers: WorkerJson[];
}

export interface BlockJson {
  hash: string;
  worker: string;
  wallet: string;
  miner: string;
  ip: string;
  daaScore: string;
  nonce: string | null;
  blueScore: string | null;
  verdict: BlockRecord["verdict"];
  reason: string | null;
  color: BlockRecord["color"];
  /** ms since the epoch */
  at: number;
}

export interface BlocksJson {
  now: number;
  totals: Totals["blocks"];
  /** Newest first. */
  blocks: BlockJson[];
}

/** Inputs to the status view beyond the snapshot. */
export interface StatusExtras {
  version: string;
  uptimeMs: number;
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
      tracked: snap.workers.length,
      max: snap.limits.maxWorkers,
      untrackedEvents: snap.limits.untrackedEvents,
      evicted: snap.limits.evicted,
    },
  };
}

/** The /api/workers document. */
export function workersJson(snap: StatsSnapshot): WorkersJson {
  return { now: snap.now, workers: snap.workers };
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
