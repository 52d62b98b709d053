// The pure parts of `threads: N`: events packed on a thread and replayed on main, extranonce
// spaces split between threads, the thread count `auto` picks, and limits split per thread.

import assert from "node:assert/strict";
import { EventPacker, EventUnpacker, REDEFINE_MS, splitLimits } from "../../lib/threads/mod.ts";
import { ExtranoncePool } from "../../lib/session/mod.ts";
import type { MinerEvents, WorkerRef } from "../../lib/session/mod.ts";
import { threadCountOf } from "../../lib/app/wiring.ts";

/** A MinerEvents that records every call as [method, ...args]. */
function recorder(): { events: MinerEvents; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const rec = (name: string) => (...args: unknown[]) => void calls.push([name, ...args]);
  return {
    calls,
    events: {
      connected: rec("connected"),
      disconnected: rec("disconnected"),
      authorized: rec("authorized"),
      share: rec("share"),
      jobSent: rec("jobSent"),
      difficultyChanged: rec("difficultyChanged"),
      blockFound: rec("blockFound"),
      blockColor: rec("blockColor"),
      protocolError: rec("protocolError"),
      proxyRejected: rec("proxyRejected"),
      refused: rec("refused"),
    },
  };
}

const who: WorkerRef = {
  worker: "rig1",
  wallet: "kaspa:qq",
  miner: "lolMiner 1.9",
  ip: "10.0.0.7",
  dialect: "bighex",
};

Deno.test("threads: every miner event crosses packed and is replayed unchanged, in order", () => {
  let now = 1_000;
  let firsts = 0;
  const packer = new EventPacker(() => now, () => firsts++);
  const direct = recorder();
  // The same calls on the packer and on a recorder, then the packer's batch replayed.
  const play = (e: MinerEvents) => {
    e.connected("10.0.0.7", "unknown");
    e.authorized(who);
    e.difficultyChanged(who, 4096);
    e.jobSent(who);
    e.share({ who, outcome: "valid", difficulty: 4096, at: 1234 });
    e.share({ who, outcome: "stale", difficulty: 4096, at: 1235 });
    e.protocolError(who, 21);
    e.protocolError(undefined, 24, "bad-address");
    e.blockFound({
      who,
      hash: "ab".repeat(32),
      daaScore: 12345678901234n,
      verdict: "accepted",
      nonce: 2n ** 63n + 5n,
      at: 1300,
    });
    e.blockFound({ who, hash: "cd", daaScore: 1n, verdict: "rejected", reason: "invalid", at: 2 });
    e.blockColor("ab", true);
    e.proxyRejected?.("timeout");
    e.refused?.("descriptors");
    e.refused?.("extranonce_full");
    e.disconnected(who, "10.0.0.7", "eof");
    e.disconnected(undefined, "10.0.0.8", "handshake timeout");
  };
  play(packer);
  play(direct.events);
  assert.equal(firsts, 1, "one flush scheduled for the whole batch");
  const batch = structuredClone(packer.flush());
  assert.equal(packer.pending, 0);
  const replayed = recorder();
  new EventUnpacker(() => now).replay(batch, replayed.events);
  assert.deepEqual(replayed.calls, direct.calls);
  // The WorkerRef crossed once, then as a number.
  assert.equal(batch.filter((v) => v === "lolMiner 1.9").length, 1);
  now += 10;
});

Deno.test("threads: a WorkerRef unused for long is defined again before the reader forgets it", () => {
  let now = 0;
  const packer = new EventPacker(() => now, () => {});
  const unpacker = new EventUnpacker(() => now);
  const sink = recorder();
  packer.authorized(who);
  unpacker.replay(structuredClone(packer.flush()), sink.events);
  // Two rotations of the reader with no use of the ref: it is forgotten ...
  now += 2 * REDEFINE_MS;
  unpacker.replay([], sink.events);
  now += 2 * REDEFINE_MS;
  unpacker.replay([], sink.events);
  assert.equal(unpacker.held, 0);
  // ... and the writer, whose definition is older than REDEFINE_MS, sends it again.
  packer.jobSent(who);
  unpacker.replay(structuredClone(packer.flush()), sink.events);
  assert.deepEqual(sink.calls.at(-1), ["jobSent", who]);
  // In regular use a ref stays held across rotations.
  for (let i = 0; i < 10; i++) {
    now += REDEFINE_MS / 2;
    packer.jobSent(who);
    unpacker.replay(structuredClone(packer.flush()), sink.events);
  }
  assert.equal(sink.calls.length, 12);
});

