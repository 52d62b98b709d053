// Every vector of tests/fixtures/vectors/pow-vectors.json against the kHeavyHash kernel and
// PowState. A static import (provenance in that folder's README): no permissions needed.

import assert from "node:assert/strict";
import vectors from "../fixtures/vectors/pow-vectors.json" with { type: "json" };
import { heapU8, heapView, kernel, readWords } from "../../lib/pow/_kernel.ts";
import { borrowSlot } from "../../lib/pow/state.ts";
import { compactToTarget, createPowState } from "../../lib/pow/mod.ts";

type Vector = (typeof vectors.vectors)[number];

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}
function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
function out32(): string {
  return toHex(heapU8.slice(kernel.outPtr, kernel.outPtr + 32));
}
function vector(name: string): Vector {
  const v = vectors.vectors.find((x) => x.name === name);
  if (!v) throw new Error(`vector ${name} missing`);
  return v;
}
function field<T>(v: Vector, key: string): T {
  const value = (v as Record<string, unknown>)[key];
  if (value === undefined) throw new Error(`vector ${v.name} lacks ${key}`);
  return value as T;
}
/** Writes a 64x64 matrix into the kernel's u16 generation buffer. */
function writeGen(matrix: number[][]): void {
  matrix.forEach((row, i) =>
    row.forEach((x, j) => heapView.setUint16(kernel.genPtr + 2 * (64 * i + j), x, true))
  );
}
function readGen(): number[][] {
  return Array.from(
    { length: 64 },
    (_, i) =>
      Array.from(
        { length: 64 },
        (_, j) => heapView.getUint16(kernel.genPtr + 2 * (64 * i + j), true),
      ),
  );
}
/** Builds `slot` for a pre-PoW hash and timestamp; returns matrices generated. */
function setup(slot: number, prePow: Uint8Array, timestamp: bigint): number {
  heapU8.set(prePow, kernel.inPtr);
  return kernel.setup(slot, timestamp, 0);
}

Deno.test("pow kernel holds both precomputed cSHAKE256 initial states", () => {
  const pow = vectors.cshake256_initial_states.PowHash_ProofOfWorkHash.words_u64_dec.map(BigInt);
  const heavy = vectors.cshake256_initial_states.KHeavyHash_HeavyHash.words_u64_dec.map(BigInt);
  assert.deepEqual(readWords(kernel.powInitPtr, 25), pow);
  assert.deepEqual(readWords(kernel.heavyInitPtr, 25), heavy);
});

/** cSHAKE256 state after bytepad(encode_string("") || encode_string(S), 136), padding folded in. */
function derivedInitialState(domain: string, messageBytes: number): bigint[] {
  const block = new Uint8Array(200);
  const s = new TextEncoder().encode(domain);
  block.set([0x01, 136, 0x01, 0x00, 0x01, s.length * 8], 0); // left_encode(136), N="", S length
  block.set(s, 6);
  heapU8.set(block, kernel.outPtr);
  kernel.keccakF();
  const words = readWords(kernel.outPtr, 25);
  const padAt = (byte: number, value: bigint) => {
    const w = byte >> 3;
    words[w] = words[w]! ^ (value << BigInt(8 * (byte & 7)));
  };
  padAt(messageBytes, 0x04n);
  padAt(135, 0x80n);
  return words;
}

Deno.test("pow cSHAKE256 initial states follow from bytepad and one Keccak-f permutation", () => {
  const pow = vectors.cshake256_initial_states.PowHash_ProofOfWorkHash;
  const heavy = vectors.cshake256_initial_states.KHeavyHash_HeavyHash;
  assert.deepEqual(
    derivedInitialState(pow.domain_S, pow.message_len_bytes),
    pow.words_u64_dec.map(BigInt),
  );
  assert.deepEqual(
    derivedInitialState(heavy.domain_S, heavy.message_len_bytes),
    heavy.words_u64_dec.map(BigInt),
  );
});

Deno.test("pow Keccak-f[1600] of the zero state matches the published first lane", () => {
  heapU8.fill(0, kernel.outPtr, kernel.outPtr + 200);
  kernel.keccakF();
  assert.equal(readWords(kernel.outPtr, 1)[0], 0xf1258f7940e1dde7n);
});

Deno.test("pow heavy step with the reference's fixed matrix gives the in-source hash", () => {
  const v = vector("matrix_heavy_hash");
  const slot = borrowSlot();
  writeGen(field<number[][]>(v, "matrix"));
  kernel.loadMatrix(slot);
  heapU8.set(hex(field<string>(v, "input_hex")), kernel.inPtr);
  kernel.heavyHash(slot);
  assert.equal(out32(), field<string>(v, "expected_hex"));
});

Deno.test("pow matrix generation from seed [42; 32] matches the reference matrix", () => {
  const v = vector("matrix_generate_seed_0x2a");
  assert.equal(setup(borrowSlot(), hex(field<string>(v, "seed_hex")), 0n), 1);
  assert.deepEqual(readGen(), field<number[][]>(v, "expected_matrix"));
});

