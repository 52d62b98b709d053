// Turns raw scale-run data (fake kaspad events, load generator summaries, /proc samples) into the
// figures the report states. Pure: no I/O.

import type { EventRecord } from "../../scripts/fake_kaspad/server.ts";
import type { LoadSummary } from "../../scripts/loadgen/run.ts";
import { rounded, summarize, type Summary } from "../../scripts/loadgen/stats.ts";
import type { Usage } from "./procs.ts";
import type { ServerFanout } from "./scenarios.ts";

/** Job fan-out of one run. */
export interface Fanout {
  /** Templates whose timestamp falls in the window (minus the tail). */
  templates: number;
  /** Of those, templates every miner held (or newer work) before the end. */
  complete: number;
  /** Node's new-template notification → last miner holds that template or newer, ms. */
  fromNotify: Summary;
  /** Template answered to the server (last getBlockTemplate of the event) → last miner, ms. */
  fromArrival: Summary;
  /** Per miner and template: template timestamp → miner holds it or newer, ms. */
  perMiner: Summary;
}

/** getBlockTemplate load on the node during a window. */
export interface NodeLoad {
  /** New-template events the node fired. */
  events: number;
  /** getBlockTemplate calls answered. */
  calls: number;
  /** calls / events. */
  callsPerEvent: number;
  /** Events that were answered at least once (the server's fetch rounds). */
  fetchedEvents: number;
  /** calls / fetchedEvents. */
  callsPerFetchedEvent: number;
  /** Most distinct payout addresses asked for in one event. */
  maxAddressesPerEvent: number;
}

/** The server's memory and CPU in a window. */
export interface ResourceUse {
  /** Median RSS, bytes. */
  rss: number;
  /** Highest RSS, bytes. */
  rssMax: number;
  /** CPU seconds per wall second (1.0 = one core busy). */
  cpuCores: number;
}

/**
 * Fan-out over the window's templates; `tailMs` drops templates too close to the end. With
 * `selfTimed` (the baseline server) the template's timestamp is both its notification and arrival.
 */
export function fanout(
  summary: LoadSummary,
  events: EventRecord[],
  tailMs: number,
  selfTimed = false,
): Fanout {
  const byTs = new Map(events.map((e) => [e.timestamp, e]));
  const miners = summary.miners.ready - summary.miners.droppedWhileReady;
  const { startAt, endAt } = summary.window;
  const from = startAt + (summary.options.warmupMs ?? 0);
  const considered = summary.jobs.templates.filter((t) =>
    t.timestamp >= from && t.timestamp <= endAt - tailMs
  );
  const complete = considered.filter((t) => t.reached >= miners);
  const fromNotify: number[] = [];
  const fromArrival: number[] = [];
  for (const t of complete) {
    if (selfTimed) {
      fromNotify.push(t.lastAt - t.timestamp);
      fromArrival.push(t.lastAt - t.timestamp);
      continue;
    }
    const e = byTs.get(t.timestamp);
    if (e === undefined) continue;
    fromNotify.push(t.lastAt - e.notifiedAt);
    if (e.lastServedAt !== undefined) fromArrival.push(t.lastAt - e.lastServedAt);
  }
  return {
    templates: considered.length,
    complete: complete.length,
    fromNotify: rounded(summarize(fromNotify)),
    fromArrival: rounded(summarize(fromArrival)),
    perMiner: summary.jobs.reachMs,
  };
}

/** Quantile `q` of a bucketed histogram: the upper bound of the bucket holding it, ms. */
export function bucketQuantile(h: ServerFanout | undefined, q: number): number {
  if (h === undefined) return NaN;
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  let seen = 0;
  for (let i = 0; i < h.counts.length; i++) {
    seen += h.counts[i]!;
    if (seen >= q * total) return h.bounds[i] ?? Infinity;
  }
  return Infinity;
}

/** getBlockTemplate calls per event for events notified in [from, to]. */
export function nodeLoad(events: EventRecord[], from: number, to: number): NodeLoad {
  const inWindow = events.filter((e) => e.notifiedAt >= from && e.notifiedAt <= to);
  const calls = inWindow.reduce((n, e) => n + e.gbtCalls, 0);
  const fetched = inWindow.filter((e) => e.gbtCalls > 0).length;
  return {
    events: inWindow.length,
    calls,
    callsPerEvent: inWindow.length === 0 ? 0 : calls / inWindow.length,
    fetchedEvents: fetched,
    callsPerFetchedEvent: fetched === 0 ? 0 : calls / fetched,
    maxAddressesPerEvent: Math.max(0, ...inWindow.map((e) => e.addresses)),
  };
}

/** Memory and CPU from samples in [from, to]. */
export function resources(samples: Usage[], from: number, to: number): ResourceUse {
  const s = samples.filter((u) => u.at >= from && u.at <= to);
  if (s.length === 0) return { rss: 0, rssMax: 0, cpuCores: 0 };
  const rss = summarize(s.map((u) => u.rss));
  const first = s[0]!;
  const last = s[s.length - 1]!;
  const wall = (last.at - first.at) / 1000;
  return {
    rss: rss.p50,
    rssMax: rss.max,
    cpuCores: wall > 0 ? (last.cpu - first.cpu) / wall : 0,
  };
}

/** Bytes as MB with one decimal. */
export function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 102.4) / 10;
}
