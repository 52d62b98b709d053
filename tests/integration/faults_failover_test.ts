// Failover between two real kaspad nodes: the second is a peer of the first (--connect on loopback,
// so it holds the same DAG). Killing the first (SIGKILL) must move Stratum miners to work from the
// second within 2 s; freezing it (SIGSTOP: the connection stays up, nothing answers) within the
// quiet-node poll plus one call timeout. Miners stay connected; the second accepts their blocks.

import assert from "node:assert/strict";
import { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { type InProcess, pidsMatching, startInProcess } from "../helpers/kstratum.ts";
import {
  type KaspadProcess,
  kaspadTest,
  randomDevnetAddress,
  startKaspad,
  waitFor,
} from "../helpers/kaspad.ts";
import { mine, StratumMiner } from "../../scripts/stratum_miner.ts";

/** Behavioural bound from the requirements, not a speed benchmark. */
const FAILOVER_BOUND_MS = 2000;
/**
 * A frozen node is noticed by its silence: no notification for block_wait_ms (3 s) starts a poll,
 * whose call times out after 10 s; then the second node is connected. Bound with margin.
 */
const FROZEN_BOUND_MS = 25_000;
const SHARE_DIFF = 2 ** -16;

async function blockCount(address: string): Promise<bigint> {
  const c = new GrpcNodeClient({ address, connectTimeoutMs: 2000 });
  try {
    await c.connect();
    return (await c.getDagInfo()).blockCount;
  } finally {
    await c.close();
  }
}

interface TwoNodes {
  first: KaspadProcess;
  second: KaspadProcess;
  k: InProcess;
  miners: StratumMiner[];
  blocks: () => { accepted: number };
}

/** Two peered nodes, kstratum on both (first preferred), two miners, one block already mined. */
async function twoNodes(): Promise<TwoNodes> {
  const first = await startKaspad();
  const second = await startKaspad({ extraArgs: [`--connect=127.0.0.1:${first.p2pPort}`] });
  const k = await startInProcess([
    `--node=${first.grpcAddress}`,
    `--node=${second.grpcAddress}`,
    "--listen=127.0.0.1:0",
    "--allow-unsynced",
    "--no-vardiff",
    `--start-diff=${SHARE_DIFF}`,
  ]);
  const miners: StratumMiner[] = [];
  const setup = {
    first,
    second,
    k,
    miners,
    blocks: () => k.running.stats.snapshot().totals.blocks,
  };
  try {
    await k.running.service.whenReady();
    for (const dialect of ["array", "bighex"] as const) {
      const m = await StratumMiner.connect(k.port, {
        dialect,
        address: randomDevnetAddress(),
        worker: `rig${dialect}`,
      });
      miners.push(m);
      await m.handshake();
      assert.ok(await m.nextJob(undefined, 30_000), `miner ${dialect} has work`);
    }
    // A block through the first node, so the DAG moved past genesis; wait until the peer has it.
    await mine(miners[0]!, {
      until: () => setup.blocks().accepted >= 1,
      maxShares: 400,
      timeoutMs: 60_000,
    });
    assert.equal(setup.blocks().accepted, 1, "a block accepted by the first node");
    const count = await blockCount(first.grpcAddress);
    await waitFor(
      "the second node has the first node's blocks",
      async () => (await blockCount(second.grpcAddress)) >= count ? true : undefined,
      30_000,
      200,
    );
    return setup;
  } catch (e) {
    await teardown(setup);
    throw e;
  }
}

async function teardown(s: TwoNodes): Promise<void> {
  for (const m of s.miners) m.close();
  await s.k.stop();
  await s.first.stop();
  await s.second.stop();
}

/** Waits for every miner's next job after `fault` (ms since `t0` for each). */
async function newWorkAfter(s: TwoNodes, fault: () => unknown, waitMs: number): Promise<number[]> {
  const before = s.miners.map((m) => m.job);
  const t0 = performance.now();
  await fault();
  return await Promise.all(s.miners.map(async (m, i) => {
    const job = await m.nextJob(before[i], waitMs);
    assert.ok(
      job !== undefined,
      `miner ${m.dialect} got new work after the fault\n${s.k.logs.slice(-40).join("\n")}`,
    );
    return job.receivedAt - t0;
  }));
}

/** The link is on the second node, miners stayed, and the second accepts a block found now. */
async function servedBySecond(s: TwoNodes): Promise<void> {
  assert.ok(
    s.k.records(/node connected/).some((r) => r.endpoint === s.second.grpcAddress),
    "the node link is on the second endpoint",
  );
  assert.ok(s.miners.every((m) => !m.closed), "miners stayed connected");
  const secondBefore = await blockCount(s.second.grpcAddress);
  await mine(s.miners[1]!, {
    until: () => s.blocks().accepted >= 2,
    maxShares: 400,
    timeoutMs: 60_000,
  });
  assert.equal(s.blocks().accepted, 2, "a block accepted after failover");
  assert.ok((await blockCount(s.second.grpcAddress)) > secondBefore, "the second node has it");
}

kaspadTest(
  "faults: killing the first of two kaspad nodes moves miners to work from the second within 2 s",
  async () => {
    const s = await twoNodes();
    try {
      let killed: Promise<unknown> = Promise.resolve();
      const arrivals = await newWorkAfter(s, () => (killed = s.first.kill()), 15_000);
      await killed;
      const worst = Math.max(...arrivals);
      console.log(
        `failover: new work ${arrivals.map((a) => `${Math.round(a)} ms`).join(", ")} after SIGKILL`,
      );
      assert.ok(
        worst <= FAILOVER_BOUND_MS,
        `work from the second node within 2 s (took ${Math.round(worst)} ms)`,
      );
      await servedBySecond(s);
    } finally {
      await teardown(s);
    }
  },
);

kaspadTest(
  "faults: freezing the first of two kaspad nodes (SIGSTOP) moves miners to the second, no keepalive wait",
  async () => {
    const s = await twoNodes();
    const pids = await pidsMatching(`--appdir=${s.first.appdir}`);
    assert.equal(pids.length, 1, `one kaspad with appdir ${s.first.appdir}: ${pids}`);
    const pid = pids[0]!;
    try {
      const arrivals = await newWorkAfter(s, () => Deno.kill(pid, "SIGSTOP"), 40_000);
      const worst = Math.max(...arrivals);
      console.log(
        `failover: new work ${arrivals.map((a) => `${Math.round(a)} ms`).join(", ")} after SIGSTOP`,
      );
      assert.ok(
        worst <= FROZEN_BOUND_MS,
        `work from the second node within ${FROZEN_BOUND_MS} ms (took ${Math.round(worst)} ms)`,
      );
      assert.ok(
        s.k.records(/node not answering/).some((r) => r.endpoint === s.first.grpcAddress),
        "the silent node was noticed by its timed-out call",
      );
      await servedBySecond(s);
    } finally {
      try {
        Deno.kill(pid, "SIGCONT");
      } catch {
        // already gone
      }
      await teardown(s);
    }
  },
);
