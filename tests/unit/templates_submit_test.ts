import assert from "node:assert/strict";
import { headerHash, toHex } from "../../lib/kaspa/mod.ts";
import { jobBlockHash, makeJob } from "../../lib/kaspa/job.ts";
import { JobStore } from "../../lib/templates/jobs.ts";
import { exponentialBackoff } from "../../lib/runtime/mod.ts";
import { NodeBlockSubmitter } from "../../lib/templates/submit.ts";
import type { BlockTemplate, Job } from "../../lib/kaspa/types.ts";
import { compactToTarget } from "../../lib/pow/mod.ts";
import { fakeHeader, FakeNode } from "../helpers/fake_node.ts";
import { ManualClock } from "../helpers/manual_clock.ts";

function template(tag = "t"): BlockTemplate {
  return { header: fakeHeader(tag), raw: {}, payAddress: "kaspadev:x", isSynced: true };
}

function submitter(clock: ManualClock, node: FakeNode, colors: Array<[string, boolean]> = []) {
  return new NodeBlockSubmitter({
    node,
    clock,
    backoff: exponentialBackoff({ baseMs: 100, maxMs: 1000 }),
    maxAgeMs: 5000,
    colorIntervalMs: 1000,
    colorMaxMs: 10_000,
    onBlockColor: (hash, blue) => colors.push([hash, blue]),
  });
}

Deno.test("a job hashes its template once and builds the PoW state lazily, once", () => {
  let built = 0;
  const job = makeJob(template(), 1000, () => {
    built++;
    return { powValue: () => 0n, meets: () => true };
  });
  assert.equal(built, 0);
  assert.equal(job.pow(), job.pow());
  assert.equal(built, 1);
  assert.equal(job.networkTarget, compactToTarget(0x1e21bc1c));
  assert.equal(job.timestamp, 1_700_000_000_000n);
  const next = makeJob(template("u"), 1000);
  assert.ok(next.seq > job.seq, "sequence numbers increase");
});

Deno.test("a job's block hash is the header hash with the winning nonce", () => {
  const job = makeJob(template(), 0);
  assert.equal(jobBlockHash(job, 42n), toHex(headerHash({ ...job.template.header, nonce: 42n })));
});

Deno.test("job store evicts beyond its cap oldest-first but never a pinned job", () => {
  const store = new JobStore({ retentionMs: 60_000, maxJobs: 2 });
  const jobs: Job[] = ["a", "b", "c", "d"].map((t) => makeJob(template(t), 1000));
  for (const j of jobs) store.add(j);
  const dropped = store.prune(1000, new Set([jobs[0]!]));
  assert.equal(dropped, 2);
  assert.equal(store.size, 2);
  assert.equal(store.bySeq(jobs[0]!.seq), jobs[0], "pinned survives");
  assert.equal(store.bySeq(jobs[3]!.seq), jobs[3], "newest survives");
  assert.equal(store.byPrePowHash(toHex(jobs[1]!.prePowHash)), undefined);
});

Deno.test("block submit returns the node's verdict at once when it answers, and the block hash", async () => {
  const clock = new ManualClock();
  const node = new FakeNode();
  node.submitScript = [{ kind: "rejected", reason: "invalid", message: "bad" }];
  const s = submitter(clock, node);
  const job = makeJob(template(), clock.now());
  const { verdict, hash } = await s.submit(job, 7n);
  assert.deepEqual(verdict, { kind: "rejected", reason: "invalid", message: "bad" });
  assert.equal(hash, jobBlockHash(job, 7n));
  assert.equal(node.submits.length, 1);
  assert.equal(node.submits[0]!.nonce, 7n);
  s.stop();
});

Deno.test("block submit retries while the node is unreachable, until it answers", async () => {
  const clock = new ManualClock();
  const node = new FakeNode();
  node.submitScript = [
    { kind: "unreachable", message: "down" },
    { kind: "unreachable", message: "down" },
  ];
  const s = submitter(clock, node);
  const pending = s.submit(makeJob(template(), clock.now()), 7n);
  await clock.advance(100);
  assert.equal(node.submits.length, 2);
  await clock.advance(200);
  assert.equal(node.submits.length, 3);
  assert.deepEqual((await pending).verdict, { kind: "accepted" });
  s.stop();
});

Deno.test("block submit gives up once the template is too old", async () => {
  const clock = new ManualClock();
  const node = new FakeNode();
  node.submitScript = Array.from(
    { length: 50 },
    () => ({ kind: "unreachable", message: "down" } as const),
  );
  const s = submitter(clock, node);
  const pending = s.submit(makeJob(template(), clock.now()), 7n);
  await clock.advance(10_000);
  const { verdict } = await pending;
  assert.equal(verdict.kind, "unreachable");
  // 100, 200, 400, 800, 1000, 1000, 1000 ms: the next wait would pass 5 s of age.
  assert.equal(node.submits.length, 8);
  s.stop();
});

Deno.test("an accepted block's color is polled until the node knows it", async () => {
  const clock = new ManualClock();
  const node = new FakeNode();
  node.colorScript = [undefined, undefined, true];
  const colors: Array<[string, boolean]> = [];
  const s = submitter(clock, node, colors);
  const job = makeJob(template(), clock.now());
  assert.deepEqual((await s.submit(job, 9n)).verdict, { kind: "accepted" });
  await clock.advance(5000);
  assert.equal(node.colorCalls, 3);
  assert.deepEqual(colors, [[jobBlockHash(job, 9n), true]]);
  assert.equal(s.pending, 0);
  s.stop();
});

Deno.test("color polling stops after its time limit when the node never knows", async () => {
  const clock = new ManualClock();
  const node = new FakeNode();
  const colors: Array<[string, boolean]> = [];
  const s = submitter(clock, node, colors);
  await s.submit(makeJob(template(), clock.now()), 9n);
  await clock.advance(60_000);
  assert.equal(node.colorCalls, 10);
  assert.deepEqual(colors, []);
  assert.equal(s.pending, 0);
});

Deno.test("stopping the submitter ends a pending retry with its last verdict", async () => {
  const clock = new ManualClock();
  const node = new FakeNode();
  node.submitScript = [{ kind: "unreachable", message: "down" }];
  const s = submitter(clock, node);
  const pending = s.submit(makeJob(template(), clock.now()), 7n);
  await clock.advance(10);
  s.stop();
  assert.equal((await pending).verdict.kind, "unreachable");
});
