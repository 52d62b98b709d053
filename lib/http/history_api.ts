// The /api/history/... documents: stored hashrate series, sparklines, found blocks with rewards
// and blocks per day, read from the history store with bounded ranges and result sizes.

import {
  chooseResolution,
  FARM_RETENTION_S,
  type HistoryStatus,
  type HistoryStore,
  type Resolution,
  RESOLUTION_NAMES,
  type StoredBlock,
  WORKER_RETENTION_S,
} from "../history/mod.ts";

/** What the HTTP app reads of history. */
export interface HistorySource {
  /** The store. */
  store: HistoryStore;
  /** Whether the node lacks GetBlockRewardInfo (colours without amounts). */
  rewardsUnsupported: () => boolean;
}

/** Most points one series answer holds. */
export const MAX_POINTS = 1500;
/** Most blocks one answer holds. */
export const MAX_BLOCKS = 1000;
/** Most workers one sparklines answer holds. */
export const MAX_SPARKLINE_WORKERS = 10_000;

const RANGES: Readonly<Record<string, number>> = {
  "1h": 3600,
  "6h": 6 * 3600,
  "24h": 86_400,
  "7d": 7 * 86_400,
  "30d": 30 * 86_400,
  "90d": 90 * 86_400,
};

/** A refused query: the API answers 400 with this detail. */
export class BadQuery extends Error {
  /** `detail` says what to change. */
  constructor(detail: string) {
    super(detail);
    this.name = "BadQuery";
  }
}

/** How history shows in /api/status. */
export function historyStatusJson(h: HistorySource | undefined): HistoryStatus & {
  rewards: "on" | "unsupported" | "off";
} {
  if (h === undefined) {
    return { enabled: false, on: false, reason: "data_dir is off", rewards: "off" };
  }
  const s = h.store.status;
  return { ...s, rewards: !s.on ? "off" : h.rewardsUnsupported() ? "unsupported" : "on" };
}

/** A time in seconds from a query value: seconds, or ms when it is past the year 33658. */
function seconds(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new BadQuery(`${what} must be a time in seconds`);
  return Math.floor(n > 1e12 ? n / 1000 : n);
}

/**
 * [from, to] in seconds from `range` (1h, 6h, 24h, 7d, 30d, 90d; default `fallback`) or from
 * `from`/`to` (seconds since the epoch, `to` defaulting to now).
 */
export function timeRange(url: URL, nowS: number, fallback = "24h"): { from: number; to: number } {
  const q = url.searchParams;
  const to = q.has("to") ? seconds(q.get("to")!, "to") : nowS;
  if (q.has("from")) {
    const from = seconds(q.get("from")!, "from");
    if (from > to) throw new BadQuery("from must not be after to");
    return { from, to };
  }
  const range = q.get("range") ?? fallback;
  const span = RANGES[range];
  if (span === undefined) {
    throw new BadQuery(`range must be one of ${Object.keys(RANGES).join(", ")}`);
  }
  return { from: to - span, to };
}

function resolutionOf(url: URL): Resolution | undefined {
  const r = url.searchParams.get("res");
  if (r === null) return undefined;
  const res = RESOLUTION_NAMES[r];
  if (res === undefined) throw new BadQuery("res must be 1m, 5m or 1h");
  return res;
}

const RES_NAME: Record<number, string> = { 60: "1m", 300: "5m", 3600: "1h" };

/**
 * /api/history/hashrate: the farm's series, one worker's with `worker=<key>`, or the sum of one
 * wallet's workers with `wallet=<address>`.
 */
export function hashrateJson(h: HistorySource, url: URL, nowS: number): unknown {
  const { from, to } = timeRange(url, nowS);
  const worker = url.searchParams.get("worker");
  const wallet = worker === null ? url.searchParams.get("wallet") : null;
  const retention = worker === null && wallet === null ? FARM_RETENTION_S : WORKER_RETENTION_S;
  const res = chooseResolution(retention, from, to, nowS, MAX_POINTS, resolutionOf(url));
  if (res === undefined) {
    throw new BadQuery(
      `too many points: at most ${MAX_POINTS} per answer; narrow the range or pick a coarser res` +
        (retention === WORKER_RETENTION_S ? " (workers are kept at 5m and 1h)" : ""),
    );
  }
  const points = worker !== null
    ? h.store.workerSeries(worker, res, from, to)
    : wallet !== null
    ? h.store.walletSeries(wallet, res, from, to)
    : h.store.farmSeries(res, from, to);
  return { from, to, res: RES_NAME[res], worker, wallet, points };
}

