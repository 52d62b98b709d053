import assert from "node:assert/strict";
import { listenerOptionsOf, serverOptionsOf } from "../../lib/app/wiring.ts";
import { eventsTee } from "../../lib/app/events.ts";
import { type Config, loadConfig } from "../../lib/config/mod.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { Stats } from "../../lib/stats/mod.ts";

function configOf(args: string[]): Config {
  const loaded = loadConfig(args, () => undefined, () => {
    throw new Error("no files in this test");
  });
  if (loaded.kind !== "run") throw new Error(`expected a run config, got ${loaded.kind}`);
  return loaded.config;
}

Deno.test("app wiring maps each listener's dialect and difficulty policy onto the Stratum server", () => {
  const config = configOf([
    "--listen",
    ":5555 127.0.0.1:5556,dialect=bighex,pow2_clamp=true :5557,dialect=simple,diff=4096,vardiff=false",
    "--start-diff=1024",
    "--min-diff=64",
    "--max-diff=65536",
    "--shares-per-min=30",
  ]);
  const [auto, ice, simple] = config.listeners.map(listenerOptionsOf);
  assert.deepEqual(auto, {
    hostname: "0.0.0.0",
    port: 5555,
    difficulty: {
      kind: "vardiff",
      initial: 1024,
      min: 64,
      max: 65536,
      sharesPerMinute: 30,
      pow2: false,
    },
  });
  assert.equal(ice?.dialect, "bighex");
  assert.equal(ice?.hostname, "127.0.0.1");
  assert.equal(ice?.difficulty.kind === "vardiff" && ice.difficulty.pow2, true);
  assert.equal(simple?.dialect, "simple");
  assert.deepEqual(simple?.difficulty, { kind: "fixed", difficulty: 4096 });
});

Deno.test("app wiring passes limits, job interval and extranonce size to the server", () => {
  const config = configOf([
    "--max-connections=100",
    "--max-connections-per-ip=7",
    "--job-interval-ms=500",
    "--extranonce-size=1",
    "--max-line-bytes=2048",
    "--address=kaspa:qrelgny7sr3vahq69yykxx36m65gvmhryxrlwngfzgu8xkdslum2yxjp3ap8m",
  ]);
  const options = serverOptionsOf(config);
  assert.equal(options.maxConnections, 100);
  assert.equal(options.maxConnectionsPerIp, 7);
  assert.equal(options.jobIntervalMs, 500);
  assert.equal(options.extranonceSize, 1);
  assert.equal(options.maxLineBytes, 2048);
  assert.equal(options.defaultAddress, config.address);
});

Deno.test("app events observe job fan-out latency from the newest job's publication, per miner", () => {
  let now = 10_000;
  const stats = new Stats({ now: () => now });
  const lines: string[] = [];
  const log = createLogger({
    level: "info",
    format: "text",
    timestamps: false,
    write: (l) => lines.push(l),
  });
  const events = eventsTee(stats, log, {
    now: () => now,
    publishedAt: (wallet) => (wallet === "kaspa:a" ? 9_990 : undefined),
  });
  const who = { worker: "rig", wallet: "kaspa:a", miner: "x", ip: "1.2.3.4", dialect: "array" };
  events.jobSent(who);
  now = 10_030;
  events.jobSent(who);
  events.jobSent({ ...who, wallet: "kaspa:unknown" });
  const fanout = stats.snapshot().fanout;
  assert.equal(fanout.count, 2, "one observation per job sent with a known publication time");
  assert.equal(fanout.sum, 10 + 40, "latencies measured from the publication time, ms");
  events.blockFound({ who, hash: "ab", daaScore: 5n, verdict: "rejected", reason: "bad", at: now });
  assert.ok(lines.some((l) => l.includes("block ab") && l.includes("ERROR")), lines.join("\n"));
});
