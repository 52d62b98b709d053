// The kstratum metric set: the ks_* families the bridges' Grafana dashboards read, with the bridges'
// meaning and units (docs/metrics.md), plus kstratum's own. Pure: a stats snapshot in, families out.

import type { DialectId } from "../dialects/mod.ts";
import { PROXY_REJECT_REASONS, REFUSED_REASONS } from "../session/mod.ts";
import {
  HASHES_PER_DIFFICULTY,
  type HistogramSnapshot,
  type StatsSnapshot,
  type WorkerSnapshot,
} from "../stats/mod.ts";
import {
  formatLabels,
  type Labels,
  type MetricFamily,
  type Sample,
  withLabel,
} from "./exposition.ts";

/** Facts about the process that Stats does not know, and the optional instance label. */
export interface ProcessInfo {
  /** kstratum version, shown in ks_build_info. */
  version: string;
  /** ms since the process started */
  uptimeMs: number;
  /** Resident set size, bytes. */
  rssBytes: number;
  /**
   * When set, every series carries `instance="<this>"` first, as the Rust bridge's per-instance
   * series do (so several kstratum can feed one Prometheus). Absent by default.
   */
  instance?: string;
}

/**
 * The `dialect` label of ks_connections: the spec letter each dialect had when dashboards were
 * built on this metric, kept so they keep working. Everywhere else a dialect is its id.
 */
const CONNECTIONS_LABEL: Readonly<Record<DialectId, string>> = {
  array: "A",
  bighex: "B",
  bitmain: "C",
  simple: "D",
};

const INVALID_TYPES = ["stale", "duplicate", "invalid", "weak"] as const;

/**
 * The bridges' unit of ks_valid_share_diff_counter: each valid share adds difficulty x 2^32 / 1e9
 * (billions of hashes), so rate(ks_valid_share_diff_counter) x 1e9 is hashes per second.
 */
export const SHARE_DIFF_UNIT = HASHES_PER_DIFFICULTY / 1e9;

/** Sompi in one KAS: ks_balance_by_wallet_gauge is in KAS, as in both bridges. */
export const SOMPI_PER_KAS = 100_000_000;

/** A balance in sompi as KAS (a double, exact below 2^53 sompi = 90 million KAS). */
export function sompiToKas(sompi: bigint): number {
  return Number(sompi) / SOMPI_PER_KAS;
}

/**
 * Every metric kstratum exposes, built from one snapshot. Series per tracked worker are bounded
 * by Stats' worker cap; per-block series by its block list. The per-worker families' samples are
 * generators: format the result once.
 *
 * @example
 * ```ts
 * import { collectMetrics } from "./kstratum.ts";
 * import { formatExposition } from "./exposition.ts";
 * import { Stats } from "../stats/stats.ts";
 * const text = formatExposition(
 *   collectMetrics(new Stats().snapshot(), { version: "0.1.0", uptimeMs: 1000, rssBytes: 1 }),
 * );
 * if (!text.includes("ks_process_uptime_seconds 1\n")) throw new Error(text);
 * ```
 */
export function collectMetrics(snap: StatsSnapshot, proc: ProcessInfo): MetricFamily[] {
  return [...metricFamilies(snap, proc)];
}

/**
 * collectMetrics one family at a time, each built when it is asked for: a streamed scrape
 * formats each family before building the next, so no one piece of work grows with the number
 * of per-worker families (at 10,000 workers building them all at once took 35-130 ms).
 */
export function* metricFamilies(snap: StatsSnapshot, proc: ProcessInfo): Generator<MetricFamily> {
  const instance = proc.instance;
  for (
    const group of [
      workerFamilies(snap, instance),
      networkFamilies(snap),
      serverFamilies(snap, proc),
    ]
  ) {
    for (const f of group) yield instance === undefined ? f : withInstance(f, instance);
  }
}

/** `labels` with `instance` first. */
function instanceFirst(instance: string, labels: Labels | undefined): Labels {
  return { instance, ...labels };
}

/**
 * `f` with `instance` on every series. Per-worker families already carry it (their label texts are
 * built with it); the rest get it here.
 */
function withInstance(f: MetricFamily, instance: string): MetricFamily {
  if (f.type === "histogram") {
    return {
      ...f,
      samples: f.samples.map((s) => ({ ...s, labels: instanceFirst(instance, s.labels) })),
    };
  }
  const samples = f.samples;
  return {
    ...f,
    samples: (function* () {
      for (const s of samples) {
        yield s.labelText !== undefined ? s : { ...s, labels: instanceFirst(instance, s.labels) };
      }
    })(),
  };
}

