// Mining a real block through kstratum in the hostile-process tests: a nonce meeting kaspad's
// network target, searched on the miner's current job and submitted as a share.

import assert from "node:assert/strict";
import type { StratumMiner } from "../../scripts/stratum_miner.ts";
import type { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { compactToTarget } from "../../lib/pow/mod.ts";

/**
 * Mines one block on the miner's current job: a nonce meeting the network target (bits read from
 * kaspad by the test through `node`, not through kstratum), submitted as a share; nonces are
 * searched from `nonces.next << 32`, which is advanced. Returns the reply time, ms.
 */
export async function mineBlock(
  miner: StratumMiner,
  node: GrpcNodeClient,
  address: string,
  nonces: { next: bigint },
): Promise<number> {
  const template = await node.getBlockTemplate(address, new Uint8Array());
  const target = compactToTarget(template.header.bits);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const job = await miner.nextJob(undefined, 30_000);
    assert.ok(job !== undefined, "a job");
    const nonce = miner.findNonce(job, { start: nonces.next++ << 32n, tries: 500_000, target });
    await new Promise((r) => setTimeout(r, 0)); // let a fresh job arrive
    if (nonce === undefined || miner.job !== job) continue;
    const t0 = performance.now();
    const r = await miner.submit(job, nonce, 30_000);
    if (r.error !== null) continue; // stale: the job moved on meanwhile
    return performance.now() - t0;
  }
  throw new Error("no block within 90 s");
}
