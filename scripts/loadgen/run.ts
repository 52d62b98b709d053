// One load run: ramp N miners up, hold them for the window while submitting shares at the asked
// rate, drain replies, close everything and summarize. Bounded by count and by a hard deadline.

import { epochNow, SimMiner } from "./miner.ts";
import { NonceFinder } from "./nonces.ts";
import type { DialectId } from "../../lib/dialects/mod.ts";
import { dialectPlan, type LoadOptions, payoutAddresses } from "./options.ts";
import { JobBook, type TemplateReach } from "./jobbook.ts";
import { rounded, Samples, summarize, type Summary } from "./stats.ts";

/** The JSON a run prints. */
export interface LoadSummary {
  options: LoadOptions;
  miners: {
    asked: number;
    ready: number;
    failed: number;
    byDialect: Record<DialectId, number>;
    /** Ready miners the server closed (or that failed) before the end. */
    droppedWhileReady: number;
    reasons: Record<string, number>;
  };
  /** Ramp: first connect to last miner authorized (ms since the epoch, and its length). */
  ramp: { startAt: number; readyAt: number; ms: number };
  /** The measured window (hold), ms since the epoch. */
  window: { startAt: number; endAt: number };
  jobs: {
    received: number;
    perMinerPerSec: number;
    /** Templates first seen in the window after the warm-up: when every miner held them (or newer work). */
    templates: TemplateReach[];
    /** Per miner and template: ms from the template's timestamp until the miner held it or newer. */
    reachMs: Summary;
    /** Per dialect: miners, jobs per miner per second over the hold, and miners whose newest
     * job was older than 5 s when the hold ended (starved). */
    byDialect: Partial<
      Record<DialectId, { miners: number; perMinerPerSec: number; starved: number }>
    >;
  };
  shares: {
    asked: number;
    sent: number;
    accepted: number;
    rejected: Record<string, number>;
    timedOut: number;
    /** No miner had a job/target, or the search found no nonce of the kind. */
    notSent: number;
    hashes: number;
    sentPerSec: number;
    acceptedPerSec: number;
    /** Submit → reply, ms. */
    latencyMs: Summary;
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs the load described by `o`; `progress` gets phase changes. Never runs past o.maxRunMs. */
export async function runLoad(
  o: LoadOptions,
  progress: (event: Record<string, unknown>) => void = () => {},
): Promise<LoadSummary> {
  const deadline = performance.now() + o.maxRunMs;
  const addresses = payoutAddresses(o.addresses, o.prefix);
  const finder = new NonceFinder(o.networkBits, o.maxTries);
  const book = new JobBook();
  const latency = new Samples();
  const rejected: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  const byDialect: Record<DialectId, number> = { array: 0, bighex: 0, bitmain: 0, simple: 0 };
  let accepted = 0;
  let dropped = 0;
  const plan = dialectPlan(o.miners, o.mix);
  const miners: SimMiner[] = [];
  const runs: Promise<void>[] = [];
  const hardStop = setTimeout(() => {
    for (const m of miners) m.close("deadline");
  }, o.maxRunMs);

  // Ramp.
  const rampStart = epochNow();
  const t0 = performance.now();
  let handshaking = 0;
  for (let i = 0; i < o.miners && performance.now() < deadline; i++) {
    const wait = t0 + (i * 1000) / o.rampPerSec - performance.now();
    if (wait > 4) await sleep(wait);
    while (handshaking >= o.connectConcurrency && performance.now() < deadline) await sleep(2);
    const dialect = plan[i]!;
    byDialect[dialect]++;
    const m = new SimMiner({
      index: i,
      dialect,
      host: o.host,
      port: o.port,
      address: addresses[i % addresses.length]!,
      worker: `${o.workerPrefix}${i}`,
      onJob: (job, at) => book.record(i, job.timestamp, at),
      onReply: (ms, ok, code) => {
        latency.push(ms);
        if (ok) accepted++;
        else rejected[String(code)] = (rejected[String(code)] ?? 0) + 1;
      },
      onClosed: (reason, wasReady) => {
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        if (wasReady && reason !== "done" && reason !== "deadline") dropped++; // ours, not the server's
      },
    });
    miners.push(m);
    handshaking++;
    m.ready.then(() => handshaking--);
    runs.push(m.run());
  }
  const readyFlags = await Promise.race([
    Promise.all(miners.map((m) => m.ready)),
    sleep(Math.max(0, deadline - performance.now())).then(() => miners.map(() => false)),
  ]);
  const readyAt = epochNow();
  const ready = readyFlags.filter((r) => r).length;
  progress({ phase: "ready", ready, failed: o.miners - ready, rampMs: readyAt - rampStart });

  // Hold: the measured window, with shares when asked.
  const windowStart = epochNow();
  book.open = true;
  const holdEnd = Math.min(performance.now() + o.holdMs, deadline);
  const live = miners.filter((m) => m.phase === "ready");
  let asked = 0;
  let sent = 0;
  let notSent = 0;
  let timedOut = 0;
  let cursor = 0;
  const holdStart = performance.now();
  let lastSweep = holdStart;
  while (performance.now() < holdEnd) {
    if (o.shareRate > 0 && live.length > 0) {
      const due = Math.floor((o.shareRate * (performance.now() - holdStart)) / 1000) - asked;
      const burst = Math.min(due, Math.ceil(o.shareRate / 10));
      notSent += due - burst; // the generator fell behind: counted, never made up later
      asked += due;
      for (let k = 0; k < burst; k++) {
        let found = undefined;
        for (let tries = 0; tries < live.length && found === undefined; tries++) {
          found = live[cursor++ % live.length]!.submit(finder, o.shareKind);
        }
        if (found === undefined) notSent++;
        else sent++;
      }
    }
    if (performance.now() - lastSweep > 1000) {
      lastSweep = performance.now();
      for (const m of live) timedOut += m.sweep(o.replyTimeoutMs);
    }
    await sleep(o.shareRate > 0 ? 5 : 50);
  }
  const windowEnd = epochNow();
  book.open = false;
  progress({ phase: "held", sent, accepted });

  // Drain: wait (bounded) for the last replies.
  const drainEnd = Math.min(performance.now() + Math.min(o.replyTimeoutMs, 5000), deadline);
  while (live.some((m) => m.pending > 0) && performance.now() < drainEnd) await sleep(20);
  for (const m of live) timedOut += m.sweep(0);
  for (const m of miners) m.close("done");
  await Promise.race([Promise.all(runs), sleep(5000)]);
  clearTimeout(hardStop);

  const holdS = (windowEnd - windowStart) / 1000;
  const reach = book.reach(
    miners.flatMap((m, i) => (m.reason === "done" || m.reason === "deadline" ? [i] : [])),
    Math.min(windowStart + o.warmupMs, windowEnd),
    windowEnd,
  );
  const jobsByDialect: LoadSummary["jobs"]["byDialect"] = {};
  for (const m of live) {
    const d = (jobsByDialect[m.setup.dialect] ??= { miners: 0, perMinerPerSec: 0, starved: 0 });
    d.miners++;
    d.perMinerPerSec += m.jobs;
    if (windowEnd - m.lastJobAt > 5000) d.starved++;
  }
  for (const d of Object.values(jobsByDialect)) {
    d.perMinerPerSec = d.miners > 0
      ? d.perMinerPerSec / d.miners / Math.max(1, (windowEnd - rampStart) / 1000)
      : 0;
  }
  return {
    options: o,
    miners: {
      asked: o.miners,
      ready,
      failed: o.miners - ready,
      byDialect,
      droppedWhileReady: dropped,
      reasons,
    },
    ramp: { startAt: rampStart, readyAt, ms: readyAt - rampStart },
    window: { startAt: windowStart, endAt: windowEnd },
    jobs: {
      received: book.received,
      perMinerPerSec: ready > 0 && holdS > 0 ? book.inWindow / ready / holdS : 0,
      templates: reach.templates,
      reachMs: rounded(reach.perMiner),
      byDialect: jobsByDialect,
    },
    shares: {
      asked,
      sent,
      accepted,
      rejected,
      timedOut,
      notSent,
      hashes: finder.hashes,
      sentPerSec: holdS > 0 ? sent / holdS : 0,
      acceptedPerSec: holdS > 0 ? accepted / holdS : 0,
      latencyMs: rounded(summarize(latency.values())),
    },
  };
}
