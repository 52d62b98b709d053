// @ts-nocheck -- AssemblyScript source (compiled by scripts/build_wasm.ts), not Deno TypeScript.
// kHeavyHash kernel: Keccak-f[1600], xoshiro256++ matrix generation with the f64 rank check,
// the 64x64 nibble product and the pow <= target comparison. Pure computation, no imports.

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
/** Generated matrix, 64x64 u16 row-major (as the reference holds it). */
const GEN: usize = memory.data(64 * 64 * 2, 16);
/** f64 copy of GEN for the rank check. */
const FLT: usize = memory.data(64 * 64 * 8, 16);
const SELECTED: usize = memory.data(64, 16);
const H1: usize = memory.data(200, 16);
const H2: usize = memory.data(200, 16);
/** Matrix generations tried before setup gives up (the reference loops forever). */
const MAX_ATTEMPTS: i32 = 64;

const RC: usize = memory.data<u64>([
  0x0000000000000001,
  0x0000000000008082,
  0x800000000000808a,
  0x8000000080008000,
  0x000000000000808b,
  0x0000000080000001,
  0x8000000080008081,
  0x8000000000008009,
  0x000000000000008a,
  0x0000000000000088,
  0x0000000080008009,
  0x000000008000000a,
  0x000000008000808b,
  0x800000000000008b,
  0x8000000000008089,
  0x8000000000008003,
  0x8000000000008002,
  0x8000000000000080,
  0x000000000000800a,
  0x800000008000000a,
  0x8000000080008081,
  0x8000000000008080,
  0x0000000080000001,
  0x8000000080008008,
], 16);

/**
 * cSHAKE256 states after absorbing bytepad(encode_string("") || encode_string(S), 136), with the
 * message padding folded in: S = "ProofOfWorkHash" (80-byte message) and S = "HeavyHash" (32 bytes).
 */
const POW_INIT: usize = memory.data<u64>([
  1242148031264380989,
  3008272977830772284,
  2188519011337848018,
  1992179434288343456,
  8876506674959887717,
  5399642050693751366,
  1745875063082670864,
  8605242046444978844,
  17936695144567157056,
  3343109343542796272,
  1123092876221303306,
  4963925045340115282,
  17037383077651887893,
  16629644495023626889,
  12833675776649114147,
  3784524041015224902,
  1082795874807940378,
  13952716920571277634,
  13411128033953605860,
  15060696040649351053,
  9928834659948351306,
  5237849264682708699,
  12825353012139217522,
  6706187291358897596,
  196324915476054915,
], 16);
const HEAVY_INIT: usize = memory.data<u64>([
  4239941492252378377,
  8746723911537738262,
  8796936657246353646,
  1272090201925444760,
  16654558671554924250,
  8270816933120786537,
  13907396207649043898,
  6782861118970774626,
  9239690602118867528,
  11582319943599406348,
  17596056728278508070,
  15212962468105129023,
  7812475424661425213,
  3370482334374859748,
  5690099369266491460,
  8596393687355028144,
  570094237299545110,
  9119540418498120711,
  16901969272480492857,
  13372017233735502424,
  14372891883993151831,
  5171152063242093102,
  10573107899694386186,
  6096431547456407061,
  1592359455985097269,
], 16);

// ---- Keccak-f[1600] ----

/**
 * Permutes the 25-word state at `src` with m0..m3 XORed into words 0..3 and m9 into word 9 first,
 * writing the result to `dst`. Two rounds per iteration so the lanes alternate between locals.
 */
