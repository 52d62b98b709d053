// The /api/history/... routes over a real store in a temporary directory: ranges, resolutions,
// bounds refused with 400, the wallet sum, and 503 with the reason when history is off.

import assert from "node:assert/strict";
import { createHandler } from "../../lib/http/app.ts";
import { HistoryStore } from "../../lib/history/mod.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { Stats } from "../../lib/stats/stats.ts";

const log = createLogger({ level: "error", format: "text", write: () => {} });
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

async function withApp(
  fn: (get: (path: string) => Promise<[number, Record<string, unknown>]>) => Promise<void>,
  history: "on" | "none" = "on",
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ks-http-history-" });
  const store = HistoryStore.open({ dataDir: dir, log, now: () => NOW });
  const sample = (hashrate: number) => ({ hashrate, accepted: 2, stale: 1, invalid: 0 });
  for (let m = 120; m >= 0; m--) {
    const t = NOW - m * 60_000;
    store.recordSamples(sample(1000), [
      { key: "kaspa:qa/r1", name: "r1", wallet: "kaspa:qa", sample: sample(100) },
      { key: "kaspa:qa/r2", name: "r2", wallet: "kaspa:qa", sample: sample(300) },
      { key: "kaspa:qb/r3", name: "r3", wallet: "kaspa:qb", sample: sample(50) },
    ], t);
  }
  store.flush();
  const handle = createHandler({
    stats: new Stats(),
    health: () => ({ nodeConnected: true, nodeSynced: true, listening: true }),
    version: "t",
    now: () => NOW,
    history: history === "on" ? { store, rewardsUnsupported: () => false } : undefined,
  });
  try {
    await fn(async (path) => {
      const res = handle(new Request(`http://x${path}`));
      return [res.status, await res.json()];
    });
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("/api/history/hashrate: finest resolution that fits, bounded, per worker and per wallet", async () => {
  await withApp(async (get) => {
    const [s1, farm] = await get("/api/history/hashrate?range=1h");
    assert.equal(s1, 200);
    assert.equal(farm.res, "1m");
    const points = farm.points as { t: number; hashrate: number; accepted: number }[];
    assert.equal(points.length, 61);
    assert.ok(points.every((p) => p.hashrate === 1000 && p.accepted === 2));
    const [, w] = await get("/api/history/hashrate?range=1h&worker=kaspa:qa/r2");
    assert.equal(w.res, "5m");
    assert.ok((w.points as { hashrate: number }[]).every((p) => p.hashrate === 300));
    const [, wallet] = await get("/api/history/hashrate?range=1h&wallet=kaspa:qa");
    assert.ok((wallet.points as { hashrate: number }[]).every((p) => p.hashrate === 400));
    const [s2, tooMany] = await get("/api/history/hashrate?range=30d&res=1m");
    assert.equal(s2, 400);
    assert.match(String(tooMany.detail), /too many points/);
    const [s3] = await get("/api/history/hashrate?range=2w");
    assert.equal(s3, 400);
    const [s4] = await get("/api/history/blocks?limit=5000");
    assert.equal(s4, 400);
  });
});

Deno.test("/api/history/sparklines: every worker of a wallet, 5-minute points", async () => {
  await withApp(async (get) => {
    const [status, doc] = await get("/api/history/sparklines?range=1h&wallet=kaspa:qa");
    assert.equal(status, 200);
    const workers = doc.workers as { name: string; hashrate: number[] }[];
    assert.deepEqual(workers.map((w) => w.name), ["r1", "r2"]);
    assert.ok(workers[0]!.hashrate.length >= 12 && workers[0]!.hashrate.every((h) => h === 100));
  });
});

Deno.test("history off: /api/history answers 503 with the reason, /api/status says so", async () => {
  await withApp(async (get) => {
    const [status, doc] = await get("/api/history/hashrate");
    assert.equal(status, 503);
    assert.equal((doc.history as { on: boolean }).on, false);
    const [, s] = await get("/api/status");
    assert.deepEqual(s.history, {
      enabled: false,
      on: false,
      reason: "data_dir is off",
      rewards: "off",
    });
  }, "none");
});
