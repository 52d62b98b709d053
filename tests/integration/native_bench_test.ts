// The scale bench's native instrument (bench/native, Go) end to end: its load generator drives a
// real kstratum process and its own floor server with every dialect, jobs and shares, bounded.
//
// kstratum runs as the bench runs it for share figures: bench/scale/kstratum_share_server.ts (main.ts's
// config loader and composition with the share difficulty at 2^-32, so unchecked nonces are valid
// shares the server still hashes), started like the e2e tests start main.ts (`deno run` with the
// start task's permission flags). Templates come from scripts/fake_kaspad.ts, a FAKE on purpose,
// as in the bench: a real kaspad cannot produce templates at a fixed rate on demand, and the fan-out
// figures need exactly that; kstratum against the real kaspad is tests/integration/kaspad_*.
// Go is required: without it the test fails with one line saying so (never a silent skip).

import assert from "node:assert/strict";
import { DIALECT_IDS } from "../../lib/dialects/mod.ts";
import type { LoadSummary } from "../../scripts/loadgen/run.ts";
import type { EventRecord } from "../../scripts/fake_kaspad/server.ts";
import { serverPermissionFlags } from "../../scripts/permissions.ts";
import { fanout } from "../../bench/scale/analysis.ts";
import { buildNative } from "../../bench/scale/native.ts";
import { type Child, freePort, spawn } from "../../bench/scale/procs.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const PER_DIALECT = 50;
const MINERS = 4 * PER_DIALECT;
const RATE = 4; // templates per second: one per kstratum job interval (250 ms)
const SHARE_RATE = 100;
const HOLD_S = 5;

let built: Promise<{ binary: string; tmp: string }> | undefined;

/** The Go tool, built once per file into a temporary directory. */
function native(): Promise<{ binary: string; tmp: string }> {
  built ??= (async () => {
    const tmp = await Deno.makeTempDir({ prefix: "kstratum-native-test-" });
    return { binary: await buildNative(ROOT, tmp), tmp };
  })();
  return built;
}

/** Runs the native load generator against `port`; returns its summary. */
async function loadgen(binary: string, tmp: string, port: number): Promise<LoadSummary> {
  const out = `${tmp}/load-${port}.json`;
  const child = spawn("native loadgen", binary, [
    "loadgen",
    "--port",
    String(port),
    "--miners",
    String(MINERS),
    "--mix",
    "array:1,bighex:1,bitmain:1,simple:1",
    "--ramp",
    "2000",
    "--hold-s",
    String(HOLD_S),
    "--warmup-s",
    "1",
    "--share-rate",
    String(SHARE_RATE),
    "--max-run-s",
    "40",
    "--out",
    out,
  ]);
  const code = await child.exited;
  assert.equal(code, 0, `native loadgen exited ${code}\n${child.tail.join("\n")}`);
  return JSON.parse(await Deno.readTextFile(out)) as LoadSummary;
}

/** What every run must show, whichever server: all handshakes, all jobs to all miners, replies. */
function assertLoad(s: LoadSummary, fanoutOf: (s: LoadSummary) => ReturnType<typeof fanout>) {
  const detail = JSON.stringify(s.miners);
  assert.equal(s.miners.ready, MINERS, detail);
  assert.deepEqual(s.miners.byDialect, {
    array: PER_DIALECT,
    bighex: PER_DIALECT,
    bitmain: PER_DIALECT,
    simple: PER_DIALECT,
  });
  assert.equal(s.miners.droppedWhileReady, 0, detail);
  for (const d of DIALECT_IDS) {
    const jobs = s.jobs.byDialect[d];
    assert.ok(jobs !== undefined, `dialect ${d} received no job`);
    assert.equal(jobs.miners, PER_DIALECT);
    assert.equal(jobs.starved, 0, `dialect ${d}: miners without a recent job`);
    assert.ok(jobs.perMinerPerSec > 1, `dialect ${d}: ${jobs.perMinerPerSec} jobs per miner per s`);
  }
  const f = fanoutOf(s);
  assert.ok(f.templates >= 3, `templates in the window: ${f.templates}`);
  assert.equal(f.complete, f.templates, "every template reached every miner");
  assert.equal(f.fromArrival.count, f.complete, "every template timed from its arrival");
  const sh = s.shares;
  assert.ok(sh.sent >= 0.5 * SHARE_RATE * HOLD_S, `shares sent: ${JSON.stringify(sh)}`);
  assert.equal(sh.accepted, sh.sent, JSON.stringify(sh));
  assert.deepEqual(sh.rejected, {});
  assert.equal(sh.timedOut, 0);
  assert.equal(sh.latencyMs.count, sh.sent, "every share was answered and timed");
}

