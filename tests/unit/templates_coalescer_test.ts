import assert from "node:assert/strict";
import { Coalescer } from "../../lib/templates/coalescer.ts";
import { exponentialBackoff } from "../../lib/runtime/mod.ts";
import { ManualClock } from "../helpers/manual_clock.ts";

function setup(intervalMs = 250, runMs = 0) {
  const clock = new ManualClock(0);
  const runs: Array<{ start: number; firstTrigger: number }> = [];
  const c = new Coalescer({
    intervalMs,
    clock,
    run: (firstTrigger) => {
      runs.push({ start: clock.now(), firstTrigger });
      return new Promise((r) => clock.setTimeout(r, runMs));
    },
  });
  return { clock, runs, c };
}

Deno.test("coalescer runs at once when idle, then at most once per interval", async () => {
  const { clock, runs, c } = setup(250);
  c.trigger();
  await clock.advance(0);
  assert.deepEqual(runs, [{ start: 0, firstTrigger: 0 }]);
  for (let t = 0; t < 10; t++) {
    await clock.advance(30);
    c.trigger();
  }
  await clock.advance(1000);
  assert.deepEqual(runs.map((r) => r.start), [0, 250, 500]);
  assert.equal(runs[1]!.firstTrigger, 30);
});

Deno.test("coalescer triggers during a run cause exactly one more run after it", async () => {
  const { clock, runs, c } = setup(100, 400);
  c.trigger();
  await clock.advance(50);
  c.trigger();
  c.trigger();
  await clock.advance(10);
  c.trigger();
  await clock.advance(2000);
  assert.deepEqual(runs.map((r) => r.start), [0, 400]);
});

Deno.test("coalescer stop cancels a scheduled run", async () => {
  const { clock, runs, c } = setup(250);
  c.trigger();
  await clock.advance(10);
  c.trigger();
  c.stop();
  await clock.advance(1000);
  assert.equal(runs.length, 1);
  assert.equal(clock.pending, 0);
});

Deno.test("exponential backoff doubles up to its cap and jitters within bounds", () => {
  const b = exponentialBackoff({ baseMs: 100, maxMs: 1000 });
  assert.deepEqual([0, 1, 2, 3, 4, 10].map(b), [100, 200, 400, 800, 1000, 1000]);
  const low = exponentialBackoff({ baseMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0 });
  const high = exponentialBackoff({ baseMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0.999 });
  assert.equal(low(3), 400);
  assert.equal(high(3), 800);
});
