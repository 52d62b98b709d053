// Unit tests for the session engine's job path: throttle, newest-job rule, wake times, shared
// encodings, and difficulty changes announced right before the job they govern.
// Pure: run with no permissions.

import assert from "node:assert/strict";
import { JobEncodings } from "../../lib/session/mod.ts";
import { HEADERS, mainnetAddress, realJob } from "../fixtures/transcripts/real_jobs.ts";
import { harness, lines } from "../fixtures/transcripts/session_harness.ts";

const ADDR = mainnetAddress(21);
const JOBS = [HEADERS.devnetA, HEADERS.devnetB, HEADERS.devnetC, HEADERS.devnetD].map((name) =>
  realJob(name, { payAddress: ADDR })
);

function authorized(agent = "lolMiner 1.88", extra: Parameters<typeof harness>[0] = {}) {
  const h = harness(extra);
  h.send({ id: 1, method: "mining.subscribe", params: [agent] });
  h.send({ id: 2, method: "mining.authorize", params: [ADDR, "x"] });
  return h;
}

const notifiedTimestamps = (ls: string[]) =>
  ls.filter((l) => l.includes("mining.notify")).map((l) => JSON.parse(l).params[2] as number);

Deno.test("session throttles jobs to one per interval, always sending the newest", () => {
  const h = authorized();
  assert.equal(
    notifiedTimestamps(lines(h.session.onJob(JOBS[0]!, 1000))).length,
    1,
    "first job at once",
  );
  const held = h.session.onJob(JOBS[1]!, 1100);
  assert.deepEqual(lines(held), []);
  assert.equal(held.wakeAt, 1250);
  const replaced = h.session.onJob(JOBS[2]!, 1200);
  assert.deepEqual(lines(replaced), []);
  assert.equal(replaced.wakeAt, 1250);
  assert.deepEqual(lines(h.session.onTick(1249)), [], "not due yet");
  const tick = h.session.onTick(1250);
  assert.deepEqual(
    notifiedTimestamps(lines(tick)),
    [Number(JOBS[2]!.timestamp)],
    "job 2 was skipped",
  );
  assert.equal(tick.wakeAt, undefined, "nothing pending: no timer");
  assert.match(lines(tick)[0]!, /"params":\["2",/, "ids stay consecutive per connection");
  const late = h.session.onJob(JOBS[3]!, 1600);
  assert.equal(
    notifiedTimestamps(lines(late)).length,
    1,
    "an interval after the last job: at once",
  );
});

Deno.test("session sends no job before authorize", () => {
  const h = harness();
  h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  assert.deepEqual(h.session.onJob(JOBS[0]!, 5).effects, []);
});

Deno.test("session encodes a job once for every miner of a format", () => {
  const encodings = new JobEncodings();
  const miners = ["lolMiner", "GodMiner/2.0.0", "TeamRedMiner", "IceRiverMiner-v1.1", "BzMiner/v21"]
    .map((agent) => authorized(agent, { encodings }));
  for (const m of miners) m.session.onJob(JOBS[0]!, 0);
  assert.equal(encodings.encoded, 2, "one array body (A and C share it), one big-job body");
  for (const m of miners) m.session.onJob(JOBS[1]!, 1000);
  assert.equal(encodings.encoded, 4);
});

Deno.test("session announces a vardiff decrease with set_difficulty right before the next job", () => {
  const h = authorized("lolMiner", {
    difficulty: { kind: "vardiff", initial: 1024, min: 1, max: 2 ** 30 },
  });
  const first = h.session.onJob(JOBS[0]!, 0);
  assert.equal(first.wakeAt, 90_000, "vardiff wants a look after 90 s without shares");
  const tick = h.session.onTick(90_000);
  assert.deepEqual(lines(tick), [
    '{"id":null,"method":"mining.set_difficulty","params":[512]}',
    lines(tick)[1]!,
  ]);
  assert.match(lines(tick)[1]!, /^\{"id":2,"method":"mining.notify","params":\["2",/);
  assert.deepEqual(h.events.of("difficultyChanged").map((e) => e.difficulty), [1024, 512]);
  const next = lines(h.session.onJob(JOBS[1]!, 90_500));
  assert.equal(next.length, 1, "unchanged difficulty is not repeated");
});

Deno.test("session never sends set_difficulty without a job behind it", () => {
  const h = authorized("lolMiner", {
    difficulty: { kind: "vardiff", initial: 1024, min: 1, max: 2 ** 30 },
  });
  // No job yet: a vardiff decrease has nothing to govern, so nothing is sent.
  assert.deepEqual(lines(h.session.onTick(90_000)), []);
  const job = lines(h.session.onJob(JOBS[0]!, 90_001));
  assert.deepEqual(job.map((l) => JSON.parse(l).method), [
    "mining.set_difficulty",
    "mining.notify",
  ]);
  assert.equal(JSON.parse(job[0]!).params[0], 512);
});

Deno.test("session marks only plain notifies as droppable by the write queue", () => {
  const a = authorized("lolMiner");
  const sends = a.session.onJob(JOBS[0]!, 0).effects.filter((e) => e.kind === "send");
  assert.deepEqual(sends.map((e) => e.kind === "send" && e.job), [undefined, {
    channel: 0,
    droppable: true,
  }]);
  const d = harness();
  d.send({ id: 1, method: "subscribe", params: [ADDR, "KaspaMiner/1.0.0"] });
  d.send({ id: 2, method: "authorize", params: ["w"] });
  const first = d.session.onJob(JOBS[0]!, 0).effects[0];
  assert.deepEqual(
    first?.kind === "send" && first.job,
    { channel: 0, droppable: false },
    "carries a difficulty",
  );
  const second = d.session.onJob(JOBS[1]!, 1000).effects[0];
  assert.deepEqual(second?.kind === "send" && second.job, { channel: 0, droppable: true });
});

Deno.test("session ignores a job it already has (a source repeating its latest)", () => {
  const h = authorized();
  assert.equal(lines(h.session.onJob(JOBS[0]!, 0)).length, 2);
  const again = h.session.onJob(JOBS[0]!, 10);
  assert.deepEqual(again.effects, []);
  assert.equal(again.wakeAt, undefined);
});

Deno.test("session throttle is timed from publication too: a round reaching the miner sooner is not held", () => {
  const h = authorized();
  const published = [0, 250, 300].map((createdAt, i) =>
    realJob([HEADERS.devnetA, HEADERS.devnetB, HEADERS.devnetC][i]!, {
      payAddress: ADDR,
      createdAt,
    })
  );
  // Job 1 published at 0 reached this miner late (at 90); job 2, published an interval later,
  // reaches it at 300: 210 ms after its last job, yet an interval after job 1's publication.
  assert.equal(notifiedTimestamps(lines(h.session.onJob(published[0]!, 90))).length, 1);
  const second = h.session.onJob(published[1]!, 300);
  assert.equal(notifiedTimestamps(lines(second)).length, 1, "sent at once, no timer per miner");
  assert.equal(second.wakeAt, undefined);
  // Job 3 was published only 50 ms after job 2: held until an interval after job 2's send.
  const third = h.session.onJob(published[2]!, 310);
  assert.deepEqual(lines(third), []);
  assert.equal(third.wakeAt, 550);
});
