// The scale benchmark (`deno task bench:scale`): kstratum and the Rust stratum-bridge under the
// same load from the same fake kaspad, one scenario after another, then bench/RESULTS.md.
//
//   deno run --allow-all bench/scale/run.ts [--quick] [--out bench/RESULTS.md] [--only k-10k,r-10k]
//
// Bounded: every scenario has fixed miners and hold times, every child a deadline; the full plan
// takes about 12 minutes on 2 cores. --quick divides miners by 10 and shortens holds (pipeline check).
// --allow-all because Deno reads /proc (CPU model, RSS and CPU time of the servers) only with it.
// Needs `ulimit -n` ≥ 10240 for the 10k-miner scenarios (the load generator and the server each
// hold one socket per miner); it stops at once with a message when the limit is lower.

import { parseArgs } from "node:util";
import denoJson from "../../deno.json" with { type: "json" };
import { sourceCommit } from "../../main.ts";
import { createPowState } from "../../lib/pow/mod.ts";
import { FIXTURE_BITS } from "../../scripts/fake_kaspad/templates.ts";
import type { DialectId } from "../../scripts/loadgen/options.ts";
import { renderReport, type RunFacts } from "./report.ts";
import {
  type FakeSpec,
  type LoadSpec,
  type Paths,
  runScenario,
  type ScenarioResult,
  type ServerSpec,
} from "./scenarios.ts";

const SHARE_DIFF = 2 ** -32;
const EASY_BITS = 0x207fffff;
const ABC: Partial<Record<DialectId, number>> = { A: 1, B: 1, C: 1 };
const ABCD: Partial<Record<DialectId, number>> = { A: 1, B: 1, C: 1, D: 1 };
const BRIDGE_BIN = `${
  Deno.env.get("HOME")
}/.cache/kstratum/kaspa-stratum-bridge-2.1.0/bin/stratum-bridge`;

interface Planned {
  id: string;
  server: ServerSpec;
  fake: FakeSpec;
  loads: LoadSpec[];
}

function idle(miners: number, holdS: number, addresses = 1): LoadSpec {
  return {
    miners,
    mix: ABC,
    addresses,
    rampPerSec: 2000,
    holdS,
    warmupS: 3,
    shareRate: 0,
    shareKind: "valid",
    networkBits: FIXTURE_BITS,
  };
}

