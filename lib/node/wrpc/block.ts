// RpcRawBlock over wRPC JSON, losslessly: decode the header, re-send the exact text with only the nonce changed.
// Pure. u64 values are read from their source digits, never through a JS number.

import type { BlockHeader } from "../../kaspa/types.ts";
import { fromHex } from "../../kaspa/mod.ts";
import { NodeError } from "../errors.ts";
import {
  asArray,
  asString,
  asUint,
  asUint32,
  JsonError,
  type JsonNode,
  member,
  splice,
} from "./json.ts";

/** The `raw` of a BlockTemplate made by the wRPC client: the block's JSON text as received. */
export interface WrpcRawBlock {
  readonly transport: "wrpc";
  /** The block object's exact source text. */
  readonly text: string;
  /** Offsets of the header's nonce value within `text`. */
  readonly nonceStart: number;
  readonly nonceEnd: number;
}

/** Whether a template's `raw` came from the wRPC client. */
export function isWrpcRawBlock(raw: unknown): raw is WrpcRawBlock {
  return typeof raw === "object" && raw !== null && (raw as WrpcRawBlock).transport === "wrpc" &&
    typeof (raw as WrpcRawBlock).text === "string";
}

function hash32(node: JsonNode | undefined, what: string): Uint8Array {
  const text = asString(node, what);
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new JsonError(`${what} is not a 32-byte hex hash`);
  return fromHex(text);
}

/** Decodes an RpcHeader / RpcRawHeader JSON object into the exact BlockHeader used for hashing. */
export function headerFromJson(h: JsonNode): BlockHeader {
  const blueWork = asString(member(h, "blueWork"), "blueWork");
  if (!/^[0-9a-fA-F]*$/.test(blueWork)) throw new JsonError("blueWork is not hex");
  return {
    version: Number(asUint(member(h, "version"), "version", 16)),
    parents: asArray(member(h, "parentsByLevel"), "parentsByLevel").map((level) =>
      asArray(level, "parent level").map((p) => hash32(p, "parent"))
    ),
    hashMerkleRoot: hash32(member(h, "hashMerkleRoot"), "hashMerkleRoot"),
    acceptedIdMerkleRoot: hash32(member(h, "acceptedIdMerkleRoot"), "acceptedIdMerkleRoot"),
    utxoCommitment: hash32(member(h, "utxoCommitment"), "utxoCommitment"),
    timestamp: asUint(member(h, "timestamp"), "timestamp"),
    bits: asUint32(member(h, "bits"), "bits"),
    nonce: asUint(member(h, "nonce"), "nonce"),
    daaScore: asUint(member(h, "daaScore"), "daaScore"),
    blueScore: asUint(member(h, "blueScore"), "blueScore"),
    blueWork: blueWork === "" ? 0n : BigInt("0x" + blueWork),
    pruningPoint: hash32(member(h, "pruningPoint"), "pruningPoint"),
  };
}

/**
 * Reads a block node parsed from `source`: its header and a lossless raw copy.
 * Throws NodeError("bad-response") when the block lacks a well-formed header.
 */
export function readJsonBlock(
  source: string,
  block: JsonNode,
): { header: BlockHeader; raw: WrpcRawBlock } {
  try {
    const h = member(block, "header");
    if (h === undefined) throw new JsonError("block has no header");
    const header = headerFromJson(h);
    const nonce = member(h, "nonce")!;
    return {
      header,
      raw: {
        transport: "wrpc",
        text: source.slice(block.start, block.end),
        nonceStart: nonce.start - block.start,
        nonceEnd: nonce.end - block.start,
      },
    };
  } catch (e) {
    if (e instanceof JsonError) throw new NodeError("bad-response", `template: ${e.message}`);
    throw e;
  }
}

/** The block's JSON text with the header nonce replaced by `nonce` (decimal digits); nothing else changes. */
export function jsonWithNonce(raw: WrpcRawBlock, nonce: bigint): string {
  if (nonce < 0n || nonce >= 1n << 64n) throw new RangeError("nonce must be a u64");
  return splice(
    raw.text,
    { type: "null", start: raw.nonceStart, end: raw.nonceEnd },
    nonce.toString(),
  );
}
