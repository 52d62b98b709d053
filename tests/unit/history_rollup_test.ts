// The pure arithmetic of history: bucket starts, prune cutoffs, additive rows, downsampling,
// counter resets and the resolution a query is answered at.

import assert from "node:assert/strict";
import {
  addSample,
  type BucketRow,
  bucketStart,
  chooseResolution,
  counterDelta,
  downsample,
  FARM_RETENTION_S,
  mergeRows,
  pruneCutoff,
  WORKER_RETENTION_S,
  workerRowsAtSteadyState,
  workerRowsPerDay,
} from "../../lib/history/mod.ts";

const row = (ts: number, hs: number, n = 1, accepted = 0): BucketRow => ({
  ts,
  hsSum: hs,
  n,
  accepted,
  stale: 0,
  invalid: 0,
});

Deno.test("bucketStart floors to the resolution", () => {
  assert.equal(bucketStart(0, 60), 0);
  assert.equal(bucketStart(59, 60), 0);
  assert.equal(bucketStart(60, 60), 60);
  assert.equal(bucketStart(1_700_000_299, 300), 1_700_000_100);
  assert.equal(bucketStart(1_700_003_599, 3600), 1_700_002_800);
});

Deno.test("pruneCutoff keeps exactly the buckets inside the retention", () => {
  const now = 1_700_000_000;
  // 1-minute farm rows for 48 h: 2880 buckets, the oldest kept starts after now - 48 h.
  const keep = FARM_RETENTION_S.get(60)!;
  const cut = pruneCutoff(now, 60, keep);
  assert.equal(cut % 60, 0);
  assert.ok(cut > now - keep && cut <= now - keep + 60);
  const kept = (bucketStart(now, 60) - cut) / 60 + 1;
  assert.equal(kept, 2880);
  // 5-minute worker rows for 7 days: 2016 buckets; hourly for 90 days: 2160.
  const c5 = pruneCutoff(now, 300, WORKER_RETENTION_S.get(300)!);
  assert.equal((bucketStart(now, 300) - c5) / 300 + 1, 2016);
  const c1h = pruneCutoff(now, 3600, WORKER_RETENTION_S.get(3600)!);
  assert.equal((bucketStart(now, 3600) - c1h) / 3600 + 1, 2160);
});

Deno.test("samples add up in a row; rows merge as the store's upsert does", () => {
  const r = row(60, 0, 0);
  addSample(r, { hashrate: 100, accepted: 2, stale: 1, invalid: 0 });
  addSample(r, { hashrate: 300, accepted: 3, stale: 0, invalid: 4 });
  assert.deepEqual(r, { ts: 60, hsSum: 400, n: 2, accepted: 5, stale: 1, invalid: 4 });
  const m = mergeRows(r, row(60, 500, 1, 1));
  assert.deepEqual(m, { ts: 60, hsSum: 900, n: 3, accepted: 6, stale: 1, invalid: 4 });
  assert.equal(m.hsSum / m.n, 300);
});

Deno.test("downsample: twelve 5-minute rows make one hour with the mean hashrate and summed shares", () => {
  const rows = Array.from({ length: 24 }, (_, i) => row(3600 + i * 300, (i + 1) * 10, 1, 1));
  const hours = downsample(rows.reverse(), 3600);
  assert.equal(hours.length, 2);
  assert.equal(hours[0]!.ts, 3600);
  assert.equal(hours[1]!.ts, 7200);
  assert.equal(hours[0]!.accepted, 12);
  assert.equal(hours[0]!.n, 12);
  assert.equal(hours[0]!.hsSum / hours[0]!.n, 65); // mean of 10..120
  assert.equal(hours[1]!.hsSum / hours[1]!.n, 185); // mean of 130..240
});

Deno.test("counterDelta: a counter that went down was reset", () => {
  assert.equal(counterDelta(undefined, 7), 7);
  assert.equal(counterDelta(5, 7), 2);
  assert.equal(counterDelta(9, 3), 3);
  assert.equal(counterDelta(4, 4), 0);
});

Deno.test("chooseResolution: finest that reaches back and fits, else coarser, else none", () => {
  const now = 10_000_000;
  // 1 h of farm history: 1-minute rows (61 points).
  assert.equal(chooseResolution(FARM_RETENTION_S, now - 3600, now, now, 1500), 60);
  // 3 days: 1-minute rows are gone past 48 h, so 5-minute ones.
  assert.equal(chooseResolution(FARM_RETENTION_S, now - 3 * 86400, now, now, 1500), 300);
  // 30 days: only hourly rows reach back.
  assert.equal(chooseResolution(FARM_RETENTION_S, now - 30 * 86400, now, now, 1500), 3600);
  // 24 h at 1 minute is 1441 points: fits 1500, not 1000.
  assert.equal(chooseResolution(FARM_RETENTION_S, now - 86400, now, now, 1500), 60);
  assert.equal(chooseResolution(FARM_RETENTION_S, now - 86400, now, now, 1000), 300);
  // Asked for: kept only if it exists for the series and fits.
  assert.equal(chooseResolution(WORKER_RETENTION_S, now - 3600, now, now, 1500, 60), undefined);
  assert.equal(chooseResolution(FARM_RETENTION_S, now - 7 * 86400, now, now, 1500, 60), undefined);
  // A year at 1 h is 8761 points: refused.
  assert.equal(chooseResolution(FARM_RETENTION_S, now - 365 * 86400, now, now, 1500), undefined);
});

Deno.test("rows per worker: 312 a day, 4176 once 7 d of 5-minute and 90 d of hourly are full", () => {
  assert.equal(workerRowsPerDay(), 288 + 24);
  assert.equal(workerRowsAtSteadyState(), 2016 + 2160);
});
