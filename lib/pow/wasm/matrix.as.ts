// @ts-nocheck -- AssemblyScript source (compiled by scripts/build_wasm.ts), not Deno TypeScript.
// Matrix generation for the kernel: xoshiro256++, the 64x64 nibble fill and the reference's f64
// Gauss-Jordan rank check. Imported by kheavyhash.as.ts.

/** Generated matrix, 64x64 u16 row-major (as the reference holds it). */
export const GEN: usize = memory.data(64 * 64 * 2, 16);
/** f64 copy of GEN for the rank check. */
const FLT: usize = memory.data(64 * 64 * 8, 16);
const SELECTED: usize = memory.data(64, 16);

let x0: u64 = 0, x1: u64 = 0, x2: u64 = 0, x3: u64 = 0;

/** Seeds the generator with the 4 LE words of the 32 bytes at `seed`. */
export function seedXoshiro(seed: usize): void {
  x0 = load<u64>(seed, 0);
  x1 = load<u64>(seed, 8);
  x2 = load<u64>(seed, 16);
  x3 = load<u64>(seed, 24);
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
export function fillMatrix(): void {
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
