// Descriptor exhaustion (issue 18 hole 1): the kstratum process under `prlimit --nofile=256`, real
// kaspad devnet. Idle connections exhaust the limit from each port in turn (Stratum, gRPC front,
// HTTP); the process never dies, a connected miner keeps its replies, and after release new Stratum
// miners are served and /health is 200 again within seconds.

import assert from "node:assert/strict";
import { KstratumProcess, openFds } from "../helpers/kstratum.ts";
import { kaspadTest, randomDevnetAddress, startKaspad, waitFor } from "../helpers/kaspad.ts";
import { freePort } from "../../scripts/kaspad_process.ts";
import { StratumMiner } from "../../scripts/stratum_miner.ts";
import { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { connectHonest, shareReplyMs } from "../helpers/share_latency.ts";
import { mineBlock } from "../helpers/mine_block.ts";

const SHARE_DIFF = 2 ** -16;
const NOFILE = 256;
/** Idle connections per attack: more than the limit leaves room for. */
const ATTACK_CONNECTIONS = 320;

/** Block nonce search starts, apart from the ones share_latency.ts uses. */
const nonces = { next: 1n << 24n };

const max = (xs: number[]) => Math.max(...xs);

const CERT_SCRIPT = new URL("../fixtures/tls/make_test_certs.sh", import.meta.url).pathname;

/** A new miner subscribes, authorizes and gets a job; the time it took, ms. */
async function freshMiner(port: number, address: string, caCerts?: string[]): Promise<number> {
  const t0 = performance.now();
  const m = await StratumMiner.connect(port, {
    dialect: "bighex",
    address,
    worker: "fresh",
    ...(caCerts === undefined ? {} : { caCerts }),
  });
  try {
    await m.handshake();
    assert.ok((await m.nextJob(undefined, 20_000)) !== undefined, "a job for a fresh miner");
    return performance.now() - t0;
  } finally {
    m.close();
  }
}

kaspadTest(
  "hostile: out of file descriptors from each port in turn, kstratum survives and serves again",
  async () => {
    const kaspad = await startKaspad();
    const address = randomDevnetAddress();
    const grpcPort = freePort();
    const tlsPort = freePort();
    const dir = await Deno.makeTempDir({ prefix: "kstratum-fds-" });
    const made = await new Deno.Command("bash", { args: [CERT_SCRIPT, dir], stderr: "piped" })
      .output();
    assert.ok(made.success, new TextDecoder().decode(made.stderr));
    const ca = await Deno.readTextFile(`${dir}/ca.pem`);
    const k = new KstratumProcess([
      `--listen=127.0.0.1:${tlsPort},tls_cert=${dir}/cert.pem,tls_key=${dir}/key.pem`,
      `--node=${kaspad.grpcAddress}`,
      "--allow-unsynced",
      "--no-vardiff",
      `--start-diff=${SHARE_DIFF}`,
      `--grpc-listen=127.0.0.1:${grpcPort}`,
    ], { nofile: NOFILE });
    const node = new GrpcNodeClient({ address: kaspad.grpcAddress });
    try {
      await node.connect();
      await k.healthy();
      const honest = await connectHonest(k.stratumPort, address);
      const baseline = await shareReplyMs(honest, 5);
      console.log(
        `baseline: share reply max ${max(baseline).toFixed(1)} ms; fds ${await openFds(k.pid)}`,
      );
      const ports = [
        { name: "stratum", port: k.stratumPort, down: /cannot accept miners; retrying/ },
        { name: "grpc", port: grpcPort, down: /gRPC front cannot accept/ },
        { name: "http", port: k.httpPort, down: /http cannot accept/ },
        // node:net (the TLS listener) stops accepting after EMFILE without a word; kstratum's
        // loopback probe (every 5 s) finds it and binds the port again.
        { name: "tls", port: tlsPort, down: /cannot accept miners; rebinding/ },
      ];
      let blocksDuringAttacks = 0;
      for (const target of ports) {
        const logFrom = k.log.length;
        const held: Deno.TcpConn[] = [];
        for (let i = 0; i < ATTACK_CONNECTIONS; i++) {
          try {
            held.push(await Deno.connect({ hostname: "127.0.0.1", port: target.port }));
          } catch {
            break; // the listener closed (Deno.serve does on EMFILE): exhausted
          }
        }
        const fds = await waitFor(
          `${target.name}: kstratum reaches its descriptor limit`,
          async () => {
            const n = await openFds(k.pid);
            return n >= NOFILE - 8 ? n : undefined;
          },
          20_000,
          100,
        );
        // The connected miner keeps its service while nothing new can be accepted, and a block
        // among its shares still reaches the node (the node link holds its descriptor).
        const during = await shareReplyMs(honest, 3);
        during.push(await mineBlock(honest, node, address, nonces));
        // The block's verdict line is written when its event reaches the main thread, which
        // can be just after the miner's reply (threads).
        await waitFor(
          `${target.name}: the block's verdict logged`,
          () => k.log.slice(logFrom).some((l) => /found by/.test(l)) || undefined,
          5000,
          20,
        );
        const attackLog = k.log.slice(logFrom);
        const blocks = attackLog.filter((l) => /found by .*accepted by the node/.test(l)).length;
        const lost = attackLog.filter((l) => /NOT SUBMITTED|REJECTED/.test(l));
        blocksDuringAttacks += blocks;
        if (target.name === "tls") {
          await waitFor(
            "the TLS listener found stuck",
            () => k.log.slice(logFrom).some((l) => target.down.test(l)) || undefined,
            15_000,
            100,
          );
        }
        for (const c of held) c.close();
        const t0 = performance.now();
        if (target.name === "tls") await k.healthy(20_000);
        const fresh = target.name === "tls"
          ? await freshMiner(tlsPort, address, [ca])
          : await freshMiner(k.stratumPort, address);
        await k.healthy(20_000);
        const recovered = performance.now() - t0;
        console.log(
          `${target.name}: ${held.length} idle connections, kstratum at ${fds}/${NOFILE} fds; ` +
            `honest share reply max ${max(during).toFixed(1)} ms (baseline ` +
            `${max(baseline).toFixed(1)}); fresh miner served ${fresh.toFixed(0)} ms and /health ` +
            `200 ${recovered.toFixed(0)} ms after release; ${blocks} blocks accepted by the node ` +
            `during the attack`,
        );
        assert.deepEqual(lost, [], `${target.name}: no found block was lost`);
        assert.ok(k.alive, `alive after the ${target.name} attack`);
        assert.ok(
          k.log.slice(logFrom).some((l) => target.down.test(l)),
          `${target.name}: kstratum logged that it could not accept`,
        );
        assert.ok(max(during) < max(baseline) + 2000, `${target.name}: replies stayed prompt`);
        assert.ok(recovered < 15_000, `${target.name}: served again within 15 s of release`);
      }
      honest.close();
      console.log(`blocks accepted while out of descriptors: ${blocksDuringAttacks}`);
      assert.ok(blocksDuringAttacks >= 3, "a block found during each attack reached the node");
      assert.ok(
        !k.log.some((l) => /uncaught|panicked/i.test(l)),
        `nothing escaped to the top level:\n${k.log.slice(-20).join("\n")}`,
      );
    } finally {
      await node.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      const status = await k.stop();
      await kaspad.stop();
      assert.equal(status.code, 0, `SIGTERM exits 0\n${k.log.slice(-30).join("\n")}`);
    }
  },
);
