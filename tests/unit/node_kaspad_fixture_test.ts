// Real kaspad 2.1.0 templates (captured from a devnet, solved and accepted by that node) replayed without
// a node: decoding, block hash, and the lossless nonce replacement on both transports.

import assert from "node:assert/strict";
import { fromHex, headerHash, toHex } from "../../lib/kaspa/mod.ts";
import { decodeBlockHeader, withNonce } from "../../lib/node/grpc/block.ts";
import { decode } from "../../lib/node/grpc/messages.ts";
import { readFields } from "../../lib/node/grpc/wire.ts";
import { jsonWithNonce, readJsonBlock } from "../../lib/node/wrpc/block.ts";
import { parseJson } from "../../lib/node/wrpc/json.ts";
import GRPC from "../fixtures/node/kaspad_grpc_template.json" with { type: "json" };
import WRPC from "../fixtures/node/kaspad_wrpc_template.json" with { type: "json" };

Deno.test("real gRPC template: with the accepted nonce it hashes to the block kaspad accepted", () => {
  assert.equal(GRPC.verdict, "accepted");
  const bytes = fromHex(GRPC.templateHex);
  const nonce = BigInt(GRPC.nonce);
  assert.ok(nonce > 2n ** 53n, "the fixture's nonce exercises u64 exactness");
  const header = decodeBlockHeader(bytes);
  assert.equal(toHex(headerHash({ ...header, nonce })), GRPC.blockHash);
  const sent = withNonce(bytes, nonce);
  assert.equal(toHex(headerHash(decodeBlockHeader(sent))), GRPC.blockHash);
});

Deno.test("real gRPC template: the submitted block differs from the template only by the nonce field", () => {
  const bytes = fromHex(GRPC.templateHex);
  const sent = withNonce(bytes, BigInt(GRPC.nonce));
  const a = readFields(bytes);
  const b = readFields(sent);
  assert.equal(a.length, b.length);
  for (let i = 1; i < a.length; i++) {
    assert.equal(
      toHex(sent.subarray(b[i]!.start, b[i]!.end)),
      toHex(bytes.subarray(a[i]!.start, a[i]!.end)),
    );
  }
  const block = decode("RpcBlock", bytes);
  assert.ok(block.transactions.length >= 1, "a coinbase at least");
  const ha = readFields(bytes.subarray(a[0]!.valueStart, a[0]!.valueEnd));
  const hb = readFields(sent.subarray(b[0]!.valueStart, b[0]!.valueEnd));
  assert.deepEqual(
    hb.filter((f) => f.num !== 8).map((f) => [f.num, f.end - f.start]),
    ha.filter((f) => f.num !== 8).map((f) => [f.num, f.end - f.start]),
  );
  assert.equal(hb.filter((f) => f.num === 8).length, 1);
});

Deno.test("real wRPC template: with the accepted nonce it hashes to the block kaspad accepted", () => {
  assert.equal(WRPC.verdict, "accepted");
  const nonce = BigInt(WRPC.nonce);
  const { header, raw } = readJsonBlock(WRPC.blockJson, parseJson(WRPC.blockJson));
  assert.equal(toHex(headerHash({ ...header, nonce })), WRPC.blockHash);
  const sent = jsonWithNonce(raw, nonce);
  assert.ok(sent.includes(`"nonce":${WRPC.nonce}`), "nonce written as exact digits");
  assert.equal(sent.replace(`"nonce":${WRPC.nonce}`, '"nonce":0'), WRPC.blockJson);
  const again = readJsonBlock(sent, parseJson(sent));
  assert.equal(again.header.nonce, nonce);
});
