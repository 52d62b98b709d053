import assert from "node:assert/strict";
import { readFields, readVarint, WireError, WireWriter } from "../../lib/node/grpc/wire.ts";
import { decode, encode } from "../../lib/node/grpc/messages.ts";

const U64_MAX = (1n << 64n) - 1n;

Deno.test("wire varints round-trip every size up to u64 max without a JS number", () => {
  const values = [0n, 1n, 127n, 128n, 300n, (1n << 28n) - 1n, 1n << 28n, 2n ** 53n + 1n, U64_MAX];
  for (const v of values) {
    const bytes = new WireWriter().varint(v).finish();
    const [back, next] = readVarint(bytes, 0);
    assert.equal(back, v);
    assert.equal(next, bytes.length);
  }
  assert.equal(new WireWriter().varint(U64_MAX).finish().length, 10);
});

Deno.test("wire varint decoding matches known protobuf bytes", () => {
  // 300 = ac 02 (protobuf documentation example); 2^63 = 80 80 80 80 80 80 80 80 80 01
  assert.equal(readVarint(Uint8Array.of(0xac, 0x02), 0)[0], 300n);
  assert.equal(
    readVarint(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 0)[0],
    1n << 63n,
  );
});

Deno.test("wire reader reports each field's exact span", () => {
  const bytes = new WireWriter().uint(1, 5).string(2, "hi").uint(101, 7n).finish();
  const fields = readFields(bytes);
  assert.deepEqual(fields.map((f) => [f.num, f.wire, f.start, f.end]), [
    [1, 0, 0, 2],
    [2, 2, 2, 6],
    [101, 0, 6, 9],
  ]);
  assert.equal(fields[2]!.int, 7n);
});

Deno.test("wire reader rejects truncated and runaway input", () => {
  assert.throws(() => readFields(Uint8Array.of(0x08)), WireError);
  assert.throws(() => readFields(Uint8Array.of(0x12, 0x05, 0x61)), WireError);
  assert.throws(
    () =>
      readFields(
        Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
      ),
    WireError,
  );
  assert.throws(() => readFields(Uint8Array.of(0x0b)), WireError); // wire type 3 (groups)
});

Deno.test("message codec keeps u64 fields above 2^53 exact", () => {
  const big = 2n ** 63n + 12345n;
  const bytes = encode("GetInfoResponseMessage", {
    serverVersion: "2.1.0",
    mempoolSize: big,
    isSynced: true,
    hasMessageId: true,
  });
  const back = decode("GetInfoResponseMessage", bytes);
  assert.equal(back.mempoolSize, big);
  assert.equal(back.serverVersion, "2.1.0");
  assert.equal(back.isSynced, true);
  assert.equal(back.isUtxoIndexed, false);
  assert.equal(back.error, undefined);
});

Deno.test("message codec decodes nested errors, repeated strings and doubles", () => {
  const bytes = encode("GetBlockDagInfoResponseMessage", {
    networkName: "kaspa-devnet",
    tipHashes: ["aa", "bb"],
    difficulty: 1.5,
    pastMedianTime: -5n,
    error: { message: "boom" },
  });
  const back = decode("GetBlockDagInfoResponseMessage", bytes);
  assert.deepEqual(back.tipHashes, ["aa", "bb"]);
  assert.equal(back.difficulty, 1.5);
  assert.equal(back.pastMedianTime, -5n);
  assert.equal(back.error?.message, "boom");
});

Deno.test("message codec skips fields it does not know", () => {
  const bytes = new WireWriter().string(3, "v").string(77, "future").uint(5, true).finish();
  const back = decode("GetInfoResponseMessage", bytes);
  assert.equal(back.serverVersion, "v");
  assert.equal(back.isSynced, true);
});

import { decodeEnvelope, encodeEnvelope } from "../../lib/node/grpc/envelope.ts";
import { submitResponse, submitVerdict } from "../../lib/node/grpc/verdict.ts";

Deno.test("grpc envelope carries the id and the payload field both ways", () => {
  const body = Uint8Array.of(1, 2, 3);
  const env = decodeEnvelope(encodeEnvelope({ id: U64_MAX, payload: 1005, body }));
  assert.equal(env.id, U64_MAX);
  assert.equal(env.payload, 1005);
  assert.deepEqual(env.body, body);
  // A kaspa-miner-style envelope has no id field at all: id 0.
  const bare = decodeEnvelope(new WireWriter().bytes(1063, new Uint8Array(0)).finish());
  assert.equal(bare.id, 0n);
  assert.equal(bare.payload, 1063);
});

Deno.test("grpc submit responses are classified without reading free text, except route-full", () => {
  assert.deepEqual(submitVerdict(decode("SubmitBlockResponseMessage", new Uint8Array(0))), {
    kind: "accepted",
  });
  const invalid = encode("SubmitBlockResponseMessage", {
    rejectReason: 1,
    error: { message: "Block was not submitted: block is invalid" },
  });
  assert.equal(
    (submitVerdict(decode("SubmitBlockResponseMessage", invalid)) as { reason: string }).reason,
    "invalid",
  );
  const ibd = encode("SubmitBlockResponseMessage", { rejectReason: 2 });
  assert.equal(
    (submitVerdict(decode("SubmitBlockResponseMessage", ibd)) as { reason: string }).reason,
    "ibd",
  );
  const full = encode("SubmitBlockResponseMessage", {
    error: { message: "Block was not submitted: route is full" },
  });
  assert.equal(
    (submitVerdict(decode("SubmitBlockResponseMessage", full)) as { reason: string }).reason,
    "route-full",
  );
  const other = encode("SubmitBlockResponseMessage", { error: { message: "transitional IBD" } });
  assert.deepEqual(submitVerdict(decode("SubmitBlockResponseMessage", other)), {
    kind: "rejected",
    reason: "other",
    message: "transitional IBD",
  });
});

Deno.test("grpc front phrases every verdict so kstratum's own client reads it back the same", () => {
  const verdicts = [
    { kind: "accepted" },
    { kind: "rejected", reason: "invalid", message: "x" },
    { kind: "rejected", reason: "ibd", message: "x" },
    { kind: "rejected", reason: "route-full", message: "x" },
    { kind: "rejected", reason: "other", message: "odd" },
  ] as const;
  for (const v of verdicts) {
    const back = submitVerdict(
      decode("SubmitBlockResponseMessage", encode("SubmitBlockResponseMessage", submitResponse(v))),
    );
    assert.equal(back.kind, v.kind);
    if (v.kind === "rejected") assert.equal(back.kind === "rejected" && back.reason, v.reason);
  }
  const weak = submitVerdict(
    decode(
      "SubmitBlockResponseMessage",
      encode("SubmitBlockResponseMessage", submitResponse("low")),
    ),
  );
  assert.equal(weak.kind === "rejected" && weak.reason, "invalid");
});
