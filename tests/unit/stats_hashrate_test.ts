import assert from "node:assert/strict";
import { BucketRing } from "../../lib/stats/ring.ts";
import { HASHES_PER_DIFFICULTY, HashrateMeter } from "../../lib/stats/hashrate.ts";
import { Histogram } from "../../lib/stats/histogram.ts";

const H = HASHES_PER_DIFFICULTY;
const T0 = 1_700_000_000_000; // a minute boundary: T0 % 60_000 === 0

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * expected,
    `${what}: ${actual} not within ${tolerance * 100}% of ${expected}`,
  );
}

Deno.test("bucket ring sums only the buckets inside the asked window", () => {
  const r = new BucketRing(1000, 4);
  r.add(0, 1);
  r.add(999, 2); // same bucket as 0
  r.add(1000, 4);
  r.add(3500, 8);
  assert.equal(r.sum(3999, 4), 15);
  assert.equal(r.sum(3999, 1), 8);
  assert.equal(r.sum(3999, 2), 8);
  assert.equal(r.sum(4000, 4), 12); // bucket 0 fell out of the window
  assert.equal(r.windowStart(3999, 4), 0);
});

Deno.test("bucket ring reuses slots when time wraps and drops values older than the ring", () => {
  const r = new BucketRing(1000, 3);
  r.add(0, 1);
  r.add(3000, 5); // same slot as bucket 0: replaces it
  assert.equal(r.sum(3000, 3), 5);
  r.add(500, 100); // older than the ring can hold now: dropped
  assert.equal(r.sum(3000, 3), 5);
  r.add(2500, 7); // still inside the ring
  assert.equal(r.sum(3000, 3), 12);
  assert.equal(r.sum(10_000, 3), 0);
});

Deno.test("bucket ring rejects a nonsensical shape", () => {
  assert.throws(() => new BucketRing(0, 3), RangeError);
  assert.throws(() => new BucketRing(1000, 0), RangeError);
});

Deno.test("hashrate meter reads d·2^32 per share per second in every window at a steady rate", () => {
  const m = new HashrateMeter();
  for (let t = T0; t < T0 + 7_200_000; t += 1000) m.addShare(t, 1);
  const r = m.rates(T0 + 7_200_000, T0);
  assert.equal(r.m1, H);
  assert.equal(r.m15, H);
  assert.equal(r.h1, H);
});

Deno.test("hashrate meter scales with share difficulty", () => {
  const m = new HashrateMeter();
  for (let t = T0; t < T0 + 600_000; t += 500) m.addShare(t, 8192);
  const r = m.rates(T0 + 600_000, T0);
  assert.equal(r.m1, 2 * 8192 * H);
  assert.equal(r.m15, 2 * 8192 * H);
  assert.equal(r.h1, 2 * 8192 * H);
});

Deno.test("hashrate meter does not dilute a worker that joined minutes ago over the whole hour", () => {
  const m = new HashrateMeter();
  const since = T0 + 30_000;
  for (let t = since; t < since + 120_000; t += 1000) m.addShare(t, 2);
  const r = m.rates(since + 120_000, since);
  assert.equal(r.h1, 2 * H);
  assert.equal(r.m15, 2 * H);
  assert.equal(r.m1, 2 * H);
});

Deno.test("hashrate windows react at their own speed when a worker speeds up and then stops", () => {
  const m = new HashrateMeter();
  for (let t = T0; t < T0 + 3_600_000; t += 1000) m.addShare(t, 1);
  for (let t = T0 + 3_600_000; t < T0 + 3_660_000; t += 250) m.addShare(t, 1); // 4x for 1 min
  let r = m.rates(T0 + 3_660_000, T0);
  close(r.m1, 4 * H, 0.01, "1m after speed-up");
  close(r.m15, ((14 + 4) / 15) * H, 0.01, "15m after speed-up");
  close(r.h1, ((59 + 4) / 60) * H, 0.01, "1h after speed-up");
  r = m.rates(T0 + 3_660_000 + 120_000, T0); // silent for 2 minutes
  assert.equal(r.m1, 0);
  close(r.m15, ((12 + 4) / 15) * H, 0.01, "15m after 2 silent minutes");
  r = m.rates(T0 + 3_660_000 + 3_600_000, T0); // silent for an hour
  assert.deepEqual(r, { m1: 0, m15: 0, h1: 0 });
});

Deno.test("hashrate meter ignores shares with nonsense difficulty", () => {
  const m = new HashrateMeter();
  m.addShare(T0, 0);
  m.addShare(T0, -5);
  m.addShare(T0, Number.NaN);
  m.addShare(T0, Number.POSITIVE_INFINITY);
  assert.deepEqual(m.rates(T0 + 1000, T0), { m1: 0, m15: 0, h1: 0 });
});

Deno.test("histogram puts each observation in the first bucket whose bound holds it", () => {
  const h = new Histogram([1, 10, 100]);
  for (const ms of [0, 1, 1.5, 10, 99, 100, 101, 5000]) h.observe(ms);
  h.observe(-1);
  h.observe(Number.NaN);
  const s = h.snapshot();
  assert.deepEqual(s.counts, [2, 2, 2, 2]);
  assert.equal(s.count, 8);
  assert.equal(s.sum, 0 + 1 + 1.5 + 10 + 99 + 100 + 101 + 5000);
  assert.equal(s.last, 5000);
  assert.throws(() => new Histogram([10, 5]), RangeError);
});