async function stopAll(children: (Child | undefined)[]): Promise<void> {
  for (const c of children) await c?.stop();
}

Deno.test("native loadgen: every dialect handshakes with the kstratum process, every miner gets every template, every share is answered", async () => {
  const { binary, tmp } = await native();
  const report = `${tmp}/fake.json`;
  const nodePort = freePort();
  const fake = spawn("fake kaspad", Deno.execPath(), [
    "run",
    "--allow-net=127.0.0.1",
    "--allow-read",
    "--allow-env",
    `--allow-write=${tmp}`,
    `${ROOT}/scripts/fake_kaspad.ts`,
    "--port",
    String(nodePort),
    "--rate",
    String(RATE),
    "--duration-s",
    "120",
    "--report",
    report,
  ]);
  let kstratum: Child | undefined;
  try {
    await fake.waitLine((l) => l.includes('"listening"'), 30_000);
    const flags = serverPermissionFlags(await Deno.readTextFile(`${ROOT}/deno.json`));
    const port = freePort();
    kstratum = spawn("kstratum", Deno.execPath(), [
      "run",
      ...flags,
      `${ROOT}/bench/scale/kstratum_share_server.ts`,
      "--bench-diff",
      String(2 ** -32),
      "--node",
      `127.0.0.1:${nodePort}`,
      "--listen",
      `127.0.0.1:${port}`,
      "--http",
      "off",
      "--log-level",
      "warn",
    ], { cwd: ROOT });
    await kstratum.waitLine((l) => l.includes('"stratum"'), 30_000);
    const summary = await loadgen(binary, tmp, port);
    const kCode = await kstratum.stop();
    assert.equal(kCode, 0, `kstratum exited ${kCode}\n${kstratum.tail.join("\n")}`);
    const fakeCode = await fake.stop();
    assert.equal(fakeCode, 0, `fake kaspad exited ${fakeCode}`);
    const events = (JSON.parse(await Deno.readTextFile(report)) as { events: EventRecord[] })
      .events;
    // The jobs the miners timed are the fake node's events, and each was served to kstratum.
    const known = new Set(
      events.filter((e) => e.lastServedAt !== undefined).map((e) => e.timestamp),
    );
    const unknown = summary.jobs.templates.filter((t) => !known.has(t.timestamp));
    assert.deepEqual(unknown, [], "templates the fake node never served");
    assertLoad(summary, (s) => fanout(s, events, 1500));
  } finally {
    await stopAll([kstratum, fake]);
  }
});

Deno.test("native floor: the same load generator against the bare Go broadcast server", async () => {
  const { binary, tmp } = await native();
  const port = freePort();
  const floor = spawn("native floor", binary, [
    "floor",
    "--port",
    String(port),
    "--rate",
    String(RATE),
    "--duration-s",
    "60",
  ]);
  try {
    await floor.waitLine((l) => l.includes('"listening"'), 10_000);
    const summary = await loadgen(binary, tmp, port);
    assert.equal(await floor.stop(), 0, floor.tail.join("\n"));
    const stats = JSON.parse(floor.tail.find((l) => l.includes('"submits"')) ?? "{}") as {
      submits?: number;
      connections?: number;
    };
    assert.equal(stats.connections, MINERS, "the floor saw every miner connect");
    assert.equal(stats.submits, summary.shares.sent, "the floor answered exactly the shares sent");
    assertLoad(summary, (s) => fanout(s, [], 0, true));
  } finally {
    await stopAll([floor]);
  }
});

Deno.test({
  name: "native instrument: the build directory is removed",
  sanitizeResources: false,
  fn: async () => {
    const { tmp } = await native();
    await Deno.remove(tmp, { recursive: true });
  },
});
