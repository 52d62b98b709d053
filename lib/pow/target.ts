// Targets and difficulty: compact bits <-> 256-bit target, Stratum share difficulty <-> target,
// network difficulty and block work. Exact bigint arithmetic; pure, no I/O.

import { PowError } from "./errors.ts";

/** 2^256 - 1: the largest PoW value; a target at or above it accepts every hash. */
export const MAX_U256: bigint = (1n << 256n) - 1n;
/** Largest block target on every Kaspa network (2^255 - 1). */
export const MAX_BLOCK_TARGET: bigint = (1n << 255n) - 1n;
/** Target of Stratum share difficulty 1 as bridges validate it: 2^224 - 1. */
export const DIFF1_TARGET: bigint = (1n << 224n) - 1n;

/**
 * Compact bits (u32) to the 256-bit target: mantissa `bits & 0x7fffff` scaled by 256^(exponent-3);
 * a set sign bit (0x800000) means target 0.
 *
 * @example
 * ```ts
 * import { compactToTarget } from "./target.ts";
 * compactToTarget(0x207fffff) === 0x7fffffn << 232n; // true
 * ```
 */
export function compactToTarget(bits: number): bigint {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) {
    throw new PowError("invalid-bits", `compact bits must be a u32, got ${bits}`);
  }
  if (bits & 0x00800000) return 0n;
  const exponent = bits >>> 24;
  const mantissa = BigInt(bits & 0x007fffff);
  if (exponent <= 3) return mantissa >> BigInt(8 * (3 - exponent));
  return mantissa << BigInt(8 * (exponent - 3));
}

/** Bytes needed to hold `n` (n >= 0). */
function byteLength(n: bigint): number {
  return n === 0n ? 0 : Math.ceil(n.toString(16).length / 2);
}

/**
 * 256-bit target to compact bits (u32), truncating below the 3 most significant bytes; the
 * inverse of {@link compactToTarget} for every target that compactToTarget produces.
 *
 * @example
 * ```ts
 * import { targetToCompact } from "./target.ts";
 * targetToCompact(0x21bc1cn << 208n) === 0x1e21bc1c; // true
 * ```
 */
export function targetToCompact(target: bigint): number {
  if (target < 0n || target > MAX_U256) {
    throw new PowError("invalid-target", "target must be within 0..2^256-1");
  }
  let size = byteLength(target);
  let compact = size <= 3
    ? Number(target << BigInt(8 * (3 - size)))
    : Number(target >> BigInt(8 * (size - 3)));
  if (compact & 0x00800000) {
    compact >>>= 8;
    size += 1;
  }
  return (compact | (size << 24)) >>> 0;
}

/** `value` as an exact fraction num / 2^shift (shift >= 0), with num an integer. */
function exactBinary(value: number): { num: bigint; shift: number } {
  let shift = 0;
  let v = value;
  while (!Number.isInteger(v)) {
    v *= 2; // exact: doubling a finite double never rounds below 2^1023
    shift++;
  }
  return { num: BigInt(v), shift };
}

/**
 * Stratum share difficulty to its validation target: floor((2^224 - 1) / diff), exact for any
 * positive finite double (fractional difficulties use the double's exact binary value). Results
 * above 2^256 - 1 are clamped to it.
 *
 * @example
 * ```ts
 * import { difficultyToTarget } from "./target.ts";
 * difficultyToTarget(8192) === ((1n << 224n) - 1n) / 8192n; // true
 * ```
 */
export function difficultyToTarget(diff: number): bigint {
  if (!Number.isFinite(diff) || diff <= 0) {
    throw new PowError("invalid-difficulty", `difficulty must be positive and finite, got ${diff}`);
  }
  const { num, shift } = exactBinary(diff);
  const target = (DIFF1_TARGET << BigInt(shift)) / num;
  return target > MAX_U256 ? MAX_U256 : target;
}

/** numerator / denominator as the nearest-ish double (error below 2^-60 relative). */
function ratio(numerator: bigint, denominator: bigint): number {
  const scale = 128n;
  return Number((numerator << scale) / denominator) / 2 ** 128;
}

/**
 * Share difficulty that a target represents: (2^224 - 1) / target as a double; Infinity for 0.
 *
 * @example
 * ```ts
 * import { targetToDifficulty } from "./target.ts";
 * targetToDifficulty(((1n << 224n) - 1n) / 4n); // ≈ 4
 * ```
 */
export function targetToDifficulty(target: bigint): number {
  if (target < 0n) throw new PowError("invalid-target", "target must not be negative");
  if (target === 0n) return Infinity;
  return ratio(DIFF1_TARGET, target);
}

/**
 * Network difficulty of compact `bits` as kaspad reports it: (2^255 - 1) / target (double);
 * Infinity for a zero target.
 */
export function networkDifficulty(bits: number): number {
  const target = compactToTarget(bits);
  if (target === 0n) return Infinity;
  return ratio(MAX_BLOCK_TARGET, target);
}

/** Expected hashes to find a block at compact `bits`: floor(2^256 / (target + 1)). */
export function blockWork(bits: number): bigint {
  return (1n << 256n) / (compactToTarget(bits) + 1n);
}
