// Compact bits, Stratum share difficulty and network difficulty conversions (lib/pow/target.ts),
// including the compact-bits cases of tests/fixtures/vectors/pow-vectors.json.

import assert from "node:assert/strict";
import vectors from "../fixtures/vectors/pow-vectors.json" with { type: "json" };
import {
  blockWork,
  compactToTarget,
  DIFF1_TARGET,
  difficultyToTarget,
  MAX_BLOCK_TARGET,
  MAX_U256,
  networkDifficulty,
  PowError,
  targetToCompact,
  targetToDifficulty,
} from "../../lib/pow/mod.ts";

const cb = vectors.compact_bits_vectors;

function isPowError(code: string): (e: unknown) => boolean {
  return (e) => e instanceof PowError && e.code === code;
}

for (const item of cb.items) {
  Deno.test(`target from compact bits ${item.bits_hex} matches the vector`, () => {
    const bits = Number(item.bits_hex);
    const target = compactToTarget(bits);
    assert.equal(target, BigInt("0x" + item.target_be_hex));
    if ("roundtrip_bits_hex" in item) {
      assert.equal(targetToCompact(target), Number(item.roundtrip_bits_hex));
    }
    const work = item["expected_hashes_per_block_2^256_div_target_plus_1"];
    if (work !== undefined) assert.equal(blockWork(bits), BigInt(work));
  });
}

Deno.test("target maximum block target is 2^255 - 1 as the vectors state", () => {
  assert.equal(MAX_BLOCK_TARGET, BigInt("0x" + cb.max_difficulty_target_be_hex));
});

Deno.test("target to compact bits normalises a mantissa whose top bit would read as sign", () => {
  const bits = targetToCompact(0x80n << 224n);
  assert.equal(bits, 0x1e008000);
  assert.equal(compactToTarget(bits), 0x80n << 224n);
  assert.equal(targetToCompact(0n), 0);
  assert.equal(targetToCompact(0x12n), 0x01120000);
});

Deno.test("target rejects bits outside u32 and targets outside 256 bits", () => {
  for (const bits of [-1, 2 ** 32, 1.5, Number.NaN]) {
    assert.throws(() => compactToTarget(bits), isPowError("invalid-bits"));
  }
  assert.throws(() => targetToCompact(-1n), isPowError("invalid-target"));
  assert.throws(() => targetToCompact(MAX_U256 + 1n), isPowError("invalid-target"));
});

Deno.test("share difficulty 1 and 8192 give floor((2^224 - 1) / diff)", () => {
  assert.equal(difficultyToTarget(1), DIFF1_TARGET);
  assert.equal(difficultyToTarget(8192), (1n << 211n) - 1n);
  assert.equal(difficultyToTarget(3), DIFF1_TARGET / 3n);
});

/** The exact value of a finite positive double as num / den, from its IEEE-754 bits. */
function exactRational(x: number): { num: bigint; den: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const raw = view.getBigUint64(0);
  const exp = Number((raw >> 52n) & 0x7ffn);
  const frac = raw & ((1n << 52n) - 1n);
  const mant = exp === 0 ? frac : frac | (1n << 52n);
  const e = (exp === 0 ? 1 : exp) - 1075;
  return e >= 0 ? { num: mant << BigInt(e), den: 1n } : { num: mant, den: 1n << BigInt(-e) };
}

Deno.test("share difficulty fractions use the exact value of the double", () => {
  assert.equal(difficultyToTarget(0.125), DIFF1_TARGET * 8n);
  for (const d of [0.1, 0.3, 1.5, 1 / 3, 1e-9, 12345.678, 2 ** 40 + 0.5, 1e15 / 7]) {
    const { num, den } = exactRational(d);
    assert.equal(difficultyToTarget(d), (DIFF1_TARGET * den) / num, String(d));
  }
});

Deno.test("share difficulty so small that the target passes 2^256 - 1 clamps to it", () => {
  assert.equal(difficultyToTarget(2 ** -40), MAX_U256);
  assert.equal(difficultyToTarget(Number.MIN_VALUE), MAX_U256);
});

Deno.test("share difficulty must be positive and finite", () => {
  for (const d of [0, -1, Number.NaN, Infinity, -Infinity]) {
    assert.throws(() => difficultyToTarget(d), isPowError("invalid-difficulty"));
  }
});

Deno.test("target to share difficulty inverts difficultyToTarget within 1e-12", () => {
  for (const d of [1e-6, 0.125, 1, 4, 1000.5, 8192, 2 ** 32, 1e12, 3.3e15]) {
    const back = targetToDifficulty(difficultyToTarget(d));
    assert.ok(Math.abs(back - d) / d < 1e-12, `${d} -> ${back}`);
  }
  assert.equal(targetToDifficulty(0n), Infinity);
  assert.throws(() => targetToDifficulty(-1n), isPowError("invalid-target"));
});

Deno.test("network difficulty is (2^255 - 1) / target of the bits", () => {
  // Devnet genesis bits: target 0x21bc1c << 216 (about 497k hashes per block, half that as difficulty).
  const expected = Number((((1n << 255n) - 1n) * 10n ** 15n) / (0x21bc1cn << 216n)) / 1e15;
  assert.ok(Math.abs(networkDifficulty(0x1e21bc1c) - expected) / expected < 1e-12);
  assert.ok(Math.abs(networkDifficulty(0x207fffff) - 1) < 1e-6);
  assert.equal(networkDifficulty(0x04923456), Infinity);
});
