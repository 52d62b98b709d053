// Unit tests for lib/dialects: a conformance suite every dialect passes, plus each family's exact wire form.
// Pure: run with no permissions.

import assert from "node:assert/strict";
import {
  arrayDialect,
  bighexDialect,
  bitmainDialect,
  detectDialect,
  type Dialect,
  DIALECTS,
  isDialectId,
  isSubscribe,
  type JobWork,
  provisionalDialect,
  simpleDialect,
} from "../../lib/dialects/mod.ts";
import { fromHex } from "../../lib/kaspa/hex.ts";
import { parseJson, type RpcRequest } from "../../lib/protocol/mod.ts";

// The job of the spec's examples (stratum.md §1 A and B show the same work in both forms).
const SPEC_WORK: JobWork = {
  prePowHash: fromHex("8e42cac2061d8341f4147de0db16bfadbc66859e2b29bc01915eb60452f5ef97"),
  timestamp: 1716124061964n,
};

function req(method: string, params: unknown[], id: number | null = 1): RpcRequest {
  return { id, method, params };
}

/** Reads the (prePowHash, timestamp) back out of any dialect's notify line. */
function workFromNotify(dialect: Dialect, line: string): JobWork {
  const msg = parseJson(line) as { method: string; params: unknown[] };
  const p = msg.params;
  if (dialect.bodyFormat === "words") {
    const words = p[1] as (bigint | number)[];
    const bytes = new Uint8Array(32);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setBigUint64(i * 8, BigInt(w), true));
    return { prePowHash: bytes, timestamp: BigInt(p[2] as number) };
  }
  if (dialect.bodyFormat === "bigjob") {
    const hex = p[1] as string;
    const ts = new DataView(fromHex(hex.slice(64)).buffer).getBigUint64(0, true);
    return { prePowHash: fromHex(hex.slice(0, 64)), timestamp: ts };
  }
  return { prePowHash: fromHex(p[1] as string), timestamp: BigInt(p[2] as string) };
}

for (const dialect of Object.values(DIALECTS)) {
  const prefix = dialect.id === "simple" ? "" : "mining.";
  Deno.test(`dialect ${dialect.id} notify carries the pre-PoW hash and timestamp exactly`, () => {
    const body = dialect.jobBody(SPEC_WORK);
    const line = dialect.notifyLine(body, { jobId: 7, workerId: 3 });
    assert.deepEqual(workFromNotify(dialect, line), SPEC_WORK);
    const max: JobWork = { prePowHash: new Uint8Array(32).fill(0xff), timestamp: 2n ** 64n - 1n };
    assert.deepEqual(
      workFromNotify(dialect, dialect.notifyLine(dialect.jobBody(max), { jobId: 1, workerId: 0 })),
      max,
    );
  });

  Deno.test(`dialect ${dialect.id} decodes subscribe, authorize and submit`, () => {
    const sub = dialect.decode(
      req(`${prefix}subscribe`, dialect.id === "simple" ? ["", "Agent/1"] : ["Agent/1"]),
    );
    assert.deepEqual(sub, { kind: "subscribe", agent: "Agent/1" });
    assert.deepEqual(dialect.decode(req(`${prefix}authorize`, ["rig.1", "x"])), {
      kind: "authorize",
      user: "rig.1",
      password: "x",
    });
    const job = dialect.id === "simple" ? "ab".repeat(32) : "12";
    const submit = dialect.decode(req(`${prefix}submit`, ["w", job, "0x1"]));
    assert.deepEqual(submit, { kind: "submit", worker: "w", job, nonce: "0x1" });
  });

  Deno.test(`dialect ${dialect.id} answers unknown methods with -32601 and bad params with -32602`, () => {
    const unknown = dialect.decode(req("mining.nonsense", []));
    assert.equal(unknown.kind === "invalid" && unknown.code, -32601);
    const bad = dialect.decode(req(`${prefix}submit`, ["w"]));
    assert.equal(bad.kind === "invalid" && bad.code, -32602);
    const badAuth = dialect.decode(req(`${prefix}authorize`, [42]));
    assert.equal(badAuth.kind === "invalid" && badAuth.code, -32602);
  });

  Deno.test(`dialect ${dialect.id} writes notifications as one JSON object per line`, () => {
    const lines = [
      dialect.extranonceLine("00ab", 2),
      dialect.difficultyLine(8192),
      dialect.notifyLine(dialect.jobBody(SPEC_WORK), { jobId: 1, workerId: 0, difficulty: 2 }),
    ].filter((l) => l !== undefined);
    for (const line of lines) {
      assert.ok(!line.includes("\n"), line);
      assert.equal(typeof parseJson(line), "object");
    }
  });
}

