// @ts-nocheck -- AssemblyScript source (compiled by scripts/build_wasm.ts), not Deno TypeScript.
// Keccak-f[1600] for the kernel: round constants, the two precomputed cSHAKE256 states and the
// permutation with the message words folded in. Imported by kheavyhash.as.ts.

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
export const POW_INIT: usize = memory.data<u64>([
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
export const HEAVY_INIT: usize = memory.data<u64>([
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

/**
 * Permutes the 25-word state at `src` with m0..m3 XORed into words 0..3 and m9 into word 9 first,
 * writing the result to `dst`. Two rounds per iteration so the lanes alternate between locals.
 */
export function permute(src: usize, m0: u64, m1: u64, m2: u64, m3: u64, m9: u64, dst: usize): void {
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
