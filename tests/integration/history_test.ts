// History against a real devnet kaspad, kstratum as its own process: found blocks are followed to
// their reward (equal to what kaspad reports over gRPC and wRPC, and to the coinbase output paying
// the miner in the merging block); a restart keeps blocks, rewards and charts; a second kstratum on
// the same data_dir refuses to start; a corrupt database turns history off while mining goes on.

import assert from "node:assert/strict";
import type { StatusJson } from "../../lib/http/api.ts";
import { decode } from "../../lib/node/grpc/messages.ts";
import { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { WrpcNodeClient } from "../../lib/node/wrpc/client.ts";
import { mine, StratumMiner } from "../../scripts/stratum_miner.ts";
import {
  coinbaseMiner,
  kaspadTest,
  randomDevnetAddress,
  startKaspad,
  waitFor,
} from "../helpers/kaspad.ts";
import { KstratumProcess } from "../helpers/kstratum.ts";

const SHARE_DIFF = 2 ** -16;
const ARGS = [
  "--allow-unsynced",
  "--no-vardiff",
  `--start-diff=${SHARE_DIFF}`,
  "--log-format=json",
  "--history-sample-ms=1000",
];

interface HistoryBlock {
  hash: string;
  worker: string;
  wallet: string;
  verdict: string;
  color: string | null;
  confirmations: number | null;
  mergingHash: string | null;
  rewardSompi: string | null;
  final: boolean;
}
type Status = StatusJson & { history: { on: boolean; reason?: string; rewards: string } };

async function miner(k: KstratumProcess, address: string, worker: string): Promise<StratumMiner> {
  const m = await StratumMiner.connect(k.stratumPort, { dialect: "array", address, worker });
  await m.handshake();
  return m;
}

const blocksOf = async (k: KstratumProcess) =>
  (await k.api<{ blocks: HistoryBlock[] }>("/api/history/blocks?limit=1000")).blocks;

/** Coinbase outputs of block `hash` as (script hex, sompi). */
async function coinbaseOutputs(grpc: GrpcNodeClient, hash: string): Promise<[string, bigint][]> {
  const raw = await grpc.getBlock(hash, true);
  const coinbase = decode("RpcBlock", raw).transactions[0]!;
  return coinbase.outputs.map((o) => [o.scriptPublicKey?.scriptPublicKey ?? "", o.amount]);
}

kaspadTest(
  "history: every found block followed to its reward as kaspad reports it, kept across a restart",
  async () => {
    const kaspad = await startKaspad({ wrpc: true });
    const cwd = await Deno.makeTempDir({ prefix: "ks-history-" });
    const grpc = new GrpcNodeClient({ address: kaspad.grpcAddress });
    const wrpc = new WrpcNodeClient({ url: kaspad.wrpcUrl! });
    const address = randomDevnetAddress();
    let k = new KstratumProcess([`--node=${kaspad.grpcAddress}`, ...ARGS], { cwd });
    let m: StratumMiner | undefined;
    try {
      await k.healthy();
      const status = await k.api<Status>("/api/status");
      assert.equal(status.history.on, true, JSON.stringify(status.history));

      // A second kstratum on the same data_dir refuses to start, with one clear line.
      const second = new KstratumProcess([`--node=${kaspad.grpcAddress}`, ...ARGS], { cwd });
      const exit = await Promise.race([
        second.exited,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 30_000)),
      ]);
      assert.ok(exit !== undefined, "the second kstratum kept running");
      assert.equal(exit.code, 1);
      assert.ok(
        second.log.some((l) => /another kstratum is already using data_dir data/.test(l)),
        second.log.join("\n"),
      );

      m = await miner(k, address, "rig1");
      // Mine until at least 3 blocks are found and every one of them is final (blue with its
      // reward, or red): blocks found later merge the earlier ones.
      let blocks: HistoryBlock[] = [];
      const poll = setInterval(() => {
        blocksOf(k).then((b) => (blocks = b), () => {});
      }, 500);
      try {
        await mine(m, {
          until: () =>
            blocks.filter((b) => b.verdict === "accepted").length >= 3 &&
            blocks.slice(-3).every((b) => b.final),
          maxShares: 500_000,
          timeoutMs: 150_000,
        });
      } finally {
        clearInterval(poll);
      }
      m.close();
      m = undefined;
      blocks = await blocksOf(k);
      const final = blocks.filter((b) => b.final && b.verdict === "accepted");
      assert.ok(final.length >= 3, `only ${final.length} final blocks: ${JSON.stringify(blocks)}`);
      const blue = final.filter((b) => b.color === "blue");
      assert.ok(blue.length >= 1, "no blue block");
      console.log(
        `found ${blocks.length} blocks, ${final.length} final, ${blue.length} blue; rewards:`,
        blue.map((b) => b.rewardSompi).join(", "),
      );

      await grpc.connect();
      await wrpc.connect();
      const found = await grpc.getBlock(blue[0]!.hash, true);
      const script = coinbaseMiner(decode("RpcBlock", found).transactions[0]!.payload).script;
      for (const b of final) {
        const viaGrpc = await grpc.getBlockRewardInfo(b.hash);
        const viaWrpc = await wrpc.getBlockRewardInfo(b.hash);
        assert.deepEqual(viaWrpc, viaGrpc, "gRPC and wRPC answer alike");
        assert.equal(b.color, viaGrpc.color);
        assert.equal(b.mergingHash, viaGrpc.mergingHash);
        assert.equal(b.rewardSompi, viaGrpc.rewardSompi?.toString() ?? null);
        if (b.color !== "blue") continue;
        assert.ok(BigInt(b.rewardSompi!) > 0n);
        const outputs = await coinbaseOutputs(grpc, b.mergingHash!);
        assert.ok(
          outputs.some(([s, amount]) => s === script && amount === BigInt(b.rewardSompi!)),
          `merging block ${b.mergingHash} pays ${
            JSON.stringify(outputs.map(([s, a]) => [s, String(a)]))
          }, not ${b.rewardSompi} to ${script}`,
        );
      }

      // Charts: the farm series and the worker's sparkline have points with hashrate.
      const farm = await k.api<{ points: { hashrate: number }[] }>(
        "/api/history/hashrate?range=1h",
      );
      assert.ok(farm.points.some((p) => p.hashrate > 0), JSON.stringify(farm));
      // Per day counts what is written: news reaches the file within a flush (5 s).
      const earned = blue.reduce((s, b) => s + BigInt(b.rewardSompi!), 0n);
      const daily = await waitFor(
        "the daily totals to count every block",
        async () => {
          // Two days, so a run across midnight UTC still counts every block.
          const d = await k.api<{ days: { found: number; rewardSompi: string }[] }>(
            "/api/history/blocks/daily?days=2",
          );
          const found = d.days.reduce((n, x) => n + x.found, 0);
          const paid = d.days.reduce((n, x) => n + BigInt(x.rewardSompi), 0n);
          return found === blocks.length && paid >= earned ? d : undefined;
        },
        15_000,
        500,
      );
      assert.ok(daily.days.length >= 1 && daily.days.length <= 2);

      // Restart: same data_dir, this time over wRPC. Everything is still there.
      await k.stop();
      k = new KstratumProcess([`--node=${kaspad.wrpcUrl}`, ...ARGS], { cwd });
      await k.healthy();
      const after = await blocksOf(k);
      assert.deepEqual(after.map((b) => b.hash), blocks.map((b) => b.hash));
      // Every block final before the restart is there unchanged (an open one may have been
      // followed to its end since).
      const byHash = new Map(after.map((b) => [b.hash, b]));
      const finalBefore = blocks.filter((b) => b.final);
      assert.deepEqual(
        finalBefore.map((b) => byHash.get(b.hash)),
        finalBefore,
        "blocks and rewards survive the restart",
      );
      const farmAfter = await k.api<{ points: { t: number; hashrate: number }[] }>(
        "/api/history/hashrate?range=1h",
      );
      assert.ok(farmAfter.points.length >= farm.points.length);
      assert.deepEqual(farmAfter.points.slice(0, farm.points.length - 1), farm.points.slice(0, -1));
      const spark = await k.api<{ workers: { name: string; hashrate: number[] }[] }>(
        "/api/history/sparklines?range=1h",
      );
      assert.ok(spark.workers.some((w) => w.name === "rig1" && w.hashrate.some((h) => h > 0)));
      assert.equal((await k.api<Status>("/api/status")).history.rewards, "on");
    } finally {
      m?.close();
      await k.stop();
      await grpc.close();
      await wrpc.close();
      await kaspad.stop();
      await Deno.remove(cwd, { recursive: true }).catch(() => {});
    }
  },
);

