import assert from "node:assert/strict";
import { headerHash, toHex } from "../../lib/kaspa/mod.ts";
import { jsonWithNonce, readJsonBlock } from "../../lib/node/wrpc/block.ts";
import { reportVerdict } from "../../lib/node/wrpc/client.ts";
import {
  asString,
  asUint,
  JsonError,
  member,
  parseJson,
  path,
  RawJson,
  stringifyJson,
} from "../../lib/node/wrpc/json.ts";
import FIXTURE from "../fixtures/node/rpc_json_block.json" with { type: "text" };

const U64_MAX = (1n << 64n) - 1n;

Deno.test("lossless json keeps u64 numbers above 2^53 exact", () => {
  const root = parseJson('{"a":18446744073709551615,"b":9007199254740993}');
  assert.equal(asUint(member(root, "a"), "a"), U64_MAX);
  assert.equal(asUint(member(root, "b"), "b"), 9007199254740993n);
  assert.throws(() => asUint(parseJson("18446744073709551616"), "x"), JsonError);
  assert.throws(() => asUint(parseJson("-1"), "x"), JsonError);
  assert.throws(() => asUint(parseJson("1.5"), "x"), JsonError);
});

Deno.test("lossless json records the exact source span of every value", () => {
  const text = '{ "k" : [1, "two", {"x": null}] , "t":true}';
  const root = parseJson(text);
  const k = member(root, "k")!;
  assert.equal(text.slice(k.start, k.end), '[1, "two", {"x": null}]');
  const t = member(root, "t")!;
  assert.equal(text.slice(t.start, t.end), "true");
  assert.equal(root.start, 0);
  assert.equal(root.end, text.length);
});

Deno.test("lossless json decodes string escapes like JSON.parse", () => {
  const text = '{"s":"a\\"b\\\\c\\u00e9\\n"}';
  assert.equal(asString(member(parseJson(text), "s"), "s"), JSON.parse(text).s);
});

Deno.test("lossless json rejects malformed input with a JsonError", () => {
  for (const bad of ['{"a":1', '{"a" 1}', "[1,]", '"abc', "01", "{} x", "tru", '"a\u0001"']) {
    assert.throws(() => parseJson(bad), JsonError, bad);
  }
  assert.throws(() => parseJson("[".repeat(100) + "]".repeat(100), 64), JsonError);
});

Deno.test("lossless json writer prints bigints as exact digits and raw text verbatim", () => {
  const out = stringifyJson({
    id: U64_MAX,
    method: "submitBlock",
    params: { block: new RawJson('{"x":1}'), skip: undefined, list: [1, "a", null, true] },
  });
  assert.equal(
    out,
    '{"id":18446744073709551615,"method":"submitBlock","params":{"block":{"x":1},"list":[1,"a",null,true]}}',
  );
});

Deno.test("wrpc block header from the reference RPC JSON block hashes to its stated hash", () => {
  const root = parseJson(FIXTURE);
  const block = member(root, "block")!;
  const { header } = readJsonBlock(FIXTURE, block);
  const stated = asString(path(block, "header", "hash"), "hash");
  assert.equal(toHex(headerHash(header)), stated);
});

Deno.test("wrpc block is re-sent byte for byte except the nonce", () => {
  const root = parseJson(FIXTURE);
  const block = member(root, "block")!;
  const { raw } = readJsonBlock(FIXTURE, block);
  const original = FIXTURE.slice(block.start, block.end);
  assert.equal(raw.text, original);
  const sent = jsonWithNonce(raw, U64_MAX);
  const back = sent.replace(/("nonce":\s*)18446744073709551615/, (_m, key: string) => `${key}0`);
  assert.notEqual(back, sent);
  assert.equal(back, original);
  const again = readJsonBlock(sent, parseJson(sent));
  assert.equal(again.header.nonce, U64_MAX);
  assert.equal(jsonWithNonce(again.raw, 0n), original);
});

Deno.test("wrpc submit reports map to verdicts", () => {
  assert.deepEqual(reportVerdict(parseJson('{"type":"success"}')), { kind: "accepted" });
  assert.deepEqual(reportVerdict(parseJson('{"type":"reject","reason":"blockInvalid"}')), {
    kind: "rejected",
    reason: "invalid",
    message: "blockInvalid",
  });
  assert.equal(
    (reportVerdict(parseJson('{"type":"reject","reason":"isInIBD"}')) as { reason: string }).reason,
    "ibd",
  );
  assert.equal(
    (reportVerdict(parseJson('{"type":"reject","reason":"routeIsFull"}')) as { reason: string })
      .reason,
    "route-full",
  );
});
