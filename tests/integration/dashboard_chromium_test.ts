// The dashboard in a real headless Chromium (Debian `chromium`, driven by npm playwright-core).
// Skips only when /usr/bin/chromium is absent and KSTRATUM_REQUIRE_CHROMIUM is unset.
//
// Two halves, so the end-to-end test can reuse the second with a Stats fed by real sessions:
//   feedLikeSessions(stats, clock) — MinerEvents exactly as the session engine emits them;
//   checkDashboard(url, expect)    — opens the page, waits for the data, asserts, screenshots.

import assert from "node:assert/strict";
import { startHttp } from "../../lib/http/server.ts";
import { Stats } from "../../lib/stats/stats.ts";
import type { WorkerRef } from "../../lib/session/events.ts";
import {
  checkDashboard,
  CHROMIUM,
  chromiumPresent,
  OUTPUT_DIR,
  REQUIRE_CHROMIUM,
} from "../helpers/chromium.ts";

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
      dialect: "bitmain",
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
      dialect: "bighex",
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
      dialect: "array",
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

const present = chromiumPresent();
const required = REQUIRE_CHROMIUM;
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