// Each worker's labels formatted once per scrape (per snapshot and instance), shared by its series.
const labelTexts = new WeakMap<StatsSnapshot, Map<string | undefined, string[]>>();

/** `{[instance=...,]worker=...,miner=...,wallet=...,ip=...}` of every worker of `snap`, in its order. */
function workerLabelTexts(snap: StatsSnapshot, instance?: string): string[] {
  let byInstance = labelTexts.get(snap);
  if (!byInstance) labelTexts.set(snap, byInstance = new Map());
  let texts = byInstance.get(instance);
  if (!texts) {
    texts = snap.workers.map((w) => {
      const labels = { worker: w.worker, miner: w.miner, wallet: w.wallet, ip: w.ip };
      return formatLabels(instance === undefined ? labels : instanceFirst(instance, labels));
    });
    byInstance.set(instance, texts);
  }
  return texts;
}

/**
 * One sample per worker with a value, made as the formatter reads it. Label sets are distinct:
 * Stats keys workers by wallet and name (or IP when unnamed), and all three are labels.
 */
function* perWorker(
  snap: StatsSnapshot,
  instance: string | undefined,
  value: (w: WorkerSnapshot) => number | null,
): Generator<Sample> {
  const texts = workerLabelTexts(snap, instance);
  const workers = snap.workers;
  for (let i = 0; i < workers.length; i++) {
    const v = value(workers[i]!);
    if (v !== null) yield { labelText: texts[i]!, value: v };
  }
}

/** Each worker's shares rejected, by type; made as read. */
function* invalidSamples(snap: StatsSnapshot, instance?: string): Generator<Sample> {
  const texts = workerLabelTexts(snap, instance);
  const workers = snap.workers;
  for (let i = 0; i < workers.length; i++) {
    for (const type of INVALID_TYPES) {
      yield { labelText: withLabel(texts[i]!, "type", type), value: workers[i]!.shares[type] };
    }
  }
}

/** Each worker's hashrate by window; made as read. */
function* hashrateSamples(snap: StatsSnapshot, instance?: string): Generator<Sample> {
  const texts = workerLabelTexts(snap, instance);
  const workers = snap.workers;
  for (let i = 0; i < workers.length; i++) {
    for (const [window, v] of Object.entries(workers[i]!.hashrate)) {
      yield { labelText: withLabel(texts[i]!, "window", windowName(window)), value: v };
    }
  }
}

/** A counter family; `distinct`: see MetricFamily (only for label sets unique by construction). */
function counter(
  name: string,
  help: string,
  samples: Iterable<Sample>,
  distinct = false,
): MetricFamily {
  return { name, help, type: "counter", samples, distinct };
}

/** A gauge family; `distinct` as for counter. */
function gauge(
  name: string,
  help: string,
  samples: Iterable<Sample>,
  distinct = false,
): MetricFamily {
  return { name, help, type: "gauge", samples, distinct };
}

/** One series per recent block the node accepted (the Go bridge's rule), timestamp in seconds. */
function blockSamples(snap: StatsSnapshot): Sample[] {
  return snap.blocks.filter((b) => b.verdict === "accepted").map((b) => ({
    labels: {
      worker: b.worker,
      miner: b.miner,
      wallet: b.wallet,
      ip: b.ip,
      nonce: b.nonce?.toString() ?? "",
      bluescore: b.blueScore?.toString() ?? "",
      timestamp: String(Math.floor(b.at / 1000)),
      hash: b.hash,
    },
    value: 1,
  }));
}

