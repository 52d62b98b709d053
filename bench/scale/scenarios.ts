// One scale scenario end to end: fake kaspad, a Stratum server (kstratum's main.ts, kstratum with
// a bench share difficulty, the Rust stratum-bridge or a floor), load generator runs, /proc sampling.

import type { EventRecord, FakeKaspadStats } from "../../scripts/fake_kaspad/server.ts";
import type { LoadSummary } from "../../scripts/loadgen/run.ts";
import type { DialectId } from "../../lib/dialects/mod.ts";
import type { ShareKind } from "../../scripts/loadgen/options.ts";
import { serverPermissionFlags } from "../../scripts/permissions.ts";
import { type Child, freePort, machineCpu, Sampler, spawn, type Usage, waitPort } from "./procs.ts";

/** Where things are. */
export interface Paths {
  /** Repository root. */
  root: string;
  /** Scratch directory for reports (removed by the caller). */
  tmp: string;
  /** stratum-bridge binary, if installed. */
  bridgeBin: string | undefined;
  /** The native instrument's binary (bench/native, built by bench/scale/native.ts), if built. */
  nativeBin: string | undefined;
}

/**
 * Which load generator measures a scenario: "deno" is scripts/loadgen.ts (every share kind, real
 * nonce search), "native" is bench/native's Go load generator (unchecked nonces; a fraction of
 * the Deno generator's CPU per job received).
 */
export type Instrument = "deno" | "native";

/** Which Stratum server a scenario runs. */
export type ServerSpec =
  /**
   * `v8Flags`: DENO_V8_FLAGS for the server (the memory-for-CPU trade of docs/deploy.md).
   * `threads`: kstratum's `threads` setting; undefined leaves the default (auto).
   */
  | { kind: "kstratum"; listenOptions?: string; v8Flags?: string; threads?: number }
  | { kind: "kstratum-share"; diff: number; threads?: number }
  | { kind: "bridge" }
  /** bench/scale/baseline_server.ts: a bare broadcast loop, the fan-out floor of the setup. */
  | { kind: "baseline"; rate: number }
  /** bench/native's floor: the same bare broadcast in Go, one write syscall per miner per event. */
  | { kind: "native"; rate: number };

/** The fake node's behaviour. */
export interface FakeSpec {
  /** Template events per second. */
  rate: number;
  /** Compact target bits; undefined = the devnet fixture's. */
  bits?: number;
}

/** One load generator run. */
export interface LoadSpec {
  miners: number;
  mix: Partial<Record<DialectId, number>>;
  addresses: number;
  rampPerSec: number;
  holdS: number;
  /** Seconds at the start of the hold left out of job statistics and the server's histogram. */
  warmupS: number;
  shareRate: number;
  shareKind: ShareKind;
  networkBits: number;
}

/** kstratum's own fan-out histogram (ks_job_fanout_seconds) over one load's window. */
export interface ServerFanout {
  /** Bucket upper bounds, ms. */
  bounds: number[];
  /** Observations per bucket in the window (last entry: above every bound). */
  counts: number[];
}

