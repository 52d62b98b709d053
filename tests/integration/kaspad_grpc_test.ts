// Against a real kaspad devnet over gRPC: fetch a template, solve it with the WASM PoW, submit it, and
// check the node took exactly our block (same hash, coinbase paying our address, later rewarded).

import assert from "node:assert/strict";
import { headerHash, toHex } from "../../lib/kaspa/mod.ts";
import { decodeAddress, payToAddressScript } from "../../lib/kaspa/address.ts";
import { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { decode } from "../../lib/node/grpc/messages.ts";
import { jobBlockHash, makeJob } from "../../lib/kaspa/job.ts";
import {
  kaspadTest,
  randomDevnetAddress,
  solve,
  startKaspad,
  storedBlock,
} from "../helpers/kaspad.ts";

const EXTRA = new TextEncoder().encode("kstratum-test");

kaspadTest(
  "kaspad gRPC: template → WASM PoW → submit → the node holds our exact block",
  async () => {
    const kaspad = await startKaspad();
    const client = new GrpcNodeClient({ address: kaspad.grpcAddress });
    try {
      await client.connect();
      const server = await client.getServerInfo();
      assert.equal(server.networkId, "devnet");
      const dag = await client.getDagInfo();
      assert.match(dag.networkName, /devnet/);
      const address = randomDevnetAddress();
      const script = toHex(payToAddressScript(decodeAddress(address)));

      const template = await client.getBlockTemplate(address, EXTRA);
      const job = makeJob(template, Date.now());
      const nonce = solve(job);
      assert.ok(nonce !== undefined, "a devnet nonce is found");
      assert.deepEqual(await client.submitBlock(template, nonce), { kind: "accepted" });
      const hash = jobBlockHash(job, nonce);

      const block = await storedBlock(client, hash);
      const stored = block.header;
      assert.equal(toHex(headerHash(stored)), hash, "node's header hashes to our block hash");
      assert.equal(stored.nonce, nonce);
      assert.equal(decode("RpcBlock", block.raw).verboseData?.hash, hash);
      const miner = block.miner;
      assert.equal(miner.script, script, "coinbase payload names our address");
      assert.ok(miner.extraData.endsWith("kstratum-test"), miner.extraData);
      const after = await client.getDagInfo();
      assert.equal(after.blockCount, dag.blockCount + 1n);
      assert.ok(after.tipHashes.includes(hash), "our block is a tip");

      // The next block merges ours and pays its reward to our address.
      const t2 = await client.getBlockTemplate(address, EXTRA);
      const j2 = makeJob(t2, Date.now());
      const n2 = solve(j2);
      assert.ok(n2 !== undefined);
      assert.deepEqual(await client.submitBlock(t2, n2), { kind: "accepted" });
      const b2 = await client.getBlock(jobBlockHash(j2, n2), true);
      const outputs = decode("RpcBlock", b2).transactions[0]!.outputs;
      assert.ok(
        outputs.some((o) => o.scriptPublicKey?.scriptPublicKey === script && o.amount > 0n),
        "the merging block's coinbase pays our address",
      );
      assert.equal(await client.getCurrentBlockColor(hash), true, "our block is blue");
      // A fresh devnet has too few blocks for kaspad's minimum window: a typed RPC error, not a crash.
      await assert.rejects(client.estimateNetworkHashesPerSecond(1000), {
        name: "NodeError",
        code: "rpc",
      });
      assert.equal(typeof (await client.getSyncStatus()), "boolean");
    } finally {
      await client.close();
      await kaspad.stop();
    }
  },
);

kaspadTest("kaspad gRPC: a weak nonce is rejected as invalid, and errors are typed", async () => {
  const kaspad = await startKaspad();
  const client = new GrpcNodeClient({ address: kaspad.grpcAddress });
  try {
    await client.connect();
    const template = await client.getBlockTemplate(randomDevnetAddress(), EXTRA);
    const job = makeJob(template, Date.now());
    let weak = 0n;
    while (job.pow().meets(weak, job.networkTarget)) weak++;
    const verdict = await client.submitBlock(template, weak);
    assert.equal(verdict.kind === "rejected" && verdict.reason, "invalid");
    await assert.rejects(
      client.getBlockTemplate(
        "kaspa:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e",
        EXTRA,
      ),
      { name: "NodeError", code: "rpc" },
      "kaspad refuses a mainnet address on devnet",
    );
  } finally {
    await client.close();
    await kaspad.stop();
  }
});
