// RpcBlock over gRPC, losslessly: decode the header for hashing, re-encode with only the nonce replaced.
// Pure. Transactions and unknown fields are copied byte for byte; nothing u64 passes through a number.

import type { BlockHeader } from "../../kaspa/types.ts";
import { fromHex, toHex } from "../../kaspa/mod.ts";
import { badResponse, NodeError } from "../errors.ts";
import { decode, type Decoded, type Encodable, encode, MESSAGES } from "./messages.ts";
import { fieldBytes, readFields, WireType, WireWriter } from "./wire.ts";

/** The `raw` of a BlockTemplate made by the gRPC client: the RpcBlock exactly as received. */
export interface GrpcRawBlock {
  readonly transport: "grpc";
  readonly bytes: Uint8Array;
}

/** Whether a template's `raw` came from the gRPC client. */
export function isGrpcRawBlock(raw: unknown): raw is GrpcRawBlock {
  return typeof raw === "object" && raw !== null && (raw as GrpcRawBlock).transport === "grpc" &&
    (raw as GrpcRawBlock).bytes instanceof Uint8Array;
}

const BLOCK_HEADER = MESSAGES.RpcBlock.header[0];
const HEADER = MESSAGES.RpcBlockHeader;

function hash32(text: string, what: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new NodeError("bad-response", `${what} is not a hash`);
  return fromHex(text);
}

/** Parses a gRPC blueWork string (big-endian hex without leading zeros; "" or "0" for zero). */
export function parseBlueWork(text: string): bigint {
  if (text === "") return 0n;
  if (!/^[0-9a-fA-F]+$/.test(text)) throw new NodeError("bad-response", "blueWork is not hex");
  return BigInt("0x" + text);
}

/** Converts a decoded RpcBlockHeader into the exact BlockHeader used for hashing. */
export function headerFromRpc(h: Decoded<"RpcBlockHeader">): BlockHeader {
  if (h.timestamp < 0n) throw new NodeError("bad-response", "negative header timestamp");
  return {
    version: h.version,
    parents: h.parents.map((level) => level.parentHashes.map((p) => hash32(p, "parent"))),
    hashMerkleRoot: hash32(h.hashMerkleRoot, "hashMerkleRoot"),
    acceptedIdMerkleRoot: hash32(h.acceptedIdMerkleRoot, "acceptedIdMerkleRoot"),
    utxoCommitment: hash32(h.utxoCommitment, "utxoCommitment"),
    timestamp: h.timestamp,
    bits: h.bits,
    nonce: h.nonce,
    daaScore: h.daaScore,
    blueScore: h.blueScore,
    blueWork: parseBlueWork(h.blueWork),
    pruningPoint: hash32(h.pruningPoint, "pruningPoint"),
  };
}

/** The gRPC form of a header (what kaspad would send), for the mining front. */
export function headerToRpc(h: BlockHeader): Encodable<"RpcBlockHeader"> {
  return {
    version: h.version,
    parents: h.parents.map((level) => ({ parentHashes: level.map(toHex) })),
    hashMerkleRoot: toHex(h.hashMerkleRoot),
    acceptedIdMerkleRoot: toHex(h.acceptedIdMerkleRoot),
    utxoCommitment: toHex(h.utxoCommitment),
    timestamp: h.timestamp,
    bits: h.bits,
    nonce: h.nonce,
    daaScore: h.daaScore,
    blueWork: h.blueWork.toString(16),
    blueScore: h.blueScore,
    pruningPoint: toHex(h.pruningPoint),
  };
}

/** Encodes an RpcBlock holding only `header` (no transactions). */
export function encodeHeaderOnlyBlock(header: BlockHeader): Uint8Array {
  return encode("RpcBlock", { header: headerToRpc(header) });
}

function headerField(block: Uint8Array) {
  const fields = readFields(block).filter((f) => f.num === BLOCK_HEADER);
  const field = fields[0];
  if (fields.length !== 1 || field === undefined || field.wire !== WireType.LEN) {
    throw new NodeError("bad-response", `block has ${fields.length} headers, expected 1`);
  }
  return field;
}

/** Decodes the header of raw RpcBlock bytes. Throws NodeError("bad-response"). */
export function decodeBlockHeader(block: Uint8Array): BlockHeader {
  try {
    return headerFromRpc(decode("RpcBlockHeader", fieldBytes(block, headerField(block))));
  } catch (e) {
    throw e instanceof NodeError ? e : badResponse("block header", e);
  }
}

function headerWithNonce(header: Uint8Array, nonce: bigint): Uint8Array {
  const w = new WireWriter();
  const fields = readFields(header);
  const hasNonce = fields.some((f) => f.num === HEADER.nonce[0]);
  let written = false;
  const writeNonce = () => {
    if (!written) w.uint(HEADER.nonce[0], nonce);
    written = true;
  };
  for (const f of fields) {
    if (f.num === HEADER.nonce[0]) {
      writeNonce(); // in place of the first occurrence; a repeated one is dropped
      continue;
    }
    w.raw(header.subarray(f.start, f.end));
    if (!hasNonce && f.num === HEADER.bits[0]) writeNonce();
  }
  writeNonce();
  return w.finish();
}

/**
 * Returns `block` with its header's nonce set to `nonce`. Every other byte is kept: header fields
 * (known or not) in their order, transactions, verbose data and unknown block fields.
 */
export function withNonce(block: Uint8Array, nonce: bigint): Uint8Array {
  if (nonce < 0n || nonce >= 1n << 64n) throw new RangeError("nonce must be a u64");
  const header = headerField(block);
  const w = new WireWriter();
  w.raw(block.subarray(0, header.start));
  w.bytes(BLOCK_HEADER, headerWithNonce(fieldBytes(block, header), nonce));
  w.raw(block.subarray(header.end));
  return w.finish();
}

/** Outputs of the block's first (coinbase) transaction: amount and script (hex) with its version. */
export function coinbaseOutputs(
  block: Uint8Array,
): Array<{ amount: bigint; scriptVersion: number; script: string }> {
  const decoded = decode("RpcBlock", block);
  const coinbase = decoded.transactions[0];
  if (coinbase === undefined) throw new NodeError("bad-response", "block has no transactions");
  return coinbase.outputs.map((o) => ({
    amount: o.amount,
    scriptVersion: o.scriptPublicKey?.version ?? 0,
    script: o.scriptPublicKey?.scriptPublicKey ?? "",
  }));
}