/** Per-worker families (and recent blocks), each built when the consumer asks for it. */
function* workerFamilies(snap: StatsSnapshot, instance?: string): Generator<MetricFamily> {
  yield counter(
    "ks_valid_share_counter",
    "Number of valid shares found by worker",
    perWorker(snap, instance, (w) => w.shares.valid),
    true,
  );
  yield counter(
    "ks_valid_share_diff_counter",
    "Work of valid shares found by worker: difficulty x 2^32 / 1e9 per share (x 1e9 = hashes)",
    perWorker(snap, instance, (w) => w.acceptedDifficulty * SHARE_DIFF_UNIT),
    true,
  );
  yield counter(
    "ks_invalid_share_counter",
    "Number of rejected shares by worker and type (weak = low difficulty)",
    invalidSamples(snap, instance),
    true,
  );
  yield counter(
    "ks_blocks_mined",
    "Number of blocks found by worker that the node accepted (as the Go bridge counts them)",
    perWorker(snap, instance, (w) => w.blocks.accepted),
    true,
  );
  yield counter(
    "ks_blocks_accepted_by_node",
    "Number of blocks found by worker that the node accepted (may later be red)",
    perWorker(snap, instance, (w) => w.blocks.accepted),
    true,
  );
  yield counter(
    "ks_blocks_not_confirmed_blue",
    "Number of node-accepted blocks the node later reported red",
    perWorker(snap, instance, (w) => w.blocks.red),
    true,
  );
  yield gauge(
    "ks_mined_blocks_gauge",
    "One series per recent block the node accepted, value 1 (timestamp label: Unix seconds)",
    blockSamples(snap),
  );
  yield counter(
    "ks_worker_disconnect_counter",
    "Number of disconnects by worker",
    perWorker(snap, instance, (w) => w.disconnects),
    true,
  );
  yield counter(
    "ks_worker_job_counter",
    "Number of jobs sent to the miner by worker",
    perWorker(snap, instance, (w) => w.jobs),
    true,
  );
  yield counter(
    "ks_worker_errors",
    "Worker errors by wallet, in the bridges' names (err_missing_job, err_bad_data_from_miner, ...)",
    errorSamples(snap),
    true,
  );
  yield gauge(
    "ks_balance_by_wallet_gauge",
    "Balance of each payout address seen, KAS (the node needs --utxoindex)",
    balanceSamples(snap),
    true,
  );
  yield gauge(
    "ks_worker_current_difficulty",
    "Current share difficulty assigned to worker",
    perWorker(snap, instance, (w) => w.difficulty),
    true,
  );
  yield gauge(
    "ks_worker_start_time",
    "Unix time (seconds) when the worker was first seen",
    perWorker(snap, instance, (w) => w.firstSeenAt / 1000),
    true,
  );
  yield gauge(
    "ks_worker_last_share_time",
    "Unix time (seconds) of the worker's last share",
    perWorker(snap, instance, (w) => (w.lastShareAt === null ? null : w.lastShareAt / 1000)),
    true,
  );
  yield gauge(
    "ks_worker_hashrate",
    "Worker hashrate from accepted shares, hashes per second, by window",
    hashrateSamples(snap, instance),
    true,
  );
}

/** Worker errors summed by wallet and bridge error name (errors not tied to a worker: wallet ""). */
function errorSamples(snap: StatsSnapshot): Sample[] {
  const byWalletAndName = new Map<string, { wallet: string; error: string; n: number }>();
  const add = (wallet: string, error: string, n: number): void => {
    const key = `${wallet}\n${error}`;
    const seen = byWalletAndName.get(key);
    if (seen) seen.n += n;
    else byWalletAndName.set(key, { wallet, error, n });
  };
  for (const w of snap.workers) {
    for (const [error, n] of Object.entries(w.errors)) add(w.wallet, error, n);
  }
  for (const [error, n] of Object.entries(snap.unattributedErrors)) add("", error, n);
  return [...byWalletAndName.values()].map(({ wallet, error, n }) => ({
    labels: { wallet, error },
    value: n,
  }));
}

/** Each payout address's balance in KAS, as the node last reported it. */
function balanceSamples(snap: StatsSnapshot): Sample[] {
  return snap.balances.wallets.map((w) => ({
    labels: { wallet: w.address },
    value: sompiToKas(w.sompi),
  }));
}

function* networkFamilies(snap: StatsSnapshot): Generator<MetricFamily> {
  const n = snap.node;
  const one = (v: number | bigint | undefined | null): Sample[] =>
    v === undefined || v === null ? [] : [{ value: v }];
  yield gauge(
    "ks_estimated_network_hashrate_gauge",
    "Estimated network hashrate, hashes per second",
    one(n?.networkHashrate),
  );
  yield gauge("ks_network_difficulty_gauge", "Network difficulty", one(n?.difficulty));
  yield gauge("ks_network_block_count", "Network block count", one(n?.blockCount));
  yield gauge(
    "ks_node_connected",
    "1 when the node link is up",
    one(n ? Number(n.connected) : undefined),
  );
  yield gauge(
    "ks_node_synced",
    "1 when the node reports it is synced",
    one(n ? Number(n.synced) : undefined),
  );
  yield gauge("ks_node_daa_score", "Virtual DAA score reported by the node", one(n?.daaScore));
  yield gauge(
    "ks_template_age_seconds",
    "Age of the newest block template",
    one(n && n.templateAgeMs !== null ? n.templateAgeMs / 1000 : undefined),
  );
  yield histogram("ks_node_rpc_seconds", "Node RPC round trip time", snap.nodeRpc);
}