function permute(src: usize, m0: u64, m1: u64, m2: u64, m3: u64, m9: u64, dst: usize): void {
  let a0 = load<u64>(src, 0) ^ m0, a1 = load<u64>(src, 8) ^ m1, a2 = load<u64>(src, 16) ^ m2;
  let a3 = load<u64>(src, 24) ^ m3, a4 = load<u64>(src, 32), a5 = load<u64>(src, 40);
  let a6 = load<u64>(src, 48), a7 = load<u64>(src, 56), a8 = load<u64>(src, 64);
  let a9 = load<u64>(src, 72) ^ m9, a10 = load<u64>(src, 80), a11 = load<u64>(src, 88);
  let a12 = load<u64>(src, 96), a13 = load<u64>(src, 104), a14 = load<u64>(src, 112);
  let a15 = load<u64>(src, 120), a16 = load<u64>(src, 128), a17 = load<u64>(src, 136);
  let a18 = load<u64>(src, 144), a19 = load<u64>(src, 152), a20 = load<u64>(src, 160);
  let a21 = load<u64>(src, 168), a22 = load<u64>(src, 176), a23 = load<u64>(src, 184);
  let a24 = load<u64>(src, 192);
  let e0: u64, e1: u64, e2: u64, e3: u64, e4: u64, e5: u64, e6: u64, e7: u64, e8: u64;
  let e9: u64, e10: u64, e11: u64, e12: u64, e13: u64, e14: u64, e15: u64, e16: u64, e17: u64;
  let e18: u64, e19: u64, e20: u64, e21: u64, e22: u64, e23: u64, e24: u64;
  let b0: u64, b1: u64, b2: u64, b3: u64, b4: u64;
  let c0: u64, c1: u64, c2: u64, c3: u64, c4: u64, d0: u64, d1: u64, d2: u64, d3: u64, d4: u64;
  for (let r: usize = 0; r < 24; r += 2) {
    c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
    c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
    c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
    c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    d0 = c4 ^ rotl<u64>(c1, 1);
    d1 = c0 ^ rotl<u64>(c2, 1);
    d2 = c1 ^ rotl<u64>(c3, 1);
    d3 = c2 ^ rotl<u64>(c4, 1);
    d4 = c3 ^ rotl<u64>(c0, 1);
    b0 = a0 ^ d0;
    b1 = rotl<u64>(a6 ^ d1, 44);
    b2 = rotl<u64>(a12 ^ d2, 43);
    b3 = rotl<u64>(a18 ^ d3, 21);
    b4 = rotl<u64>(a24 ^ d4, 14);
    e0 = b0 ^ (~b1 & b2) ^ load<u64>(RC + (r << 3));
    e1 = b1 ^ (~b2 & b3);
    e2 = b2 ^ (~b3 & b4);
    e3 = b3 ^ (~b4 & b0);
    e4 = b4 ^ (~b0 & b1);
    b0 = rotl<u64>(a3 ^ d3, 28);
    b1 = rotl<u64>(a9 ^ d4, 20);
    b2 = rotl<u64>(a10 ^ d0, 3);
    b3 = rotl<u64>(a16 ^ d1, 45);
    b4 = rotl<u64>(a22 ^ d2, 61);
    e5 = b0 ^ (~b1 & b2);
    e6 = b1 ^ (~b2 & b3);
    e7 = b2 ^ (~b3 & b4);
    e8 = b3 ^ (~b4 & b0);
    e9 = b4 ^ (~b0 & b1);
    b0 = rotl<u64>(a1 ^ d1, 1);
    b1 = rotl<u64>(a7 ^ d2, 6);
    b2 = rotl<u64>(a13 ^ d3, 25);
    b3 = rotl<u64>(a19 ^ d4, 8);
    b4 = rotl<u64>(a20 ^ d0, 18);
    e10 = b0 ^ (~b1 & b2);
    e11 = b1 ^ (~b2 & b3);
    e12 = b2 ^ (~b3 & b4);
    e13 = b3 ^ (~b4 & b0);
    e14 = b4 ^ (~b0 & b1);
    b0 = rotl<u64>(a4 ^ d4, 27);
    b1 = rotl<u64>(a5 ^ d0, 36);
    b2 = rotl<u64>(a11 ^ d1, 10);
    b3 = rotl<u64>(a17 ^ d2, 15);
    b4 = rotl<u64>(a23 ^ d3, 56);
    e15 = b0 ^ (~b1 & b2);
    e16 = b1 ^ (~b2 & b3);
    e17 = b2 ^ (~b3 & b4);
    e18 = b3 ^ (~b4 & b0);
    e19 = b4 ^ (~b0 & b1);
    b0 = rotl<u64>(a2 ^ d2, 62);
    b1 = rotl<u64>(a8 ^ d3, 55);
    b2 = rotl<u64>(a14 ^ d4, 39);
    b3 = rotl<u64>(a15 ^ d0, 41);
    b4 = rotl<u64>(a21 ^ d1, 2);
    e20 = b0 ^ (~b1 & b2);
    e21 = b1 ^ (~b2 & b3);
    e22 = b2 ^ (~b3 & b4);
    e23 = b3 ^ (~b4 & b0);
    e24 = b4 ^ (~b0 & b1);
    // second round of the pair: E -> A
    c0 = e0 ^ e5 ^ e10 ^ e15 ^ e20;
    c1 = e1 ^ e6 ^ e11 ^ e16 ^ e21;
    c2 = e2 ^ e7 ^ e12 ^ e17 ^ e22;
    c3 = e3 ^ e8 ^ e13 ^ e18 ^ e23;
    c4 = e4 ^ e9 ^ e14 ^ e19 ^ e24;
    d0 = c4 ^ rotl<u64>(c1, 1);
    d1 = c0 ^ rotl<u64>(c2, 1);
    d2 = c1 ^ rotl<u64>(c3, 1);
    d3 = c2 ^ rotl<u64>(c4, 1);
    d4 = c3 ^ rotl<u64>(c0, 1);
    b0 = e0 ^ d0;
    b1 = rotl<u64>(e6 ^ d1, 44);
    b2 = rotl<u64>(e12 ^ d2, 43);
    b3 = rotl<u64>(e18 ^ d3, 21);
    b4 = rotl<u64>(e24 ^ d4, 14);
    a0 = b0 ^ (~b1 & b2) ^ load<u64>(RC + (r << 3) + 8);
    a1 = b1 ^ (~b2 & b3);
    a2 = b2 ^ (~b3 & b4);
    a3 = b3 ^ (~b4 & b0);
    a4 = b4 ^ (~b0 & b1);
    b0 = rotl<u64>(e3 ^ d3, 28);
    b1 = rotl<u64>(e9 ^ d4, 20);
    b2 = rotl<u64>(e10 ^ d0, 3);
    b3 = rotl<u64>(e16 ^ d1, 45);
    b4 = rotl<u64>(e22 ^ d2, 61);
    a5 = b0 ^ (~b1 & b2);
    a6 = b1 ^ (~b2 & b3);
    a7 = b2 ^ (~b3 & b4);
    a8 = b3 ^ (~b4 & b0);
    a9 = b4 ^ (~b0 & b1);
    b0 = rotl<u64>(e1 ^ d1, 1);
    b1 = rotl<u64>(e7 ^ d2, 6);
    b2 = rotl<u64>(e13 ^ d3, 25);
    b3 = rotl<u64>(e19 ^ d4, 8);
    b4 = rotl<u64>(e20 ^ d0, 18);
    a10 = b0 ^ (~b1 & b2);
    a11 = b1 ^ (~b2 & b3);
    a12 = b2 ^ (~b3 & b4);
    a13 = b3 ^ (~b4 & b0);
    a14 = b4 ^ (~b0 & b1);
    b0 = rotl<u64>(e4 ^ d4, 27);
    b1 = rotl<u64>(e5 ^ d0, 36);
    b2 = rotl<u64>(e11 ^ d1, 10);
    b3 = rotl<u64>(e17 ^ d2, 15);
    b4 = rotl<u64>(e23 ^ d3, 56);
    a15 = b0 ^ (~b1 & b2);
    a16 = b1 ^ (~b2 & b3);
    a17 = b2 ^ (~b3 & b4);
    a18 = b3 ^ (~b4 & b0);
    a19 = b4 ^ (~b0 & b1);
    b0 = rotl<u64>(e2 ^ d2, 62);
    b1 = rotl<u64>(e8 ^ d3, 55);
    b2 = rotl<u64>(e14 ^ d4, 39);
    b3 = rotl<u64>(e15 ^ d0, 41);
    b4 = rotl<u64>(e21 ^ d1, 2);
    a20 = b0 ^ (~b1 & b2);
    a21 = b1 ^ (~b2 & b3);
    a22 = b2 ^ (~b3 & b4);
    a23 = b3 ^ (~b4 & b0);
    a24 = b4 ^ (~b0 & b1);
  }
  store<u64>(dst, a0, 0);
  store<u64>(dst, a1, 8);
  store<u64>(dst, a2, 16);
  store<u64>(dst, a3, 24);
  store<u64>(dst, a4, 32);
  store<u64>(dst, a5, 40);
  store<u64>(dst, a6, 48);
  store<u64>(dst, a7, 56);
  store<u64>(dst, a8, 64);
  store<u64>(dst, a9, 72);
  store<u64>(dst, a10, 80);
  store<u64>(dst, a11, 88);
  store<u64>(dst, a12, 96);
  store<u64>(dst, a13, 104);
  store<u64>(dst, a14, 112);
  store<u64>(dst, a15, 120);
  store<u64>(dst, a16, 128);
  store<u64>(dst, a17, 136);
  store<u64>(dst, a18, 144);
  store<u64>(dst, a19, 152);
  store<u64>(dst, a20, 160);
  store<u64>(dst, a21, 168);
  store<u64>(dst, a22, 176);
  store<u64>(dst, a23, 184);
  store<u64>(dst, a24, 192);
}

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
  // s[q] holds the row sums of rows 8q..8q+7 (each at most 64 * 15 * 15, fits u16). The pairwise
  // dot product (pmaddubsw on x64) is a relaxed-SIMD op whose result is only implementation-
  // defined when the second operand exceeds 127; both operands here are nibbles, so it is exact.
  let s0 = i16x8.splat(0), s1 = i16x8.splat(0), s2 = i16x8.splat(0), s3 = i16x8.splat(0);
  let s4 = i16x8.splat(0), s5 = i16x8.splat(0), s6 = i16x8.splat(0), s7 = i16x8.splat(0);
  for (let c: usize = 0; c < 32; c++) {
    const v = i16x8.splat(load<u16>(VEC + (c << 1)));
    const col = mat + (c << 7);
    s0 = i16x8.add(s0, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(col, 0), v));
    s1 = i16x8.add(s1, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(col, 16), v));
    s2 = i16x8.add(s2, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(col, 32), v));
    s3 = i16x8.add(s3, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(col, 48), v));
    s4 = i16x8.add(s4, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(col, 64), v));
    s5 = i16x8.add(s5, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(col, 80), v));
    s6 = i16x8.add(s6, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(col, 96), v));
    s7 = i16x8.add(s7, i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(col, 112), v));
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

