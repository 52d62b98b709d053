// Against a real kaspad devnet over wRPC JSON (--rpclisten-json): the same NodeClient contract as gRPC,
// with the block re-sent as received except its nonce.

import assert from "node:assert/strict";
import { headerHash, toHex } from "../../lib/kaspa/mod.ts";
import { decodeAddress, payToAddressScript } from "../../lib/kaspa/address.ts";
import { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { createNodeClient } from "../../lib/node/mod.ts";
import { WrpcNodeClient } from "../../lib/node/wrpc/client.ts";
import { jobBlockHash, makeJob } from "../../lib/kaspa/job.ts";
import { TemplateService } from "../../lib/templates/service.ts";
import type { Job } from "../../lib/kaspa/types.ts";
import {
  kaspadTest,
  randomDevnetAddress,
  solve,
  startKaspad,
  storedBlock,
  waitFor,
} from "../helpers/kaspad.ts";

kaspadTest(
  "kaspad wRPC: template → WASM PoW → submit → the node holds our exact block",
  async () => {
    const kaspad = await startKaspad({ wrpc: true });
    const ws = new WrpcNodeClient({ url: kaspad.wrpcUrl! });
    const grpc = new GrpcNodeClient({ address: kaspad.grpcAddress });
    try {
      await ws.connect();
      await grpc.connect();
      const info = await ws.getInfo();
      assert.ok(info.serverVersion.length > 0);
      assert.equal((await ws.getServerInfo()).networkId, "devnet");
      assert.equal(typeof (await ws.getSyncStatus()), "boolean");
      const dag = await ws.getDagInfo();
      assert.match(dag.networkName, /devnet/);

      let notified = 0;
      ws.onNewTemplate(() => notified++);
      const address = randomDevnetAddress();
      const template = await ws.getBlockTemplate(address, new TextEncoder().encode("kstratum-ws"));
      const job = makeJob(template, Date.now());
      const nonce = solve(job);
      assert.ok(nonce !== undefined);
      assert.deepEqual(await ws.submitBlock(template, nonce), { kind: "accepted" });
      const hash = jobBlockHash(job, nonce);

      const block = await storedBlock(grpc, hash);
      assert.equal(toHex(headerHash(block.header)), hash);
      assert.equal(block.miner.script, toHex(payToAddressScript(decodeAddress(address))));
      const miner = block.miner;
      assert.ok(miner.extraData.endsWith("kstratum-ws"));
      await waitFor(
        "a NewBlockTemplate notification over wRPC",
        () => (notified > 0 ? true : undefined),
      );
      await assert.rejects(ws.estimateNetworkHashesPerSecond(1000), {
        name: "NodeError",
        code: "rpc",
      });
      // The color is known once a chain block merges ours: mine one more on top.
      const t2 = await ws.getBlockTemplate(address, new Uint8Array(0));
      const j2 = makeJob(t2, Date.now());
      assert.deepEqual(await ws.submitBlock(t2, solve(j2)!), { kind: "accepted" });
      assert.equal(await ws.getCurrentBlockColor(hash), true);

      let weak = 0n;
      while (j2.pow().meets(weak, j2.networkTarget)) weak++;
      const t3 = await ws.getBlockTemplate(address, new Uint8Array(0));
      const v = await ws.submitBlock(t3, weak);
      assert.equal(v.kind === "rejected" && v.reason, "invalid");
    } finally {
      await ws.close();
      await grpc.close();
      await kaspad.stop();
    }
  },
);

kaspadTest("kaspad wRPC: the template service runs on a ws:// node URL", async () => {
  const kaspad = await startKaspad({ wrpc: true });
  const node = createNodeClient({ urls: [kaspad.wrpcUrl!] });
  const service = new TemplateService({ node, allowUnsynced: true, pollMs: 600_000 });
  try {
    service.start();
    await service.whenReady();
    const jobs: Job[] = [];
    service.subscribe(randomDevnetAddress(), (j) => jobs.push(j));
    const first = await waitFor("first job", () => jobs[0]);
    assert.equal((await service.submitter.submit(first, solve(first)!)).verdict.kind, "accepted");
    await waitFor(
      "notification-driven job",
      () => service.status().notifyToJob.count > 0 && jobs.length >= 2 ? true : undefined,
    );
  } finally {
    await service.stop();
    await kaspad.stop();
  }
});
