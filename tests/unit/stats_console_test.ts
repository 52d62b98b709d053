import assert from "node:assert/strict";
import { formatBlockFound, formatStatsTable } from "../../lib/stats/console.ts";
import { formatDifficulty, formatDuration, formatHashrate } from "../../lib/stats/format.ts";
import { Stats } from "../../lib/stats/stats.ts";
import type { WorkerRef } from "../../lib/session/events.ts";

const who: WorkerRef = {
  worker: "octo12_1",
  wallet: "kaspa:qr0w",
  miner: "lolMiner 1.88",
  ip: "192.168.1.20",
  dialect: "array",
};

Deno.test("hashrate reads with an SI unit and three significant digits", () => {
  assert.equal(formatHashrate(0), "0 H/s");
  assert.equal(formatHashrate(Number.NaN), "0 H/s");
  assert.equal(formatHashrate(12.345), "12.3 H/s");
  assert.equal(formatHashrate(999.4), "999 H/s");
  assert.equal(formatHashrate(999.6), "1.00 kH/s");
  assert.equal(formatHashrate(758_970_000), "759 MH/s");
  assert.equal(formatHashrate(43_360_000_000), "43.4 GH/s");
  assert.equal(formatHashrate(1.2e15), "1.20 PH/s");
  assert.equal(formatHashrate(3e21), "3000 EH/s");
});

Deno.test("difficulty and durations read compactly", () => {
  assert.equal(formatDifficulty(null), "-");
  assert.equal(formatDifficulty(0.125), "0.125");
  assert.equal(formatDifficulty(2 ** -16), "0.0000153");
  assert.equal(formatDifficulty(8192), "8192");
  assert.equal(formatDifficulty(2_500_000), "2.5M");
  assert.equal(formatDuration(7_000), "7s");
  assert.equal(formatDuration(3_198_000), "53m18s");
  assert.equal(formatDuration(7_500_000), "2h5m");
  assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000), "3d4h");
  assert.equal(formatDuration(-5), "0s");
});

Deno.test("stats table shows one aligned row per worker, a total row and a footer", () => {
  let t = 1_700_000_000_000;
  const stats = new Stats({ now: () => t });
  stats.authorized(who);
  stats.authorized({ ...who, worker: "pc" });
  stats.difficultyChanged(who, 8192);
  for (let i = 0; i < 120; i++) {
    stats.share({ who, outcome: "valid", difficulty: 8192, at: t });
    t += 1000;
  }
  stats.share({ who, outcome: "stale", difficulty: 8192, at: t });
  stats.blockFound({ who, hash: "aa", daaScore: 1n, verdict: "accepted", at: t });
  const lines = formatStatsTable(stats.snapshot(), { version: "0.1.0" });
  assert.equal(lines.length, 7);
  const widths = new Set(lines.map((l) => l.length));
  assert.equal(widths.size, 1, `ragged table:\n${lines.join("\n")}`);
  const octo = lines.find((l) => l.startsWith("octo12_1"));
  assert.ok(octo);
  const cells = octo.split("|").map((c) => c.trim());
  assert.deepEqual(cells, [
    "octo12_1",
    "35.2 TH/s",
    "35.2 TH/s",
    "35.2 TH/s",
    "120/1/0/0/0",
    "8192",
    "1",
    "0s ago",
  ]);
  const pc = lines.find((l) => l.startsWith("pc "))?.split("|").map((c) => c.trim());
  assert.deepEqual(pc, ["pc", "0 H/s", "0 H/s", "0 H/s", "0/0/0/0/0", "-", "0", "never"]);
  assert.match(lines[5] ?? "", /^2 workers/);
  assert.match(lines[6] ?? "", /^=+ kstratum 0\.1\.0 · up 2m0s $/);
});

Deno.test("stats table truncates long names and sums the rows it leaves out", () => {
  const stats = new Stats({ now: () => 0 });
  for (let i = 0; i < 5; i++) stats.authorized({ ...who, worker: `worker-with-a-long-name-${i}` });
  const lines = formatStatsTable(stats.snapshot(), { version: "x", maxRows: 2 });
  assert.ok(lines.some((l) => l.startsWith("worker-with-a-lon… |")));
  assert.ok(lines.includes(" +3 more workers"));
});

Deno.test("block-found line states who, where and the node's verdict", () => {
  const base = { who, hash: "8e42ca", daaScore: 81234567n, at: 0 };
  assert.equal(
    formatBlockFound({ ...base, verdict: "accepted" }),
    'block 8e42ca found by "octo12_1" (kaspa:qr0w) at DAA score 81234567: accepted by the node',
  );
  assert.equal(
    formatBlockFound({ ...base, verdict: "rejected", reason: "block is invalid" }),
    'block 8e42ca found by "octo12_1" (kaspa:qr0w) at DAA score 81234567: ' +
      "REJECTED by the node (block is invalid)",
  );
  assert.match(
    formatBlockFound({ ...base, who: { ...who, worker: "" }, verdict: "unreachable" }),
    /^block 8e42ca found by 192\.168\.1\.20 .*: NOT SUBMITTED, node unreachable$/,
  );
});
