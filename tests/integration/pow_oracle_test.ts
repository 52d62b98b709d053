// Differential test: lib/pow against @onekeyfe/kaspa-wasm (a rusty-kaspa WASM SDK build) on
// 10,000+ seeded random (pre-PoW hash, timestamp, nonce) triples. Needs --allow-read --allow-env.

import assert from "node:assert/strict";
import { initSync, PoW } from "@onekeyfe/kaspa-wasm/kaspa.js";
import { compactToTarget, createPowState } from "../../lib/pow/mod.ts";
import { prng, randomHash } from "../helpers/splitmix.ts";

initSync({
  module: await Deno.readFile(
    new URL("kaspa_bg.wasm.bin", import.meta.resolve("@onekeyfe/kaspa-wasm/kaspa.js")),
  ),
});

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Bits spanning easy to impossible targets, so both verdicts occur. */
const BITS = [0x207fffff, 0x2100ffff, 0x1f00ffff, 0x1e7fffff, 0x1d02ca33, 0x04923456];

/** Checks our PoW value and verdict against the oracle for each nonce; returns passes seen. */
function compare(pre: Uint8Array, timestamp: bigint, bits: number, nonces: bigint[]): number {
  const ours = createPowState(pre, timestamp);
  const oracle = PoW.fromRaw(toHex(pre), timestamp, bits);
  const target = compactToTarget(bits);
  let passes = 0;
  try {
    for (const nonce of nonces) {
      const [passed, pow] = oracle.checkWork(nonce);
      const label = `pre=${toHex(pre)} ts=${timestamp} bits=${bits.toString(16)} nonce=${nonce}`;
      assert.equal(ours.powValue(nonce), pow, label);
      assert.equal(ours.meets(nonce, target), passed, label);
      if (passed) passes++;
    }
  } finally {
    oracle.free();
  }
  return passes;
}

Deno.test("pow matches the kaspa-wasm oracle on 10,000 random triples", () => {
  const next = prng(0x6b737472617475n);
  let passes = 0;
  for (let i = 0; i < 10_000; i++) {
    const pre = randomHash(next);
    // Mostly realistic millisecond timestamps, sometimes any u64.
    const timestamp = i % 10 === 0 ? next() : 1_600_000_000_000n + (next() >> 24n);
    const bits = BITS[i % BITS.length]!;
    passes += compare(pre, timestamp, bits, [next()]);
  }
  // 0x207fffff and 0x2100ffff pass about half of all hashes each; 0x04923456 never.
  assert.ok(passes > 500 && passes < 5_000, `passes ${passes}`);
});

/*
 * Regeneration. No pre-PoW hash is known whose first matrix is singular: a zero row needs four
 * consecutive zero xoshiro outputs (about one state per row index in 2^256, a 64-bit search),
 * and a float pivot under 1e-9 occurs about once in 1e9-1e10 seeds. The regeneration path is
 * therefore covered in tests/unit/pow_regeneration_test.ts; here the hardest inputs the rank check
 * can be given for real are compared instead: low-weight seeds, whose generator starts near
 * zero, so the first rows are sparse and the elimination sees exact zeros and small pivots.
 * (The all-zero seed is left out: the oracle, like the reference, loops forever on it.)
 */
Deno.test("pow matches the oracle on every one-bit and one-byte pre-PoW hash", () => {
  const seeds: Uint8Array[] = [];
  for (let bit = 0; bit < 256; bit++) {
    const seed = new Uint8Array(32);
    seed[bit >> 3] = 1 << (bit & 7);
    seeds.push(seed);
  }
  for (let i = 0; i < 32; i++) seeds.push(new Uint8Array(32).fill(0xff, i, i + 1));
  const next = prng(11n);
  for (const [i, seed] of seeds.entries()) {
    compare(seed, i % 2 === 0 ? 0n : next(), BITS[i % BITS.length]!, [0n, next(), next()]);
  }
});

Deno.test("pow matches the oracle on many nonces per job, including edge nonces", () => {
  const next = prng(7n);
  for (let job = 0; job < 50; job++) {
    const nonces = [0n, 1n, 0xffff_ffff_ffff_ffffn, 1n << 63n, ...Array.from({ length: 40 }, next)];
    compare(randomHash(next), next(), BITS[job % BITS.length]!, nonces);
  }
});
