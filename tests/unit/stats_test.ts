import assert from "node:assert/strict";
import { Stats } from "../../lib/stats/stats.ts";
import type { WorkerRef } from "../../lib/session/events.ts";
import { HASHES_PER_DIFFICULTY } from "../../lib/stats/hashrate.ts";

const T0 = 1_700_000_000_000;

function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

function ref(worker: string, over: Partial<WorkerRef> = {}): WorkerRef {
  return {
    worker,
    wallet: "kaspa:qwallet",
    miner: "lolMiner 1.88",
    ip: "10.0.0.2",
    dialect: "array",
    ...over,
  };
}

Deno.test("stats counts shares by outcome per worker and in totals", () => {
  const c = clock();
  const s = new Stats({ now: c.now });
  const rig = ref("rig1");
  s.authorized(rig);
  s.difficultyChanged(rig, 4096);
  for (const outcome of ["valid", "valid", "stale", "duplicate", "weak", "invalid"] as const) {
    s.share({ who: rig, outcome, difficulty: 4096, at: c.t });
    c.t += 1000;
  }
  const snap = s.snapshot();
  const w = snap.workers[0];
  assert.ok(w);
  assert.deepEqual(w.shares, { valid: 2, stale: 1, duplicate: 1, weak: 1, invalid: 1 });
  assert.equal(w.acceptedDifficulty, 8192);
  assert.equal(w.difficulty, 4096);
  assert.equal(w.lastShareAt, T0 + 5000);
  assert.equal(w.connections, 1);
  assert.equal(w.name, "rig1");
  assert.deepEqual(snap.totals.shares, { valid: 2, stale: 1, duplicate: 1, weak: 1, invalid: 1 });
  assert.equal(snap.totals.acceptedDifficulty, 8192);
});

Deno.test("stats windows a worker's hashrate from accepted shares only", () => {
  const c = clock();
  const s = new Stats({ now: c.now });
  const rig = ref("rig1");
  s.authorized(rig);
  for (let i = 0; i < 600; i++) {
    s.share({ who: rig, outcome: "valid", difficulty: 1, at: c.t });
    s.share({ who: rig, outcome: "stale", difficulty: 1000, at: c.t }); // not work we can use
    c.t += 1000;
  }
  const snap = s.snapshot();
  const w = snap.workers[0];
  assert.ok(w);
  assert.equal(w.hashrate.m1, HASHES_PER_DIFFICULTY);
  assert.equal(w.hashrate.m15, HASHES_PER_DIFFICULTY);
  assert.equal(w.hashrate.h1, HASHES_PER_DIFFICULTY);
  assert.equal(snap.hashrate.m1, HASHES_PER_DIFFICULTY);
  c.t += 5 * 60_000;
  const later = s.snapshot();
  assert.equal(later.workers[0]?.hashrate.m1, 0);
  assert.ok((later.workers[0]?.hashrate.m15 ?? 0) > 0);
});

Deno.test("stats tells workers apart by wallet and name, and unnamed workers by IP", () => {
  const s = new Stats({ now: clock().now });
  s.authorized(ref("rig1"));
  s.authorized(ref("rig1", { wallet: "kaspa:qother" }));
  s.authorized(ref("", { ip: "10.0.0.7" }));
  s.authorized(ref("", { ip: "10.0.0.8" }));
  s.authorized(ref("rig1", { ip: "10.0.0.9", miner: "BzMiner" })); // same rig, new address
  const snap = s.snapshot();
  assert.deepEqual(
    snap.workers.map((w) => [w.wallet, w.name, w.ip, w.connections]),
    [
      ["kaspa:qother", "rig1", "10.0.0.2", 1],
      ["kaspa:qwallet", "10.0.0.7", "10.0.0.7", 1],
      ["kaspa:qwallet", "10.0.0.8", "10.0.0.8", 1],
      ["kaspa:qwallet", "rig1", "10.0.0.9", 2],
    ],
  );
  assert.equal(snap.workers[3]?.miner, "BzMiner");
});

Deno.test("stats forgets workers idle longer than the eviction time", () => {
  const c = clock();
  const s = new Stats({ now: c.now, idleEvictMs: 600_000, sweepEveryMs: 60_000 });
  const busy = ref("busy");
  const idle = ref("idle");
  s.authorized(busy);
  s.authorized(idle);
  for (let i = 0; i < 11; i++) {
    c.t += 60_000;
    s.jobSent(busy);
  }
  const snap = s.snapshot();
  assert.deepEqual(snap.workers.map((w) => w.name), ["busy"]);
  assert.equal(snap.limits.evicted, 1);
  assert.equal(snap.totals.jobs, 11); // totals survive eviction
  s.disconnected(idle, idle.ip, "timeout"); // a goodbye does not bring it back
  assert.deepEqual(s.snapshot().workers.map((w) => w.name), ["busy"]);
});

