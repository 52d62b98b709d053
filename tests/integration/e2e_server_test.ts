// End to end through the real kstratum process (`deno run` with the start task's permission flags)
// between a real kaspad devnet and real miners: a Stratum miner, kaspa-miner, and Chromium.
//
// The Stratum miner is scripts/stratum_miner.ts, the client behind the README's cpu_miner.ts: the
// installable kaspa-miner 0.2.7 speaks only kaspad's gRPC, so it mines through kstratum's gRPC
// front, and the Stratum client covers Stratum. It hashes with kstratum's WASM kHeavyHash at a tiny share
// difficulty so a CPU finds shares and, at devnet difficulty, real blocks within seconds.

import assert from "node:assert/strict";
import { toHex } from "../../lib/kaspa/mod.ts";
import { decodeAddress, payToAddressScript } from "../../lib/kaspa/address.ts";
import { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { freePort } from "../../scripts/kaspad_process.ts";
import { serverPermissionFlags } from "../../scripts/permissions.ts";
import {
  checkDashboard,
  chromiumPresent,
  OUTPUT_DIR,
  REQUIRE_CHROMIUM,
} from "../helpers/chromium.ts";
import {
  findKaspaMiner,
  kaspadTest,
  randomDevnetAddress,
  REQUIRE_KASPAD,
  startKaspad,
  storedBlock,
  waitFor,
} from "../helpers/kaspad.ts";
import { type MinerJob, StratumMiner } from "../../scripts/stratum_miner.ts";

const ROOT = new URL("../../", import.meta.url);
/** 2^-16: about 65,536 hashes per share, a fraction of a second for the WASM hasher. */
const SHARE_DIFF = 2 ** -16;
const MINER_BIN = await findKaspaMiner();

interface Kstratum {
  child: Deno.ChildProcess;
  log: string[];
  stratumPort: number;
  frontPort: number;
  httpPort: number;
}

/** Starts main.ts exactly as `deno task start` would, plus the given flags. */
function startKstratum(node: string, address: string): Kstratum {
  const flags = serverPermissionFlags(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const stratumPort = freePort();
  const frontPort = freePort();
  const httpPort = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...flags,
      new URL("main.ts", ROOT).pathname,
      `--node=${node}`,
      `--address=${address}`,
      `--listen=127.0.0.1:${stratumPort}`,
      `--grpc-listen=127.0.0.1:${frontPort}`,
      `--http=127.0.0.1:${httpPort}`,
      "--max-workers=64",
      "--allow-unsynced",
      "--no-vardiff",
      `--start-diff=${SHARE_DIFF}`,
      "--log-timestamps=false",
    ],
    cwd: ROOT.pathname,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        log.push(...chunk.split("\n").filter((l) => l.length > 0));
        if (log.length > 2000) log.splice(0, 1000);
      }
    })().catch(() => {});
  }
  return { child, log, stratumPort, frontPort, httpPort };
}

