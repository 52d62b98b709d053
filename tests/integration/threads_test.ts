// `threads: 2` in process against the fake kaspad (10 templates/s on demand, which a real kaspad
// cannot give): both Stratum threads serve miners, their extranonces never collide, every share
// and block crosses back to the one stats and the one submitter, and the drain settles the counts.

import assert from "node:assert/strict";
import { createLogger } from "../../lib/log/mod.ts";
import { withFakeStack } from "../helpers/fake_stack.ts";
import { randomDevnetAddress } from "../../scripts/kaspad_process.ts";
import { StratumMiner } from "../../scripts/stratum_miner.ts";

const EASY_BITS = 0x207fffff; // half of all hashes are blocks
const MINERS = 48;

Deno.test("threads: 2 threads serve miners on one port; extranonces unique, shares and blocks counted once on main", async () => {
  const lines: string[] = [];
  const log = createLogger({ level: "info", format: "json", write: (l) => lines.push(l) });
  const miners: StratumMiner[] = [];
  await withFakeStack({
    fake: { bits: EASY_BITS },
    args: ["--threads", "2", "--extranonce-size", "1"],
    log,
  }, async (port, fake, running) => {
    assert.equal(running.threads, 2);
    for (let i = 0; i < MINERS; i++) {
      const m = await StratumMiner.connect(port, {
        dialect: (["array", "bighex", "bitmain", "simple"] as const)[i % 4]!,
        address: randomDevnetAddress(),
        worker: `w${i}`,
      });
      miners.push(m);
      await m.handshake();
    }
    // Extranonces: unique across threads; even values come from thread 0, odd from thread 1.
    const values = miners.filter((m) => m.dialect !== "bitmain").map((m) =>
      parseInt(m.extranonce, 16)
    );
    assert.equal(new Set(values).size, values.length, `unique extranonces: ${values}`);
    assert.ok(values.some((v) => v % 2 === 0), "thread 0 served miners");
    assert.ok(values.some((v) => v % 2 === 1), "thread 1 served miners");

    // One share per miner; with EASY_BITS about half are blocks, submitted by the main thread.
    let accepted = 0;
    let nonce = 1n;
    for (const m of miners) {
      const job = await m.nextJob(undefined, 20_000);
      assert.ok(job !== undefined, `${m.worker} got a job`);
      const found = m.findNonce(job, { start: nonce, tries: 1000 });
      nonce += 1000n;
      assert.ok(found !== undefined);
      const r = await m.submit(job, found);
      if (r.error === null) accepted++;
    }
    assert.ok(accepted >= MINERS - 4, `accepted ${accepted} of ${MINERS} (a few may be stale)`);
    for (const m of miners) m.close();
    const snapshotConnections = () => running.stats.snapshot({ workers: false }).connections.total;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const t = running.stats.snapshot({ workers: false }).totals;
      if (t.shares.valid === accepted && snapshotConnections() === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const totals = running.stats.snapshot({ workers: false }).totals;
    assert.equal(totals.shares.valid, accepted, "every accepted share counted once, on main");
    assert.equal(snapshotConnections(), 0, "every thread's disconnects replayed");
    assert.equal(
      totals.blocks.found,
      totals.blocks.accepted + totals.blocks.rejected + totals.blocks.unreachable,
    );
    assert.ok(totals.blocks.accepted > 0, "blocks found on threads were submitted by main");
    assert.equal(fake.stats().submits, totals.blocks.found, "the node saw every block once");
    // Each thread's lines reach the one log, marked with the thread.
    const threads = new Set(
      lines.map((l) => JSON.parse(l) as { thread?: number; msg: string })
        .filter((r) => r.msg === "stratum listening").map((r) => r.thread),
    );
    assert.deepEqual([...threads].sort(), [0, 1]);
  }).finally(() => {
    for (const m of miners) m.close();
  });
});
