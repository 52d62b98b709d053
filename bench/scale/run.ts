// The scale benchmark (`deno task bench:scale`): kstratum and the Rust stratum-bridge under the
// same load from the same fake kaspad, one scenario after another, then bench/RESULTS.md. Two
// instruments: the Deno load generator (every dialect and share kind) and bench/native (Go: a load
// generator and a broadcast floor, the machine's own limit), which the run builds with `go build`.
//
//   deno run --allow-all bench/scale/run.ts [--quick] [--out bench/RESULTS.md] [--only k-10k,r-10k]
//
// Bounded: every scenario has fixed miners and hold times, every child a deadline; the full plan
// takes about 17 minutes on 2 cores. --quick divides miners by 10 and shortens holds (pipeline check).
// --allow-all because Deno reads /proc (CPU model, RSS and CPU time of the servers) only with it.
// Needs `ulimit -n` ≥ 10240 for the 10k-miner scenarios (the load generator and the server each
// hold one socket per miner); it stops at once with a message when the limit is lower.

import { parseArgs } from "node:util";
import denoJson from "../../deno.json" with { type: "json" };
import { sourceCommit } from "../../main.ts";
import { createPowState } from "../../lib/pow/mod.ts";
import { FIXTURE_BITS } from "../../scripts/fake_kaspad/templates.ts";
import type { DialectId } from "../../lib/dialects/mod.ts";
import { buildNative, findGo, NativeBuildError } from "./native.ts";
import { renderReport, type RunFacts } from "./report.ts";
import {
  type FakeSpec,
  type Instrument,
  type LoadSpec,
  type Paths,
  runScenario,
  type ScenarioResult,
  type ServerSpec,
} from "./scenarios.ts";

const SHARE_DIFF = 2 ** -32;
const EASY_BITS = 0x207fffff;
/** The dialects stratum-bridge speaks (no simplified Stratum), equally. */
const BRIDGE_MIX: Partial<Record<DialectId, number>> = { array: 1, bighex: 1, bitmain: 1 };
/** Every dialect, equally. */
const FULL_MIX: Partial<Record<DialectId, number>> = { array: 1, bighex: 1, bitmain: 1, simple: 1 };
const BRIDGE_BIN = `${
  Deno.env.get("HOME")
}/.cache/kstratum/kaspa-stratum-bridge-2.1.0/bin/stratum-bridge`;

interface Planned {
  id: string;
  server: ServerSpec;
  fake: FakeSpec;
  loads: LoadSpec[];
  /** Default "deno". */
  instrument?: Instrument;
}

