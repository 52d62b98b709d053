// Unit tests for lib/session/vardiff.ts: difficulty steering with injected time.
// Pure: run with no permissions.

import assert from "node:assert/strict";
import {
  createVardiff,
  VARDIFF,
  vardiffNextCheck,
  vardiffOnShare,
  vardiffOnTick,
  type VardiffOptions,
} from "../../lib/session/mod.ts";

const OPTS: VardiffOptions = { initial: 1024, min: 1, max: 2 ** 40, sharesPerMinute: 20 };

/** Feeds `count` shares spaced `gapMs` apart from `start`; returns the changes seen. */
function feed(
  state: ReturnType<typeof createVardiff>,
  opts: VardiffOptions,
  start: number,
  gapMs: number,
  count: number,
) {
  const changes: number[] = [];
  for (let i = 1; i <= count; i++) {
    const c = vardiffOnShare(state, opts, start + i * gapMs);
    if (c !== undefined) changes.push(c);
  }
  return changes;
}

Deno.test("vardiff leaves a miner at the target rate alone", () => {
  const s = createVardiff(OPTS, 0);
  assert.deepEqual(feed(s, OPTS, 0, 3_000, 200), [], "20 shares a minute for 10 minutes");
  assert.equal(s.difficulty, 1024);
});

Deno.test("vardiff waits for 30 s and 3 shares before judging", () => {
  const s = createVardiff(OPTS, 0);
  assert.equal(vardiffOnShare(s, OPTS, 1_000), undefined);
  assert.equal(vardiffOnShare(s, OPTS, 2_000), undefined);
  assert.equal(vardiffOnShare(s, OPTS, 29_000), undefined, "3 shares but under 30 s");
  // 4 shares in 40 s = 6/min, ratio 0.3: step √0.3 ≈ 0.548
  const next = vardiffOnShare(s, OPTS, 40_000);
  assert.ok(next !== undefined && Math.abs(next - 1024 * Math.sqrt(0.3)) < 1e-6, String(next));
});

Deno.test("vardiff doubles at most per window when shares come too fast", () => {
  const s = createVardiff(OPTS, 0);
  // 60 shares a minute = ratio 3 → step min(√3, 2) = 1.732; the burst rule needs ratio ≥ 4.
  const changes = feed(s, OPTS, 0, 1_000, 30);
  assert.equal(changes.length, 1);
  assert.ok(Math.abs(changes[0]! - 1024 * Math.sqrt(3)) < 1e-6);
  assert.equal(s.shares, 0, "a change starts a new window");
});

Deno.test("vardiff fast-starts on a burst of shares by up to 16×", () => {
  const s = createVardiff({ ...OPTS, initial: 1 }, 0);
  // 10 shares in 1 s: ratio 30 → step 16 at once.
  const changes = feed(s, OPTS, 0, 100, 10);
  assert.deepEqual(changes, [16]);
});

Deno.test("vardiff converges from far too easy to the target rate", () => {
  const hashrate = 2 ** 20; // difficulty units per second: at diff d, one share per d / hashrate s
  const s = createVardiff({ ...OPTS, initial: 1 }, 0);
  let now = 0;
  let lastChange = 0;
  for (let i = 0; i < 2_000; i++) {
    now += (s.difficulty / hashrate) * 1000; // evenly spaced shares at the current difficulty
    if (vardiffOnShare(s, OPTS, now) !== undefined) lastChange = now;
  }
  const perMinute = (hashrate / s.difficulty) * 60;
  assert.ok(perMinute > 20 * 0.75 && perMinute < 20 * 1.25, `${perMinute}/min at ${s.difficulty}`);
  assert.ok(
    lastChange < 10 * 60_000,
    `settled within 10 min of miner time (${lastChange / 60_000})`,
  );
});

Deno.test("vardiff halves after 90 s without a share and says when to check", () => {
  const s = createVardiff(OPTS, 0);
  assert.equal(vardiffNextCheck(s), VARDIFF.noShareMs);
  assert.equal(vardiffOnTick(s, OPTS, 89_999), undefined);
  assert.equal(vardiffOnTick(s, OPTS, 90_000), 512);
  assert.equal(vardiffNextCheck(s), 180_000);
  assert.equal(vardiffOnTick(s, OPTS, 180_000), 256);
});

Deno.test("vardiff lowers a miner with a share or two per 90 s", () => {
  const s = createVardiff(OPTS, 0);
  vardiffOnShare(s, OPTS, 10_000);
  // 1 share in 90 s: ratio 0.033 → step clamps at ½.
  assert.equal(vardiffOnTick(s, OPTS, 90_000), 512);
});

Deno.test("vardiff never leaves [min, max] and idles at the floor", () => {
  const opts = { ...OPTS, initial: 1, min: 1, max: 64 };
  const s = createVardiff(opts, 0);
  assert.equal(vardiffOnTick(s, opts, 90_000), undefined, "already at min");
  assert.equal(s.windowStart, 90_000, "a fresh window starts");
  feed(s, opts, 90_000, 10, 500);
  assert.equal(s.difficulty, 64);
});

Deno.test("vardiff with pow2 moves between powers of two only", () => {
  const opts = { ...OPTS, initial: 1000, pow2: true };
  const s = createVardiff(opts, 0);
  assert.equal(s.difficulty, 1024, "initial rounded");
  const changes = feed(s, opts, 0, 1_000, 30); // ratio 3 → ×1.73 → ceil to 2048
  assert.deepEqual(changes, [2048]);
  assert.equal(vardiffOnTick(s, opts, 30_000 + 90_000), 1024);
  assert.equal(Math.log2(s.difficulty) % 1, 0);
});

Deno.test("vardiff skips changes under 10% (here: clamped at max)", () => {
  const opts = { ...OPTS, initial: 60, max: 64 };
  const s = createVardiff(opts, 0);
  // 40 shares a minute: ratio 2 → ×1.41 → clamped to 64, a 6.7% change: not worth a message.
  assert.deepEqual(feed(s, opts, 0, 1_500, 40), []);
  assert.equal(s.difficulty, 60);
});
