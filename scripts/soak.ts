// Soak run: the kstratum process (start task permissions) between a real kaspad devnet and scripted
// miners in every dialect (one over TLS), with reconnect churn and hostile noise, for 10 minutes
// (or --quick: 30 s). Then share counts must match the server's exactly, every block in the node's
// DAG must be an accepted share of exactly one miner and match the server's count, and kstratum's
// RSS must stay under the bound. Exit status 0 only when all of that holds.
//
//   deno task soak            10 minutes
//   deno task soak --quick    30 seconds
//   deno task soak --seconds=120 --rss-limit-mb=300
//   deno task soak --threads=2       miners served by 2 Stratum threads (default: kstratum's auto)

import { parseArgs } from "node:util";
import { toHex } from "../lib/kaspa/mod.ts";
import { decodeBlockHeader } from "../lib/node/grpc/block.ts";
import { GrpcNodeClient } from "../lib/node/grpc/client.ts";
import { Rng } from "../tests/helpers/fuzz.ts";
import { KstratumProcess } from "../tests/helpers/kstratum.ts";
import { ensureKaspad, KaspadProcess, randomDevnetAddress } from "./kaspad_process.ts";
import { type Identity, noise, work } from "./soak_miners.ts";

const SHARE_DIFF = 2 ** -16;
const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    seconds: { type: "string" },
    "miners-per-dialect": { type: "string", default: "2" },
    "rss-limit-mb": { type: "string", default: "300" },
    "pace-ms": { type: "string", default: "700" },
    threads: { type: "string" },
  },
});
const seconds = Number(args.seconds ?? (args.quick ? 30 : 600));
const rssLimit = Number(args["rss-limit-mb"]) * 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => Math.round(b / 2 ** 20);
const log = (msg: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function certs(dir: string): Promise<string | undefined> {
  const script = new URL("../tests/fixtures/tls/make_test_certs.sh", import.meta.url).pathname;
  const out = await new Deno.Command("bash", {
    args: [script, dir],
    stderr: "null",
    stdout: "null",
  })
    .output().catch(() => undefined);
  return out?.success ? await Deno.readTextFile(`${dir}/ca.pem`) : undefined;
}

/** Header nonces of every block in the node's DAG except genesis (walked from the tips). */
async function dagNonces(grpc: string): Promise<bigint[]> {
  const node = new GrpcNodeClient({ address: grpc });
  await node.connect();
  try {
    const todo = [...(await node.getDagInfo()).tipHashes];
    const seen = new Set<string>(todo);
    const nonces: bigint[] = [];
    while (todo.length > 0) {
      const header = decodeBlockHeader(await node.getBlock(todo.pop()!, false));
      const parents = header.parents[0] ?? [];
      if (parents.length === 0) continue; // genesis
      nonces.push(header.nonce);
      for (const p of parents.map(toHex)) if (!seen.has(p)) seen.add(p) && todo.push(p);
    }
    return nonces;
  } finally {
    await node.close();
  }
}

interface Status {
  totals: {
    shares: Record<string, number>;
    blocks: { found: number; accepted: number; rejected: number; unreachable: number };
  };
  connections: { total: number };
}

async function main(): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "kstratum-soak-" });
  const ca = await certs(dir);
  const kaspad = await KaspadProcess.start({ binary: await ensureKaspad() });
  const tlsPort = (() => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    return port;
  })();
  const k = new KstratumProcess([
    `--node=${kaspad.grpcAddress}`,
    "--allow-unsynced",
    "--no-vardiff",
    `--start-diff=${SHARE_DIFF}`,
    "--handshake-timeout-ms=5000",
    ...(args.threads === undefined ? [] : [`--threads=${args.threads}`]),
    ...(ca
      ? [`--listen=127.0.0.1:${tlsPort},tls_cert=${dir}/cert.pem,tls_key=${dir}/key.pem`]
      : []),
  ]);
  const failures: string[] = [];
  try {
    for (let i = 0; (await k.health()) !== 200; i++) {
      if (i > 300 || !k.alive) {
        throw new Error(`kstratum not healthy\n${k.log.slice(-20).join("\n")}`);
      }
      await sleep(200);
    }
    const perDialect = Number(args["miners-per-dialect"]);
    const ids: Identity[] = [];
    const make = (dialect: Identity["dialect"], i: number, tls: boolean): Identity => ({
      name: `${dialect}${i}${tls ? "-tls" : ""}`,
      dialect,
      address: randomDevnetAddress(),
      worker: `soak${dialect}${i}${tls ? "tls" : ""}`,
      port: tls ? tlsPort : k.stratumPort,
      ...(tls && ca ? { caCerts: [ca] } : {}),
      outcomes: { valid: 0, stale: 0, duplicate: 0, weak: 0, invalid: 0 },
      surprises: [],
      accepted: new Set(),
      connections: 0,
    });
    for (const d of ["array", "bighex", "bitmain", "simple"] as const) {
      for (let i = 0; i < perDialect; i++) ids.push(make(d, i, false));
    }
    if (ca) ids.push(make("array", 0, true));

    log(
      `${ids.length} miners for ${seconds} s; kstratum pid ${k.pid}, kaspad ${kaspad.grpcAddress}`,
    );
    const end = Date.now() + seconds * 1000;
    const stop = () => Date.now() >= end || !k.alive;
    const rss: number[] = [];
    const sampler = (async () => {
      while (!stop()) {
        rss.push(await k.rssBytes());
        if (rss.length % 30 === 0) log(`RSS ${mb(rss.at(-1)!)} MB`);
        await sleep(2000);
      }
    })();
    const rng = new Rng(Number(Deno.env.get("SOAK_SEED") ?? 20261121));
    const pace = Number(args["pace-ms"]);
    const loops = ids.map((id, i) => work(id, new Rng(rng.int(2 ** 31) + i), stop, pace));
    const noiseLines = noise(k.stratumPort, new Rng(rng.int(2 ** 31)), stop);
    await Promise.all([...loops, sampler]);
    const noiseSent = await noiseLines;
    if (!k.alive) failures.push("kstratum exited during the soak");
    await sleep(1500); // closes and block verdicts settle

    const status = await k.api<Status>("/api/status");
    const miners = { valid: 0, stale: 0, duplicate: 0, weak: 0, invalid: 0 };
    for (const id of ids) {
      for (const key of Object.keys(miners) as (keyof typeof miners)[]) {
        miners[key] += id.outcomes[key];
      }
    }
    const dag = await dagNonces(kaspad.grpcAddress);
    const owners = dag.map((n) => ids.filter((id) => id.accepted.has(n)).length);
    const b = status.totals.blocks;
    const checks: [string, boolean][] = [
      ...(Object.keys(miners) as (keyof typeof miners)[]).map((key): [string, boolean] => [
        `shares ${key}: miners ${miners[key]} = server ${status.totals.shares[key]}`,
        miners[key] === status.totals.shares[key],
      ]),
      [
        `blocks: server found ${b.found} = accepted ${b.accepted} + rejected ${b.rejected} + unreachable ${b.unreachable}`,
        b.found === b.accepted + b.rejected + b.unreachable,
      ],
      [`blocks: node DAG ${dag.length} = server accepted ${b.accepted}`, dag.length === b.accepted],
      [
        `blocks: each of the DAG's ${dag.length} nonces is one miner's accepted share`,
        owners.every((o) => o === 1),
      ],
      [`blocks: none rejected or unreachable`, b.rejected === 0 && b.unreachable === 0],
      [
        `connections after the miners left: ${status.connections.total}`,
        status.connections.total === 0,
      ],
      [`RSS max ${mb(Math.max(...rss))} MB < ${mb(rssLimit)} MB`, Math.max(...rss) < rssLimit],
      [
        `replies as expected (surprises: ${ids.flatMap((i) => i.surprises).length})`,
        ids.every((i) => i.surprises.length === 0),
      ],
    ];
    // With threads, the miners' lines name the thread that served them: each must have served.
    const served = new Map<string, number>();
    for (const line of k.log) {
      const thread = /\bthread=(\d+)/.exec(line)?.[1];
      if (thread === undefined || /stratum (listening|stopped)/.test(line)) continue;
      served.set(thread, (served.get(thread) ?? 0) + 1);
    }
    const threads = Number(args.threads ?? 1);
    if (threads > 1) {
      checks.push([
        `every one of ${threads} Stratum threads served miners (log lines per thread: ${
          JSON.stringify(Object.fromEntries(served))
        })`,
        served.size === threads,
      ]);
    }
    for (const [what, ok] of checks) if (!ok) failures.push(what);

    const after = rss.slice(Math.min(5, rss.length - 1));
    const report = {
      seconds,
      miners: ids.length,
      connections: ids.reduce((s, i) => s + i.connections, 0),
      noiseLines: noiseSent,
      shares: { miners, server: status.totals.shares },
      blocks: { server: b, dag: dag.length },
      rssMb: {
        first: mb(rss[0] ?? 0),
        afterWarmup: mb(after[0] ?? 0),
        max: mb(Math.max(...rss)),
        last: mb(rss.at(-1) ?? 0),
        limit: mb(rssLimit),
      },
      surprises: ids.flatMap((i) => i.surprises.map((s) => `${i.name}: ${s}`)).slice(0, 20),
    };
    console.log(JSON.stringify(report, null, 2));
    for (const [what, ok] of checks) console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  } catch (e) {
    failures.push(String(e));
  } finally {
    const status = await k.stop();
    if (status.code !== 0) failures.push(`kstratum exited ${status.code} on SIGTERM`);
    await kaspad.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  for (const f of failures) console.error(`soak FAILED: ${f}`);
  log(failures.length === 0 ? "soak passed" : `soak failed (${failures.length})`);
  return failures.length === 0 ? 0 : 1;
}

Deno.exit(await main());