kaspadTest(
  "history: a corrupt database turns history off with one line; mining and the live counters go on",
  async () => {
    const kaspad = await startKaspad();
    const cwd = await Deno.makeTempDir({ prefix: "ks-history-" });
    await Deno.mkdir(`${cwd}/data`);
    await Deno.writeTextFile(`${cwd}/data/history.sqlite`, "not a database ".repeat(500));
    const k = new KstratumProcess([`--node=${kaspad.grpcAddress}`, ...ARGS], { cwd });
    let m: StratumMiner | undefined;
    try {
      await k.healthy();
      m = await miner(k, randomDevnetAddress(), "rig1");
      let accepted = 0;
      const poll = setInterval(() => {
        k.api<Status>("/api/status").then((s) => (accepted = s.totals.blocks.accepted), () => {});
      }, 250);
      try {
        await mine(m, { until: () => accepted >= 1, maxShares: 100_000, timeoutMs: 90_000 });
      } finally {
        clearInterval(poll);
      }
      const status = await k.api<Status>("/api/status");
      assert.equal(status.history.on, false);
      assert.match(String(status.history.reason), /corrupt or not a SQLite database/);
      assert.ok(status.totals.shares.valid > 0 && status.totals.blocks.accepted >= 1);
      const res = await fetch(`http://127.0.0.1:${k.httpPort}/api/history/blocks`);
      assert.equal(res.status, 503);
      await res.body?.cancel();
      assert.equal(k.log.filter((l) => l.includes("history off")).length, 1, k.log.join("\n"));
    } finally {
      m?.close();
      await k.stop();
      await kaspad.stop();
      await Deno.remove(cwd, { recursive: true }).catch(() => {});
    }
  },
);