Deno.test("stats caps tracked workers and counts the rest only in totals", () => {
  const c = clock();
  const s = new Stats({ now: c.now, maxWorkers: 3, idleEvictMs: 600_000 });
  for (const n of ["a", "b", "c", "d", "e"]) {
    s.share({ who: ref(n), outcome: "valid", difficulty: 2, at: c.t });
  }
  let snap = s.snapshot();
  assert.deepEqual(snap.workers.map((w) => w.name), ["a", "b", "c"]);
  assert.equal(snap.limits.tracked, 3);
  assert.equal(snap.limits.untrackedEvents, 2);
  // A totals-only snapshot (/api/status) skips the list but still counts it.
  const light = s.snapshot({ workers: false });
  assert.deepEqual(light.workers, []);
  assert.equal(light.limits.tracked, 3);
  assert.deepEqual(light.totals, snap.totals);
  assert.equal(snap.totals.shares.valid, 5);
  assert.equal(snap.totals.acceptedDifficulty, 10);
  c.t += 600_001; // a, b and c go idle; room for newcomers
  s.authorized(ref("d"));
  snap = s.snapshot();
  assert.deepEqual(snap.workers.map((w) => w.name), ["d"]);
  assert.equal(snap.limits.evicted, 3);
  assert.equal(s.snapshot({ workers: false }).limits.tracked, 1);
});

Deno.test("stats counts open connections by the dialect they opened with", () => {
  const s = new Stats({ now: clock().now });
  s.connected("10.0.0.2", "array");
  s.connected("10.0.0.2", "bighex");
  s.connected("10.0.0.3", "array");
  s.connected("10.0.0.4", "simple");
  assert.deepEqual(s.snapshot().connections, {
    total: 4,
    byDialect: { array: 2, bighex: 1, simple: 1 },
  });
  s.disconnected(ref("x", { ip: "10.0.0.2", dialect: "bighex" }), "10.0.0.2", "eof");
  s.disconnected(undefined, "10.0.0.4", "eof");
  s.disconnected(undefined, "10.9.9.9", "never connected"); // ignored, never negative
  const snap = s.snapshot();
  assert.deepEqual(snap.connections, { total: 2, byDialect: { array: 2 } });
  assert.equal(snap.totals.disconnects, 3);
});

Deno.test("stats records disconnects and jobs per worker", () => {
  const s = new Stats({ now: clock().now });
  const rig = ref("rig1");
  s.connected(rig.ip, "array");
  s.authorized(rig);
  s.jobSent(rig);
  s.jobSent(rig);
  s.disconnected(rig, rig.ip, "eof");
  const w = s.snapshot().workers[0];
  assert.equal(w?.jobs, 2);
  assert.equal(w?.disconnects, 1);
  assert.equal(w?.connections, 0);
});

Deno.test("stats keeps found blocks newest first, bounded, with the node verdict and color", () => {
  const c = clock();
  const s = new Stats({ now: c.now, maxBlocks: 3 });
  const rig = ref("rig1");
  for (let i = 0; i < 5; i++) {
    s.blockFound({
      who: rig,
      hash: `h${i}`,
      daaScore: 1000n + BigInt(i),
      verdict: i === 1 ? "rejected" : "accepted",
      ...(i === 1 ? { reason: "invalid" } : {}),
      at: c.t + i,
    });
  }
  s.blockFound({ who: rig, hash: "h4", daaScore: 1004n, verdict: "accepted", at: c.t + 9 });
  s.blockColor("h4", true);
  s.blockColor("h3", false);
  s.blockColor("h3", true); // first answer stands
  s.blockColor("h0", true); // no longer in the list: ignored
  const snap = s.snapshot();
  assert.deepEqual(snap.blocks.map((b) => [b.hash, b.daaScore, b.verdict, b.color]), [
    ["h4", 1004n, "accepted", "blue"],
    ["h3", 1003n, "accepted", "red"],
    ["h2", 1002n, "accepted", "pending"],
  ]);
  assert.deepEqual(snap.totals.blocks, {
    found: 5,
    accepted: 4,
    rejected: 1,
    unreachable: 0,
    blue: 1,
    red: 1,
  });
  assert.deepEqual(snap.workers[0]?.blocks, { found: 5, accepted: 4, blue: 1, red: 1 });
});

Deno.test("stats reports node status, template age and RPC latency", () => {
  const c = clock();
  const s = new Stats({ now: c.now });
  assert.equal(s.snapshot().node, null);
  s.setNode({ connected: true, network: "kaspa-devnet", synced: true, daaScore: 123n });
  s.setNode({ networkHashrate: 5_000_000n, difficulty: 1.5, templateAt: c.t });
  s.observeNodeRpc(12);
  s.observeNodeRpc(3);
  s.observeFanout(0.5);
  c.t += 2500;
  const snap = s.snapshot();
  assert.deepEqual(snap.node, {
    connected: true,
    network: "kaspa-devnet",
    synced: true,
    daaScore: 123n,
    blockCount: 0n,
    networkHashrate: 5_000_000n,
    difficulty: 1.5,
    templateAt: T0,
    templateAgeMs: 2500,
    rpcLatencyMs: 3,
  });
  assert.equal(snap.nodeRpc.count, 2);
  assert.equal(snap.fanout.count, 1);
  assert.equal(snap.now - snap.startedAt, 2500);
});

