// Unit tests for the session engine's share path with real kHeavyHash: accept, duplicate, weak,
// stale, blocks before replies, neighbouring-job retry, Bitmain nonce forms, Simplified Stratum.
// Pure: run with no permissions.

import assert from "node:assert/strict";
import { difficultyToTarget } from "../../lib/pow/mod.ts";
import type { Job } from "../../lib/kaspa/types.ts";
import { findNonce, HEADERS, mainnetAddress, realJob } from "../fixtures/transcripts/real_jobs.ts";
import {
  actions,
  errorCode,
  harness,
  lines,
  replies,
} from "../fixtures/transcripts/session_harness.ts";

const ADDR = mainnetAddress(11);
const EASY = 2 ** -20;
const job = (name: string, _seq: number): Job => realJob(name, { payAddress: ADDR });

/** A session past authorize with `jobs` sent (ids 1..n), 1 s apart. */
function mining(agent: string, jobs: Job[], extra: Parameters<typeof harness>[0] = {}) {
  const h = harness({ difficulty: { kind: "fixed", difficulty: EASY }, ...extra });
  h.send({ id: 1, method: "mining.subscribe", params: [agent] });
  h.send({ id: 2, method: "mining.authorize", params: [`${ADDR}.rig`, "x"] });
  jobs.forEach((j, i) => h.session.onJob(j, 1000 * (i + 1)));
  return h;
}

/** Where to resume a nonce search after the ones found so far (low 48 bits). */
const next = (found: bigint[]) =>
  found.length === 0 ? 0n : (found.at(-1)! & 0xffff_ffff_ffffn) + 1n;

/** The low 6 bytes a miner with extranonce 0001 submits. */
const low6 = (nonce: bigint) => (nonce & 0xffff_ffff_ffffn).toString(16).padStart(12, "0");

Deno.test("session accepts a real share, then answers duplicate 22, weak 23 and unknown job 21", () => {
  const j1 = job(HEADERS.devnetA, 1);
  const h = mining("lolMiner 1.88", [j1]);
  const good = findNonce(j1, { kind: "share", shareDifficulty: EASY, prefixHex: "0001" });
  const weak = findNonce(j1, { kind: "weak", shareDifficulty: EASY, prefixHex: "0001" });
  const submit = (id: number, jobId: string, nonce: string) =>
    h.send({ id, method: "mining.submit", params: [`${ADDR}.rig`, jobId, nonce] }, 5000);
  assert.deepEqual(lines(submit(10, "1", low6(good))), ['{"id":10,"result":true,"error":null}']);
  assert.deepEqual(lines(submit(11, "1", `0x${good.toString(16).padStart(16, "0")}`)), [
    '{"id":11,"result":null,"error":[22,"Duplicate share",null]}',
  ]);
  assert.deepEqual(lines(submit(12, "1", low6(weak))), [
    '{"id":12,"result":null,"error":[23,"Low difficulty share",null]}',
  ]);
  assert.deepEqual(lines(submit(13, "99", low6(good))), [
    '{"id":13,"result":null,"error":[21,"Job not found",null]}',
  ]);
  assert.equal(errorCode(submit(14, "1", "xyz")), -32602);
  assert.deepEqual(h.events.outcomes(), ["valid", "duplicate", "weak", "stale", "invalid"]);
  const valid = h.events.of("share")[0]!.event;
  assert.deepEqual([valid.who.worker, valid.difficulty, valid.at], ["rig", EASY, 5000]);
  assert.equal(h.events.of("protocolError").length, 0, "share verdicts are not protocol errors");
});

