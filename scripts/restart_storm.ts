// Restart storm: a real kaspad devnet stopped (SIGTERM or SIGKILL) and started again many times, with
// idle gaps, under two kstratum processes (one linked over gRPC, one over wRPC) with Stratum miners.
//
//   deno task storm                      200 restarts, idle gaps up to 3 minutes (about an hour)
//   deno task storm --restarts=20 --max-idle-s=10
//
// kstratum must never die; every miner must get fresh work within a bound after each restart; a
// block found while kaspad is down must be accepted once it is back, and be in the node's DAG.
// Prints one JSON report (and writes it to --report); exit status 0 only when all of that holds.

import { parseArgs } from "node:util";
import { GrpcNodeClient } from "../lib/node/grpc/client.ts";
import { compactToTarget } from "../lib/pow/mod.ts";
import { KstratumProcess } from "../tests/helpers/kstratum.ts";
import { ensureKaspad, KaspadProcess, randomDevnetAddress } from "./kaspad_process.ts";
import { type MinerDialect, type MinerJob, type Reply, StratumMiner } from "./stratum_miner.ts";

/** How the storm is paced, all in ms. */
export interface StormPlan {
  /** Restarts to do. */
  restarts: number;
  /** Idle time with kaspad up and linked before restart `i`, ms. */
  idleMs(i: number): number;
  /** Time kaspad stays down in restart `i`, ms. */
  downMs(i: number): number;
  /** How restart `i` stops kaspad. */
  signal(i: number): "SIGTERM" | "SIGKILL";
  /** Whether a block is found while kaspad is down in restart `i`. */
  blockDuring(i: number): boolean;
  /** Bound for a miner's fresh work after kaspad is ready again, ms. */
  workBoundMs: number;
  /** Receives progress lines. */
  log(line: string): void;
}

/** What one kstratum (one transport) went through. */
export interface TransportReport {
  /** "grpc" or "wrpc". */
  transport: string;
  /** Whether the process was alive at the end; else how it ended. */
  alive: boolean;
  exit: string | undefined;
  /** Per restart: ms from kaspad ready to the last of its miners holding fresh work. */
  workAfterMs: number[];
  /** Restarts after which some miner had no fresh work within the bound. */
  workMissed: number;
  /** Shares the miners submitted while kaspad was up (each must be accepted). */
  shares: number;
  /** Blocks submitted while kaspad was down, and how many came back accepted. */
  blocksDuringOutage: number;
  blocksAccepted: number;
  /** Accepted blocks (by kstratum's /api/blocks) that kaspad holds. */
  blocksInDag: number;
  /** Resident memory once linked, the most seen after any restart, and at the end, MB. */
  rssStartMb: number;
  rssMaxMb: number;
  rssEndMb: number;
  /** Log lines at warn or above that name an uncaught error. */
  uncaught: string[];
}

/** The storm's outcome. */
export interface StormReport {
  restarts: number;
  bySignal: { SIGTERM: number; SIGKILL: number };
  /** Longest idle gap, ms. */
  maxIdleMs: number;
  durationS: number;
  transports: TransportReport[];
  /** Everything that failed; empty when the storm passed. */
  failures: string[];
}

const SHARE_DIFF = 2 ** -16;
/** How often each miner submits a share while kaspad is up, ms. */
const SHARE_EVERY_MS = 20_000;

interface Linked {
  transport: string;
  k: KstratumProcess;
  miners: StratumMiner[];
  report: TransportReport;
}

/** Resident memory of a kstratum process, MB (0 once it is gone). */
const rssMb = (k: KstratumProcess) => k.rssBytes().then((b) => Math.round(b / 2 ** 20), () => 0);
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const exitOf = (s: Deno.CommandStatus) => s.signal ?? `exit ${s.code}`;

/** kaspad's current network target, from a template (a fresh connection: kaspad restarts). */
async function networkTarget(kaspad: KaspadProcess): Promise<bigint> {
  const client = new GrpcNodeClient({ address: kaspad.grpcAddress });
  try {
    await client.connect();
    const t = await client.getBlockTemplate(randomDevnetAddress(), new Uint8Array(0));
    return compactToTarget(t.header.bits);
  } finally {
    await client.close();
  }
}

/** A block nonce for the miner's current job, scanning from a random start. */
function blockNonce(m: StratumMiner, target: bigint): { job: MinerJob; nonce: bigint } | undefined {
  const job = m.job;
  if (job === undefined) return undefined;
  const start = BigInt(Math.floor(Math.random() * 2 ** 40));
  const nonce = m.findNonce(job, { start, tries: 20_000_000, target });
  return nonce === undefined ? undefined : { job, nonce };
}

