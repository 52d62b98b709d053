// Matrix regeneration: a rank-deficient matrix is replaced by one filled from the same,
// continuing xoshiro256++ generator (no reseed), and the job then hashes with the new matrix.
//
// No real pre-PoW hash with a singular first matrix is known: a zero row needs four consecutive
// zero xoshiro outputs, about one state in 2^256 per row, i.e. a 64-bit search; a float pivot
// below 1e-9 happens about once per 1e9-1e10 seeds. So these tests make the kernel treat the
// first N matrices as rank-deficient (setup's `rejectFirst`, 0 in production) and check what it
// builds next against a model computed here from the verified xoshiro primitive.

import assert from "node:assert/strict";
import { heapU8, heapView, kernel, readU256 } from "../../lib/pow/_kernel.ts";
import { borrowSlot } from "../../lib/pow/state.ts";

const SEED = new Uint8Array(32).fill(42);
const TIMESTAMP = 1_633_687_894_966n;

/** The first `count` xoshiro256++ outputs for SEED. */
function outputs(count: number): bigint[] {
  heapU8.set(SEED, kernel.inPtr);
  kernel.xoshiroSeed();
  return Array.from({ length: count }, () => BigInt.asUintN(64, kernel.xoshiroNext()));
}

/** Matrix number `index` (0-based) drawn from the continuing generator: 256 outputs each. */
function modelMatrix(index: number): number[][] {
  const words = outputs(256 * (index + 1)).slice(256 * index);
  return Array.from(
    { length: 64 },
    (_, i) =>
      Array.from(
        { length: 64 },
        (_, j) => Number((words[4 * i + (j >> 4)]! >> BigInt(4 * (j % 16))) & 0xfn),
      ),
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

/** PoW of `nonce` with `matrix`, using the kernel only for the two cSHAKE256 calls. */
function modelPow(slot: number, matrix: number[][], nonce: bigint): bigint {
  kernel.powHash(slot, nonce); // h1 depends on the pre-PoW hash and timestamp only
  const h1 = heapU8.slice(kernel.outPtr, kernel.outPtr + 32);
  const v = Array.from(
    { length: 64 },
    (_, j) => (j % 2 === 0 ? h1[j >> 1]! >> 4 : h1[j >> 1]! & 0xf),
  );
  const p = new Uint8Array(32);
  for (let k = 0; k < 32; k++) {
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < 64; j++) {
      s1 += matrix[2 * k]![j]! * v[j]!;
      s2 += matrix[2 * k + 1]![j]! * v[j]!;
    }
    p[k] = (((s1 >> 10) << 4) | (s2 >> 10)) ^ h1[k]!;
  }
  heapU8.set(p, kernel.inPtr);
  kernel.cshakeHeavy();
  return readU256(kernel.outPtr);
}

function setup(slot: number, rejectFirst: number): number {
  heapU8.set(SEED, kernel.inPtr);
  return kernel.setup(slot, TIMESTAMP, rejectFirst);
}

Deno.test("pow regeneration draws the next matrix from the continuing generator", () => {
  const slot = borrowSlot();
  for (const reject of [0, 1, 2]) {
    assert.equal(setup(slot, reject), reject + 1);
    assert.deepEqual(readGen(), modelMatrix(reject), `after rejecting ${reject}`);
  }
});

Deno.test("pow job built after regeneration hashes with the regenerated matrix", () => {
  const slot = borrowSlot();
  const first = modelMatrix(0);
  const second = modelMatrix(1);
  assert.equal(setup(slot, 1), 2);
  for (const nonce of [0n, 7n, 0xffff_ffff_ffff_ffffn]) {
    kernel.powValue(slot, nonce);
    const got = readU256(kernel.outPtr);
    assert.equal(got, modelPow(slot, second, nonce));
    assert.notEqual(got, modelPow(slot, first, nonce));
  }
});

Deno.test("pow model agrees with the kernel when no regeneration happens", () => {
  // Guards the model itself: with the first matrix it must reproduce the kernel exactly.
  const slot = borrowSlot();
  assert.equal(setup(slot, 0), 1);
  kernel.powValue(slot, 12345n);
  assert.equal(readU256(kernel.outPtr), modelPow(slot, modelMatrix(0), 12345n));
});

Deno.test("pow setup gives up after the attempt cap when every matrix is rejected", () => {
  assert.equal(setup(borrowSlot(), kernel.maxAttempts), 0);
  assert.equal(setup(borrowSlot(), kernel.maxAttempts - 1), kernel.maxAttempts);
});