// ---- xoshiro256++ and matrix generation ----

let x0: u64 = 0, x1: u64 = 0, x2: u64 = 0, x3: u64 = 0;

/** Seeds the generator with the 4 LE words of the 32 bytes at IN. */
export function xoshiroSeed(): void {
  x0 = load<u64>(IN, 0);
  x1 = load<u64>(IN, 8);
  x2 = load<u64>(IN, 16);
  x3 = load<u64>(IN, 24);
}

/** Next xoshiro256++ output. */
export function xoshiroNext(): u64 {
  const out = rotl<u64>(x0 + x3, 23) + x0;
  const t = x1 << 17;
  x2 ^= x0;
  x3 ^= x1;
  x1 ^= x2;
  x0 ^= x3;
  x2 ^= t;
  x3 = rotl<u64>(x3, 45);
  return out;
}

/** Fills GEN row by row, 16 nibbles per output, low nibble first. */
function fillMatrix(): void {
  for (let i: usize = 0; i < 64 * 64; i += 16) {
    const val = xoshiroNext();
    for (let sh: usize = 0; sh < 16; sh++) {
      store<u16>(GEN + ((i + sh) << 1), <u16> ((val >> (sh << 2)) & 0xf));
    }
  }
}

/** Row `row` of FLT minus `f` times row `piv`, columns from..63 (the reference's exact order). */
function subtractRow(row: usize, piv: usize, f: f64, from: usize): void {
  let p = from;
  if (p & 1) {
    store<f64>(row + (p << 3), load<f64>(row + (p << 3)) - load<f64>(piv + (p << 3)) * f);
    p++;
  }
  const fv = f64x2.splat(f);
  for (; p < 64; p += 2) {
    const a = v128.load(row + (p << 3));
    v128.store(row + (p << 3), f64x2.sub(a, f64x2.mul(v128.load(piv + (p << 3)), fv)));
  }
}

