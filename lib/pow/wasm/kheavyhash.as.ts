// @ts-nocheck -- AssemblyScript source (compiled by scripts/build_wasm.ts), not Deno TypeScript.
// kHeavyHash kernel (entry): job slots, the 64x64 nibble product, pow <= target, job setup and
// the exports the JS wrapper uses. Pure computation, no imports from the host.

import { HEAVY_INIT, permute, POW_INIT } from "./keccak.as.ts";
import { fillMatrix, GEN, rank, seedXoshiro, xoshiroNext } from "./matrix.as.ts";

export { rank, xoshiroNext };

// ---- Memory map (all static; the module never grows its memory) ----
/** Matrix slots kept resident in WASM memory; the JS wrapper decides which job owns which. */
const SLOT_COUNT: i32 = 64;
/**
 * Slot = 25 u64 base Keccak state (job words folded in) + padding + the 64x64 matrix as u8 in
 * column-pair order: byte (j >> 1) * 128 + r * 2 + (j & 1) holds M[r][j], so 16 bytes cover
 * columns 2c and 2c+1 of rows 8q..8q+7, ready for one pairwise dot product.
 */
const SLOT_STATE_BYTES: i32 = 256;
const SLOT_BYTES: i32 = SLOT_STATE_BYTES + 4096;
const SLOTS: usize = memory.data(SLOT_COUNT * SLOT_BYTES, 16);
/** Inputs from JS: 32-byte pre-PoW hash (or heavy-hash input), then the timestamp u64 LE. */
const IN: usize = memory.data(64, 16);
/** Outputs to JS: a full 25-word Keccak state (words 0..3 are the 32-byte hash). */
const OUT: usize = memory.data(200, 16);
/** Share target, 4 u64 LE words (word 3 most significant). */
const TARGET: usize = memory.data(32, 16);
const H1: usize = memory.data(200, 16);
const H2: usize = memory.data(200, 16);
/** Matrix generations tried before setup gives up (the reference loops forever). */
const MAX_ATTEMPTS: i32 = 64;

// ---- The heavy step: 64x64 nibble matrix times the 64 nibbles of h1 ----

const VEC: usize = memory.data(64, 16);

/** Packs 8 row sums (u16 lanes, rows 2i and 2i+1 in i32 lane i) into ((even >> 10) << 4) | (odd >> 10). */
function packPairs(sums: v128): v128 {
  const t = i16x8.shr_u(sums, 10);
  return v128.and(v128.or(i32x4.shl(t, 4), i32x4.shr_u(t, 16)), i32x4.splat(0xff));
}

/**
 * kHeavyHash of the 32 bytes at `h` with the column-pair u8 matrix at `mat`: the product's
 * nibbles XOR h, then cSHAKE256("HeavyHash"). Writes the 25-word output state to `dst`.
 */

/**
 * Pairwise dot product of two u8x16 vectors of nibbles: lane i = a[2i]·b[2i] + a[2i+1]·b[2i+1]
 * (at most 450). relaxed_dot_i8x16_i7x16_s computes the same in one op, but Deno 2.9.6's V8
 * segfaulted now and then while tiering it up (never with tier-up off), so standard SIMD only.
 */
// @ts-ignore: decorator
function dot8(a: v128, b: v128): v128 {
  return i16x8.narrow_i32x4_u(
    i32x4.extadd_pairwise_i16x8_u(i16x8.extmul_low_i8x16_u(a, b)),
    i32x4.extadd_pairwise_i16x8_u(i16x8.extmul_high_i8x16_u(a, b)),
  );
}

function heavy(mat: usize, h: usize, dst: usize): void {
  const low4 = i8x16.splat(0x0f);
  const b0 = v128.load(h, 0);
  const b1 = v128.load(h, 16);
  const hi0 = i8x16.shr_u(b0, 4);
  const lo0 = v128.and(b0, low4);
  const hi1 = i8x16.shr_u(b1, 4);
  const lo1 = v128.and(b1, low4);
  // v[2k] = h[k] >> 4, v[2k+1] = h[k] & 0xf
  v128.store(
    VEC,
    i8x16.shuffle(hi0, lo0, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23),
    0,
  );
  v128.store(
    VEC,
    i8x16.shuffle(hi0, lo0, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31),
    16,
  );
  v128.store(
    VEC,
    i8x16.shuffle(hi1, lo1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23),
    32,
  );
  v128.store(
    VEC,
    i8x16.shuffle(hi1, lo1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31),
    48,
  );
  // s[q] holds the row sums of rows 8q..8q+7 (each at most 64 * 15 * 15, fits u16), built with
  // the pairwise dot product of dot8 (standard SIMD only; see dot8 for why not relaxed SIMD).
  let s0 = i16x8.splat(0), s1 = i16x8.splat(0), s2 = i16x8.splat(0), s3 = i16x8.splat(0);
  let s4 = i16x8.splat(0), s5 = i16x8.splat(0), s6 = i16x8.splat(0), s7 = i16x8.splat(0);
  for (let c: usize = 0; c < 32; c++) {
    const v = i16x8.splat(load<u16>(VEC + (c << 1)));
    const col = mat + (c << 7);
    s0 = i16x8.add(s0, dot8(v128.load(col, 0), v));
    s1 = i16x8.add(s1, dot8(v128.load(col, 16), v));
    s2 = i16x8.add(s2, dot8(v128.load(col, 32), v));
    s3 = i16x8.add(s3, dot8(v128.load(col, 48), v));
    s4 = i16x8.add(s4, dot8(v128.load(col, 64), v));
    s5 = i16x8.add(s5, dot8(v128.load(col, 80), v));
    s6 = i16x8.add(s6, dot8(v128.load(col, 96), v));
    s7 = i16x8.add(s7, dot8(v128.load(col, 112), v));
  }
  const p0 = v128.xor(
    i8x16.narrow_i16x8_u(
      i16x8.narrow_i32x4_u(packPairs(s0), packPairs(s1)),
      i16x8.narrow_i32x4_u(packPairs(s2), packPairs(s3)),
    ),
    b0,
  );
  const p1 = v128.xor(
    i8x16.narrow_i16x8_u(
      i16x8.narrow_i32x4_u(packPairs(s4), packPairs(s5)),
      i16x8.narrow_i32x4_u(packPairs(s6), packPairs(s7)),
    ),
    b1,
  );
  permute(
    HEAVY_INIT,
    <u64> i64x2.extract_lane(p0, 0),
    <u64> i64x2.extract_lane(p0, 1),
    <u64> i64x2.extract_lane(p1, 0),
    <u64> i64x2.extract_lane(p1, 1),
    0,
    dst,
  );
}