function* serverFamilies(snap: StatsSnapshot, proc: ProcessInfo): Generator<MetricFamily> {
  const t = snap.totals;
  yield counter(
    "ks_shares_total",
    "Shares judged, by outcome (all workers, tracked or not)",
    Object.entries(t.shares).map(([outcome, value]) => ({ labels: { outcome }, value })),
  );
  yield counter(
    "ks_share_difficulty_total",
    "Stratum difficulty of valid shares, all workers (x 2^32 = hashes; per worker: " +
      "ks_valid_share_diff_counter)",
    [{ value: t.acceptedDifficulty }],
  );
  yield counter("ks_blocks_total", "Blocks found, by node verdict", [
    { labels: { verdict: "accepted" }, value: t.blocks.accepted },
    { labels: { verdict: "rejected" }, value: t.blocks.rejected },
    { labels: { verdict: "unreachable" }, value: t.blocks.unreachable },
  ]);
  yield counter("ks_blocks_colored_total", "Accepted blocks whose color the node reported", [
    { labels: { color: "blue" }, value: t.blocks.blue },
    { labels: { color: "red" }, value: t.blocks.red },
  ]);
  yield counter("ks_jobs_sent_total", "Jobs sent to miners", [{ value: t.jobs }]);
  yield counter("ks_disconnects_total", "Miner connections closed", [{ value: t.disconnects }]);
  yield counter("ks_protocol_errors_total", "Protocol errors answered to miners", [{
    value: t.protocolErrors,
  }]);
  yield counter(
    "ks_proxy_rejected_total",
    "Connections a proxy_protocol listener closed before their session, by reason",
    PROXY_REJECT_REASONS.map((reason) => ({
      labels: { reason },
      value: t.proxyRejected[reason],
    })),
  );
  yield counter(
    "ks_refused_total",
    "Connections and requests refused to protect kstratum, by reason: descriptors (a new " +
      "connection while the descriptor reserve is short), address_budget (a payout address past " +
      "a budget), extranonce_full (no free extranonce)",
    REFUSED_REASONS.map((reason) => ({ labels: { reason }, value: t.refused[reason] })),
  );
  yield gauge(
    "ks_hashrate",
    "Whole-server hashrate from accepted shares, hashes per second, by window",
    Object.entries(snap.hashrate).map(([w, value]) => ({
      labels: { window: windowName(w) },
      value,
    })),
  );
  yield gauge(
    "ks_connections",
    "Open miner connections by dialect",
    Object.entries(snap.connections.byDialect).map(([dialect, value]) => ({
      labels: { dialect: CONNECTIONS_LABEL[dialect as DialectId] ?? dialect },
      value,
    })),
  );
  yield gauge("ks_workers_tracked", "Workers tracked individually", [{
    value: snap.limits.tracked,
  }]);
  yield gauge("ks_workers_max", "Most workers tracked individually", [{
    value: snap.limits.maxWorkers,
  }]);
  yield counter(
    "ks_workers_untracked_events_total",
    "Events about workers not tracked because the worker table was full",
    [{ value: snap.limits.untrackedEvents }],
  );
  yield counter("ks_workers_evicted_total", "Idle workers forgotten", [{
    value: snap.limits.evicted,
  }]);
  yield histogram(
    "ks_job_fanout_seconds",
    "Time from a new block template to jobs sent to every miner",
    snap.fanout,
  );
  yield gauge("ks_process_uptime_seconds", "Seconds since the process started", [{
    value: proc.uptimeMs / 1000,
  }]);
  yield gauge("ks_process_resident_memory_bytes", "Resident set size", [{ value: proc.rssBytes }]);
  yield gauge("ks_build_info", "kstratum version, value 1", [{
    labels: { version: proc.version },
    value: 1,
  }]);
}

function histogram(name: string, help: string, h: HistogramSnapshot): MetricFamily {
  return {
    name,
    help,
    type: "histogram",
    samples: [{
      bounds: h.bounds.map((ms) => ms / 1000),
      counts: h.counts,
      sum: h.sum / 1000,
      count: h.count,
    }],
  };
}

function windowName(key: string): string {
  return key === "m1" ? "1m" : key === "m15" ? "15m" : key === "h1" ? "1h" : key;
}