Deno.test("session submits a block before answering the share, then reports it", () => {
  const sim = job(HEADERS.simnet, 1);
  const h = mining("lolMiner 1.88", [sim]);
  const nonce = findNonce(sim, { kind: "block", shareDifficulty: EASY, prefixHex: "0001" });
  const step = h.send({ id: 20, method: "mining.submit", params: ["x", "1", low6(nonce)] }, 7000);
  assert.deepEqual(lines(step), [], "no reply until the node answered");
  const [effect] = actions(step);
  assert.ok(effect?.kind === "submitBlock");
  assert.equal(effect.nonce, nonce);
  assert.equal(effect.job, sim);
  assert.equal(effect.who.worker, "rig");
  assert.equal(h.session.pendingBlocks, 1);
  const done = h.session.onBlockResult(effect.ticket, {
    verdict: { kind: "accepted" },
    hash: "ab".repeat(32),
  }, 7100);
  assert.deepEqual(lines(done), ['{"id":20,"result":true,"error":null}']);
  const [found] = h.events.of("blockFound");
  assert.equal(found?.event.verdict, "accepted");
  assert.equal(found?.event.hash, "ab".repeat(32));
  assert.equal(found?.event.nonce, nonce);
  assert.equal(found?.event.daaScore, sim.template.header.daaScore);
  assert.equal(found?.event.at, 7100);
  assert.deepEqual(h.events.outcomes(), ["valid"]);
  assert.equal(h.session.pendingBlocks, 0);
});

Deno.test("session answers a block share as accepted even when the node rejects the block", () => {
  const sim = job(HEADERS.simnet, 1);
  const h = mining("lolMiner 1.88", [sim]);
  const nonce = findNonce(sim, { kind: "block", shareDifficulty: EASY, prefixHex: "0001" });
  const [effect] = actions(
    h.send({ id: 21, method: "mining.submit", params: ["x", "1", low6(nonce)] }),
  );
  assert.ok(effect?.kind === "submitBlock");
  const verdict = { kind: "rejected" as const, reason: "invalid" as const, message: "bad merkle" };
  const done = h.session.onBlockResult(effect.ticket, { verdict, hash: "cd".repeat(32) }, 1);
  assert.deepEqual(lines(done), ['{"id":21,"result":true,"error":null}']);
  assert.equal(h.events.of("blockFound")[0]?.event.reason, "bad merkle");
  const log = done.effects.find((e) => e.kind === "log");
  assert.ok(log?.kind === "log" && log.level === "warn" && log.message === "block rejected");
});

Deno.test("session retries IceRiver shares against earlier jobs, array-jobs miners get no retry", () => {
  const j1 = job(HEADERS.devnetA, 1);
  const j2 = job(HEADERS.devnetB, 2);
  const nonce = findNonce(j1, { kind: "share", shareDifficulty: EASY, prefixHex: "0001" });
  assert.ok(!j2.pow().meets(nonce, difficultyToTarget(EASY)), "fixture: not a share of job 2");
  const ice = mining("IceRiverMiner-v1.1", [j1, j2]);
  const r = ice.send({ id: 30, method: "mining.submit", params: ["x", "2", low6(nonce)] }, 3000);
  assert.deepEqual(lines(r), ['{"id":30,"result":true,"error":null}']);
  const lol = mining("lolMiner 1.88", [j1, j2]);
  assert.equal(
    errorCode(lol.send({ id: 31, method: "mining.submit", params: ["x", "2", low6(nonce)] })),
    23,
  );
});

Deno.test("session reads Bitmain nonces as 0x-hex, bare hex and decimal", () => {
  const j1 = job(HEADERS.devnetC, 1);
  const nonces: bigint[] = [];
  for (let i = 0; i < 3; i++) {
    nonces.push(
      findNonce(j1, { kind: "share", shareDifficulty: EASY, from: (nonces.at(-1) ?? -1n) + 1n }),
    );
  }
  const h = mining("GodMiner/2.0.0", [j1]);
  const forms = [
    `0x${nonces[0]!.toString(16)}`,
    nonces[1]!.toString(16).padStart(16, "0"),
    nonces[2]!.toString(10),
  ];
  forms.forEach((nonce, i) => {
    const step = h.send({ id: 40 + i, method: "mining.submit", params: ["x", "1", nonce] });
    assert.equal(errorCode(step), null, `form ${nonce}`);
  });
  assert.equal(
    errorCode(h.send({ id: 49, method: "mining.submit", params: ["x", "1", forms[2]!] })),
    22,
  );
});