/** The scenarios, in run order; `scale` < 1 shrinks them (quick mode). */
function plan(scale: number, bridge: boolean): Planned[] {
  const n = (m: number) => Math.max(8, Math.round(m * scale));
  const s = (h: number) => Math.max(3, Math.round(h * Math.sqrt(scale)));
  const k: ServerSpec = { kind: "kstratum" };
  const kShare: ServerSpec = { kind: "kstratum-share", diff: SHARE_DIFF };
  const r: ServerSpec = { kind: "bridge" };
  const at10: FakeSpec = { rate: 10 };
  const at2: FakeSpec = { rate: 2 };
  const shares = (miners: number, rate: number, holdS: number, mix = ABCD): LoadSpec => ({
    ...idle(n(miners), s(holdS)),
    mix,
    rampPerSec: 5000,
    shareRate: Math.round(rate * scale),
  });
  const block: LoadSpec = {
    ...shares(1000, 1000, 15, ABC),
    shareKind: "block",
    networkBits: EASY_BITS,
  };
  const both = (id: string, fake: FakeSpec, loads: LoadSpec[]): Planned[] => [
    { id: `k-${id}`, server: k, fake, loads },
    ...(bridge ? [{ id: `r-${id}`, server: r, fake, loads }] : []),
  ];
  return [
    ...both("1k", at10, [idle(n(1000), s(12))]),
    // 80 s: long enough for every miner's 300-job ring to fill (4 jobs/s), so RSS is steady.
    ...both("10k", at10, [idle(n(10_000), s(80))]),
    // The same under V8's --optimize-for-size: memory traded for CPU (docs/deploy.md).
    {
      id: "k-10k-small",
      server: { kind: "kstratum", v8Flags: "--optimize-for-size" },
      fake: at10,
      loads: [idle(n(10_000), s(80))],
    },
    ...both("10k-100a", at10, [idle(n(10_000), s(12), 100)]),
    // The fan-out floor of this machine and load generator: a bare broadcast loop, same load.
    {
      id: "b-1k-2hz",
      server: { kind: "baseline", rate: 2 },
      fake: at2,
      loads: [idle(n(1000), s(10))],
    },
    ...both("1k-2hz", at2, [idle(n(1000), s(10))]),
    {
      id: "b-10k-2hz",
      server: { kind: "baseline", rate: 2 },
      fake: at2,
      loads: [idle(n(10_000), s(15))],
    },
    ...both("10k-2hz", at2, [idle(n(10_000), s(15))]),
    // The memory floor: the bare server holding the same 10k connections and sending nothing.
    {
      id: "b-10k-idle",
      server: { kind: "baseline", rate: 0 },
      fake: at2,
      loads: [idle(n(10_000), s(15))],
    },
    // The share path's floor: the bare server answering every submit at once while it broadcasts
    // to all 1,000 miners 4 times a second (kstratum's job rate), same load generator. Nonces are
    // not searched ("any"): the bare server checks nothing. No D: it does not speak Simplified Stratum.
    {
      id: "b-share",
      server: { kind: "baseline", rate: 4 },
      fake: at10,
      loads: [{ ...shares(1000, 2000, 20, ABC), shareKind: "any" }],
    },
    {
      id: "k-share",
      server: kShare,
      fake: at10,
      loads: [shares(1000, 100, 10), shares(1000, 2000, 20)],
    },
    {
      id: "k-max",
      server: kShare,
      fake: at10,
      loads: [5000, 10_000, 20_000, 30_000].map((rate) => shares(200, rate, 8)),
    },
    // Blocks for both servers: the bridge's lowest share difficulty (1) needs ~2^32 hashes a share,
    // so the only shares a CPU can give it are blocks, with an easy network target.
    ...both("block", { rate: 10, bits: EASY_BITS }, [block]).map((p) =>
      p.server.kind === "kstratum"
        ? { ...p, server: { kind: "kstratum", listenOptions: "diff=1" } as ServerSpec }
        : p
    ),
  ];
}

function powPerSecond(): number {
  const pre = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
  const state = createPowState(pre, 1_700_000_000_000n);
  let count = 0;
  const end = performance.now() + 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) state.powValue(BigInt(count++));
  }
  return count;
}

function machine(): RunFacts["machine"] {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  const meminfo = Deno.readTextFileSync("/proc/meminfo");
  const limits = Deno.readTextFileSync("/proc/self/limits");
  return {
    nproc: (cpuinfo.match(/^processor\s*:/gm) ?? []).length,
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    ramGb: Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0) / 1024 / 1024,
    kernel: Deno.osRelease(),
    ulimitN: /Max open files\s+(\S+)/.exec(limits)?.[1] ?? "unknown",
  };
}

async function bridgeVersion(bin: string): Promise<string> {
  try {
    const out = await new Deno.Command(bin, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    })
      .output();
    return `${
      new TextDecoder().decode(out.stdout).trim()
    } (rusty-kaspa, crate kaspa-stratum-bridge 2.1.0)`;
  } catch {
    return "stratum-bridge not installed";
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      only: { type: "string" },
    },
  });
  const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
  const out = values.out ?? `${root}/bench/RESULTS.md`;
  const m = machine();
  const scale = values.quick ? 0.1 : 1;
  if (Number(m.ulimitN) < 10_240 * scale) {
    console.error(`bench:scale: open files limit is ${m.ulimitN}; run \`ulimit -n 20000\` first`);
    return 2;
  }
  let bridgeBin: string | undefined = BRIDGE_BIN;
  try {
    Deno.statSync(BRIDGE_BIN);
  } catch {
    bridgeBin = undefined;
    console.error(`bench:scale: ${BRIDGE_BIN} not found; running kstratum only`);
  }
  const tmp = await Deno.makeTempDir({ prefix: "kstratum-scale-" });
  const paths: Paths = { root, tmp, bridgeBin };
  const started = performance.now();
  const powPerSec = powPerSecond();
  const only = values.only?.split(",");
  const scenarios = plan(scale, bridgeBin !== undefined).filter((p) =>
    only === undefined || only.includes(p.id)
  );
  const results: ScenarioResult[] = [];
  try {
    for (const [i, p] of scenarios.entries()) {
      console.error(`[${i + 1}/${scenarios.length}] ${p.id}`);
      const result = await runScenario(p.id, paths, { ...p, log: (msg) => console.error(msg) });
      if (result.error !== undefined) console.error(`  ${p.id} failed: ${result.error}`);
      results.push(result);
    }
  } finally {
    await Deno.writeTextFile(`${tmp}/results.json`, JSON.stringify(results));
  }
  const facts: RunFacts = {
    date: new Date().toISOString(),
    durationS: (performance.now() - started) / 1000,
    machine: m,
    versions: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      kstratum: denoJson.version,
      commit: sourceCommit(new URL("../../", import.meta.url)),
      bridge: bridgeBin === undefined
        ? "stratum-bridge not installed"
        : await bridgeVersion(bridgeBin),
    },
    powPerSec,
    shareDiff: SHARE_DIFF,
    notes: setupNotes(values.quick),
  };
  await Deno.writeTextFile(out, renderReport(facts, results));
  console.error(`wrote ${out} (raw data: ${tmp}/results.json)`);
  return results.some((r) => r.error !== undefined) ? 1 : 0;
}