// ---- Slots and shares ----

/** Address of slot `slot` (0 <= slot < SLOT_COUNT). */
export function slotPtr(slot: i32): usize {
  return SLOTS + <usize> (slot * SLOT_BYTES);
}

/** PoW of `nonce` for the job in `slot`: first cSHAKE (h1 to H1), then the heavy step into H2. */
function pow(slot: i32, nonce: u64): void {
  const base = slotPtr(slot);
  permute(base, 0, 0, 0, 0, nonce, H1);
  heavy(base + SLOT_STATE_BYTES, H1, H2);
}

/** 1 when PoW(nonce) <= the target at TARGET, else 0. */
export function meets(slot: i32, nonce: u64): bool {
  pow(slot, nonce);
  for (let off: usize = 24; off > 0; off -= 8) {
    const p = load<u64>(H2 + off);
    const t = load<u64>(TARGET + off);
    if (p != t) return p < t;
  }
  return load<u64>(H2) <= load<u64>(TARGET);
}

/** Writes PoW(nonce) as 4 u64 LE words (word 3 most significant) to OUT. */
export function powValue(slot: i32, nonce: u64): void {
  pow(slot, nonce);
  memory.copy(OUT, H2, 32);
}

/** Copies GEN (u16 row-major) into the column-pair u8 matrix of `slot`. */
export function loadMatrix(slot: i32): void {
  const mat = slotPtr(slot) + SLOT_STATE_BYTES;
  for (let r: usize = 0; r < 64; r++) {
    for (let j: usize = 0; j < 64; j++) {
      store<u8>(
        mat + ((j >> 1) << 7) + (r << 1) + (j & 1),
        <u8> load<u16>(GEN + ((r * 64 + j) << 1)),
      );
    }
  }
}

/**
 * Builds the job in `slot` from the pre-PoW hash at IN and `timestamp` (ms): the matrix
 * (regenerated from the continuing generator until its rank is 64) and the first cSHAKE state.
 * Returns the number of matrices generated, or 0 after MAX_ATTEMPTS rank-deficient ones.
 *
 * `rejectFirst` is 0 in production. Tests pass N > 0 to treat the first N matrices as
 * rank-deficient and so exercise regeneration: finding a pre-PoW hash whose first matrix really
 * is singular takes about 2^64 work (four consecutive zero xoshiro outputs, for a zero row).
 */
export function setup(slot: i32, timestamp: u64, rejectFirst: i32): i32 {
  seedXoshiro(IN);
  let attempts: i32 = 0;
  do {
    if (attempts == MAX_ATTEMPTS) return 0;
    attempts++;
    fillMatrix();
  } while (attempts <= rejectFirst || rank() != 64);
  loadMatrix(slot);
  const base = slotPtr(slot);
  memory.copy(base, POW_INIT, 200);
  for (let w: usize = 0; w < 4; w++) {
    store<u64>(base + (w << 3), load<u64>(base + (w << 3)) ^ load<u64>(IN + (w << 3)));
  }
  store<u64>(base, load<u64>(base, 32) ^ timestamp, 32);
  return attempts;
}

// ---- Test and wrapper access ----

/** Seeds the generator with the 4 LE words of the 32 bytes at IN. */
export function xoshiroSeed(): void {
  seedXoshiro(IN);
}

/** cSHAKE256("ProofOfWorkHash") of the job in `slot` with `nonce` (h1) into OUT. */
export function powHash(slot: i32, nonce: u64): void {
  permute(slotPtr(slot), 0, 0, 0, 0, nonce, OUT);
}

/** Heavy step of the 32 bytes at IN with the matrix of `slot` into OUT. */
export function heavyHash(slot: i32): void {
  heavy(slotPtr(slot) + SLOT_STATE_BYTES, IN, OUT);
}

/** cSHAKE256("HeavyHash") of the 32 bytes at IN into OUT. */
export function cshakeHeavy(): void {
  permute(
    HEAVY_INIT,
    load<u64>(IN, 0),
    load<u64>(IN, 8),
    load<u64>(IN, 16),
    load<u64>(IN, 24),
    0,
    OUT,
  );
}

/** Keccak-f[1600] of the 25 words at OUT, in place. */
export function keccakF(): void {
  permute(OUT, 0, 0, 0, 0, 0, OUT);
}

export function slotCount(): i32 {
  return SLOT_COUNT;
}
export function slotBytes(): i32 {
  return SLOT_BYTES;
}
export function inPtr(): usize {
  return IN;
}
export function outPtr(): usize {
  return OUT;
}
export function targetPtr(): usize {
  return TARGET;
}
export function genPtr(): usize {
  return GEN;
}
export function powInitPtr(): usize {
  return POW_INIT;
}
export function heavyInitPtr(): usize {
  return HEAVY_INIT;
}
export function maxAttempts(): i32 {
  return MAX_ATTEMPTS;
}