async function link(transport: string, node: string, plan: StormPlan): Promise<Linked> {
  const k = new KstratumProcess([
    `--node=${node}`,
    "--allow-unsynced",
    "--no-vardiff",
    `--start-diff=${SHARE_DIFF}`,
  ]);
  await k.healthy(60_000);
  const miners: StratumMiner[] = [];
  for (const dialect of ["array", "simple"] as MinerDialect[]) {
    const m = await StratumMiner.connect(k.stratumPort, {
      dialect,
      address: randomDevnetAddress(),
      worker: `${transport}${dialect}`,
    });
    await m.handshake();
    if (await m.nextJob(undefined, 30_000) === undefined) {
      throw new Error(`${transport}: miner ${dialect} got no first job`);
    }
    miners.push(m);
  }
  plan.log(`${transport}: kstratum pid ${k.pid} linked, ${miners.length} miners working`);
  return {
    transport,
    k,
    miners,
    report: {
      transport,
      alive: true,
      exit: undefined,
      workAfterMs: [],
      workMissed: 0,
      shares: 0,
      blocksDuringOutage: 0,
      blocksAccepted: 0,
      blocksInDag: 0,
      rssStartMb: await rssMb(k),
      rssMaxMb: 0,
      rssEndMb: 0,
      uncaught: [],
    },
  };
}

/**
 * Ms from kaspad being ready until every miner holds a job that arrived after kaspad was started
 * again (0 when kstratum relinked before the readiness probe did), or undefined past the bound.
 */
async function freshWork(
  l: Linked,
  restartAt: number,
  readyAt: number,
  boundMs: number,
): Promise<number | undefined> {
  const deadline = readyAt + boundMs;
  let last = restartAt;
  for (const m of l.miners) {
    let job = m.job;
    while (job === undefined || job.receivedAt < restartAt) {
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      job = await m.nextJob(job, left);
      if (job === undefined) return undefined;
    }
    last = Math.max(last, job.receivedAt);
  }
  return Math.max(0, Math.round(last - readyAt));
}

/**
 * Waits `ms` while every miner submits a share at least every 20 s and at the end, as a real miner
 * keeps doing (kstratum drops a miner that sends nothing for idle_timeout_ms). A share must count.
 */
async function keepMining(linked: Linked[], ms: number, failures: string[]): Promise<void> {
  const until = performance.now() + ms;
  for (;;) {
    await delay(Math.max(0, Math.min(SHARE_EVERY_MS, until - performance.now())));
    for (const l of linked) {
      for (const m of l.miners) {
        const job = m.job;
        const nonce = job &&
          m.findNonce(job, {
            start: BigInt(Math.floor(Math.random() * 2 ** 40)),
            tries: 1_000_000,
          });
        if (job === undefined || nonce === undefined) continue;
        const r = await m.submit(job, nonce).catch((e) => ({ result: null, error: String(e) }));
        l.report.shares++;
        if (r.error !== null) failures.push(`${l.transport}: share refused: ${JSON.stringify(r)}`);
      }
    }
    if (performance.now() >= until) return;
  }
}

