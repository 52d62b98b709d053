// WakeWheel: shared wake-ups on one timer; order, replacement, cancel, re-scheduling from a wake.
// Real timers with a hand-driven clock, as the server's tests drive sessions; no timing asserted.

import assert from "node:assert/strict";
import { Wakeable, WakeWheel } from "../../lib/net/wake_wheel.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function recorder(log: string[], name: string, then?: () => void): Wakeable {
  return new Wakeable(() => {
    log.push(name);
    then?.();
  });
}

Deno.test("wake wheel: due wake-ups fire once, grouped, in slot order; later ones wait", async () => {
  let now = 1000;
  const wheel = new WakeWheel(() => now, 4);
  const log: string[] = [];
  wheel.schedule(recorder(log, "b"), 1009);
  wheel.schedule(recorder(log, "a"), 1001);
  wheel.schedule(recorder(log, "a2"), 1003); // same 4 ms slot as "a"
  wheel.schedule(recorder(log, "late"), 5_000_000);
  assert.equal(wheel.size, 4);
  await sleep(40);
  // The clock never moved: each armed slot fires when its timer does, as a per-connection timer would.
  assert.deepEqual(log, ["a", "a2", "b"]);
  assert.equal(wheel.size, 1);
  // A time the clock has passed is due at once; "late" still waits.
  now = 1_000_000;
  wheel.schedule(recorder(log, "now"), 999_999);
  await sleep(20);
  assert.deepEqual(log, ["a", "a2", "b", "now"]);
  assert.equal(wheel.size, 1);
  wheel.clear();
  assert.equal(wheel.size, 0);
});

Deno.test("wake wheel: scheduling again replaces the earlier time; cancel drops it", async () => {
  const now = 0;
  const wheel = new WakeWheel(() => now, 4);
  const log: string[] = [];
  const moved = recorder(log, "moved");
  const cancelled = recorder(log, "cancelled");
  wheel.schedule(moved, 5);
  wheel.schedule(moved, 60_000); // replaces 5: must not fire soon
  wheel.schedule(cancelled, 5);
  wheel.cancel(cancelled);
  wheel.cancel(cancelled); // idempotent
  const probe = recorder(log, "probe");
  wheel.schedule(probe, 8);
  await sleep(40);
  assert.deepEqual(log, ["probe"]);
  assert.equal(wheel.size, 1);
  wheel.clear();
  assert.equal(wheel.size, 0);
});

Deno.test("wake wheel: a wake-up may schedule itself and others again", async () => {
  let now = 0;
  const wheel = new WakeWheel(() => now, 4);
  const log: string[] = [];
  let rounds = 0;
  const other = recorder(log, "other");
  const self = recorder(log, "self", () => {
    if (++rounds < 3) {
      now += 10;
      wheel.schedule(self, now + 4);
      wheel.schedule(other, now + 4);
    }
  });
  wheel.schedule(self, 4);
  await sleep(80);
  // In slot 16 "self" moves "other" (also due there) to slot 24: it is woken there, once.
  assert.deepEqual(log, ["self", "self", "self", "other"]);
  assert.equal(wheel.size, 0);
});

Deno.test("wake wheel: after many moves and cancels each live wake-up fires once, in its last slot", async () => {
  const now = 0;
  const wheel = new WakeWheel(() => now, 4);
  const woken = new Map<number, number>();
  const all = Array.from(
    { length: 300 },
    (_, i) => new Wakeable(() => woken.set(i, (woken.get(i) ?? 0) + 1)),
  );
  // Back and forth between a near slot and a far one: enough left-overs to compact both.
  for (let round = 0; round < 3; round++) {
    for (const w of all) wheel.schedule(w, 20);
    for (const w of all) wheel.schedule(w, 600_000);
  }
  all.forEach((w, i) => {
    if (i % 2 === 0) wheel.schedule(w, 20);
    if (i % 3 === 0) wheel.cancel(w);
  });
  assert.equal(wheel.size, 200); // 300 minus every third
  await sleep(60);
  const expected = [...all.keys()].filter((i) => i % 2 === 0 && i % 3 !== 0);
  assert.deepEqual([...woken.keys()].sort((a, b) => a - b), expected);
  assert.ok([...woken.values()].every((n) => n === 1), "each woken once");
  assert.equal(wheel.size, 200 - expected.length);
  wheel.clear();
});
