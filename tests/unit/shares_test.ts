// Unit tests for lib/shares: nonce forms, the bounded job ring and validateShare with real kHeavyHash.
// Pure: run with no permissions (the PoW kernel and header fixtures are static imports).

import assert from "node:assert/strict";
import { difficultyToTarget } from "../../lib/pow/mod.ts";
import {
  JobRing,
  parseHexNonce,
  parseNonce,
  roundPow2,
  validateShare,
} from "../../lib/shares/mod.ts";
import { findNonce, HEADERS, mainnetAddress, realJob } from "../fixtures/transcripts/real_jobs.ts";

const EASY = 2 ** -20; // share target ≈ 2^244: one nonce in ~4096 is a share
const PAY = mainnetAddress(1);

Deno.test("shares complete a short hex nonce with the extranonce as its high bytes", () => {
  assert.equal(parseHexNonce("a1b2c3d4e5f6", "0001"), 0x0001a1b2c3d4e5f6n);
  assert.equal(parseHexNonce("0xa1b2c3d4e5f6", "0001"), 0x0001a1b2c3d4e5f6n);
  assert.equal(parseHexNonce("1", "0001"), 0x0001000000000001n, "left-zero-padded rest");
  assert.equal(
    parseHexNonce("ffa1b2c3d4e5f6", "0001"),
    0xffa1b2c3d4e5f6n,
    "too long for the room: whole nonce",
  );
  assert.equal(parseHexNonce("0001a1b2c3d4e5f6", "0001"), 0x0001a1b2c3d4e5f6n);
  assert.equal(parseHexNonce("a1b2", ""), 0xa1b2n);
  assert.equal(parseHexNonce("12345678901234567", ""), undefined, "17 hex chars");
  assert.equal(parseHexNonce("xyz", ""), undefined);
  assert.equal(parseHexNonce("", "00"), undefined);
});

Deno.test("shares read nonces per form: hex, decimal, and every unambiguous Bitmain form", () => {
  const hex = { form: "hex" as const, extranonceHex: "00ff" };
  const dec = { form: "decimal" as const, extranonceHex: "" };
  const any = { form: "any" as const, extranonceHex: "" };
  assert.deepEqual(parseNonce("1234", hex), [0x00ff000000001234n]);
  assert.deepEqual(parseNonce(77, hex), [77n], "a JSON integer is the nonce itself");
  assert.deepEqual(parseNonce("18446744073709551615", dec), [2n ** 64n - 1n]);
  assert.deepEqual(parseNonce("18446744073709551616", dec), undefined, "above u64");
  assert.deepEqual(parseNonce(18446744073709551615n, dec), [2n ** 64n - 1n]);
  assert.deepEqual(parseNonce("0x10", dec), [16n]);
  assert.deepEqual(parseNonce("-1", dec), undefined);
  assert.deepEqual(parseNonce("0x00000000000004d2", any), [1234n]);
  assert.deepEqual(parseNonce("00000000000004d2", any), [1234n], "hex letters: hex");
  assert.deepEqual(
    parseNonce("12345678901234567890", any),
    [12345678901234567890n],
    "20 digits: decimal",
  );
  assert.deepEqual(parseNonce("1234", any), [0x1234n, 1234n], "ambiguous: hex first, then decimal");
  assert.deepEqual(parseNonce("7", any), [7n], "equal readings collapse");
  assert.deepEqual(parseNonce(1.5, any), undefined);
  assert.deepEqual(parseNonce("0xzz", any), undefined);
});

Deno.test("job ring keeps the newest jobs by id and drops the oldest past capacity", () => {
  const ring = new JobRing({ capacity: 300 });
  const job = realJob(HEADERS.devnetA, { payAddress: PAY });
  for (let i = 0; i < 301; i++) ring.add(job, 1);
  assert.equal(ring.size, 300);
  assert.equal(ring.get(1), undefined, "the first job left the ring");
  assert.equal(ring.get(2)?.id, 2);
  assert.equal(ring.get(301)?.key, job.workKey, "the job's own work key");
  assert.equal(ring.newest()?.id, 301);
  assert.deepEqual(ring.before(ring.get(301)!, 3).map((e) => e.id), [300, 299, 298]);
  assert.deepEqual(ring.before(ring.get(3)!, 5).map((e) => e.id), [2], "stops at the oldest held");
});

