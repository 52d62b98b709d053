import assert from "node:assert/strict";
import { BalanceWatch, NO_UTXOINDEX } from "../../lib/app/balances.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { renderMetrics } from "../../lib/metrics/mod.ts";
import { statusJson } from "../../lib/http/api.ts";
import { judgeHealth } from "../../lib/http/health.ts";
import { Stats } from "../../lib/stats/mod.ts";
import { FakeNode } from "../helpers/fake_node.ts";

// The refresh logic against a scripted node (which calls, how many, when it turns off); the real
// kaspad with and without --utxoindex is tests/integration/metrics_balances_test.ts.

const HOUR = 3_600_000; // the timer never fires in these tests: refresh() is called by hand

function setup(indexed: boolean) {
  const node = new FakeNode();
  node.utxoIndexed = indexed;
  const stats = new Stats({ now: () => 5_000 });
  const lines: string[] = [];
  const log = createLogger({
    level: "info",
    format: "text",
    timestamps: false,
    write: (l) => lines.push(l),
  });
  const watch = new BalanceWatch({
    node,
    stats,
    log,
    everyMs: HOUR,
    now: () => 7_000,
    maxAddresses: 3,
  });
  return { node, stats, lines, watch };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

Deno.test("balances: one call per refresh with every payout address seen, in KAS on /metrics", async () => {
  const { node, stats, watch } = setup(true);
  await node.connect();
  node.balances.set("kaspadev:qa", 150_000_000n);
  node.balances.set("kaspadev:qb", 1n);
  watch.see("kaspadev:qa");
  watch.see("kaspadev:qb");
  watch.see("kaspadev:qa"); // seen again: asked once
  const stop = watch.start();
  try {
    await settle();
    assert.deepEqual(
      node.balanceCalls,
      [["kaspadev:qb", "kaspadev:qa"]],
      "refreshed once the index is known",
    );
    await watch.refresh();
    assert.equal(node.balanceCalls.length, 2, "one call per refresh");
    const snap = stats.snapshot();
    assert.equal(snap.balances.state, "on");
    assert.equal(snap.balances.refreshedAt, 7_000);
    const text = renderMetrics(snap, { version: "t", uptimeMs: 0, rssBytes: 0 });
    assert.match(text, /^ks_balance_by_wallet_gauge\{wallet="kaspadev:qa"\} 1\.5$/m);
    assert.match(text, /^ks_balance_by_wallet_gauge\{wallet="kaspadev:qb"\} 1e-8$/m);
  } finally {
    stop();
  }
});

Deno.test("balances: the address list is bounded, least recently seen dropped first", () => {
  const { watch } = setup(true);
  for (const a of ["kaspadev:q1", "kaspadev:q2", "kaspadev:q3"]) watch.see(a);
  watch.see("kaspadev:q1");
  watch.see("kaspadev:q4");
  assert.deepEqual(watch.addresses, ["kaspadev:q3", "kaspadev:q1", "kaspadev:q4"]);
  watch.see("");
  assert.equal(watch.addresses.length, 3, "an empty wallet is not an address");
});

Deno.test("balances: a node without --utxoindex turns them off with one line and says why", async () => {
  const { node, stats, lines, watch } = setup(false);
  await node.connect();
  watch.see("kaspadev:qa");
  const stop = watch.start();
  try {
    await settle();
    await watch.refresh();
    node.setConnected(false);
    node.setConnected(true); // a reconnect to the same node: no second line
    await settle();
    assert.deepEqual(node.balanceCalls, [], "the node is never asked");
    assert.equal(
      lines.filter((l) => l.includes("wallet balances off")).length,
      1,
      lines.join("\n"),
    );
    assert.match(lines[0]!, /--utxoindex/);
    const snap = stats.snapshot();
    assert.deepEqual(snap.balances, {
      state: "off",
      reason: NO_UTXOINDEX,
      refreshedAt: null,
      wallets: [],
    });
    const status = statusJson(snap, { version: "t", uptimeMs: 0, health: judgeHealth(undefined) });
    assert.equal(status.balances.state, "off");
    assert.match(String(status.balances.reason), /--utxoindex/);
    const text = renderMetrics(snap, { version: "t", uptimeMs: 0, rssBytes: 0 });
    assert.doesNotMatch(
      text,
      /^ks_balance_by_wallet_gauge\{/m,
      "no series, only the family header",
    );

    node.utxoIndexed = true; // restarted with the index
    node.setConnected(false);
    node.setConnected(true);
    await settle();
    assert.equal(node.balanceCalls.length, 1, "back on after a reconnect to an indexed node");
    assert.equal(stats.snapshot().balances.state, "on");
  } finally {
    stop();
  }
});

Deno.test("balances: a failing call keeps the last values and is logged once per streak", async () => {
  const { node, stats, lines, watch } = setup(true);
  await node.connect();
  node.balances.set("kaspadev:qa", 42n);
  watch.see("kaspadev:qa");
  const stop = watch.start();
  try {
    await settle();
    node.connected = false; // calls fail as on a lost link
    await watch.refresh();
    await watch.refresh();
    assert.equal(lines.filter((l) => l.includes("not read")).length, 1);
    assert.deepEqual(stats.snapshot().balances.wallets, [{ address: "kaspadev:qa", sompi: 42n }]);
    node.connected = true;
    await watch.refresh();
    assert.equal(lines.filter((l) => l.includes("readable again")).length, 1);
  } finally {
    stop();
  }
});