/** Everything measured in a scenario. */
export interface ScenarioResult {
  name: string;
  server: ServerSpec;
  /** The load generator of every load in the scenario. */
  instrument: Instrument;
  fake: FakeSpec;
  loads: LoadSummary[];
  /** Per load: kstratum's fan-out histogram over the window (undefined for other servers). */
  serverFanout: (ServerFanout | undefined)[];
  events: EventRecord[];
  fakeStats: FakeKaspadStats | undefined;
  samples: Usage[];
  /** Server idle with no miner (after it fetched its first template), ms since the epoch. */
  baseline: { from: number; to: number };
  error: string | undefined;
  /** Whole-machine CPU in use during the scenario, cores (every process, ours and others'). */
  machineBusyCores: number;
  /** Of those, cores the hypervisor gave to other guests (steal): a noisy host, not our work. */
  machineStealCores: number;
  /** Scenario wall time, s. */
  wallS: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const LIMIT_ARGS = ["--max-connections", "20000", "--max-connections-per-ip", "20000"];

function denoArgs(paths: Paths, entry: string, flags: string[], args: string[]): string[] {
  return ["run", ...flags, `${paths.root}/${entry}`, ...args];
}

function startServer(
  paths: Paths,
  spec: ServerSpec,
  ports: { node: number; stratum: number; http: number },
): Child {
  const { node: nodePort, stratum: port } = ports;
  if (spec.kind === "baseline") {
    return spawn("baseline server", Deno.execPath(), [
      "run",
      "--allow-net=127.0.0.1",
      `${paths.root}/bench/scale/baseline_server.ts`,
      "--port",
      String(port),
      "--rate",
      String(spec.rate),
      "--duration-s",
      "900",
    ]);
  }
  if (spec.kind === "native") {
    if (paths.nativeBin === undefined) throw new Error("the native instrument is not built");
    return spawn("native floor", paths.nativeBin, [
      "floor",
      "--port",
      String(port),
      "--rate",
      String(spec.rate),
      "--duration-s",
      "900",
    ]);
  }
  if (spec.kind === "bridge") {
    if (paths.bridgeBin === undefined) throw new Error("stratum-bridge is not installed");
    return spawn("stratum-bridge", paths.bridgeBin, [
      "--node-mode",
      "external",
      "--kaspad-address",
      `127.0.0.1:${nodePort}`,
      "--stratum-port",
      `127.0.0.1:${port}`,
      "--min-share-diff",
      "1",
      "--var-diff",
      "false",
      "--print-stats",
      "false",
      "--log-to-file",
      "false",
      "--extranonce-size",
      "2",
    ], { cwd: paths.tmp, env: { RUST_LOG: "warn" } });
  }
  const flags = serverPermissionFlags(Deno.readTextFileSync(`${paths.root}/deno.json`));
  const listenOptions = spec.kind === "kstratum" && spec.listenOptions !== undefined
    ? `,${spec.listenOptions}`
    : "";
  const common = [
    "--node",
    `127.0.0.1:${nodePort}`,
    "--listen",
    `127.0.0.1:${port}${listenOptions}`,
    "--http",
    `127.0.0.1:${ports.http}`,
    "--log-level",
    "warn",
    ...LIMIT_ARGS,
    ...(spec.threads === undefined ? [] : ["--threads", String(spec.threads)]),
  ];
  return spec.kind === "kstratum"
    ? spawn(
      "kstratum",
      Deno.execPath(),
      denoArgs(paths, "main.ts", flags, common),
      spec.v8Flags === undefined ? {} : { env: { DENO_V8_FLAGS: spec.v8Flags } },
    )
    : spawn(
      "kstratum (bench share difficulty)",
      Deno.execPath(),
      denoArgs(paths, "bench/scale/kstratum_share_server.ts", flags, [
        "--bench-diff",
        String(spec.diff),
        ...common,
      ]),
    );
}

/** The load generator's command line; both instruments take the same flags. */
function loadCommand(
  paths: Paths,
  instrument: Instrument,
  args: string[],
): { cmd: string; args: string[] } {
  if (instrument === "native") {
    if (paths.nativeBin === undefined) throw new Error("the native instrument is not built");
    return { cmd: paths.nativeBin, args: ["loadgen", ...args] };
  }
  return {
    cmd: Deno.execPath(),
    args: denoArgs(paths, "scripts/loadgen.ts", [
      "--allow-net=127.0.0.1",
      "--allow-read",
      `--allow-write=${paths.tmp}`,
    ], args),
  };
}

function loadArgs(port: number, spec: LoadSpec, out: string): string[] {
  const mix = Object.entries(spec.mix).map(([d, w]) => `${d}:${w}`).join(",");
  // Generous: an overloaded server slows the ramp, and the hold should still run in full.
  const maxRunS = Math.ceil(spec.miners / spec.rampPerSec + spec.holdS + 150);
  return [
    "--port",
    String(port),
    "--miners",
    String(spec.miners),
    "--mix",
    mix,
    "--addresses",
    String(spec.addresses),
    "--ramp",
    String(spec.rampPerSec),
    "--hold-s",
    String(spec.holdS),
    "--warmup-s",
    String(spec.warmupS),
    "--share-rate",
    String(spec.shareRate),
    "--share-kind",
    spec.shareKind,
    "--network-bits",
    String(spec.networkBits),
    "--max-run-s",
    String(maxRunS),
    "--out",
    out,
  ];
}

/** Cumulative ks_job_fanout_seconds buckets from /metrics: [upper bound ms, count]. */
async function scrapeFanout(httpPort: number): Promise<Array<[number, number]> | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const out: Array<[number, number]> = [];
    for (const m of text.matchAll(/^ks_job_fanout_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
      out.push([m[1] === "+Inf" ? Infinity : Number(m[1]) * 1000, Number(m[2])]);
    }
    return out.length > 0 ? out : undefined;
  } catch {
    return undefined;
  }
}

function windowHistogram(
  before: Array<[number, number]> | undefined,
  after: Array<[number, number]> | undefined,
): ServerFanout | undefined {
  if (before === undefined || after === undefined || before.length !== after.length) {
    return undefined;
  }
  const cumulative = after.map(([, n], i) => n - before[i]![1]);
  return {
    bounds: after.filter(([b]) => Number.isFinite(b)).map(([b]) => b),
    counts: cumulative.map((n, i) => n - (i === 0 ? 0 : cumulative[i - 1]!)),
  };
}

