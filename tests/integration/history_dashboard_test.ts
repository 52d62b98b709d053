// The dashboard's history views in real headless Chromium: after real mining on a real devnet
// kaspad (charts, blocks with rewards, blocks per day; screenshot docs/dashboard-history.png), and
// the render time with 5,000 workers and their sparklines.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createLogger } from "../../lib/log/mod.ts";
import { HistoryStore } from "../../lib/history/mod.ts";
import { startHttp } from "../../lib/http/server.ts";
import { Stats } from "../../lib/stats/stats.ts";
import type { WorkerRef } from "../../lib/session/events.ts";
import { mine, StratumMiner } from "../../scripts/stratum_miner.ts";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  chromiumPresent,
  loadPlaywright,
  REQUIRE_CHROMIUM,
} from "../helpers/chromium.ts";
import { kaspadTest, randomDevnetAddress, startKaspad } from "../helpers/kaspad.ts";
import { KstratumProcess } from "../helpers/kstratum.ts";

const present = chromiumPresent();
const DOCS = new URL("../../docs/", import.meta.url);

/** Opens `url` in Chromium, runs `fn` on the page, closes. Fails on any page error. */
async function withPage(
  url: string,
  fn: (page: Page) => Promise<void>,
  viewport = { width: 1280, height: 900 },
): Promise<void> {
  const { chromium } = await loadPlaywright();
  const profile = await Deno.makeTempDir({ prefix: "kstratum-chromium-" });
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport,
    colorScheme: "dark",
    timeout: 60_000,
  });
  const problems: string[] = [];
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    const res = await page.goto(url, { waitUntil: "load", timeout: 30_000 });
    assert.equal(res?.status(), 200);
    await fn(page);
    assert.deepEqual(problems, [], "the page logged errors (a CSP violation shows here too)");
  } finally {
    await ctx.close();
    await Deno.remove(profile, { recursive: true });
  }
}

kaspadTest(
  "history dashboard after real mining: hashrate chart, sparklines, blocks with rewards, per day, wallet filter, worker view",
  async () => {
    assert.ok(present || !REQUIRE_CHROMIUM, `${CHROMIUM} is missing`);
    if (!present) return;
    const kaspad = await startKaspad();
    const cwd = await Deno.makeTempDir({ prefix: "ks-history-ui-" });
    const k = new KstratumProcess([
      `--node=${kaspad.grpcAddress}`,
      "--allow-unsynced",
      "--no-vardiff",
      `--start-diff=${2 ** -16}`,
      "--history-sample-ms=1000",
    ], { cwd });
    const [a, b] = [randomDevnetAddress(), randomDevnetAddress()];
    const miners: StratumMiner[] = [];
    try {
      await k.healthy();
      for (const [addr, name] of [[a, "rack1-ks3"], [a, "rack1-ks0"], [b, "garage-gpu"]]) {
        const m = await StratumMiner.connect(k.stratumPort, {
          dialect: "array",
          address: addr!,
          worker: name!,
        });
        await m.handshake();
        miners.push(m);
      }
      // Mine across three minute buckets so the chart has a line, until blocks are final.
      const started = Date.now();
      let finals = 0;
      const poll = setInterval(() => {
        k.api<{ blocks: { final: boolean; rewardSompi: string | null }[] }>(
          "/api/history/blocks",
        ).then((r) => (finals = r.blocks.filter((x) => x.final && x.rewardSompi).length), () => {});
      }, 1000);
      try {
        await Promise.all(miners.map((m, i) =>
          mine(m, {
            until: () => finals >= 4 && Date.now() - started > 150_000,
            maxShares: 2_000_000,
            timeoutMs: 240_000,
            // The GPU rig mines less, so the sparklines differ.
            ...(i === 2 ? { hashes: 20_000 } : {}),
          })
        ));
      } finally {
        clearInterval(poll);
      }
      assert.ok(finals >= 4, `only ${finals} blocks with a reward`);
      await withPage(`http://127.0.0.1:${k.httpPort}/`, async (page) => {
        await page.waitForSelector("#chart svg path.line", { timeout: 20_000 });
        await page.click('[data-act="range"][data-arg="1h"]');
        await page.waitForSelector('.tab.on[data-arg="1h"]');
        await page.waitForSelector("#workers svg.spark circle", { timeout: 20_000 });
        await page.waitForSelector("#daily svg rect.blue", { timeout: 20_000 });
        const blocks = await page.innerText("#blocks");
        assert.match(blocks, /\d+(\.\d+)? KAS/, "a reward in KAS is shown");
        assert.match(blocks, /blue/);
        assert.equal(await page.locator("#history-note").innerText(), "");
        await page.screenshot({
          path: new URL("dashboard-history.png", DOCS).pathname,
          fullPage: true,
        });
        // The wallet filter: only b's worker remains.
        await page.selectOption("#wallet", b);
        await page.waitForSelector('#workers button:has-text("rack1-ks3")', { state: "detached" });
        assert.ok((await page.innerText("#workers")).includes("garage-gpu"));
        await page.selectOption("#wallet", "");
        // The worker view: its chart and reject-rate chart.
        await page.click('#workers button[data-act="worker"]:has-text("rack1-ks3")');
        await page.waitForSelector("#worker-panel:not([hidden]) #worker-chart svg path.line", {
          timeout: 20_000,
          state: "attached", // a single 5-minute point is a dot: its line has no extent
        });
        await page.waitForSelector("#worker-rejects svg", { timeout: 5_000 });
        await page.locator("#worker-panel").screenshot({
          path: new URL("dashboard-worker.png", DOCS).pathname,
        });
      });
    } finally {
      for (const m of miners) m.close();
      await k.stop();
      await kaspad.stop();
      await Deno.remove(cwd, { recursive: true }).catch(() => {});
    }
  },
);

