// The dashboard in a real headless Chromium (Debian `chromium`, driven by npm playwright-core).
// Skips only when /usr/bin/chromium is absent and KSTRATUM_REQUIRE_CHROMIUM is unset.
//
// Two halves, so the end-to-end test can reuse the second with a Stats fed by real sessions:
//   feedLikeSessions(stats, clock) — MinerEvents exactly as the session engine emits them;
//   checkDashboard(url, expect)    — opens the page, waits for the data, asserts, screenshots.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startHttp } from "../../lib/http/server.ts";
import { Stats } from "../../lib/stats/stats.ts";
import type { WorkerRef } from "../../lib/stats/events.ts";

const CHROMIUM = "/usr/bin/chromium";
const OUTPUT_DIR = new URL("../output/", import.meta.url);
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function chromiumPresent(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/**
 * Imports playwright-core. Its bundled `is-wsl` probes /proc/sys/fs/binfmt_misc/WSLInterop at
 * import, which Deno permits only under --allow-all; is-wsl's own test switch defers that probe to
 * the code that opens a desktop browser, which we never call. So the test runs with the project's
 * ordinary test permissions (net, read, write, env, run, sys).
 */
function loadPlaywright(): Promise<typeof import("playwright-core")> {
  Deno.env.set("__IS_WSL_TEST__", "1");
  return import("playwright-core");
}

/** A clock that replays the past quarter hour, then follows real time. */
class ReplayClock {
  #virtual: number | undefined;
  constructor(startMsAgo: number) {
    this.#virtual = Date.now() - startMsAgo;
  }
  now = (): number => this.#virtual ?? Date.now();
  get t(): number {
    return this.now();
  }
  advance(ms: number): void {
    if (this.#virtual === undefined) return;
    this.#virtual = Math.min(this.#virtual + ms, Date.now());
  }
  live(): void {
    this.#virtual = undefined;
  }
}

const WALLET_A = "kaspa:qzk3tlq4hpz8p9zvsl63fhuy8q6nmd6mx6wgk7ag0vdjxlxrkuxl5z0rx6le5";
const WALLET_B = "kaspa:qrelgny7sr3vahq69yykxx36m65gvmhryxrlwngfzgu8xkdslum2yxjp3ap8m";
const RIGS: Array<{ who: WorkerRef; difficulty: number; everyMs: number }> = [
  {
    who: {
      worker: "ks3-rack1",
      wallet: WALLET_A,
      miner: "GodMiner/2.0.0",
      ip: "192.168.1.31",
      dialect: "C",
    },
    difficulty: 4096,
    everyMs: 2000, // ≈ 8.8 TH/s
  },
  {
    who: {
      worker: "ks0-desk",
      wallet: WALLET_A,
      miner: "IceRiverMiner-v1.1",
      ip: "192.168.1.40",
      dialect: "B",
    },
    difficulty: 64,
    everyMs: 3000, // ≈ 92 GH/s
  },
  {
    who: {
      worker: "gpu-rig",
      wallet: WALLET_B,
      miner: "lolMiner 1.88",
      ip: "192.168.1.77",
      dialect: "A",
    },
    difficulty: 8,
    everyMs: 30_000, // ≈ 1.1 GH/s
  },
];

/** Emits what sessions emit for three rigs mining for the last 15 minutes, with three blocks. */
function feedLikeSessions(stats: Stats, clock: ReplayClock): string[] {
  stats.setNode({
    connected: true,
    network: "kaspa-devnet",
    synced: true,
    daaScore: 81_234_000n,
    blockCount: 81_200_000n,
    networkHashrate: 1_250_000_000_000_000n,
    difficulty: 2.9e14,
    templateAt: clock.t,
  });
  for (const { who, difficulty } of RIGS) {
    stats.connected(who.ip, who.dialect);
    stats.authorized(who);
    stats.difficultyChanged(who, difficulty);
  }
  const hashes: string[] = [];
  for (let step = 0; step < 900; step++) {
    clock.advance(1000);
    for (const { who, difficulty, everyMs } of RIGS) {
      if (step % 2 === 0) stats.jobSent(who);
      if ((step * 1000) % everyMs !== 0) continue;
      const outcome = step % 97 === 0 ? "stale" : step % 211 === 0 ? "duplicate" : "valid";
      stats.share({ who, outcome, difficulty, at: clock.t });
    }
    if (step === 300 || step === 610 || step === 880) {
      const rig = RIGS[step === 610 ? 1 : 0];
      assert.ok(rig);
      const hash = blockHash(step);
      stats.blockFound({
        who: rig.who,
        hash,
        daaScore: 81_234_000n + BigInt(step),
        verdict: step === 610 ? "rejected" : "accepted",
        ...(step === 610 ? { reason: "block is invalid: bad merkle root" } : {}),
        at: clock.t,
      });
      if (step === 300) stats.blockColor(hash, true);
      hashes.push(hash);
    }
    stats.observeFanout(0.4 + (step % 7) / 10);
  }
  stats.setNode({ daaScore: 81_234_900n, templateAt: clock.t });
  stats.observeNodeRpc(2.3);
  return hashes;
}

function blockHash(seed: number): string {
  let h = "";
  for (let i = 0; h.length < 64; i++) {
    h += ((seed * 2654435761 + i * 40503) >>> 0).toString(16).padStart(8, "0");
  }
  return h.slice(0, 64);
}

interface DashboardExpectations {
  /** Worker names that must be listed. */
  workers: string[];
  /** Block hashes whose first 16 hex characters must be listed. */
  blocks: string[];
  /** Where to write the screenshot (desktop); a phone-sized one goes beside it. */
  screenshot: URL;
  /** Runs once the page shows the data, before the screenshots (e.g. to test refreshing). */
  whileOpen?: (page: Page) => Promise<void>;
}

/** The text of each dashboard section as the browser renders it. */
interface DashboardText {
  health: string;
  summary: string;
  node: string;
  workers: string;
  blocks: string;
}

/** Opens `url` in Chromium, waits for the API data to render, checks it, takes screenshots. */
async function checkDashboard(url: string, expect: DashboardExpectations): Promise<DashboardText> {
  const { chromium } = await loadPlaywright();
  const profile = await Deno.makeTempDir({ prefix: "kstratum-chromium-" });
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    colorScheme: "dark",
    timeout: 60_000,
  });
  const problems: string[] = [];
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
    const res = await page.goto(url, { waitUntil: "load", timeout: 30_000 });
    assert.equal(res?.status(), 200);
    await page.waitForSelector("#workers table", { timeout: 20_000 });
    await page.waitForSelector("#blocks table", { timeout: 20_000 });
    await expect.whileOpen?.(page);
    const text: DashboardText = {
      health: await page.innerText("#health"),
      summary: await page.innerText("#summary"),
      node: await page.innerText("#node"),
      workers: await page.innerText("#workers"),
      blocks: await page.innerText("#blocks"),
    };
    for (const name of expect.workers) {
      assert.ok(text.workers.includes(name), `worker ${name} not shown`);
    }
    for (const hash of expect.blocks) {
      assert.ok(text.blocks.includes(hash.slice(0, 16)), `block ${hash} not shown`);
    }
    await page.screenshot({ path: expect.screenshot.pathname, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "light" });
    const phone = expect.screenshot.pathname.replace(/\.png$/, "-phone.png");
    await page.screenshot({ path: phone, fullPage: true });
    assert.deepEqual(problems, [], "the page logged errors");
    return text;
  } finally {
    await ctx.close();
    await Deno.remove(profile, { recursive: true });
  }
}

