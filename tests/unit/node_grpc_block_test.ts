import assert from "node:assert/strict";
import { headerHash, prePowHash, toHex } from "../../lib/kaspa/mod.ts";
import {
  coinbaseOutputs,
  decodeBlockHeader,
  encodeHeaderOnlyBlock,
  withNonce,
} from "../../lib/node/grpc/block.ts";
import { decode, encode } from "../../lib/node/grpc/messages.ts";
import { readFields, WireWriter } from "../../lib/node/grpc/wire.ts";

// A real header (rusty-kaspa testdata goref-1060-tx-265-blocks, first block) with its known hashes.
const REAL = {
  version: 2,
  parents: [{ parentHashes: ["4cb48d0b2073b802360145a15ad1abdc01d89b5c2fe4722630ab9b5fe9dfc4f2"] }],
  hashMerkleRoot: "2254a71368184ec8bfcd973c0ba2504fdcdd5868902854bcf04e00c5b4c72a62",
  acceptedIdMerkleRoot: "842b7647a9583f793a618deb97f25cb0807fcecf6f8454ab38bbda7141145684",
  utxoCommitment: "544eb3142c000f0ad2c76ac41f4222abbababed830eeafee4b6dc56b52d5cac0",
  timestamp: 1231006505548n,
  bits: 505527324,
  nonce: 0n,
  daaScore: 0n,
  blueWork: "796ae",
  blueScore: 1n,
  pruningPoint: "4cb48d0b2073b802360145a15ad1abdc01d89b5c2fe4722630ab9b5fe9dfc4f2",
};
const REAL_HASH = "8caf7a5390c9995bac81848617dd06fd93cfff9a70f97aad7d78c1e52b5d4310";
const REAL_PRE_POW = "cd425c98b621c4fa2601f6ef1667aec7c6e556384d8474b3eb4bb779177880c8";

/** A template-like block: the real header plus an unknown header field, a coinbase with a storage
 * mass and an output covenant-like unknown field, and an unknown block-level field. */
function templateBlock(): Uint8Array {
  const header = new WireWriter()
    .raw(encode("RpcBlockHeader", REAL))
    .string(99, "field from a newer node")
    .finish();
  const output = new WireWriter()
    .raw(encode("RpcTransactionOutput", {
      amount: (1n << 63n) + 7n,
      scriptPublicKey: { version: 0, scriptPublicKey: "20" + "ab".repeat(32) + "ac" },
    }))
    .bytes(4, new WireWriter().uint(1, 3).finish()) // covenant binding, not in our schema
    .finish();
  const tx = new WireWriter()
    .uint(1, 0)
    .bytes(3, output)
    .string(5, "0100000000000000000000000000000000000000")
    .string(8, "deadbeef")
    .uint(10, 1234n) // storage mass
    .uint(60, 1n) // unknown transaction field
    .finish();
  return new WireWriter().bytes(1, header).bytes(2, tx).string(42, "unknown block field").finish();
}

Deno.test("grpc block header decodes to the real header's known hash and pre-PoW hash", () => {
  const header = decodeBlockHeader(templateBlock());
  assert.equal(toHex(headerHash(header)), REAL_HASH);
  assert.equal(toHex(prePowHash(header)), REAL_PRE_POW);
  assert.equal(header.blueWork, 0x796aen);
  assert.equal(header.timestamp, 1231006505548n);
});

Deno.test("grpc withNonce changes only the header nonce and keeps every other byte", () => {
  const block = templateBlock();
  const nonce = (1n << 63n) + 0x1234_5678_9abcn;
  const out = withNonce(block, nonce);
  const before = readFields(block);
  const after = readFields(out);
  assert.equal(after.length, before.length);
  // Every non-header block field is byte-identical.
  for (let i = 1; i < before.length; i++) {
    assert.deepEqual(
      out.subarray(after[i]!.start, after[i]!.end),
      block.subarray(before[i]!.start, before[i]!.end),
    );
  }
  // The header keeps every field (including the unknown one) byte for byte, plus the nonce.
  const hBefore = block.subarray(before[0]!.valueStart, before[0]!.valueEnd);
  const hAfter = out.subarray(after[0]!.valueStart, after[0]!.valueEnd);
  const kept = readFields(hAfter).filter((f) => f.num !== 8);
  assert.deepEqual(
    kept.map((f) => toHex(hAfter.subarray(f.start, f.end))),
    readFields(hBefore).map((f) => toHex(hBefore.subarray(f.start, f.end))),
  );
  const header = decodeBlockHeader(out);
  assert.equal(header.nonce, nonce);
  const expected = { ...decodeBlockHeader(block), nonce };
  assert.equal(toHex(headerHash(header)), toHex(headerHash(expected)));
});

Deno.test("grpc withNonce replaces an existing nonce in place and writes no field for zero", () => {
  const once = withNonce(templateBlock(), 99n);
  const twice = withNonce(once, 5n);
  assert.equal(decodeBlockHeader(twice).nonce, 5n);
  assert.equal(twice.length, once.length);
  assert.deepEqual(withNonce(once, 0n), templateBlock());
});

Deno.test("grpc withNonce refuses a nonce outside u64", () => {
  assert.throws(() => withNonce(templateBlock(), 1n << 64n), RangeError);
  assert.throws(() => withNonce(templateBlock(), -1n), RangeError);
});

Deno.test("grpc block decoding rejects a block without a header or with a bad hash", () => {
  assert.throws(() => decodeBlockHeader(new WireWriter().string(42, "x").finish()), {
    name: "NodeError",
  });
  const bad = new WireWriter()
    .bytes(1, encode("RpcBlockHeader", { ...REAL, pruningPoint: "zz" }))
    .finish();
  assert.throws(() => decodeBlockHeader(bad), { name: "NodeError" });
});

Deno.test("grpc coinbase outputs expose amount and script exactly", () => {
  const [out] = coinbaseOutputs(templateBlock());
  assert.equal(out?.amount, (1n << 63n) + 7n);
  assert.equal(out?.script, "20" + "ab".repeat(32) + "ac");
});

Deno.test("grpc header-only block carries the same header as the template", () => {
  const header = decodeBlockHeader(templateBlock());
  const block = encodeHeaderOnlyBlock(header);
  assert.equal(toHex(headerHash(decodeBlockHeader(block))), REAL_HASH);
  assert.equal(decode("RpcBlock", block).transactions.length, 0);
});