Deno.test("stats counts worker errors in the bridges' names, per worker and unattributed", () => {
  const s = new Stats({ now: clock().now });
  s.authorized(ref("rig1"));
  s.protocolError(ref("rig1"), -32601);
  s.protocolError(ref("rig1"), -32602);
  s.protocolError(undefined, -32700);
  s.protocolError(undefined, 24, "no-address");
  s.protocolError(undefined, 24, "bad-address");
  s.share({ who: ref("rig1"), outcome: "stale", difficulty: 1, at: 0 });
  s.share({ who: ref("rig1"), outcome: "invalid", difficulty: 1, at: 0 });
  s.share({ who: ref("rig1"), outcome: "weak", difficulty: 1, at: 0 });
  s.share({ who: ref("rig1"), outcome: "duplicate", difficulty: 1, at: 0 });
  s.disconnected(ref("rig1"), "10.0.0.1", "slow reader");
  s.disconnected(undefined, "10.0.0.9", "handshake timeout");
  s.disconnected(undefined, "10.0.0.8", "peer closed");
  const snap = s.snapshot();
  assert.deepEqual(snap.workers[0]?.errors, {
    err_bad_data_from_miner: 3,
    err_missing_job: 1,
    err_failed_sending_work: 1,
  });
  assert.deepEqual(snap.unattributedErrors, {
    err_bad_data_from_miner: 1,
    err_no_miner_address: 2,
    err_malformed_wallet_address: 1,
  });
  assert.equal(snap.totals.protocolErrors, 5, "share verdicts and closes are not protocol errors");
});

Deno.test("stats keeps the balances the node reported, or why they are off", () => {
  const s = new Stats({ now: clock().now });
  assert.deepEqual(s.snapshot().balances, {
    state: "pending",
    reason: null,
    refreshedAt: null,
    wallets: [],
  });
  s.setBalances([{ address: "kaspa:qz", sompi: 5n }, { address: "kaspa:qa", sompi: 0n }], 42);
  const on = s.snapshot().balances;
  assert.equal(on.state, "on");
  assert.equal(on.refreshedAt, 42);
  assert.deepEqual(on.wallets.map((w) => w.address), ["kaspa:qa", "kaspa:qz"], "sorted");
  s.setBalancesOff("the node runs without --utxoindex");
  assert.deepEqual(s.snapshot().balances, {
    state: "off",
    reason: "the node runs without --utxoindex",
    refreshedAt: null,
    wallets: [],
  });
});

Deno.test("stats snapshots are copies that later events do not change", () => {
  const c = clock();
  const s = new Stats({ now: c.now });
  s.share({ who: ref("rig1"), outcome: "valid", difficulty: 1, at: c.t });
  const before = s.snapshot();
  s.share({ who: ref("rig1"), outcome: "valid", difficulty: 1, at: c.t });
  assert.equal(before.totals.shares.valid, 1);
  assert.equal(before.workers[0]?.shares.valid, 1);
});

Deno.test("fake workers cannot keep a worker with valid shares out of the table (hole 7)", () => {
  const c = clock();
  const s = new Stats({ now: c.now, maxWorkers: 10, maxWorkersPerIp: 6 });
  // One IP authorizes 100 fake workers: only 6 are tracked (per-IP bound).
  for (let i = 0; i < 100; i++) s.authorized(ref(`fake${i}`, { ip: "10.6.6.6" }));
  assert.equal(s.snapshot().limits.tracked, 6);
  // Four more IPs fill the table with fakes that never share.
  for (let i = 0; i < 4; i++) s.authorized(ref(`fake-b${i}`, { ip: `10.7.7.${i}` }));
  assert.equal(s.snapshot().limits.tracked, 10);
  // An honest worker arrives late: untracked while it only authorizes...
  s.authorized(ref("honest", { ip: "10.1.1.1" }));
  assert.ok(!s.snapshot().workers.some((w) => w.name === "honest"));
  // ...and tracked from its first valid share, in place of a fake.
  for (let i = 0; i < 25; i++) {
    s.share({ who: ref("honest", { ip: "10.1.1.1" }), outcome: "valid", difficulty: 1, at: c.t });
  }
  const honest = s.snapshot().workers.find((w) => w.name === "honest");
  assert.equal(honest?.shares.valid, 25);
  assert.equal(s.snapshot().limits.tracked, 10);
});