/** Rank of the u16 matrix in GEN by Gauss-Jordan elimination on f64 with epsilon 1e-9. */
export function rank(): i32 {
  const eps: f64 = 1e-9;
  for (let i: usize = 0; i < 64 * 64; i++) {
    store<f64>(FLT + (i << 3), <f64> load<u16>(GEN + (i << 1)));
  }
  memory.fill(SELECTED, 0, 64);
  let rank: i32 = 0;
  for (let i: usize = 0; i < 64; i++) {
    let j: usize = 0;
    while (j < 64) {
      if (load<u8>(SELECTED + j) == 0 && abs<f64>(load<f64>(FLT + ((j * 64 + i) << 3))) > eps) {
        break;
      }
      j++;
    }
    if (j == 64) continue;
    rank++;
    store<u8>(SELECTED + j, 1);
    const rowJ = FLT + ((j * 64) << 3);
    const pivot = load<f64>(rowJ + (i << 3));
    let p = i + 1;
    if (p < 64 && (p & 1)) {
      store<f64>(rowJ + (p << 3), load<f64>(rowJ + (p << 3)) / pivot);
      p++;
    }
    const pv = f64x2.splat(pivot);
    for (; p < 64; p += 2) {
      v128.store(rowJ + (p << 3), f64x2.div(v128.load(rowJ + (p << 3)), pv));
    }
    for (let k: usize = 0; k < 64; k++) {
      if (k == j) continue;
      const rowK = FLT + ((k * 64) << 3);
      const f = load<f64>(rowK + (i << 3));
      if (abs<f64>(f) > eps && i + 1 < 64) subtractRow(rowK, rowJ, f, i + 1);
    }
  }
  return rank;
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
  xoshiroSeed();
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