Deno.test("dialect array matches the spec's notify, extranonce and difficulty bytes", () => {
  assert.equal(
    arrayDialect.notifyLine(arrayDialect.jobBody(SPEC_WORK), { jobId: 1, workerId: 0 }),
    '{"id":1,"method":"mining.notify","params":["1",[4720648749289456270,12519750622733210868,125020156979406524,10948238951776149137],1716124061964]}',
  );
  assert.equal(
    arrayDialect.extranonceLine("0001", 2),
    '{"id":null,"method":"mining.set_extranonce","params":["0001",6]}',
  );
  assert.equal(arrayDialect.extranonceLine("", 0), undefined);
  assert.equal(
    arrayDialect.difficultyLine(8192),
    '{"id":null,"method":"mining.set_difficulty","params":[8192]}',
  );
  assert.deepEqual(arrayDialect.subscribeResult("0001", 2), [true, "EthereumStratum/1.0.0"]);
});

Deno.test("dialect array takes the nonce from the last of lolMiner's five submit params", () => {
  const d = arrayDialect.decode(
    req("mining.submit", ["kaspa:q.rig", 5, "00", "ntime", "0x0001a1b2c3d4e5f6"]),
  );
  assert.deepEqual(d, {
    kind: "submit",
    worker: "kaspa:q.rig",
    job: "5",
    nonce: "0x0001a1b2c3d4e5f6",
  });
  assert.deepEqual(arrayDialect.decode(req("mining.extranonce.subscribe", [])), {
    kind: "extranonceSubscribe",
  });
});

Deno.test("dialect bighex matches the spec's 80-hex job and sends notifications without id", () => {
  assert.equal(
    bighexDialect.notifyLine(bighexDialect.jobBody(SPEC_WORK), { jobId: 1, workerId: 0 }),
    '{"method":"mining.notify","params":["1","8e42cac2061d8341f4147de0db16bfadbc66859e2b29bc01915eb60452f5ef970c11f7908f010000"]}',
  );
  assert.equal(
    bighexDialect.extranonceLine("0001", 2),
    '{"method":"mining.set_extranonce","params":["0001"]}',
  );
  assert.equal(
    bighexDialect.difficultyLine(4096),
    '{"method":"mining.set_difficulty","params":[4096]}',
  );
  assert.equal(bighexDialect.pow2Difficulty, true);
  assert.ok(bighexDialect.neighbourJobs > 0);
});

Deno.test('dialect bitmain subscribes with [null, "", 8], has no extranonce and reads any nonce form', () => {
  assert.deepEqual(bitmainDialect.subscribeResult("", 0), [null, "", 8]);
  assert.equal(bitmainDialect.extranonceLine("0001", 2), undefined);
  assert.equal(bitmainDialect.extranonce, "none");
  assert.equal(bitmainDialect.nonceForm, "any");
  assert.equal(bitmainDialect.jobBody(SPEC_WORK), arrayDialect.jobBody(SPEC_WORK));
  assert.equal(
    bitmainDialect.bodyFormat,
    arrayDialect.bodyFormat,
    "A and C share one cached encoding",
  );
});