Deno.test("session accepts a Simplified Stratum share by pre-PoW hash and decimal nonce", () => {
  const j1 = job(HEADERS.devnetA, 1);
  const h = harness({ difficulty: { kind: "fixed", difficulty: EASY } });
  h.send({ id: 1, method: "subscribe", params: [ADDR, "KaspaMiner/1.0.0"] });
  const auth = replies(h.send({ id: 2, method: "authorize", params: ["m1"] }))[0]!.result as [
    number,
    string,
    number,
  ];
  assert.deepEqual(auth, [0, "0001", EASY]);
  h.session.onJob(j1, 1);
  const prePow = Array.from(j1.prePowHash, (b) => b.toString(16).padStart(2, "0")).join("");
  const nonce = findNonce(j1, { kind: "share", shareDifficulty: EASY, prefixHex: "0001" });
  const ok = h.send({ id: 3, method: "submit", params: [0, prePow, nonce.toString()] });
  assert.deepEqual(lines(ok), ['{"id":3,"result":true,"error":null}']);
  const dup = h.send({
    id: 4,
    method: "submit",
    params: ["0", prePow.toUpperCase(), nonce.toString()],
  });
  assert.deepEqual(lines(dup), ['{"id":4,"result":false,"error":[22,"Duplicate share"]}']);
  const stale = h.send({ id: 5, method: "submit", params: [0, "00".repeat(32), "1"] });
  assert.deepEqual(lines(stale), ['{"id":5,"result":false,"error":[21,"Job not found"]}']);
  const stranger = h.send({ id: 6, method: "submit", params: [7, prePow, "1"] });
  assert.deepEqual(lines(stranger), ['{"id":6,"result":false,"error":[24,"Unknown worker id 7"]}']);
});

Deno.test("session judges a Simplified Stratum share against the same work's earlier timestamp", () => {
  // After a failover to a node on the same DAG the same work comes back under a new timestamp;
  // a `simple` miner names work by pre-PoW hash only, so a share it found just before that must still
  // be judged against the job it was working on.
  const before = realJob(HEADERS.devnetA, { payAddress: ADDR });
  const after = realJob(HEADERS.devnetA, { payAddress: ADDR, timestampDelta: 1000n });
  assert.equal(after.workKey, before.workKey, "same work");
  const h = harness({ difficulty: { kind: "fixed", difficulty: EASY } });
  h.send({ id: 1, method: "subscribe", params: [ADDR, "KaspaMiner/1.0.0"] });
  h.send({ id: 2, method: "authorize", params: ["m1"] });
  h.session.onJob(before, 1);
  h.session.onJob(after, 2000);
  // A share of the old timestamp that is not one of the new.
  const target = difficultyToTarget(EASY);
  const found: bigint[] = [];
  let nonce = 0n;
  for (;;) {
    nonce = findNonce(before, {
      kind: "share",
      shareDifficulty: EASY,
      prefixHex: "0001",
      not: found,
    });
    if (after.pow().powValue(nonce) > target) break;
    found.push(nonce);
  }
  const prePow = before.workKey;
  const ok = h.send({ id: 3, method: "submit", params: [0, prePow, nonce.toString()] }, 2100);
  assert.deepEqual(lines(ok), ['{"id":3,"result":true,"error":null}']);
  const again = h.send({ id: 4, method: "submit", params: [0, prePow, nonce.toString()] }, 2200);
  assert.equal(errorCode(again), 22, "still one share per nonce of the work");
  const weakOf = (j: Job, from: bigint) =>
    findNonce(j, { kind: "weak", shareDifficulty: EASY, prefixHex: "0001", from });
  let weak = weakOf(before, 0n);
  while (weakOf(after, weak & 0xffff_ffff_ffffn) !== weak) {
    weak = weakOf(before, (weak & 0xffff_ffff_ffffn) + 1n);
  }
  const none = h.send({ id: 5, method: "submit", params: [0, prePow, weak.toString()] }, 2300);
  assert.equal(errorCode(none), 23, "a share of neither timestamp is weak");
});