Deno.test("pow rank check gives 0, 64 and 63 for the reference's three matrices", () => {
  const expected = field<{ zero: number; random_u16_fill: number; after_row0_eq_row1: number }>(
    vector("matrix_compute_rank"),
    "expected",
  );
  writeGen(Array.from({ length: 64 }, () => new Array<number>(64).fill(0)));
  assert.equal(kernel.rank(), expected.zero);
  heapU8.fill(42, kernel.inPtr, kernel.inPtr + 32);
  kernel.xoshiroSeed();
  const filled = Array.from(
    { length: 64 },
    () => Array.from({ length: 64 }, () => Number(BigInt.asUintN(16, kernel.xoshiroNext()))),
  );
  writeGen(filled);
  assert.equal(kernel.rank(), expected.random_u16_fill);
  filled[0] = [...filled[1]!];
  writeGen(filled);
  assert.equal(kernel.rank(), expected.after_row0_eq_row1);
});

Deno.test("pow first cSHAKE256 hashes pre-PoW hash, timestamp, 32 zeros and nonce", () => {
  const v = vector("pow_hash_cshake");
  const pre = hex(field<string>(v, "pre_pow_hash_hex"));
  const ts = BigInt(field<string>(v, "timestamp"));
  const nonce = BigInt(field<string>(v, "nonce"));
  const preimage = new Uint8Array(80);
  const view = new DataView(preimage.buffer);
  preimage.set(pre, 0);
  view.setBigUint64(32, ts, true);
  view.setBigUint64(72, nonce, true);
  assert.equal(toHex(preimage), field<string>(v, "preimage_hex"));
  const slot = borrowSlot();
  setup(slot, pre, ts);
  kernel.powHash(slot, nonce);
  assert.equal(out32(), field<string>(v, "expected_hex"));
});

Deno.test("pow second cSHAKE256 (HeavyHash) of 32 bytes matches", () => {
  const v = vector("kheavyhash_cshake");
  heapU8.set(hex(field<string>(v, "input_hex")), kernel.inPtr);
  kernel.cshakeHeavy();
  assert.equal(out32(), field<string>(v, "expected_hex"));
});

Deno.test("pow xoshiro256++ seeded with [42; 32] gives the first 8 outputs", () => {
  const v = vector("xoshiro256pp_first_outputs_seed_0x2a");
  heapU8.set(hex(field<string>(v, "seed_hex")), kernel.inPtr);
  kernel.xoshiroSeed();
  const got = Array.from({ length: 8 }, () => BigInt.asUintN(64, kernel.xoshiroNext()).toString());
  assert.deepEqual(got, field<string[]>(v, "first_8_u64_dec"));
});

const fullRuns = vectors.vectors.filter((v) => "pow_value_be_hex" in v);

Deno.test("pow vector file has the 10 full PoW runs this suite expects", () => {
  assert.equal(fullRuns.length, 10);
});

for (const v of fullRuns) {
  Deno.test(`pow full run ${v.name} reproduces every intermediate and the verdict`, () => {
    const pre = hex(field<string>(v, "pre_pow_hash_hex"));
    const ts = BigInt(field<string>(v, "timestamp"));
    const nonce = BigInt(field<string>(v, "nonce"));
    const bits = field<number>(v, "bits");
    const slot = borrowSlot();
    setup(slot, pre, ts);
    kernel.powHash(slot, nonce);
    const h1 = out32();
    assert.equal(h1, field<string>(v, "pow_hash_cshake_out_hex"));
    heapU8.set(hex(h1), kernel.inPtr);
    kernel.heavyHash(slot);
    assert.equal(out32(), field<string>(v, "kheavyhash_out_hex"));
    if ("matrix" in v) assert.deepEqual(readGen(), field<number[][]>(v, "matrix"));

    const target = compactToTarget(bits);
    assert.equal(target, BigInt("0x" + field<string>(v, "target_be_hex")));
    const state = createPowState(pre, ts);
    assert.equal(state.powValue(nonce), BigInt("0x" + field<string>(v, "pow_value_be_hex")));
    assert.equal(state.meets(nonce, target), field<boolean>(v, "pow_le_target"));
  });
}

Deno.test("pow stratum job encodings are the pre-PoW hash words and timestamp, little-endian", () => {
  const v = vector("full_pow_testnet_genesis");
  const enc = field<{
    legacy_params_after_jobid: { u64_words_le_decimal: string[]; timestamp: string };
    bigjob_hex80: string;
  }>(v, "stratum_job_encodings");
  const pre = hex(field<string>(v, "pre_pow_hash_hex"));
  const view = new DataView(pre.buffer);
  const words = [0, 8, 16, 24].map((o) => view.getBigUint64(o, true).toString());
  assert.deepEqual(words, enc.legacy_params_after_jobid.u64_words_le_decimal);
  assert.equal(enc.legacy_params_after_jobid.timestamp, field<string>(v, "timestamp"));
  const ts = new Uint8Array(8);
  new DataView(ts.buffer).setBigUint64(0, BigInt(field<string>(v, "timestamp")), true);
  assert.equal(enc.bigjob_hex80, toHex(pre) + toHex(ts));
});