async function runLoadgen(
  paths: Paths,
  ports: { stratum: number; http: number | undefined },
  spec: LoadSpec,
  run: { n: number; instrument: Instrument },
): Promise<{ summary: LoadSummary; fanout: ServerFanout | undefined }> {
  const out = `${paths.tmp}/load-${run.n}.json`;
  const command = loadCommand(paths, run.instrument, loadArgs(ports.stratum, spec, out));
  const child = spawn(`loadgen (${run.instrument})`, command.cmd, command.args);
  const limitMs = (spec.miners / spec.rampPerSec + spec.holdS + 180) * 1000;
  const http = ports.http;
  const scrapeAt = (phase: string, delayMs: number) =>
    http === undefined
      ? Promise.resolve(undefined)
      : child.waitLine((l) => l.includes(`"phase":"${phase}"`), limitMs).then(
        async () => {
          await sleep(delayMs);
          return await scrapeFanout(http);
        },
        () => undefined,
      );
  const [before, after] = [scrapeAt("ready", spec.warmupS * 1000), scrapeAt("held", 0)];
  const code = await child.exited;
  if (code !== 0) throw new Error(`loadgen exited ${code}\n${child.tail.join("\n")}`);
  const summary = JSON.parse(await Deno.readTextFile(out)) as LoadSummary;
  return { summary, fanout: windowHistogram(await before, await after) };
}

let runs = 0;

/**
 * Runs one scenario: fake node, server, baseline idle window, then each load in turn. Always
 * stops what it started; failures are returned in `error`, never thrown.
 */
export async function runScenario(
  name: string,
  paths: Paths,
  setup: {
    server: ServerSpec;
    fake: FakeSpec;
    loads: LoadSpec[];
    /** Default "deno". */
    instrument?: Instrument;
    log: (msg: string) => void;
  },
): Promise<ScenarioResult> {
  const instrument = setup.instrument ?? "deno";
  const result: ScenarioResult = {
    name,
    server: setup.server,
    instrument,
    fake: setup.fake,
    loads: [],
    serverFanout: [],
    events: [],
    fakeStats: undefined,
    samples: [],
    baseline: { from: 0, to: 0 },
    error: undefined,
    machineBusyCores: 0,
    machineStealCores: 0,
    wallS: 0,
  };
  const cpuAtStart = machineCpu();
  const wallAtStart = performance.now();
  const report = `${paths.tmp}/fake-${++runs}.json`;
  const nodePort = freePort();
  const port = freePort();
  const kstratum = setup.server.kind === "kstratum" || setup.server.kind === "kstratum-share";
  const httpPort = kstratum ? freePort() : undefined;
  const fake = spawn(
    "fake kaspad",
    Deno.execPath(),
    denoArgs(paths, "scripts/fake_kaspad.ts", [
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-env",
      `--allow-write=${paths.tmp}`,
    ], [
      "--port",
      String(nodePort),
      "--rate",
      String(setup.fake.rate),
      ...(setup.fake.bits === undefined ? [] : ["--bits", String(setup.fake.bits)]),
      "--duration-s",
      "900",
      "--report",
      report,
    ]),
  );
  let server: Child | undefined;
  let sampler: Sampler | undefined;
  try {
    await fake.waitLine((l) => l.includes('"listening"'), 30_000);
    server = startServer(paths, setup.server, {
      node: nodePort,
      stratum: port,
      http: httpPort ?? 0,
    });
    await waitPort(port, 30_000, server);
    sampler = new Sampler(server.pid);
    await sleep(1500); // node link up, first template fetched
    result.baseline.from = Date.now();
    await sleep(2000);
    result.baseline.to = Date.now();
    for (const [i, load] of setup.loads.entries()) {
      setup.log(`  ${name}: load ${i + 1}/${setup.loads.length} (${load.miners} miners)`);
      const run = await runLoadgen(paths, { stratum: port, http: httpPort }, load, {
        n: runs * 100 + i,
        instrument,
      });
      result.loads.push(run.summary);
      result.serverFanout.push(run.fanout);
      await sleep(500);
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
  } finally {
    // The fake first (it writes its report); a Deno gRPC peer may abort on the GOAWAY (deno#36788).
    const fakeCode = await fake.stop();
    result.samples = sampler?.stop() ?? [];
    await server?.stop();
    try {
      const r = JSON.parse(await Deno.readTextFile(report));
      result.events = r.events;
      result.fakeStats = r.stats;
    } catch {
      result.error ??= `fake kaspad left no report (exit ${fakeCode})\n${fake.tail.join("\n")}`;
    }
    result.wallS = (performance.now() - wallAtStart) / 1000;
    const cpuAtEnd = machineCpu();
    result.machineBusyCores = (cpuAtEnd.busy - cpuAtStart.busy) / Math.max(1e-3, result.wallS);
    result.machineStealCores = (cpuAtEnd.steal - cpuAtStart.steal) / Math.max(1e-3, result.wallS);
  }
  return result;
}