Deno.test({
  name: "history dashboard with 5,000 workers: first full render time in Chromium",
  ignore: !present && !REQUIRE_CHROMIUM,
  async fn() {
    assert.ok(present, `${CHROMIUM} is missing and KSTRATUM_REQUIRE_CHROMIUM is set`);
    const N = 5000;
    const now = Date.now();
    const stats = new Stats({ maxWorkers: 10_000 });
    const dir = await Deno.makeTempDir({ prefix: "ks-history-5k-" });
    const log = createLogger({ level: "error", format: "text", write: () => {} });
    const store = HistoryStore.open({ dataDir: dir, log, now: () => now, flushMs: 1e9 });
    const who = (i: number): WorkerRef => ({
      worker: `rig-${String(i).padStart(4, "0")}`,
      wallet: `kaspa:qz${"0".repeat(55)}${String(i % 20).padStart(3, "0")}`,
      miner: "IceRiverMiner-v1.1",
      ip: `10.0.${i >> 8}.${i & 255}`,
      dialect: "bighex",
    });
    for (let i = 0; i < N; i++) {
      const w = who(i);
      stats.connected(w.ip, w.dialect);
      stats.authorized(w);
      stats.share({ who: w, outcome: "valid", difficulty: 1024, at: now });
    }
    // A day of farm history and an hour of every worker's 5-minute history.
    for (let m = 1440; m > 0; m--) {
      const t = now - m * 60_000;
      store.recordSamples(
        { hashrate: 5e15 * (1 + Math.sin(m / 90) / 5), accepted: 1000, stale: 2, invalid: 1 },
        [],
        t,
      );
    }
    for (let s = 12; s >= 0; s--) {
      const t = now - s * 300_000;
      store.recordSamples(
        { hashrate: 0, accepted: 0, stale: 0, invalid: 0 },
        Array.from({ length: N }, (_, i) => {
          const w = who(i);
          return {
            key: `${w.wallet}/${w.worker}`,
            name: w.worker,
            wallet: w.wallet,
            sample: {
              hashrate: 1e12 * (1 + ((i + s) % 7) / 7),
              accepted: 20,
              stale: s % 3,
              invalid: 0,
            },
          };
        }),
        t,
      );
    }
    store.flush();
    const http = await startHttp({
      port: 0,
      stats,
      health: () => ({ nodeConnected: true, nodeSynced: true, listening: true }),
      version: "0.1.0",
      history: { store, rewardsUnsupported: () => false },
    });
    try {
      await withPage(`http://127.0.0.1:${http.addr.port}/`, async (page) => {
        await page.waitForSelector("body[data-rendered]", { timeout: 60_000 });
        const firstMs = await page.evaluate("performance.now()") as number;
        const tickMs = Number(
          await page.evaluate('document.body.getAttribute("data-render-ms")'),
        );
        const sparks = await page.locator("#workers svg.spark polyline").count();
        const html = await page.evaluate("document.documentElement.outerHTML.length") as number;
        console.log(
          `5,000 workers: page load to first full render ${firstMs.toFixed(0)} ms ` +
            `(fetch + render ${tickMs.toFixed(0)} ms), ${sparks} sparklines drawn, DOM ${
              (html / 1e6).toFixed(2)
            } MB`,
        );
        assert.equal(sparks, 500, "the table shows its first 500 workers, each with a sparkline");
        assert.ok(firstMs < 15_000, `first render took ${firstMs} ms`);
        await page.screenshot({
          path: new URL("../output/dashboard-5000.png", import.meta.url).pathname,
        });
      });
    } finally {
      await http.shutdown();
      store.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