function idle(miners: number, holdS: number, addresses = 1): LoadSpec {
  return {
    miners,
    mix: BRIDGE_MIX,
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
  // The Deno-instrument rows run one thread: the memory target is at threads 1, and the bridge
  // and the earlier runs compare against it. The Go-instrument rows run both (nativePlan).
  const k: ServerSpec = { kind: "kstratum", threads: 1 };
  const kShare: ServerSpec = { kind: "kstratum-share", diff: SHARE_DIFF, threads: 1 };
  const r: ServerSpec = { kind: "bridge" };
  const at10: FakeSpec = { rate: 10 };
  const at2: FakeSpec = { rate: 2 };
  const shares = (miners: number, rate: number, holdS: number, mix = FULL_MIX): LoadSpec => ({
    ...idle(n(miners), s(holdS)),
    mix,
    rampPerSec: 5000,
    shareRate: Math.round(rate * scale),
  });
  const block: LoadSpec = {
    ...shares(1000, 1000, 15, BRIDGE_MIX),
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
      server: { kind: "kstratum", v8Flags: "--optimize-for-size", threads: 1 },
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
    // not searched ("any"): the bare server checks nothing. No `simple`: it does not speak
    // Simplified Stratum.
    {
      id: "b-share",
      server: { kind: "baseline", rate: 4 },
      fake: at10,
      loads: [{ ...shares(1000, 2000, 20, BRIDGE_MIX), shareKind: "any" }],
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
    ...nativePlan(n, s, bridge),
    // Blocks for both servers: the bridge's lowest share difficulty (1) needs ~2^32 hashes a share,
    // so the only shares a CPU can give it are blocks, with an easy network target.
    ...both("block", { rate: 10, bits: EASY_BITS }, [block]).map((p) =>
      p.server.kind === "kstratum"
        ? { ...p, server: { kind: "kstratum", listenOptions: "diff=1", threads: 1 } as ServerSpec }
        : p
    ),
  ];
}

/**
 * The native instrument's scenarios (issue 20): the Go floor, kstratum and the bridge under the Go
 * load generator, so every kstratum figure can be stated as a ratio to the machine's own floor.
 */
function nativePlan(
  n: (m: number) => number,
  s: (h: number) => number,
  bridge: boolean,
): Planned[] {
  const go = (id: string, server: ServerSpec, fake: FakeSpec, load: LoadSpec): Planned => ({
    id,
    server,
    fake,
    loads: [{ ...load, shareKind: "any" }], // the only kind the Go generator sends
    instrument: "native",
  });
  const at2: FakeSpec = { rate: 2 };
  const fanoutAt = (miners: number, holdS: number): Planned[] => {
    const id = `${miners / 1000}k-2hz`;
    const load = idle(n(miners), s(holdS));
    return [
      go(`n-${id}`, { kind: "native", rate: 2 }, at2, load),
      go(`kn1-${id}`, { kind: "kstratum", threads: 1 }, at2, load),
      go(`kn-${id}`, { kind: "kstratum" }, at2, load),
      ...(bridge ? [go(`rn-${id}`, { kind: "bridge" }, at2, load)] : []),
    ];
  };
  // 2,000 shares/s from 1,000 miners of all four dialects, unchecked nonces: the floor answers
  // without looking, kstratum at share difficulty 2^-32 hashes and accepts every one. The floor
  // broadcasts 4 times a second, kstratum's job rate at 10 templates/s.
  const share: LoadSpec = {
    ...idle(n(1000), s(20)),
    mix: FULL_MIX,
    rampPerSec: 5000,
    shareRate: Math.round(2000 * n(1000) / 1000),
    shareKind: "any",
  };
  // Longer holds than the Deno rows: 2 templates/s gives 30-50 templates after the warm-up.
  return [
    ...fanoutAt(1000, 20),
    ...fanoutAt(10_000, 30),
    go("n-share", { kind: "native", rate: 4 }, { rate: 10 }, share),
    go("kn1-share", { kind: "kstratum-share", diff: SHARE_DIFF, threads: 1 }, { rate: 10 }, share),
    go("kn-share", { kind: "kstratum-share", diff: SHARE_DIFF }, { rate: 10 }, share),
    // The Go floor holding 10k connections and sending nothing: what Go needs per connection.
    go("n-10k-idle", { kind: "native", rate: 0 }, at2, idle(n(10_000), s(15))),
  ];
}

async function goVersion(): Promise<string> {
  try {
    const out = await new Deno.Command(await findGo(), { args: ["version"], stdout: "piped" })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "go not installed";
  }
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
  const only = values.only?.split(",");
  const scenarios = plan(scale, bridgeBin !== undefined).filter((p) =>
    only === undefined || only.includes(p.id)
  );
  let nativeBin: string | undefined;
  if (scenarios.some((p) => p.instrument === "native")) {
    try {
      nativeBin = await buildNative(root, tmp);
    } catch (e) {
      if (!(e instanceof NativeBuildError)) throw e;
      console.error(`bench:scale: ${e.message}`);
      return 2;
    }
  }
  const paths: Paths = { root, tmp, bridgeBin, nativeBin };
  const started = performance.now();
  const powPerSec = powPerSecond();
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
        ? `stratum-bridge not installed (looked for ${BRIDGE_BIN}): no bridge rows in this run`
        : await bridgeVersion(bridgeBin),
      go: nativeBin === undefined ? "not used in this run" : await goVersion(),
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
    "Three processes share the machine's cores: the fake kaspad (scripts/fake_kaspad.ts), the Stratum server, and the load generator (scripts/loadgen.ts or bench/native); the orchestrator only waits and samples /proc. Times crossing processes use each process's performance.timeOrigin + performance.now() (same wall clock).",
    "kstratum runs as its own process: `deno run <the start task's permission flags> main.ts --node 127.0.0.1:<fake> --listen 127.0.0.1:<port> --http off --log-level warn --max-connections 20000 --max-connections-per-ip 20000` with every other setting at its default (vardiff, job interval 250 ms, extranonce 2 bytes). Rows measured with the Deno load generator (k-*) add `--threads 1`, as do the Go rows named kn1-*; the Go rows named kn-* keep the default `threads: auto` (one Stratum thread per core). The block comparison adds `diff=1` to the listener.",
    "Share-path runs use bench/scale/kstratum_share_server.ts: main.ts's own config loader and lib/app composition, with only the listener difficulty set to 2^-32, below the config's 0.001 floor, so the CPU load generator can find thousands of valid shares per second.",
    "stratum-bridge runs as `stratum-bridge --node-mode external --kaspad-address 127.0.0.1:<fake> --stratum-port 127.0.0.1:<port> --min-share-diff 1 --var-diff false --print-stats false --log-to-file false --extranonce-size 2` with RUST_LOG=warn, in an empty directory (no config.yaml). It speaks the array, bighex and bitmain dialects (no simplified Stratum), so comparison loads mix those three 1:1:1; kstratum gets the identical load.",
    "The fake kaspad is a stand-in on purpose: a real kaspad cannot emit 10 templates per second on demand. It answers kaspad's gRPC MessageStream with the real devnet template bytes of tests/fixtures/node (timestamp, parents, scores varied per event, coinbase paying the asking address) and counts getBlockTemplate calls per event. kstratum's correctness against the real kaspad is proven by tests/integration/kaspad_*.",
    'The Go kaspa-stratum-bridge could not be installed: the Go module proxy answers 403 "This module version is not available" for github.com/onemorebsmith/kaspa-stratum-bridge (its go.mod declares github.com/onemorebsmith/kaspastratum, also 403), for the rdugan fork, and for github.com/kaspanet/kaspad.',
    "Baselines (bench/scale/baseline_server.ts), the least a Deno Stratum server can do, measured by the same load generator in the same run: for fan-out, a plain loop writing one small notify to every connection; for the share path, the same loop 4 times a second (kstratum's job rate) while every submit is answered at once, unchecked; for memory, the same server holding 10k connections and sending nothing after the handshake (one pending read and a 512-byte buffer per connection).",
    "Two load generators (instruments), named in every table's load generator column: Deno is scripts/loadgen.ts (lib/pow nonce search for valid and block shares, every dialect); Go is bench/native (stdlib only, goroutines on Go's netpoller, built by this run with `go build -trimpath` into its temporary directory). The Deno generator needs tens of µs of CPU per job it receives, so at 10k miners it is itself a bottleneck; the Go one costs a fraction of that, so the Go rows are the ones that measure the server. The Go generator sends unchecked nonces (share kind any): against kstratum's share server at 2^-32 every nonce is a valid share that kstratum still hashes.",
    "The native floor (bench/native `floor`): the least a Stratum server can do on this machine. It answers each dialect's handshake minimally, then at the fake node's rate writes one job line per authorized connection, in that connection's dialect, from one loop with one non-blocking write syscall each (a socket that takes less gets the rest from a goroutine, in order); submits are answered `true` unchecked. The job's timestamp is the moment the loop starts, so template → last miner is the broadcast's whole cost. With rate 0 it holds the connections and sends nothing (Go: one goroutine and a 512-byte buffer each). Go's defaults (GOMAXPROCS = cores) for both Go tools.",
    "Ratios to the native floor: kstratum's figure ÷ the floor's, same load generator, same load, same run (1.00× = the machine's limit). kstratum's fan-out is measured from the template's arrival (the fake node's last getBlockTemplate answer for the event); the bridge's from the node's notification, because it fetches one template per miner and its last fetch is not when the template was in hand.",
    "V8 --optimize-for-size rows: kstratum started with DENO_V8_FLAGS=--optimize-for-size (docs/deploy.md), otherwise identical.",
    "Open files: the load generator and the server each hold one socket per miner; the run checks `ulimit -n` (10k miners need 10240+).",
  ];
}

if (import.meta.main) Deno.exit(await main());
