// Typed access to the kHeavyHash WebAssembly kernel (wasm/kheavyhash.wasm, built from
// wasm/kheavyhash.as.ts). Internal to lib/pow/: only this folder and its tests touch the kernel.

import * as wasm from "./wasm/kheavyhash.wasm";

/** The kernel's exports with JS-side types (u64 travel as bigint, pointers as numbers). */
export interface Kernel {
  /** Whole linear memory; it never grows, so views over it stay valid. */
  readonly memory: WebAssembly.Memory;
  readonly slotCount: number;
  /** Bytes per slot: the 200-byte first-hash base state (padded to 256) + the 4096-byte matrix. */
  readonly slotBytes: number;
  /** 64-byte input area: 32-byte hash, then u64 LE. */
  readonly inPtr: number;
  /** 200-byte output area: a 25-word Keccak state; words 0..3 are the 32-byte hash. */
  readonly outPtr: number;
  /** Share target as 4 u64 LE words. */
  readonly targetPtr: number;
  /** Generated matrix, 64x64 u16 row-major. */
  readonly genPtr: number;
  readonly powInitPtr: number;
  readonly heavyInitPtr: number;
  /** Matrices tried by setup() before it reports failure. */
  readonly maxAttempts: number;
  slotPtr(slot: number): number;
  /**
   * Builds slot from the pre-PoW hash at inPtr; returns matrices generated or 0 on failure.
   * `rejectFirst` treats that many leading matrices as rank-deficient (tests only; else 0).
   */
  setup(slot: number, timestamp: bigint, rejectFirst: number): number;
  /** 1 when PoW(nonce) <= target at targetPtr. */
  meets(slot: number, nonce: bigint): number;
  /** PoW(nonce) as 4 u64 LE words at outPtr. */
  powValue(slot: number, nonce: bigint): void;
  /** cSHAKE256("ProofOfWorkHash") for slot and nonce into outPtr. */
  powHash(slot: number, nonce: bigint): void;
  /** Heavy step (matrix product, XOR, cSHAKE256("HeavyHash")) of the 32 bytes at inPtr. */
  heavyHash(slot: number): void;
  /** cSHAKE256("HeavyHash") of the 32 bytes at inPtr into outPtr. */
  cshakeHeavy(): void;
  /** Keccak-f[1600] of the 25 words at outPtr, in place. */
  keccakF(): void;
  xoshiroSeed(): void;
  xoshiroNext(): bigint;
  /** Rank of the u16 matrix at genPtr (reference f64 Gauss-Jordan). */
  rank(): number;
  /** Copies the u16 matrix at genPtr into slot's matrix. */
  loadMatrix(slot: number): void;
}

const m = wasm as unknown as Record<string, unknown>;

function fn<T>(name: string): T {
  const f = m[name];
  if (typeof f !== "function") throw new TypeError(`kheavyhash.wasm lacks export ${name}`);
  return f as T;
}

function memoryExport(): WebAssembly.Memory {
  const mem = m["memory"];
  if (!(mem instanceof WebAssembly.Memory)) throw new TypeError("kheavyhash.wasm lacks memory");
  return mem;
}

/** The single kernel instance of this process. */
export const kernel: Kernel = {
  memory: memoryExport(),
  slotCount: fn<() => number>("slotCount")(),
  slotBytes: fn<() => number>("slotBytes")(),
  inPtr: fn<() => number>("inPtr")(),
  outPtr: fn<() => number>("outPtr")(),
  targetPtr: fn<() => number>("targetPtr")(),
  genPtr: fn<() => number>("genPtr")(),
  powInitPtr: fn<() => number>("powInitPtr")(),
  heavyInitPtr: fn<() => number>("heavyInitPtr")(),
  maxAttempts: fn<() => number>("maxAttempts")(),
  slotPtr: fn("slotPtr"),
  setup: fn("setup"),
  meets: fn("meets"),
  powValue: fn("powValue"),
  powHash: fn("powHash"),
  heavyHash: fn("heavyHash"),
  cshakeHeavy: fn("cshakeHeavy"),
  keccakF: fn("keccakF"),
  xoshiroSeed: fn("xoshiroSeed"),
  xoshiroNext: fn("xoshiroNext"),
  rank: fn("rank"),
  loadMatrix: fn("loadMatrix"),
};

/** Byte view of the kernel memory. */
export const heapU8: Uint8Array = new Uint8Array(kernel.memory.buffer);
/** DataView of the kernel memory (u64 fields are little-endian). */
export const heapView: DataView = new DataView(kernel.memory.buffer);

/** Reads `count` u64 LE words at `ptr`. */
export function readWords(ptr: number, count: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push(heapView.getBigUint64(ptr + 8 * i, true));
  return out;
}

/** Reads the 256-bit little-endian integer at `ptr`. */
export function readU256(ptr: number): bigint {
  return heapView.getBigUint64(ptr, true) |
    (heapView.getBigUint64(ptr + 8, true) << 64n) |
    (heapView.getBigUint64(ptr + 16, true) << 128n) |
    (heapView.getBigUint64(ptr + 24, true) << 192n);
}