Deno.test("job ring keeps each job's difficulty through changes and evictions", () => {
  const ring = new JobRing({ capacity: 5 });
  const job = realJob(HEADERS.devnetA, { payAddress: PAY });
  // Difficulty per job id 1..12; runs of repeats, a change back, a change on every job.
  const sent = [4, 4, 8, 8, 8, 2, 4, 16, 32, 32, 1, 1];
  sent.forEach((d, i) => {
    assert.equal(ring.add(job, d).difficulty, d);
    // Every held job still answers with the difficulty it was sent at.
    for (let id = Math.max(1, i + 2 - 5); id <= i + 1; id++) {
      assert.equal(ring.get(id)?.difficulty, sent[id - 1], `job ${id} after adding job ${i + 1}`);
    }
  });
  assert.equal(ring.get(7), undefined);
  assert.deepEqual(ring.before(ring.get(12)!, 4).map((e) => e.difficulty), [1, 32, 32, 16]);
});

Deno.test("job ring shares one duplicate set between ids of the same work", () => {
  const ring = new JobRing();
  const job = realJob(HEADERS.devnetA, { payAddress: PAY });
  const first = ring.add(job, 1);
  const resent = ring.add(job, 2);
  ring.record(first, 5n);
  assert.ok(ring.seen(resent, 5n), "re-sent job under a new id sees the nonce");
  assert.deepEqual(ring.byKey(job.workKey), resent, "the key names the newest entry");
  assert.equal(ring.nonceCount, 1);
});

Deno.test("job ring lists the jobs of one work newest first, one entry per job", () => {
  const ring = new JobRing({ capacity: 10 });
  const a = realJob(HEADERS.devnetA, { payAddress: PAY });
  const later = realJob(HEADERS.devnetA, { payAddress: PAY, timestampDelta: 1000n });
  const b = realJob(HEADERS.devnetB, { payAddress: PAY });
  ring.add(a, 1); // 1
  ring.add(b, 1); // 2
  ring.add(a, 2); // 3: a re-sent at a new difficulty
  ring.add(later, 2); // 4: a's work under a new timestamp
  ring.add(later, 4); // 5
  assert.deepEqual(ring.sameWork(a.workKey, 5).map((e) => e.id), [5, 3]);
  assert.deepEqual(ring.sameWork(a.workKey, 1).map((e) => e.id), [5]);
  assert.deepEqual(ring.sameWork(b.workKey, 5).map((e) => e.id), [2]);
  assert.deepEqual(ring.sameWork("00", 5), []);
});

Deno.test("job ring bounds remembered nonces by dropping the oldest jobs", () => {
  const ring = new JobRing({ capacity: 10, maxNonces: 4 });
  const a = ring.add(realJob(HEADERS.devnetA, { payAddress: PAY }), 1);
  const b = ring.add(realJob(HEADERS.devnetB, { payAddress: PAY }), 1);
  ring.record(a, 1n);
  ring.record(a, 2n);
  ring.record(b, 1n);
  ring.record(b, 2n);
  assert.equal(ring.nonceCount, 4);
  ring.record(b, 3n);
  assert.equal(
    ring.get(a.id),
    undefined,
    "job a left, so its shares are stale rather than unguarded",
  );
  assert.equal(ring.nonceCount, 3);
  assert.ok(ring.seen(b, 3n));
});

Deno.test("validateShare accepts a real share, then calls it a duplicate", () => {
  const job = realJob(HEADERS.devnetA, { payAddress: PAY });
  const ring = new JobRing();
  const entry = ring.add(job, EASY);
  const nonce = findNonce(job, { kind: "share", shareDifficulty: EASY });
  const verdict = validateShare({
    ring,
    entry,
    nonces: [nonce],
    neighbourJobs: 0,
    difficultyOf: (e) => e.difficulty,
  });
  assert.equal(verdict.kind, "valid");
  if (verdict.kind === "valid") {
    assert.equal(verdict.block, false);
    assert.ok(verdict.powValue <= difficultyToTarget(EASY));
    assert.ok(verdict.powValue > job.networkTarget);
  }
  const again = validateShare({
    ring,
    entry,
    nonces: [nonce],
    neighbourJobs: 0,
    difficultyOf: (e) => e.difficulty,
  });
  assert.equal(again.kind, "duplicate");
});

Deno.test("validateShare calls a nonce above the share target weak and does not remember it", () => {
  const job = realJob(HEADERS.devnetA, { payAddress: PAY });
  const ring = new JobRing();
  const entry = ring.add(job, EASY);
  const nonce = findNonce(job, { kind: "weak", shareDifficulty: EASY });
  const input = { ring, entry, nonces: [nonce], neighbourJobs: 0, difficultyOf: () => EASY };
  assert.equal(validateShare(input).kind, "weak");
  assert.equal(validateShare(input).kind, "weak");
  assert.equal(ring.nonceCount, 0);
});