Deno.test("dialect simple speaks KIP-10/11: subscribe with address, [id, prefix, diff], pre-PoW jobs", () => {
  assert.deepEqual(simpleDialect.decode(req("subscribe", ["kaspa:qz0", "KaspaMiner/1.0.0"])), {
    kind: "subscribe",
    agent: "KaspaMiner/1.0.0",
    address: "kaspa:qz0",
  });
  assert.deepEqual(
    simpleDialect.authorizeResult({ workerId: 0, prefixHex: "000a", difficulty: 8 }),
    [
      0,
      "000a",
      8,
    ],
  );
  assert.equal(simpleDialect.submitResult(undefined), true);
  assert.equal(simpleDialect.submitResult(16), 16);
  const body = simpleDialect.jobBody(SPEC_WORK);
  assert.equal(
    simpleDialect.notifyLine(body, { jobId: 9, workerId: 2 }),
    '{"method":"notify","params":["2","8e42cac2061d8341f4147de0db16bfadbc66859e2b29bc01915eb60452f5ef97","1716124061964"]}',
  );
  assert.equal(
    simpleDialect.notifyLine(body, { jobId: 9, workerId: 2, difficulty: 0.5 }),
    '{"method":"notify","params":["2","8e42cac2061d8341f4147de0db16bfadbc66859e2b29bc01915eb60452f5ef97","1716124061964",0.5]}',
  );
  const upper = "AB".repeat(32);
  assert.deepEqual(simpleDialect.decode(req("submit", [3, upper, "12345678901234567890"])), {
    kind: "submit",
    worker: "3",
    job: upper.toLowerCase(),
    nonce: "12345678901234567890",
  });
  const short = simpleDialect.decode(req("submit", [3, "abcd", "1"]));
  assert.equal(short.kind === "invalid" && short.code, -32602);
  const prefixed = simpleDialect.decode(req("mining.subscribe", ["x"]));
  assert.equal(prefixed.kind === "invalid" && prefixed.code, -32601);
});

Deno.test("detection reads the method and user agent once", () => {
  const cases: [string, string, string][] = [
    ["mining.subscribe", "lolMiner 1.88", "array"],
    ["mining.subscribe", "SRBMiner-MULTI/2.4.5", "array"],
    ["mining.subscribe", "TeamRedMiner/0.10.21", "array"],
    ["mining.subscribe", "kaspa-miner/0.2.7", "array"],
    ["mining.subscribe", "Goldshell/KAJPRO", "array"],
    ["mining.subscribe", "NiceHash/1.0.0", "array"],
    ["mining.subscribe", "", "array"],
    ["mining.subscribe", "BzMiner/v21.5.3", "bighex"],
    ["mining.subscribe", "IceRiverMiner-v1.1", "bighex"],
    ["mining.subscribe", "GodMiner/2.0.0", "bitmain"],
    ["mining.subscribe", "Antminer KS5", "bitmain"],
    ["subscribe", "KaspaMiner/1.0.0", "simple"],
  ];
  for (const [method, agent, want] of cases) {
    assert.equal(detectDialect(method, agent), want, agent);
  }
  assert.equal(provisionalDialect("mining.authorize"), "array");
  assert.equal(provisionalDialect("authorize"), "simple");
  assert.ok(
    isSubscribe("subscribe") && isSubscribe("mining.subscribe") && !isSubscribe("authorize"),
  );
  assert.ok(isDialectId("bitmain") && !isDialectId("E") && !isDialectId("toString"));
});

Deno.test("every dialect's difficultyIn agrees with whether it writes a set_difficulty line", () => {
  // The session engine reads difficultyIn to decide where a change goes; a dialect whose data
  // and encoder disagreed would silently drop difficulty announcements.
  for (const dialect of Object.values(DIALECTS)) {
    const line = dialect.difficultyLine(4096);
    if (dialect.difficultyIn === "set_difficulty") {
      assert.ok(line?.includes("mining.set_difficulty"), `${dialect.id} writes set_difficulty`);
    } else {
      assert.equal(line, undefined, `${dialect.id} carries difficulty in notify`);
    }
  }
});