const present = chromiumPresent();
const required = Deno.env.get("KSTRATUM_REQUIRE_CHROMIUM") !== undefined;
if (!present && !required) {
  console.warn(
    `dashboard_chromium_test: SKIPPED, ${CHROMIUM} is missing ` +
      "(apt-get install -y chromium; set KSTRATUM_REQUIRE_CHROMIUM=1 to make this a failure)",
  );
}

Deno.test({
  name:
    "dashboard in headless Chromium shows workers, hashrate, node and found blocks, and refreshes",
  ignore: !present && !required,
  async fn() {
    assert.ok(present, `${CHROMIUM} is missing and KSTRATUM_REQUIRE_CHROMIUM is set`);
    const clock = new ReplayClock(900_000);
    const stats = new Stats({ now: clock.now });
    const hashes = feedLikeSessions(stats, clock);
    clock.live();
    const http = await startHttp({
      port: 0,
      stats,
      health: () => ({ nodeConnected: true, nodeSynced: true, listening: true }),
      version: "0.1.0",
    });
    try {
      await Deno.mkdir(OUTPUT_DIR, { recursive: true });
      const url = `http://127.0.0.1:${http.addr.port}/`;
      const late = blockHash(999);
      const seen = await checkDashboard(url, {
        workers: RIGS.map((r) => r.who.worker),
        blocks: [...hashes, late],
        screenshot: new URL("dashboard.png", OUTPUT_DIR),
        whileOpen: async (page) => {
          // A block found while the page is open must appear without a reload.
          const rig = RIGS[2];
          assert.ok(rig);
          stats.blockFound({
            who: rig.who,
            hash: late,
            daaScore: 81_235_001n,
            verdict: "accepted",
            at: Date.now(),
          });
          await page.locator("#blocks code", { hasText: late.slice(0, 16) }).waitFor({
            timeout: 20_000,
          });
        },
      });
      assert.match(seen.summary, /\d+(\.\d+)? TH\/s/, "total hashrate in TH/s");
      assert.match(seen.workers, /8\.\d+ TH\/s/, "the KS3's hashrate");
      assert.match(seen.workers, /\b[89]\d\.\d GH\/s/, "the KS0's hashrate");
      assert.match(seen.node, /kaspa-devnet/);
      assert.match(seen.node, /81,234,900/);
      assert.match(seen.blocks, /blue/);
      assert.match(seen.blocks, /rejected/);
      assert.match(seen.health, /healthy/);
    } finally {
      await http.shutdown();
    }
  },
});
