// Block header serialization (kaspa.md §2) and its BlockHash: keyed BLAKE2b-256 ("BlockHash").
// Header hash and pre-PoW hash (timestamp and nonce zeroed); one reused hasher, sync after init.

import { createBLAKE2b } from "hash-wasm";
import type { BlockHeader } from "./types.ts";
import { BlockError } from "./errors.ts";

const hasher = await createBLAKE2b(256, "BlockHash");

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** Options of {@link serializeHeader}. */
export interface SerializeOptions {
  /** Zero timestamp and nonce, as the pre-PoW hash does. Default false. */
  prePow?: boolean;
}

/**
 * Big-endian bytes of `blueWork` without leading zero bytes (zero: empty), as the header hash
 * commits to them after a u64 LE length.
 *
 * @example
 * ```ts
 * import { blueWorkBytes } from "./header.ts";
 * blueWorkBytes(123456n); // Uint8Array [0x01, 0xe2, 0x40]
 * ```
 */
export function blueWorkBytes(blueWork: bigint): Uint8Array {
  if (blueWork < 0n) throw new BlockError("invalid-header", "blueWork must not be negative");
  let len = 0;
  for (let v = blueWork; v > 0n; v >>= 8n) len++;
  const out = new Uint8Array(len);
  let v = blueWork;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function hash32(value: Uint8Array, field: string): Uint8Array {
  if (value.length !== 32) throw new BlockError("invalid-header", `${field} must be 32 bytes`);
  return value;
}

function u64(value: bigint, field: string): bigint {
  if (value < 0n || value > U64_MAX) {
    throw new BlockError("invalid-header", `${field} must be a u64`);
  }
  return value;
}

/** Serialized size of `h` in bytes, validating the hash lengths on the way. */
function serializedLength(h: BlockHeader, blueWork: Uint8Array): number {
  let size = 2 + 8;
  for (const level of h.parents) {
    for (const parent of level) hash32(parent, "parent hash");
    size += 8 + 32 * level.length;
  }
  return size + 3 * 32 + 8 + 4 + 8 + 8 + 8 + 8 + blueWork.length + 32;
}

/** Writes the serialization of `h` into `out` (exactly serializedLength bytes). */
function writeHeader(h: BlockHeader, prePow: boolean, blueWork: Uint8Array, out: Uint8Array): void {
  if (!Number.isInteger(h.version) || h.version < 0 || h.version > 0xffff) {
    throw new BlockError("invalid-header", "version must be a u16");
  }
  if (!Number.isInteger(h.bits) || h.bits < 0 || h.bits > 0xffffffff) {
    throw new BlockError("invalid-header", "bits must be a u32");
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let o = 0;
  const putU64 = (v: bigint): void => {
    view.setBigUint64(o, v, true);
    o += 8;
  };
  const putBytes = (b: Uint8Array): void => {
    out.set(b, o);
    o += b.length;
  };
  view.setUint16(o, h.version, true);
  o += 2;
  putU64(BigInt(h.parents.length));
  for (const level of h.parents) {
    putU64(BigInt(level.length));
    for (const parent of level) putBytes(parent);
  }
  putBytes(hash32(h.hashMerkleRoot, "hashMerkleRoot"));
  putBytes(hash32(h.acceptedIdMerkleRoot, "acceptedIdMerkleRoot"));
  putBytes(hash32(h.utxoCommitment, "utxoCommitment"));
  putU64(prePow ? 0n : u64(h.timestamp, "timestamp"));
  view.setUint32(o, h.bits, true);
  o += 4;
  putU64(prePow ? 0n : u64(h.nonce, "nonce"));
  putU64(u64(h.daaScore, "daaScore"));
  putU64(u64(h.blueScore, "blueScore"));
  putU64(BigInt(blueWork.length));
  putBytes(blueWork);
  putBytes(hash32(h.pruningPoint, "pruningPoint"));
}

/**
 * The bytes the header hash commits to (kaspa.md §2): version u16 LE, parent levels, the three
 * roots, timestamp, bits, nonce, daaScore, blueScore, blueWork, pruningPoint. With
 * `{ prePow: true }` timestamp and nonce are written as 0. Throws BlockError `invalid-header`.
 */
export function serializeHeader(h: BlockHeader, options: SerializeOptions = {}): Uint8Array {
  const blueWork = blueWorkBytes(h.blueWork);
  const out = new Uint8Array(serializedLength(h, blueWork));
  writeHeader(h, options.prePow ?? false, blueWork, out);
  return out;
}

/** Reused serialization buffer; grows to the largest header seen. */
let scratch = new Uint8Array(1024);

function hashHeader(h: BlockHeader, prePow: boolean): Uint8Array {
  const blueWork = blueWorkBytes(h.blueWork);
  const size = serializedLength(h, blueWork);
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, 2 * scratch.length));
  const bytes = scratch.subarray(0, size);
  writeHeader(h, prePow, blueWork, bytes);
  return blockHash(bytes);
}

/** BLAKE2b-256 keyed with "BlockHash" of `data` (32 bytes). */
export function blockHash(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest("binary");
}

/**
 * Block hash of `h` (32 bytes, memory order).
 *
 * @example
 * ```ts
 * import { headerHash, prePowHash, toHex } from "./mod.ts";
 * const zero = new Uint8Array(32);
 * const header = {
 *   version: 1, parents: [], hashMerkleRoot: zero, acceptedIdMerkleRoot: zero,
 *   utxoCommitment: zero, timestamp: 1_700_000_000_000n, bits: 0x207fffff, nonce: 7n,
 *   daaScore: 0n, blueScore: 0n, blueWork: 0n, pruningPoint: zero,
 * };
 * toHex(headerHash(header)).length; // 64
 * toHex(prePowHash({ ...header, nonce: 8n })) === toHex(prePowHash(header)); // true
 * ```
 */
export function headerHash(h: BlockHeader): Uint8Array {
  return hashHeader(h, false);
}

/** Pre-PoW hash of `h`: the header hash with timestamp and nonce zeroed (32 bytes). */
export function prePowHash(h: BlockHeader): Uint8Array {
  return hashHeader(h, true);
}
