// Wallet balances against a real devnet kaspad: with --utxoindex, ks_balance_by_wallet_gauge equals
// what the node itself reports for each payout address, over gRPC and over wRPC; without it,
// kstratum says so once and mines as before. kstratum runs as its own process (main.ts).

import assert from "node:assert/strict";
import type { StatusJson } from "../../lib/http/api.ts";
import { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { WrpcNodeClient } from "../../lib/node/wrpc/client.ts";
import { mine, StratumMiner } from "../../scripts/stratum_miner.ts";
import { kaspadTest, randomDevnetAddress, startKaspad, waitFor } from "../helpers/kaspad.ts";
import { KstratumProcess } from "../helpers/kstratum.ts";

/** 2^-16: about 65,536 hashes per share, so a CPU finds shares and devnet blocks in seconds. */
const SHARE_DIFF = 2 ** -16;
const ARGS = [
  "--allow-unsynced",
  "--no-vardiff",
  `--start-diff=${SHARE_DIFF}`,
  "--log-format=json",
];

async function miner(k: KstratumProcess, address: string, worker: string): Promise<StratumMiner> {
  const m = await StratumMiner.connect(k.stratumPort, { dialect: "array", address, worker });
  await m.handshake();
  return m;
}

/** Mines with `m` until kstratum reports `blocks` accepted blocks (bounded: 90 s). */
async function mineBlocks(k: KstratumProcess, m: StratumMiner, blocks: number): Promise<void> {
  let accepted = 0;
  const poll = setInterval(() => {
    k.api<StatusJson>("/api/status").then((s) => (accepted = s.totals.blocks.accepted), () => {});
  }, 250);
  try {
    await mine(m, { until: () => accepted >= blocks, maxShares: 100_000, timeoutMs: 90_000 });
  } finally {
    clearInterval(poll);
  }
  assert.ok(accepted >= blocks, `only ${accepted} of ${blocks} blocks accepted`);
}

/** The ks_balance_by_wallet_gauge samples of one /metrics scrape, address → KAS. */
async function gauge(k: KstratumProcess): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${k.httpPort}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^ks_balance_by_wallet_gauge\{wallet="([^"]+)"\} (\S+)$/gm)) {
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Waits (bounded) until the gauge holds exactly `want` (address → sompi, shown in KAS). */
async function gaugeEquals(k: KstratumProcess, want: Map<string, bigint>): Promise<void> {
  const expected = new Map([...want].map(([a, sompi]) => [a, Number(sompi) / 1e8]));
  let last = new Map<string, number>();
  await waitFor(
    "the balance gauge to show the node's balances",
    async () => {
      last = await gauge(k);
      const same = last.size === expected.size &&
        [...expected].every(([a, kas]) => last.get(a) === kas);
      return same || undefined;
    },
    15_000,
    250,
  ).catch((e) => {
    throw new Error(
      `${e.message}: gauge ${JSON.stringify([...last])}, node ${JSON.stringify([...expected])}`,
    );
  });
}

kaspadTest(
  "balances: with --utxoindex the gauge equals the node's balance for every payout address, over gRPC and over wRPC",
  async () => {
    const kaspad = await startKaspad({ wrpc: true, extraArgs: ["--utxoindex"] });
    const grpc = new GrpcNodeClient({ address: kaspad.grpcAddress });
    const wrpc = new WrpcNodeClient({ url: kaspad.wrpcUrl! });
    const [a, b] = [randomDevnetAddress(), randomDevnetAddress()];
    let k = new KstratumProcess([
      `--node=${kaspad.grpcAddress}`,
      "--balance-refresh-ms=1000",
      ...ARGS,
    ]);
    const miners: StratumMiner[] = [];
    try {
      await k.healthy();
      miners.push(await miner(k, a, "rig1"), await miner(k, b, "rig2"));
      await mineBlocks(k, miners[0]!, 4);
      await mine(miners[1]!, { until: () => false, maxShares: 20, timeoutMs: 10_000 });
      for (const m of miners.splice(0)) m.close();

      // Mining stopped, so the devnet stands still: read the node's own answer, twice, to be sure.
      await grpc.connect();
      await wrpc.connect();
      const read = async () =>
        new Map((await grpc.getBalancesByAddresses([a, b])).map((e) => [e.address, e.sompi]));
      let node = await read();
      await waitFor(
        "the node's balances to settle",
        async () => {
          await new Promise((r) => setTimeout(r, 1000));
          const again = await read();
          const settled = [...again].every(([addr, v]) => node.get(addr) === v);
          node = again;
          return settled || undefined;
        },
        20_000,
        0,
      );
      assert.ok(node.get(a)! > 0n, `the mining address earned nothing: ${node.get(a)}`);
      console.log(
        "node balances (sompi):",
        JSON.stringify([...node].map(([x, v]) => [x, String(v)])),
      );
      const viaWrpc = new Map(
        (await wrpc.getBalancesByAddresses([a, b])).map((e) => [e.address, e.sompi]),
      );
      assert.deepEqual(viaWrpc, node, "kaspad's wRPC and gRPC report the same balances");

      await gaugeEquals(k, node);
      const status = await k.api<StatusJson>("/api/status");
      assert.equal(status.balances.state, "on");
      assert.deepEqual(
        status.balances.wallets.map((w) => [w.address, BigInt(w.sompi)]),
        [...node].sort(([x], [y]) => (x < y ? -1 : 1)),
      );
      assert.equal(
        k.log.filter((l) => l.includes("wallet balances off")).length,
        0,
        "no warning on an indexed node",
      );
      await k.stop();

      // The same through kstratum's wRPC client: the workers' addresses are seen at authorize.
      k = new KstratumProcess([`--node=${kaspad.wrpcUrl}`, "--balance-refresh-ms=1000", ...ARGS]);
      await k.healthy();
      miners.push(await miner(k, a, "rig1"), await miner(k, b, "rig2"));
      await gaugeEquals(k, node);
    } finally {
      for (const m of miners) m.close();
      await k.stop();
      await grpc.close();
      await wrpc.close();
      await kaspad.stop();
    }
  },
);

kaspadTest(
  "balances: a node without --utxoindex gets one clear line at start, /api/status says why, and mining goes on",
  async () => {
    const kaspad = await startKaspad();
    const k = new KstratumProcess([
      `--node=${kaspad.grpcAddress}`,
      "--balance-refresh-ms=1000",
      ...ARGS,
    ]);
    let m: StratumMiner | undefined;
    try {
      await k.healthy();
      m = await miner(k, randomDevnetAddress(), "rig1");
      await mineBlocks(k, m, 2);
      const status = await k.api<StatusJson>("/api/status");
      assert.equal(status.balances.state, "off");
      assert.match(String(status.balances.reason), /--utxoindex/);
      assert.ok(status.totals.shares.valid > 0 && status.totals.blocks.rejected === 0);
      const warnings = k.log.filter((l) => l.includes("wallet balances off"));
      assert.equal(warnings.length, 1, k.log.join("\n"));
      assert.match(warnings[0]!, /restart kaspad with --utxoindex/);
      assert.deepEqual([...await gauge(k)], [], "no balance series");
    } finally {
      m?.close();
      await k.stop();
      await kaspad.stop();
    }
  },
);
