// Following found blocks to their reward: the state each GetBlockRewardInfo answer leads to, and
// the fallback for a node without the RPC. The node here is scripted (tests/helpers/fake_node.ts)
// because no kaspad older than Toccata is at hand to answer "unknown method"; the real node's
// answers are checked in tests/integration/history_rewards_test.ts.

import assert from "node:assert/strict";
import { createLogger } from "../../lib/log/mod.ts";
import {
  applyRewardInfo,
  HistoryStore,
  RewardFollower,
  type StoredBlock,
} from "../../lib/history/mod.ts";
import { NodeError } from "../../lib/node/mod.ts";
import { FakeNode } from "../helpers/fake_node.ts";

const open = (hash: string, at = 1000): StoredBlock => ({
  hash,
  foundAt: at,
  worker: "rig",
  wallet: "kaspadev:q",
  daaScore: 1n,
  verdict: "accepted",
  color: null,
  confirmations: null,
  mergingHash: null,
  rewardSompi: null,
  final: false,
});

Deno.test("applyRewardInfo: unknown stays open, blue waits for its reward, both final only 10 confirmations deep", () => {
  const unknown = {
    color: "unknown",
    confirmations: undefined,
    mergingHash: undefined,
    rewardSompi: undefined,
  } as const;
  assert.equal(applyRewardInfo(open("a"), unknown, 2000, 10_000).final, false);
  const blueNoReward = applyRewardInfo(
    open("a"),
    { ...unknown, color: "blue", confirmations: 0n, mergingHash: "m" },
    2000,
    10_000,
  );
  assert.equal(blueNoReward.color, "blue");
  assert.equal(blueNoReward.confirmations, 0);
  assert.equal(blueNoReward.final, false);
  const paid = applyRewardInfo(
    blueNoReward,
    { color: "blue", confirmations: 3n, mergingHash: "m", rewardSompi: 50_000_000_000n },
    2000,
    10_000,
  );
  assert.equal(paid.rewardSompi, 50_000_000_000n);
  assert.equal(paid.final, false, "paid, but the chain can still move at 3 confirmations");
  const deep = applyRewardInfo(
    paid,
    { color: "blue", confirmations: 10n, mergingHash: "m2", rewardSompi: 50_000_000_001n },
    2000,
    10_000,
  );
  assert.equal(deep.final, true);
  assert.equal(deep.mergingHash, "m2", "a merging block that changed before then is followed");
  const red = applyRewardInfo(
    open("a"),
    { ...unknown, color: "red", confirmations: 1n, mergingHash: "m" },
    2000,
    10_000,
  );
  assert.equal(red.final, false);
  assert.equal(red.rewardSompi, null);
  const deepRed = applyRewardInfo(
    red,
    { ...unknown, color: "red", confirmations: 12n, mergingHash: "m" },
    2000,
    10_000,
  );
  assert.equal(deepRed.final, true);
  // Never merged after giveUpMs: given up.
  assert.equal(applyRewardInfo(open("a", 0), unknown, 20_000, 10_000).final, true);
});

async function withStore(
  fn: (store: HistoryStore, lines: string[]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ks-rewards-" });
  const lines: string[] = [];
  const log = createLogger({ level: "info", format: "text", write: (l) => lines.push(l) });
  const store = HistoryStore.open({ dataDir: dir, log, now: Date.now });
  try {
    await fn(store, lines);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the follower records the node's answers until final, then stops asking", async () => {
  await withStore(async (store, lines) => {
    const node = new FakeNode();
    store.putBlock(open("b1", Date.now()));
    node.rewardScript.push(
      {
        color: "unknown",
        confirmations: undefined,
        mergingHash: undefined,
        rewardSompi: undefined,
      },
      new NodeError("rpc", "block not found"),
      { color: "blue", confirmations: 2n, mergingHash: "m0", rewardSompi: 12_000n },
      // The chain moved before the block was deep enough: the later answer is the one kept.
      { color: "blue", confirmations: 10n, mergingHash: "mm", rewardSompi: 12_345n },
    );
    const f = new RewardFollower({
      node,
      store,
      log: createLogger({ level: "info", format: "text", write: (l) => lines.push(l) }),
      now: Date.now,
    });
    for (let i = 0; i < 3; i++) await f.poll();
    assert.equal(store.blocks({ limit: 1 })[0]!.final, false, "2 confirmations: not final yet");
    await f.poll();
    const [b] = store.blocks({ limit: 1 });
    assert.equal(b!.color, "blue");
    assert.equal(b!.rewardSompi, 12_345n);
    assert.equal(b!.mergingHash, "mm");
    assert.equal(b!.final, true);
    await f.poll();
    assert.equal(node.rewardCalls.length, 4, "a final block is not asked about again");
    assert.equal(f.rewardsUnsupported, false);
  });
});

Deno.test("a node without GetBlockRewardInfo: said once, colours come from getCurrentBlockColor, no amounts", async () => {
  await withStore(async (store, lines) => {
    const node = new FakeNode();
    node.rewardsSupported = false;
    node.colorScript.push(undefined, true, false);
    store.putBlock(open("c1", Date.now()));
    store.putBlock(open("c2", Date.now() + 1));
    const f = new RewardFollower({
      node,
      store,
      log: createLogger({ level: "info", format: "text", write: (l) => lines.push(l) }),
      now: Date.now,
    });
    await f.poll(); // c1: unknown (undefined), c2: blue
    await f.poll(); // c1: red
    assert.equal(f.rewardsUnsupported, true);
    assert.equal(node.rewardCalls.length, 1, "the RPC is not tried again once the node lacks it");
    const byHash = new Map(store.blocks({ limit: 5 }).map((b) => [b.hash, b]));
    assert.equal(byHash.get("c2")!.color, "blue");
    assert.equal(byHash.get("c1")!.color, "red");
    assert.equal(byHash.get("c2")!.rewardSompi, null);
    assert.equal(byHash.get("c2")!.final, true);
    assert.equal(lines.filter((l) => /has no GetBlockRewardInfo/.test(l)).length, 1);
  });
});