function setupNotes(quick: boolean): string[] {
  return [
    ...(quick
      ? ["QUICK MODE: miners divided by 10, holds shortened; figures are not the benchmark."]
      : []),
    "Three processes share the machine's cores: the fake kaspad (scripts/fake_kaspad.ts), the Stratum server, and the load generator (scripts/loadgen.ts); the orchestrator only waits and samples /proc. Times crossing processes use each process's performance.timeOrigin + performance.now() (same wall clock).",
    "kstratum runs as its own process: `deno run <the start task's permission flags> main.ts --node 127.0.0.1:<fake> --listen 127.0.0.1:<port> --http off --log-level warn --max-connections 20000 --max-connections-per-ip 20000` with every other setting at its default (vardiff, job interval 250 ms, extranonce 2 bytes). The block comparison adds `diff=1` to the listener.",
    "Share-path runs use bench/scale/kstratum_share_server.ts: main.ts's own config loader and lib/app composition, with only the listener difficulty set to 2^-32, below the config's 0.001 floor, so the CPU load generator can find thousands of valid shares per second.",
    "stratum-bridge runs as `stratum-bridge --node-mode external --kaspad-address 127.0.0.1:<fake> --stratum-port 127.0.0.1:<port> --min-share-diff 1 --var-diff false --print-stats false --log-to-file false --extranonce-size 2` with RUST_LOG=warn, in an empty directory (no config.yaml). It speaks dialects A-C (no simplified Stratum), so comparison loads use A:B:C = 1:1:1; kstratum gets the identical load.",
    "The fake kaspad is a stand-in on purpose: a real kaspad cannot emit 10 templates per second on demand. It answers kaspad's gRPC MessageStream with the real devnet template bytes of tests/fixtures/node (timestamp, parents, scores varied per event, coinbase paying the asking address) and counts getBlockTemplate calls per event. kstratum's correctness against the real kaspad is proven by tests/integration/kaspad_*.",
    'The Go kaspa-stratum-bridge could not be installed: the Go module proxy answers 403 "This module version is not available" for github.com/onemorebsmith/kaspa-stratum-bridge (its go.mod declares github.com/onemorebsmith/kaspastratum, also 403), for the rdugan fork, and for github.com/kaspanet/kaspad.',
    "Baselines (bench/scale/baseline_server.ts), the least a Deno Stratum server can do, measured by the same load generator in the same run: for fan-out, a plain loop writing one small notify to every connection; for the share path, the same loop 4 times a second (kstratum's job rate) while every submit is answered at once, unchecked; for memory, the same server holding 10k connections and sending nothing after the handshake (one pending read and a 512-byte buffer per connection).",
    "V8 --optimize-for-size rows: kstratum started with DENO_V8_FLAGS=--optimize-for-size (docs/deploy.md), otherwise identical.",
    "Open files: the load generator and the server each hold one socket per miner; the run checks `ulimit -n` (10k miners need 10240+).",
  ];
}

if (import.meta.main) Deno.exit(await main());
