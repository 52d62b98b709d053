// One scale scenario end to end: fake kaspad, a Stratum server (kstratum's main.ts, kstratum with
// a bench share difficulty, or the Rust stratum-bridge), load generator runs, /proc sampling.

import type { EventRecord, FakeKaspadStats } from "../../scripts/fake_kaspad/server.ts";
import type { LoadSummary } from "../../scripts/loadgen/run.ts";
import type { DialectId, ShareKind } from "../../scripts/loadgen/options.ts";
import { serverPermissionFlags } from "../../scripts/permissions.ts";
import { type Child, freePort, Sampler, spawn, type Usage, waitPort } from "./procs.ts";

/** Where things are. */
export interface Paths {
  /** Repository root. */
  root: string;
  /** Scratch directory for reports (removed by the caller). */
  tmp: string;
  /** stratum-bridge binary, if installed. */
  bridgeBin: string | undefined;
}

/** Which Stratum server a scenario runs. */
export type ServerSpec =
  | { kind: "kstratum"; listenOptions?: string }
  | { kind: "kstratum-share"; diff: number }
  | { kind: "bridge" };

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
  shareRate: number;
  shareKind: ShareKind;
  networkBits: number;
}

/** Everything measured in a scenario. */
export interface ScenarioResult {
  name: string;
  server: ServerSpec;
  fake: FakeSpec;
  loads: LoadSummary[];
  events: EventRecord[];
  fakeStats: FakeKaspadStats | undefined;
  samples: Usage[];
  /** Server idle with no miner (after it fetched its first template), ms since the epoch. */
  baseline: { from: number; to: number };
  error: string | undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const LIMIT_ARGS = ["--max-connections", "20000", "--max-connections-per-ip", "20000"];

function denoArgs(paths: Paths, entry: string, flags: string[], args: string[]): string[] {
  return ["run", ...flags, `${paths.root}/${entry}`, ...args];
}

function startServer(paths: Paths, spec: ServerSpec, nodePort: number, port: number): Child {
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
    "off",
    "--log-level",
    "warn",
    ...LIMIT_ARGS,
  ];
  return spec.kind === "kstratum"
    ? spawn("kstratum", Deno.execPath(), denoArgs(paths, "main.ts", flags, common))
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

function loadArgs(paths: Paths, port: number, spec: LoadSpec, out: string): string[] {
  const mix = Object.entries(spec.mix).map(([d, w]) => `${d}:${w}`).join(",");
  const maxRunS = Math.ceil(spec.miners / spec.rampPerSec + spec.holdS + 60);
  return denoArgs(paths, "scripts/loadgen.ts", [
    "--allow-net=127.0.0.1",
    "--allow-read",
    `--allow-write=${paths.tmp}`,
  ], [
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
  ]);
}

async function runLoadgen(paths: Paths, port: number, spec: LoadSpec, n: number) {
  const out = `${paths.tmp}/load-${n}.json`;
  const child = spawn("loadgen", Deno.execPath(), loadArgs(paths, port, spec, out));
  const code = await child.exited;
  if (code !== 0) throw new Error(`loadgen exited ${code}\n${child.tail.join("\n")}`);
  return JSON.parse(await Deno.readTextFile(out)) as LoadSummary;
}

let runs = 0;

/**
 * Runs one scenario: fake node, server, baseline idle window, then each load in turn. Always
 * stops what it started; failures are returned in `error`, never thrown.
 */
export async function runScenario(
  name: string,
  paths: Paths,
  setup: { server: ServerSpec; fake: FakeSpec; loads: LoadSpec[]; log: (msg: string) => void },
): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    name,
    server: setup.server,
    fake: setup.fake,
    loads: [],
    events: [],
    fakeStats: undefined,
    samples: [],
    baseline: { from: 0, to: 0 },
    error: undefined,
  };
  const report = `${paths.tmp}/fake-${++runs}.json`;
  const nodePort = freePort();
  const port = freePort();
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
    server = startServer(paths, setup.server, nodePort, port);
    await waitPort(port, 30_000, server);
    sampler = new Sampler(server.pid);
    await sleep(1500); // node link up, first template fetched
    result.baseline.from = Date.now();
    await sleep(2000);
    result.baseline.to = Date.now();
    for (const [i, load] of setup.loads.entries()) {
      setup.log(`  ${name}: load ${i + 1}/${setup.loads.length} (${load.miners} miners)`);
      result.loads.push(await runLoadgen(paths, port, load, runs * 100 + i));
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
  }
  return result;
}