/** /api/history/sparklines: every worker's 5-minute hashrate over `range` (default 1h). */
export function sparklinesJson(h: HistorySource, url: URL, nowS: number): unknown {
  const { from, to } = timeRange(url, nowS, "1h");
  const res = chooseResolution(WORKER_RETENTION_S, from, to, nowS, 300, resolutionOf(url));
  if (res === undefined) {
    throw new BadQuery("sparklines cover at most 300 points: narrow the range");
  }
  const wallet = url.searchParams.get("wallet") ?? undefined;
  const rows = h.store.sparklines(res, from, MAX_SPARKLINE_WORKERS, wallet);
  return {
    from,
    to,
    res: RES_NAME[res],
    workers: rows.map((r) => ({
      key: r.worker.key,
      name: r.worker.name,
      wallet: r.worker.wallet,
      t: r.points.map((p) => p.t),
      hashrate: r.points.map((p) => Math.round(p.hashrate)),
      accepted: r.points.map((p) => p.accepted),
      rejected: r.points.map((p) => p.stale + p.invalid),
    })),
  };
}

function limitOf(url: URL, fallback: number, max: number): number {
  const v = url.searchParams.get("limit");
  if (v === null) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BadQuery(`limit must be 1-${max}`);
  return n;
}

/** Sompi as a KAS decimal string, exact. */
export function kasText(sompi: bigint): string {
  const whole = sompi / 100_000_000n;
  const frac = (sompi % 100_000_000n).toString().padStart(8, "0").replace(/0+$/, "");
  return frac === "" ? whole.toString() : `${whole}.${frac}`;
}

function blockJson(b: StoredBlock): unknown {
  return {
    hash: b.hash,
    foundAt: b.foundAt,
    worker: b.worker,
    wallet: b.wallet,
    daaScore: b.daaScore.toString(),
    verdict: b.verdict,
    color: b.color,
    confirmations: b.confirmations,
    mergingHash: b.mergingHash,
    rewardSompi: b.rewardSompi?.toString() ?? null,
    rewardKas: b.rewardSompi === null ? null : kasText(b.rewardSompi),
    final: b.final,
  };
}

/** /api/history/blocks: found blocks, newest first, by wallet or worker, `limit` ≤ 1000. */
export function historyBlocksJson(h: HistorySource, url: URL, nowS: number): unknown {
  const q = url.searchParams;
  const { from, to } = q.has("from") || q.has("range")
    ? timeRange(url, nowS)
    : { from: 0, to: nowS };
  const limit = limitOf(url, 200, MAX_BLOCKS);
  const blocks = h.store.blocks({
    limit,
    fromMs: from * 1000,
    toMs: to * 1000 + 999,
    ...(q.has("wallet") ? { wallet: q.get("wallet")! } : {}),
    ...(q.has("worker") ? { worker: q.get("worker")! } : {}),
  });
  return { from, to, limit, blocks: blocks.map(blockJson) };
}

/** /api/history/blocks/daily: blocks and KAS earned per UTC day over `days` (1-90, default 30). */
export function dailyJson(h: HistorySource, url: URL, nowS: number): unknown {
  const v = url.searchParams.get("days") ?? "30";
  const days = Number(v);
  if (!Number.isInteger(days) || days < 1 || days > 90) throw new BadQuery("days must be 1-90");
  const wallet = url.searchParams.get("wallet") ?? undefined;
  const from = (Math.floor(nowS / 86_400) - days + 1) * 86_400;
  return {
    days: h.store.blocksPerDay(from * 1000, nowS * 1000 + 999, wallet).map((d) => ({
      day: d.day,
      found: d.found,
      accepted: d.accepted,
      blue: d.blue,
      red: d.red,
      rewardSompi: d.rewardSompi.toString(),
      rewardKas: kasText(d.rewardSompi),
    })),
  };
}