async function getJson<T>(k: Kstratum, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${k.httpPort}${path}`);
  return await res.json() as T;
}

interface ApiBlock {
  hash: string;
  worker: string;
  wallet: string;
  verdict: string;
}

kaspadTest(
  "a Stratum miner and kaspa-miner mine through the kstratum process into a real kaspad; stats, metrics and the dashboard show it",
  async () => {
    const kaspad = await startKaspad();
    const stratumAddress = randomDevnetAddress();
    const grpcAddress = randomDevnetAddress();
    const k = startKstratum(kaspad.grpcAddress, stratumAddress);
    const node = new GrpcNodeClient({ address: kaspad.grpcAddress });
    let miner: Deno.ChildProcess | undefined;
    let m: StratumMiner | undefined;
    try {
      await node.connect();
      await waitFor(
        "kstratum health 200",
        async () => {
          const res = await fetch(`http://127.0.0.1:${k.httpPort}/health`).catch(() => undefined);
          await res?.body?.cancel();
          return res?.status === 200 ? true : undefined;
        },
        60_000,
        200,
      );

      // --- Stratum, dialect array, as lolMiner introduces itself (the client cpu_miner.ts runs).
      m = await StratumMiner.connect(k.stratumPort, {
        dialect: "array",
        address: stratumAddress,
        worker: "rig1",
      });
      await m.handshake();
      const firstJob = await m.nextJob(undefined, 30_000);
      assert.ok(firstJob !== undefined, "a job after authorize");
      assert.equal(m.extranonce.length, 4, "2-byte extranonce by default");
      assert.equal(firstJob.difficulty, SHARE_DIFF);

      // Mine until the node has accepted two blocks found by rig1 (bounded: 120 s or 600 shares).
      let blocks: ApiBlock[] = [];
      let first: { job: MinerJob; nonce: bigint } | undefined;
      let start = BigInt(Math.floor(Math.random() * 2 ** 40));
      const deadline = Date.now() + 120_000;
      while (m.tally.submitted < 600 && Date.now() < deadline) {
        const job = m.job!;
        const nonce = m.findNonce(job, { start, tries: 400_000 });
        start += 400_000n;
        await new Promise((r) => setTimeout(r, 0)); // let fresh jobs arrive
        if (nonce === undefined) continue;
        const r = await m.submit(job, nonce);
        if (r.error === null) first ??= { job, nonce };
        else {
          // Only a job replaced while we hashed may be refused (stale); nothing else.
          assert.equal((r.error as unknown[])[0], 21, `unexpected reply ${JSON.stringify(r)}`);
        }
        if (m.tally.accepted % 5 === 0) {
          blocks = (await getJson<{ blocks: ApiBlock[] }>(k, "/api/blocks")).blocks;
          if (blocks.filter((b) => b.worker === "rig1" && b.verdict === "accepted").length >= 2) {
            break;
          }
        }
      }
      const accepted = m.tally.accepted;
      blocks = (await getJson<{ blocks: ApiBlock[] }>(k, "/api/blocks")).blocks;
      const ours = blocks.filter((b) => b.worker === "rig1" && b.verdict === "accepted");
      assert.ok(ours.length >= 2, `rig1 found ${ours.length} blocks in ${accepted} shares`);

      // Every error a miner can meet, answered by the real process.
      assert.ok(first !== undefined);
      const dup = await m.submit(first.job, first.nonce);
      assert.equal((dup.error as unknown[])[0], 22, "duplicate share");
      const stale = await m.request("mining.submit", [`${stratumAddress}.rig1`, "999999", "00"]);
      assert.equal((stale.error as unknown[])[0], 21, "unknown job");
      // A connection that subscribed but never authorized may not submit.
      const other = await StratumMiner.connect(k.stratumPort, {
        dialect: "array",
        address: stratumAddress,
        worker: "rig9",
      });
      await other.request("mining.subscribe", ["lolMiner 1.88", "EthereumStratum/1.0.0"]);
      const intruder = await other.request("mining.submit", ["rig9", m.job!.id, "01"]);
      assert.equal((intruder.error as unknown[])[0], 24, "unauthorized worker");
      other.close();
      await other.ended;

      // The node holds rig1's blocks and each coinbase names rig1's address.
      const script = toHex(payToAddressScript(decodeAddress(stratumAddress)));
      for (const b of ours) {
        const coinbase = (await storedBlock(node, b.hash)).miner;
        assert.equal(coinbase.script, script, `block ${b.hash} pays rig1's address`);
        assert.ok(coinbase.extraData.endsWith("kstratum"), coinbase.extraData);
      }

      // --- kaspa-miner through the gRPC front, paying another address.
      if (MINER_BIN === undefined) {
        assert.ok(!REQUIRE_KASPAD, "kaspa-miner is missing (scripts/install_kaspad.sh miner)");
      } else {
        miner = new Deno.Command(MINER_BIN, {
          args: [
            `--mining-address=${grpcAddress}`,
            "--kaspad-address=127.0.0.1",
            `--port=${k.frontPort}`,
            "--mine-when-not-synced",
            "--threads=1",
          ],
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn();
        await waitFor(
          "3 blocks from kaspa-miner",
          async () => {
            const all = (await getJson<{ blocks: ApiBlock[] }>(k, "/api/blocks")).blocks;
            const n = all.filter((b) =>
              b.wallet === grpcAddress && b.verdict === "accepted"
            ).length;
            return n >= 3 ? n : undefined;
          },
          120_000,
          250,
        );
        miner.kill("SIGTERM");
        await miner.status;
        miner = undefined;
      }

      // Metrics carry rig1's shares and the blocks, under the names Grafana dashboards read.
      const metrics = await (await fetch(`http://127.0.0.1:${k.httpPort}/metrics`)).text();
      const valid = metrics.split("\n").find((l) =>
        l.startsWith("ks_valid_share_counter{") && l.includes('worker="rig1"')
      );
      assert.ok(valid !== undefined, "ks_valid_share_counter for rig1");
      assert.ok(Number(valid.split(" ").at(-1)) >= accepted, valid);
      assert.match(metrics, /^ks_invalid_share_counter\{.*type="duplicate".*\} 1$/m);
      const mined = metrics.split("\n").filter((l) => l.startsWith("ks_blocks_mined{"));
      assert.ok(mined.length >= 1, "ks_blocks_mined");
      assert.match(metrics, /^ks_workers_max 64$/m, "--max-workers reaches the worker table");

      // The dashboard, with rig1 still connected, in real Chromium.
      if (chromiumPresent() || REQUIRE_CHROMIUM) {
        await Deno.mkdir(OUTPUT_DIR, { recursive: true });
        await checkDashboard(`http://127.0.0.1:${k.httpPort}/`, {
          workers: ["rig1"],
          blocks: ours.map((b) => b.hash),
          screenshot: new URL("e2e-dashboard.png", OUTPUT_DIR),
        });
      }

      m.close();
      await m.ended;
      m = undefined;

      // SIGTERM: a graceful stop with exit status 0.
      k.child.kill("SIGTERM");
      const status = await k.child.status;
      assert.equal(status.code, 0, k.log.slice(-20).join("\n"));
      assert.ok(k.log.some((l) => l.includes("stopped")), "logged its stop");
    } catch (err) {
      console.error(k.log.slice(-40).join("\n"));
      throw err;
    } finally {
      m?.close();
      if (miner !== undefined) {
        miner.kill("SIGKILL");
        await miner.status;
      }
      try {
        k.child.kill("SIGKILL");
      } catch { /* already exited */ }
      await k.child.status;
      await node.close();
      await kaspad.stop();
    }
  },
);
