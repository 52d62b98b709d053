// An honest miner and its share-reply latency, for the hostile-input tests that measure it during attacks.
// Shares at the miner's own target; each test file's nonces start apart from the others'.

import assert from "node:assert/strict";
import { StratumMiner } from "../../scripts/stratum_miner.ts";

let nonceBase = 0n;

/** The honest miner the hostile-input tests keep working during an attack: bighex, handshaken. */
export async function connectHonest(port: number, address: string): Promise<StratumMiner> {
  const honest = await StratumMiner.connect(port, { dialect: "bighex", address, worker: "honest" });
  await honest.handshake();
  return honest;
}

/**
 * Submits `n` shares from `miner` and returns each reply's latency, ms (write to reply; the nonce
 * search is not counted). A share may be stale (21) when a new job raced it; anything else fails.
 */
export async function shareReplyMs(miner: StratumMiner, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const job = await miner.nextJob(undefined, 30_000);
    assert.ok(job !== undefined, "a job");
    const nonce = miner.findNonce(job, { start: nonceBase++ << 32n, tries: 2_000_000 });
    assert.ok(nonce !== undefined, "a share within 2M hashes");
    const t0 = performance.now();
    const r = await miner.submit(job, nonce, 20_000);
    out.push(performance.now() - t0);
    assert.ok(r.error === null || (r.error as unknown[])[0] === 21, JSON.stringify(r));
  }
  return out;
}
