// Unit tests for lib/protocol: envelope parsing, exact big integers, error codes, encoders.
// Pure: run with no permissions.

import assert from "node:assert/strict";
import {
  DEFAULT_MESSAGES,
  encodeError,
  encodeNotification,
  encodeResult,
  ErrorCode,
  JsonEncodeError,
  parseJson,
  parseRequest,
  StratumError,
  writeJson,
} from "../../lib/protocol/mod.ts";

Deno.test("protocol parses a subscribe request into a typed envelope", () => {
  const parsed = parseRequest(
    '{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88","EthereumStratum/1.0.0"]}',
  );
  assert.deepEqual(parsed, {
    ok: true,
    request: {
      id: 1,
      method: "mining.subscribe",
      params: ["lolMiner 1.88", "EthereumStratum/1.0.0"],
    },
  });
});

Deno.test("protocol reads absent id and params as null and []", () => {
  assert.deepEqual(parseRequest('{"method":"submit"}'), {
    ok: true,
    request: { id: null, method: "submit", params: [] },
  });
});

Deno.test("protocol answers bad JSON with -32700 and a null id", () => {
  const parsed = parseRequest('{"id":4,"method":');
  assert.deepEqual(parsed, {
    ok: false,
    error: { id: null, code: -32700, message: "Parse error" },
  });
});

Deno.test("protocol answers a non-request with -32600", () => {
  for (const line of ["[1,2]", "42", '"x"', "null", '{"id":{},"method":"a"}']) {
    const parsed = parseRequest(line);
    assert.equal(parsed.ok, false, line);
    if (!parsed.ok) assert.equal(parsed.error.code, ErrorCode.InvalidRequest, line);
  }
  const noMethod = parseRequest('{"id":7,"params":[]}');
  assert.deepEqual(noMethod, {
    ok: false,
    error: { id: 7, code: -32600, message: "Invalid request: no method" },
  });
});

Deno.test("protocol answers object params with -32602 and keeps the id", () => {
  const parsed = parseRequest('{"id":"a","method":"mining.submit","params":{"nonce":"1"}}');
  assert.equal(parsed.ok, false);
  if (!parsed.ok) assert.deepEqual([parsed.error.id, parsed.error.code], ["a", -32602]);
});

Deno.test("protocol keeps every digit of integers above 2^53", () => {
  assert.deepEqual(parseJson("[18446744073709551615,9007199254740993,-9007199254740993,3,1.5]"), [
    18446744073709551615n,
    9007199254740993n,
    -9007199254740993n,
    3,
    1.5,
  ]);
  const parsed = parseRequest(
    '{"id":3,"method":"mining.submit","params":["w","1",12345678901234567890]}',
  );
  assert.ok(parsed.ok);
  if (parsed.ok) assert.equal(parsed.request.params[2], 12345678901234567890n);
});

Deno.test("protocol writes bigints digit for digit and refuses lossy numbers", () => {
  const words = [
    4720648749289456270n,
    12519750622733210868n,
    125020156979406524n,
    10948238951776149137n,
  ];
  assert.equal(
    writeJson(["1", words, 1716124061964]),
    '["1",[4720648749289456270,12519750622733210868,125020156979406524,10948238951776149137],1716124061964]',
  );
  assert.equal(writeJson({ a: [null, true, 0.125, 'q"\n'] }), '{"a":[null,true,0.125,"q\\"\\n"]}');
  assert.throws(() => writeJson(2 ** 60), JsonEncodeError);
  assert.throws(() => writeJson(NaN), JsonEncodeError);
  assert.throws(() => writeJson(Infinity), JsonEncodeError);
});

Deno.test("protocol names the Stratum and JSON-RPC error codes", () => {
  assert.deepEqual(
    [
      ErrorCode.Other,
      ErrorCode.JobNotFound,
      ErrorCode.Duplicate,
      ErrorCode.LowDifficulty,
      ErrorCode.Unauthorized,
      ErrorCode.NotSubscribed,
      ErrorCode.ParseError,
      ErrorCode.InvalidRequest,
      ErrorCode.MethodNotFound,
      ErrorCode.InvalidParams,
    ],
    [20, 21, 22, 23, 24, 25, -32700, -32600, -32601, -32602],
  );
  const e = new StratumError(ErrorCode.Duplicate);
  assert.equal(e.code, 22);
  assert.equal(e.message, DEFAULT_MESSAGES[22]);
});

Deno.test("protocol encodes errors as [code, message, null] or [code, message]", () => {
  assert.equal(
    encodeError(3, 23, "Low difficulty share", "triple"),
    '{"id":3,"result":null,"error":[23,"Low difficulty share",null]}',
  );
  assert.equal(
    encodeError(10, 21, "Job not found", "pair"),
    '{"id":10,"result":false,"error":[21,"Job not found"]}',
  );
  assert.equal(
    encodeError(null, -32700, "Parse error", "triple"),
    '{"id":null,"result":null,"error":[-32700,"Parse error",null]}',
  );
});

Deno.test("protocol encodes results and notifications with or without an id member", () => {
  assert.equal(encodeResult(2, true), '{"id":2,"result":true,"error":null}');
  assert.equal(encodeResult("x", [0, "000a", 8]), '{"id":"x","result":[0,"000a",8],"error":null}');
  assert.equal(
    encodeNotification("mining.set_extranonce", '["0001",6]', null),
    '{"id":null,"method":"mining.set_extranonce","params":["0001",6]}',
  );
  assert.equal(
    encodeNotification("mining.notify", '["1"]', 1),
    '{"id":1,"method":"mining.notify","params":["1"]}',
  );
  assert.equal(encodeNotification("notify", '["0"]', "omit"), '{"method":"notify","params":["0"]}');
});
