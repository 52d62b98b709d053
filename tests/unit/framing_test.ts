// Unit tests for lib/framing: the capped line splitter.
// Pure: run with no permissions.

import assert from "node:assert/strict";
import { LineSplitter } from "../../lib/framing/mod.ts";

const te = new TextEncoder();

function lines(events: ReturnType<LineSplitter["push"]>): string[] {
  return events.map((e) => e.kind === "line" ? e.text : `<overflow ${e.bytes}>`);
}

Deno.test("framing joins a line split across chunks at every byte position", () => {
  const text = '{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88"]}\n';
  const bytes = te.encode(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const s = new LineSplitter();
    const got = [...lines(s.push(bytes.subarray(0, cut))), ...lines(s.push(bytes.subarray(cut)))];
    assert.deepEqual(got, [text.trimEnd()], `cut at ${cut}`);
    assert.equal(s.pendingBytes, 0);
  }
});

Deno.test("framing yields several lines from one chunk, in order", () => {
  const s = new LineSplitter();
  assert.deepEqual(lines(s.push(te.encode('{"a":1}\n{"b":2}\n{"c"'))), ['{"a":1}', '{"b":2}']);
  assert.deepEqual(lines(s.push(te.encode(":3}\n"))), ['{"c":3}']);
});

Deno.test("framing feeds one byte at a time without losing data", () => {
  const s = new LineSplitter();
  const got: string[] = [];
  for (const b of te.encode('{"x":"é"}\r\n\n{"y":2}\n')) {
    got.push(...lines(s.push(Uint8Array.of(b))));
  }
  assert.deepEqual(got, ['{"x":"é"}', '{"y":2}']);
});

Deno.test("framing accepts CRLF and strips tabs and control characters (Goldshell)", () => {
  const s = new LineSplitter();
  const got = lines(s.push(te.encode('\t{"id":\t2,\u0000"method":"mining.authorize"}\t\r\n')));
  assert.deepEqual(got, ['{"id":2,"method":"mining.authorize"}']);
  assert.deepEqual(JSON.parse(got[0]!), { id: 2, method: "mining.authorize" });
});

Deno.test("framing skips blank and whitespace-only lines", () => {
  const s = new LineSplitter();
  assert.deepEqual(lines(s.push(te.encode("\n\r\n \t \n{}\n"))), ["{}"]);
});

Deno.test("framing reports one overflow for a line past the cap and resumes after its newline", () => {
  const s = new LineSplitter({ maxLineBytes: 8 });
  assert.deepEqual(lines(s.push(te.encode("12345678"))), []);
  assert.deepEqual(lines(s.push(te.encode("9"))), ["<overflow 9>"]);
  assert.deepEqual(lines(s.push(te.encode("more junk without end"))), []);
  assert.equal(s.pendingBytes, 0, "discarded bytes are not held");
  assert.deepEqual(lines(s.push(te.encode("tail\nok\n"))), ["ok"]);
});

Deno.test("framing accepts a line of exactly the cap", () => {
  const s = new LineSplitter({ maxLineBytes: 4 });
  assert.deepEqual(lines(s.push(te.encode("abcd\n"))), ["abcd"]);
});

Deno.test("framing returns an unterminated last line at finish", () => {
  const s = new LineSplitter();
  s.push(te.encode('{"id":9}'));
  assert.deepEqual(lines(s.finish()), ['{"id":9}']);
  assert.deepEqual(lines(s.finish()), []);
});

Deno.test("framing rejects a cap below one byte", () => {
  assert.throws(() => new LineSplitter({ maxLineBytes: 0 }), RangeError);
});
