// The history database's size bound: measured on real SQLite files (bench/history_size.ts) for 200
// workers and projected to 1,000, which must stay under 200 MB once every resolution is full.

import assert from "node:assert/strict";
import { measure } from "../../bench/history_size.ts";

Deno.test("history size: a day costs about 11 KB per worker; 1,000 workers at steady state stay under 200 MB", () => {
  const r = measure(200);
  console.log(
    `${Math.round(r.bytesPerWorkerDay)} bytes per worker per day; steady state ` +
      `${(r.steadyBytes / 200 / 1000).toFixed(1)} KB per worker`,
  );
  assert.ok(r.bytesPerWorkerDay > 1000, "a day of samples must take room: the measure is broken");
  assert.ok(r.bytesPerWorkerDay < 20_000, `${r.bytesPerWorkerDay} bytes per worker per day`);
  assert.ok(r.steadyBytes * 5 < 200e6, `${r.steadyBytes * 5} bytes projected for 1,000 workers`);
});