Deno.test("session keeps 300 jobs: the 301st pushes job 1 out and its shares turn stale", () => {
  const j1 = job(HEADERS.devnetA, 1);
  const h = mining("lolMiner 1.88", [], { jobIntervalMs: 0 });
  const nonce = findNonce(j1, { kind: "share", shareDifficulty: EASY, prefixHex: "0001" });
  for (let i = 0; i < 300; i++) h.session.onJob({ ...j1, seq: i + 1 }, i);
  assert.equal(
    errorCode(h.send({ id: 50, method: "mining.submit", params: ["x", "1", low6(nonce)] })),
    null,
  );
  h.session.onJob({ ...j1, seq: 301 }, 301);
  assert.equal(
    errorCode(h.send({ id: 51, method: "mining.submit", params: ["x", "1", low6(nonce)] })),
    21,
  );
  assert.equal(
    errorCode(h.send({ id: 52, method: "mining.submit", params: ["x", "301", low6(nonce)] })),
    22,
    "same work re-sent under another id is still a duplicate",
  );
});

Deno.test("session judges a share at the difficulty its job was sent with", () => {
  const j1 = job(HEADERS.devnetA, 1);
  const h = mining("lolMiner 1.88", [j1], {
    difficulty: { kind: "vardiff", initial: EASY, min: EASY, max: 1 },
  });
  const nonces: bigint[] = [];
  let now = 2000;
  // A burst of 10 valid shares makes vardiff raise the difficulty (fast start).
  let reply: string[] = [];
  while (nonces.length < 10) {
    const n = findNonce(j1, {
      kind: "share",
      shareDifficulty: EASY,
      prefixHex: "0001",
      from: next(nonces),
    });
    nonces.push(n);
    reply = lines(
      h.send(
        { id: 60 + nonces.length, method: "mining.submit", params: ["x", "1", low6(n)] },
        now += 10,
      ),
    );
  }
  assert.equal(reply[0], `{"id":70,"result":true,"error":null}`);
  assert.match(
    reply[1] ?? "",
    /^\{"id":null,"method":"mining.set_difficulty","params":\[[0-9.e-]+\]\}$/,
  );
  assert.match(
    reply[2] ?? "",
    /^\{"id":2,"method":"mining.notify","params":\["2",/,
    "difficulty right before the job",
  );
  const raised = JSON.parse(reply[1]!).params[0] as number;
  assert.ok(raised > EASY);
  // Job 1 was sent at EASY, so an EASY share on it still counts, at EASY.
  const n = findNonce(j1, {
    kind: "share",
    shareDifficulty: EASY,
    prefixHex: "0001",
    from: next(nonces),
  });
  assert.equal(
    errorCode(h.send({ id: 80, method: "mining.submit", params: ["x", "1", low6(n)] }, now + 10)),
    null,
  );
  assert.equal(h.events.of("share").at(-1)?.event.difficulty, EASY);
});

Deno.test("session tells a Simplified Stratum worker its new difficulty in the submit reply", () => {
  const j1 = job(HEADERS.devnetA, 1);
  const h = harness({ difficulty: { kind: "vardiff", initial: EASY, min: EASY, max: 1 } });
  h.send({ id: 1, method: "subscribe", params: [ADDR, "KaspaMiner/1.0.0"] });
  h.send({ id: 2, method: "authorize", params: ["m1"] });
  h.session.onJob(j1, 1);
  const prePow = Array.from(j1.prePowHash, (b) => b.toString(16).padStart(2, "0")).join("");
  const nonces: bigint[] = [];
  const results: unknown[] = [];
  for (let i = 0; i < 10; i++) {
    const n = findNonce(j1, {
      kind: "share",
      shareDifficulty: EASY,
      prefixHex: "0001",
      from: next(nonces),
    });
    nonces.push(n);
    results.push(
      replies(
        h.send({ id: 10 + i, method: "submit", params: [0, prePow, n.toString()] }, 10 + i),
      )[0]!.result,
    );
  }
  assert.deepEqual(results.slice(0, 9), Array(9).fill(true));
  assert.equal(typeof results[9], "number");
  const following = lines(h.session.onJob(job(HEADERS.devnetB, 2), 5000));
  assert.equal(JSON.parse(following[0]!).params[3], results[9], "the next notify carries it too");
});