Deno.test("validateShare flags a share meeting the network target as a block, even above share difficulty", () => {
  const job = realJob(HEADERS.simnet, { payAddress: PAY });
  const ring = new JobRing();
  const entry = ring.add(job, 2 ** 40);
  const nonce = findNonce(job, { kind: "block", shareDifficulty: 2 ** 40 });
  const verdict = validateShare({
    ring,
    entry,
    nonces: [nonce],
    neighbourJobs: 0,
    difficultyOf: () => 2 ** 40,
  });
  assert.equal(verdict.kind === "valid" && verdict.block, true);
});

Deno.test("validateShare retries a neighbouring job only when asked to", () => {
  const older = realJob(HEADERS.devnetA, { payAddress: PAY });
  const newer = realJob(HEADERS.devnetB, { payAddress: PAY });
  const nonce = findNonce(older, { kind: "share", shareDifficulty: EASY });
  assert.ok(newer.pow().powValue(nonce) > difficultyToTarget(EASY), "not a share of the newer job");
  const ring = new JobRing();
  const e1 = ring.add(older, EASY);
  const e2 = ring.add(newer, EASY);
  const base = { ring, entry: e2, nonces: [nonce], difficultyOf: () => EASY };
  assert.equal(validateShare({ ...base, neighbourJobs: 0 }).kind, "weak");
  const retried = validateShare({ ...base, neighbourJobs: 4 });
  assert.deepEqual(retried.kind === "valid" && retried.entry, e1);
});

Deno.test("validateShare tries each candidate of an ambiguous nonce", () => {
  const job = realJob(HEADERS.devnetC, { payAddress: PAY });
  const ring = new JobRing();
  const entry = ring.add(job, EASY);
  const nonce = findNonce(job, { kind: "share", shareDifficulty: EASY });
  const verdict = validateShare({
    ring,
    entry,
    nonces: [nonce + 1n, nonce],
    neighbourJobs: 0,
    difficultyOf: () => EASY,
  });
  assert.equal(verdict.kind === "valid" && verdict.nonce, nonce);
});

Deno.test("difficulty helpers round to the nearest power of two in log scale", () => {
  assert.equal(roundPow2(1000), 1024);
  assert.equal(roundPow2(2800), 2048);
  assert.equal(roundPow2(3000), 4096, "log2(3000) = 11.55");
  assert.equal(roundPow2(0.3), 0.25);
  assert.equal(difficultyToTarget(8192), ((1n << 224n) - 1n) / 8192n, "diff 8192 → about 2^211");
});

Deno.test("job ring finds jobs by id and key across many wraps of its circular buffer", () => {
  const ring = new JobRing({ capacity: 3 });
  const jobs = [HEADERS.devnetA, HEADERS.devnetB, HEADERS.devnetC].map((h) =>
    realJob(h, { payAddress: PAY })
  );
  for (let i = 0; i < 10; i++) ring.add(jobs[i % 3]!, i);
  assert.equal(ring.size, 3);
  assert.equal(ring.get(7), undefined, "evicted");
  assert.equal(ring.get(11), undefined, "not sent yet");
  assert.equal(ring.get(8.5), undefined);
  assert.deepEqual(ring.get(9), { id: 9, job: jobs[2], difficulty: 8, key: jobs[2]!.workKey });
  assert.deepEqual(ring.newest(), { id: 10, job: jobs[0], difficulty: 9, key: jobs[0]!.workKey });
  assert.equal(ring.byKey(jobs[1]!.workKey)?.id, 8, "the newest entry of that work");
  assert.deepEqual(ring.byKey(jobs[0]!.workKey)?.id, 10);
  assert.deepEqual(ring.before(ring.newest()!, 5).map((e) => e.id), [9, 8]);
  ring.record(ring.get(8)!, 42n);
  assert.equal(ring.nonceCount, 1);
  ring.add(jobs[1]!, 1); // id 11, the same work as 8: its nonces stay while either is held
  ring.add(jobs[0]!, 1);
  ring.add(jobs[0]!, 1); // 8 leaves; 11 still holds the work
  assert.equal(ring.nonceCount, 1);
  assert.ok(ring.seen(ring.get(11)!, 42n), "a later id of the same work sees the nonce");
  for (let i = 14; i < 17; i++) ring.add(jobs[0]!, 1);
  assert.equal(ring.nonceCount, 0, "a work's nonces leave with its last entry");
});