Deno.test("threads: a batch that does not decode is refused, not half-applied silently", () => {
  const sink = recorder();
  assert.throws(() => new EventUnpacker(Date.now).replay([99], sink.events), /opcode 99/);
  assert.throws(() => new EventUnpacker(Date.now).replay([3, 7], sink.events), /never defined/);
});

Deno.test("threads: the batch is handed over early when it reaches its size", () => {
  let full = 0;
  const packer = new EventPacker(Date.now, () => {}, () => full++, 100);
  for (let i = 0; i < 30; i++) packer.connected("1.2.3.4", "array");
  assert.equal(full, 0);
  for (let i = 0; i < 30; i++) packer.connected("1.2.3.4", "array");
  assert.ok(full > 0);
});

Deno.test("threads: extranonce spaces of the threads never overlap and together cover the space", () => {
  for (const count of [2, 3, 4]) {
    const pools = Array.from(
      { length: count },
      (_, index) => new ExtranoncePool(1, { index, count }),
    );
    const seen = new Set<number>();
    for (const pool of pools) {
      for (;;) {
        const e = pool.acquire();
        if (e === undefined) break;
        assert.ok(!seen.has(e.value), `value ${e.value} handed out twice`);
        assert.equal(e.hex, e.value.toString(16).padStart(2, "0"));
        seen.add(e.value);
      }
    }
    assert.equal(seen.size, 256, `${count} threads cover all 256 values`);
    assert.ok(pools.every((p) => p.refused === 1));
  }
  // Released values come back to their own thread's pool only.
  const pool = new ExtranoncePool(2, { index: 1, count: 2 });
  const first = pool.acquire()!;
  assert.equal(first.value % 2, 1);
  pool.release(first);
  pool.release({ value: 2, hex: "0002", size: 2 }); // another thread's value: ignored
  assert.equal(pool.inUse, 0);
  // One thread: the first miner still gets 0001.
  assert.equal(new ExtranoncePool(2).acquire()!.hex, "0001");
  assert.throws(() => new ExtranoncePool(2, { index: 2, count: 2 }), RangeError);
});

Deno.test("threads: auto is one per core on Linux up to 8, one elsewhere; a number is kept", () => {
  assert.equal(threadCountOf("auto", { os: "linux", cores: 2 }), 2);
  assert.equal(threadCountOf("auto", { os: "linux", cores: 1 }), 1);
  assert.equal(threadCountOf("auto", { os: "linux", cores: 32 }), 8);
  assert.equal(threadCountOf("auto", { os: "darwin", cores: 8 }), 1);
  assert.equal(threadCountOf("auto", { os: "windows", cores: 8 }), 1);
  assert.equal(threadCountOf(3, { os: "linux", cores: 2 }), 3);
});

Deno.test("threads: server-wide limits are split between threads, rounded up", () => {
  const split = splitLimits({
    maxConnections: 4096,
    maxConnectionsPerIp: 1,
    maxAddresses: 1000,
    maxAddressesPerIp: 65,
    maxAddressesPerConnection: 4,
    jobIntervalMs: 250,
  }, 2);
  assert.deepEqual(split, {
    maxConnections: 2048,
    maxConnectionsPerIp: 1,
    maxAddresses: 500,
    maxAddressesPerIp: 33,
    maxAddressesPerConnection: 4,
    jobIntervalMs: 250,
  });
});