/** Runs the storm; never throws for a kstratum failure, which is reported instead. */
export async function restartStorm(plan: StormPlan): Promise<StormReport> {
  const started = performance.now();
  const failures: string[] = [];
  const bySignal = { SIGTERM: 0, SIGKILL: 0 };
  let maxIdleMs = 0;
  const kaspad = await KaspadProcess.start({ binary: await ensureKaspad(), wrpc: true });
  const linked: Linked[] = [];
  try {
    linked.push(await link("grpc", kaspad.grpcAddress, plan));
    linked.push(await link("wrpc", kaspad.wrpcUrl!, plan));
    for (let i = 0; i < plan.restarts && failures.length === 0; i++) {
      const idle = plan.idleMs(i);
      maxIdleMs = Math.max(maxIdleMs, idle);
      await keepMining(linked, idle, failures);
      const withBlock = plan.blockDuring(i);
      const target = withBlock ? await networkTarget(kaspad) : 0n;
      const solved = linked.map((l) => (withBlock ? blockNonce(l.miners[0]!, target) : undefined));

      const ended = await kaspad.halt(plan.signal(i));
      bySignal[ended]++;
      const replies: (Promise<Reply> | undefined)[] = solved.map((s, n) =>
        s === undefined ? undefined : linked[n]!.miners[0]!.submit(s.job, s.nonce, 120_000)
      );
      await delay(plan.downMs(i));
      const restartAt = performance.now();
      await kaspad.restart();
      const readyAt = performance.now();

      for (const [n, l] of linked.entries()) {
        const ms = await freshWork(l, restartAt, readyAt, plan.workBoundMs);
        if (ms === undefined) {
          l.report.workMissed++;
          failures.push(
            `${l.transport}: restart ${i}: a miner had no fresh work within ${plan.workBoundMs} ms`,
          );
        } else l.report.workAfterMs.push(ms);
        const reply = replies[n];
        if (reply !== undefined) {
          l.report.blocksDuringOutage++;
          const r = await reply.catch((e) => ({ id: null, result: null, error: String(e) }));
          if (r.result === true) l.report.blocksAccepted++;
          else {failures.push(
              `${l.transport}: restart ${i}: block share answered ${JSON.stringify(r)}`,
            );}
        }
        l.report.rssMaxMb = Math.max(l.report.rssMaxMb, await rssMb(l.k));
        if (!l.k.alive) {
          l.report.alive = false;
          l.report.exit = exitOf(await l.k.exited);
          failures.push(`${l.transport}: kstratum died (${l.report.exit}) at restart ${i}`);
        }
      }
      plan.log(
        `restart ${i + 1}/${plan.restarts} (${ended}, idle ${idle} ms): fresh work after ` +
          linked.map((l) => `${l.transport} ${l.report.workAfterMs.at(-1) ?? "-"} ms`).join(", "),
      );
    }
    await inDag(kaspad, linked, failures);
  } finally {
    for (const l of linked) {
      for (const m of l.miners) m.close();
      l.report.rssEndMb = await rssMb(l.k);
      const status = await l.k.stop();
      if (l.report.alive && status.signal !== null && status.signal !== "SIGTERM") {
        failures.push(`${l.transport}: kstratum ended on ${status.signal} at stop`);
      }
      l.report.uncaught = l.k.log.filter((line) => /uncaught|panic|segmentation/i.test(line));
      if (l.report.uncaught.length > 0) {
        failures.push(`${l.transport}: uncaught errors in the log: ${l.report.uncaught[0]}`);
      }
    }
    await kaspad.stop();
  }
  return {
    restarts: bySignal.SIGTERM + bySignal.SIGKILL,
    bySignal,
    maxIdleMs,
    durationS: Math.round((performance.now() - started) / 1000),
    transports: linked.map((l) => l.report),
    failures,
  };
}

/** Counts each kstratum's accepted blocks that kaspad holds; a kstratum that cannot say fails. */
async function inDag(kaspad: KaspadProcess, linked: Linked[], failures: string[]): Promise<void> {
  const client = new GrpcNodeClient({ address: kaspad.grpcAddress });
  try {
    await client.connect();
    for (const l of linked) {
      let doc: { blocks: { hash: string; verdict: string }[] };
      try {
        doc = await l.k.api("/api/blocks");
      } catch (e) {
        failures.push(`${l.transport}: /api/blocks did not answer: ${e}`);
        continue;
      }
      for (const b of doc.blocks.filter((b) => b.verdict === "accepted")) {
        if (await client.getBlock(b.hash, false).then(() => true, () => false)) {
          l.report.blocksInDag++;
        }
      }
    }
  } finally {
    await client.close();
  }
}

/** A uniform random whole number in [0, max]. */
const upTo = (max: number) => Math.floor(Math.random() * (max + 1));

/** The on-demand plan: mostly short idle gaps, every `longEvery`-th one `maxIdleS` long. */
export function longPlan(restarts: number, maxIdleS: number, log: (l: string) => void): StormPlan {
  const longEvery = 20;
  return {
    restarts,
    idleMs: (i) => (i % longEvery === longEvery - 1 ? maxIdleS * 1000 : upTo(8000)),
    downMs: () => upTo(3000),
    signal: (i) => (i % 2 === 0 ? "SIGTERM" : "SIGKILL"),
    blockDuring: (i) => i % 5 === 2,
    workBoundMs: 60_000,
    log,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      restarts: { type: "string", default: "200" },
      "max-idle-s": { type: "string", default: "180" },
      report: { type: "string" },
    },
  });
  const restarts = Number(values.restarts);
  const maxIdleS = Number(values["max-idle-s"]);
  if (!(restarts >= 1 && restarts <= 2000) || !(maxIdleS >= 0 && maxIdleS <= 1800)) {
    console.error("restart_storm: --restarts must be 1-2000 and --max-idle-s 0-1800");
    return 2;
  }
  const report = await restartStorm(
    longPlan(restarts, maxIdleS, (l) => console.error(`${new Date().toISOString()} ${l}`)),
  );
  const text = JSON.stringify(report, null, 2);
  console.log(text);
  if (values.report !== undefined) await Deno.writeTextFile(values.report, text + "\n");
  return report.failures.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
