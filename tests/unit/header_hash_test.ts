// Header serialization, BlockHash and pre-PoW hash against the rusty-kaspa vectors in
// tests/fixtures/vectors/ (provenance in its README). A static import: no permissions needed.

import assert from "node:assert/strict";
import vectors from "../fixtures/vectors/header-vectors.json" with { type: "json" };
import {
  BlockError,
  blockHash,
  blueWorkBytes,
  fromHex,
  headerHash,
  prePowHash,
  serializeHeader,
  toHex,
} from "../../lib/kaspa/mod.ts";
import type { BlockHeader } from "../../lib/kaspa/types.ts";
import { concatBytes } from "../../lib/framing/mod.ts";

/** Header as the vectors spell it: hashes in hex, u64 as decimal strings or JSON numbers. */
interface VectorHeader {
  version: number;
  parentsByLevel: string[][];
  hashMerkleRoot: string;
  acceptedIdMerkleRoot: string;
  utxoCommitment: string;
  timestamp: string | number;
  bits: number;
  nonce: string | number;
  daaScore: string | number;
  blueWork: string;
  blueScore: string | number;
  pruningPoint: string;
}

function decode(h: VectorHeader): BlockHeader {
  return {
    version: h.version,
    parents: h.parentsByLevel.map((level) => level.map((p) => fromHex(p, 32))),
    hashMerkleRoot: fromHex(h.hashMerkleRoot, 32),
    acceptedIdMerkleRoot: fromHex(h.acceptedIdMerkleRoot, 32),
    utxoCommitment: fromHex(h.utxoCommitment, 32),
    timestamp: BigInt(h.timestamp),
    bits: h.bits,
    nonce: BigInt(h.nonce),
    daaScore: BigInt(h.daaScore),
    blueScore: BigInt(h.blueScore),
    blueWork: BigInt("0x" + h.blueWork),
    pruningPoint: fromHex(h.pruningPoint, 32),
  };
}

Deno.test("header BlockHash hasher matches the incremental in-source vectors", () => {
  const v = vectors.blockhash_incremental_vectors;
  v.inputs_hex.forEach((_, i) => {
    const data = concatBytes(v.inputs_hex.slice(0, i + 1).map((x) => fromHex(x)));
    assert.equal(toHex(blockHash(data)), v.expected_hex[i]);
  });
});

Deno.test("header blueWork is committed as u64 length then big-endian bytes without leading zeros", () => {
  for (const item of vectors.blue_work_encoding_vectors.items) {
    const bytes = blueWorkBytes(BigInt(item.blue_work));
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(bytes.length), true);
    assert.equal(toHex(concatBytes([len, bytes])), item.bytes_fed_to_hasher_hex);
  }
});

Deno.test("header blueWork in RPC JSON (48 hex chars) is the same integer as its u64 limbs", () => {
  const v = vectors.blue_work_json_vector;
  const fromLimbs = v.uint192_limbs_le_u64_hex.reduceRight(
    (acc, limb) => (acc << 64n) | BigInt("0x" + limb),
    0n,
  );
  assert.equal(BigInt("0x" + v.json_blueWork), fromLimbs);
  assert.equal(toHex(blueWorkBytes(fromLimbs)), v.json_blueWork);
});

Deno.test("header vector file has the 15 headers this suite expects", () => {
  assert.equal(vectors.headers.length, 15);
});

for (const v of vectors.headers) {
  Deno.test(`header ${v.name} hashes and pre-PoW-hashes as expected`, () => {
    const header = decode(v.header);
    assert.equal(toHex(headerHash(header)), v.expected_hash_hex);
    assert.equal(toHex(prePowHash(header)), v.derived_pre_pow_hash_hex);
    if ("derived_hash_preimage_hex" in v) {
      assert.equal(toHex(serializeHeader(header)), v.derived_hash_preimage_hex);
      assert.equal(
        toHex(serializeHeader(header, { prePow: true })),
        v.derived_pre_pow_preimage_hex,
      );
    }
  });
}

Deno.test("header of the RPC JSON block example hashes to its stated hash", () => {
  const h = vectors.rpc_json_block_example.block.header;
  assert.equal(toHex(headerHash(decode(h))), h.hash);
});

Deno.test("header hash is independent of the buffer reused by an earlier, larger header", () => {
  const big = decode(vectors.headers[14]!.header);
  const small = decode(vectors.headers[0]!.header);
  headerHash(big);
  assert.equal(toHex(headerHash(small)), vectors.headers[0]!.expected_hash_hex);
  assert.equal(toHex(headerHash(big)), vectors.headers[14]!.expected_hash_hex);
});

Deno.test("header pre-PoW hash ignores timestamp and nonce, header hash does not", () => {
  const h = decode(vectors.headers[5]!.header);
  const moved = { ...h, timestamp: h.timestamp + 1n, nonce: 0xffff_ffff_ffff_ffffn };
  assert.deepEqual(prePowHash(moved), prePowHash(h));
  assert.notDeepEqual(headerHash(moved), headerHash(h));
});

Deno.test("header serialization rejects malformed fields with code invalid-header", () => {
  const h = decode(vectors.headers[5]!.header);
  const cases: Partial<BlockHeader>[] = [
    { hashMerkleRoot: new Uint8Array(31) },
    { parents: [[new Uint8Array(33)]] },
    { version: 0x10000 },
    { bits: -1 },
    { nonce: 1n << 64n },
    { timestamp: -1n },
    { blueWork: -1n },
  ];
  for (const c of cases) {
    assert.throws(
      () => headerHash({ ...h, ...c }),
      (e) => e instanceof BlockError && e.code === "invalid-header",
      JSON.stringify(Object.keys(c)),
    );
  }
});

Deno.test("hex round-trips bytes and rejects odd lengths, bad digits and wrong sizes", () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(fromHex(toHex(bytes)), bytes);
  assert.deepEqual(fromHex("0aFF"), new Uint8Array([10, 255]));
  for (const [input, size] of [["abc", undefined], ["zz", undefined], ["00", 32]] as const) {
    assert.throws(
      () => fromHex(input, size),
      (e) => e instanceof BlockError && e.code === "invalid-hex",
    );
  }
});
