// Seeded fuzzing of the JSON-RPC envelope and of every dialect's decoder and encoders with mutated
// transcript lines and hostile values: nothing throws, every outcome is well-typed, every reply
// that could be written is valid JSON on one line. Pure: no permissions.

import assert from "node:assert/strict";
import { DIALECTS, type JobWork } from "../../lib/dialects/mod.ts";
import {
  DEFAULT_MESSAGES,
  encodeError,
  encodeResult,
  parseJson,
  parseRequest,
  type RpcRequest,
} from "../../lib/protocol/mod.ts";
import { hostileLine, METHODS, Rng } from "../helpers/fuzz.ts";

const CODES = new Set(Object.keys(DEFAULT_MESSAGES).map(Number));
const KINDS = new Set(["subscribe", "authorize", "submit", "extranonceSubscribe", "invalid"]);

/** Asserts `line` is one line of JSON whose id member is `id` exactly as the encoder writes it. */
function assertReply(line: string, what: string): void {
  assert.ok(!line.includes("\n"), `${what}: one line`);
  const reply = parseJson(line) as Record<string, unknown>;
  assert.ok("id" in reply && ("result" in reply || "error" in reply), `${what}: a reply`);
}

Deno.test("protocol fuzz: parseRequest never throws and every outcome can be answered", () => {
  for (let seed = 1; seed <= 3000; seed++) {
    const rng = new Rng(seed);
    const line = hostileLine(rng);
    const what = `seed ${seed}: ${line.slice(0, 200)}`;
    const parsed = parseRequest(line);
    if (parsed.ok) {
      const r = parsed.request;
      assert.equal(typeof r.method, "string", what);
      assert.ok(r.method.length > 0, what);
      assert.ok(Array.isArray(r.params), what);
      assertReply(encodeResult(r.id, true), what);
      for (const style of ["triple", "pair"] as const) {
        assertReply(encodeError(r.id, 20, "Other/Unknown", style), what);
      }
    } else {
      assert.ok(CODES.has(parsed.error.code), what);
      assertReply(
        encodeError(parsed.error.id, parsed.error.code, parsed.error.message, "triple"),
        what,
      );
    }
  }
});

function assertDecoded(request: RpcRequest, what: string): void {
  for (const dialect of Object.values(DIALECTS)) {
    const d = dialect.decode(request);
    const where = `${what} [dialect ${dialect.id}]`;
    assert.ok(KINDS.has(d.kind), where);
    switch (d.kind) {
      case "invalid":
        assert.ok(CODES.has(d.code), where);
        assertReply(encodeError(request.id, d.code, d.message, dialect.replyStyle), where);
        break;
      case "submit":
        assert.equal(typeof d.worker, "string", where);
        assert.equal(typeof d.job, "string", where);
        assert.ok(["string", "number", "bigint"].includes(typeof d.nonce), where);
        break;
      case "authorize":
        assert.equal(typeof d.user, "string", where);
        assert.equal(typeof d.password, "string", where);
        break;
      case "subscribe":
        assert.equal(typeof d.agent, "string", where);
        break;
    }
  }
}

Deno.test("dialect fuzz: every dialect decodes hostile requests into typed requests or errors", () => {
  for (let seed = 1; seed <= 3000; seed++) {
    const rng = new Rng(seed * 7919);
    const line = hostileLine(rng);
    const parsed = parseRequest(line);
    if (!parsed.ok) continue;
    assertDecoded(parsed.request, `seed ${seed}: ${line.slice(0, 200)}`);
    // The same params under every method name of every dialect.
    for (const method of METHODS) {
      if (method === "") continue;
      assertDecoded({ ...parsed.request, method }, `seed ${seed} as ${method.slice(0, 40)}`);
    }
  }
});

Deno.test("dialect fuzz: every dialect's encoders write one line of valid JSON for any work and difficulty", () => {
  const rng = new Rng(0xd1a1ec7);
  const difficulties = [2 ** -30, 1e-12, 0.5, 1, 3, 8192, 2 ** 40, 2 ** 52, 1e15];
  for (let i = 0; i < 500; i++) {
    const work: JobWork = {
      prePowHash: rng.bytes(32),
      timestamp: BigInt.asUintN(64, BigInt(rng.int(2 ** 31)) * BigInt(rng.int(2 ** 31) + 1)),
    };
    const difficulty = rng.chance(0.3) ? rng.pick(difficulties) : rng.next() * 2 ** rng.int(48);
    for (const dialect of Object.values(DIALECTS)) {
      const where = `iteration ${i} [dialect ${dialect.id}] difficulty ${difficulty}`;
      const body = dialect.jobBody(work);
      const lines = [
        dialect.notifyLine(body, { jobId: rng.int(1e9), workerId: rng.int(16), difficulty }),
        dialect.notifyLine(body, { jobId: rng.int(1e9), workerId: rng.int(16) }),
        dialect.difficultyLine(difficulty),
        dialect.extranonceLine(
          rng.bytes(2).reduce((s, b) => s + b.toString(16).padStart(2, "0"), ""),
          2,
        ),
        encodeResult(1, dialect.subscribeResult("00ff", 1)),
        encodeResult(2, dialect.authorizeResult({ workerId: 3, prefixHex: "0a0b", difficulty })),
        encodeResult(3, dialect.submitResult(rng.chance(0.5) ? difficulty : undefined)),
      ];
      for (const line of lines) {
        if (line === undefined) continue;
        assert.ok(!line.includes("\n"), where);
        assert.doesNotThrow(() => parseJson(line), where);
      }
    }
  }
});

Deno.test("protocol answers an id it cannot echo exactly (1e300, 9007199254740993.0) as a bad id", () => {
  for (const id of ["1e300", "-1E20", "9007199254740993.0", "18446744073709551616.5"]) {
    const parsed = parseRequest(`{"id":${id},"method":"mining.subscribe","params":[]}`);
    assert.deepEqual(parsed, {
      ok: false,
      error: { id: null, code: -32600, message: "Invalid request: bad id" },
    }, id);
  }
  // Exact integers of any size still come back digit for digit.
  const big = parseRequest('{"id":18446744073709551616,"method":"m","params":[]}');
  assert.ok(big.ok);
  assert.equal(
    encodeResult(big.request.id, true),
    '{"id":18446744073709551616,"result":true,"error":null}',
  );
});
