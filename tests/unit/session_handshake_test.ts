// Unit tests for the session engine's handshake per dialect, address rules and protocol errors.
// Pure: run with no permissions; jobs come from real headers.

import assert from "node:assert/strict";
import { AddressBudget, ExtranoncePools } from "../../lib/session/mod.ts";
import { HEADERS, mainnetAddress, realJob } from "../fixtures/transcripts/real_jobs.ts";
import {
  actions,
  errorCode,
  harness,
  lines,
  replies,
} from "../fixtures/transcripts/session_harness.ts";

const ADDR = mainnetAddress(7);
const JOB_A = realJob(HEADERS.devnetA, { payAddress: ADDR });
// Independently computed (Python struct.unpack('<4Q')) from the header's pre-PoW hash.
const WORDS_A =
  "[2908664388138701231,1787930468477559448,18099520921765543858,2098795050733576519],1231006513094";
const BIGJOB_A = "af11d6a9d9a65d2898e2b3c84901d018b2ff950a626a2efb47a1528ffa6a201dc6b7b49d1e010000";
const PRE_POW_A = BIGJOB_A.slice(0, 64);

Deno.test("session answers an array-jobs handshake with extranonce, difficulty and first job in order", () => {
  const h = harness();
  const sub = h.send({
    id: 1,
    method: "mining.subscribe",
    params: ["lolMiner 1.88", "EthereumStratum/1.0.0"],
  });
  assert.deepEqual(lines(sub), ['{"id":1,"result":[true,"EthereumStratum/1.0.0"],"error":null}']);
  const auth = h.send({ id: 2, method: "mining.authorize", params: [`${ADDR}.rig1`, "x"] });
  assert.deepEqual(lines(auth), [
    '{"id":2,"result":true,"error":null}',
    '{"id":null,"method":"mining.set_extranonce","params":["0001",6]}',
  ]);
  assert.deepEqual(actions(auth), [{ kind: "subscribeJobs", address: ADDR }]);
  const job = h.session.onJob(JOB_A, 10);
  assert.deepEqual(lines(job), [
    '{"id":null,"method":"mining.set_difficulty","params":[8192]}',
    `{"id":1,"method":"mining.notify","params":["1",${WORDS_A}]}`,
  ]);
  const who = {
    worker: "rig1",
    wallet: ADDR,
    miner: "lolMiner 1.88",
    ip: "10.0.0.1",
    dialect: "array",
  };
  assert.deepEqual(h.events.log.slice(0, 2), [
    { kind: "connected", ip: "10.0.0.1", dialect: "array" },
    { kind: "authorized", who },
  ]);
  assert.deepEqual(h.events.of("difficultyChanged"), [{
    kind: "difficultyChanged",
    who,
    difficulty: 8192,
  }]);
  assert.equal(h.events.of("jobSent").length, 1);
});

Deno.test("session gives IceRiver id-less extranonce, difficulty and job right after authorize", () => {
  const h = harness({ difficulty: { kind: "fixed", difficulty: 5000 } });
  h.send({ id: 1, method: "mining.subscribe", params: ["IceRiverMiner-v1.1"] });
  const auth = h.send({ id: 2, method: "mining.authorize", params: [`${ADDR}.ks2l`, "x"] });
  // The composition root's driver feeds JobSource.latest right after subscribeJobs.
  const job = h.session.onJob(JOB_A, 1);
  assert.deepEqual([...lines(auth), ...lines(job)], [
    '{"id":2,"result":true,"error":null}',
    '{"method":"mining.set_extranonce","params":["0001"]}',
    '{"method":"mining.set_difficulty","params":[4096]}',
    `{"method":"mining.notify","params":["1","${BIGJOB_A}"]}`,
  ]);
});

Deno.test('session gives Bitmain [null,"",8], no extranonce and a power-of-two difficulty', () => {
  const h = harness({ difficulty: { kind: "fixed", difficulty: 1000 } });
  const sub = h.send({ id: 1, method: "mining.subscribe", params: ["GodMiner/2.0.0"] });
  assert.deepEqual(lines(sub), ['{"id":1,"result":[null,"",8],"error":null}']);
  const auth = h.send({ id: 2, method: "mining.authorize", params: [`${ADDR}.ks5`, "x"] });
  assert.deepEqual(lines(auth), ['{"id":2,"result":true,"error":null}']);
  assert.deepEqual(lines(h.session.onJob(JOB_A, 1)), [
    '{"id":null,"method":"mining.set_difficulty","params":[1024]}',
    `{"id":1,"method":"mining.notify","params":["1",${WORDS_A}]}`,
  ]);
});

Deno.test("session serves several Simplified Stratum workers on one connection", () => {
  const h = harness({ difficulty: { kind: "vardiff", initial: 8, min: 1, max: 1e9 } });
  assert.deepEqual(
    lines(h.send({ id: 1, method: "subscribe", params: [ADDR, "KaspaMiner/1.0.0"] })),
    [
      '{"id":1,"result":true,"error":null}',
    ],
  );
  const a1 = h.send({ id: 2, method: "authorize", params: ["Miner1"] });
  assert.deepEqual(lines(a1), ['{"id":2,"result":[0,"0001",8],"error":null}']);
  assert.deepEqual(actions(a1), [{ kind: "subscribeJobs", address: ADDR }]);
  assert.deepEqual(lines(h.session.onJob(JOB_A, 1)), [
    `{"method":"notify","params":["0","${PRE_POW_A}","1231006513094",8]}`,
  ]);
  const a2 = h.send({ id: 3, method: "authorize", params: ["Miner2", "d=16"] });
  assert.deepEqual(lines(a2), [
    '{"id":3,"result":[1,"0002",16],"error":null}',
    `{"method":"notify","params":["1","${PRE_POW_A}","1231006513094",16]}`,
  ]);
  const jobB = realJob(HEADERS.devnetB, { payAddress: ADDR });
  const both = lines(h.session.onJob(jobB, 1000));
  assert.equal(both.length, 2);
  assert.match(
    both[0]!,
    /^\{"method":"notify","params":\["0","de761a0e[0-9a-f]{56}","1231006534500"\]\}$/,
  );
  assert.match(
    both[1]!,
    /^\{"method":"notify","params":\["1","de761a0e[0-9a-f]{56}","1231006534500"\]\}$/,
  );
  assert.deepEqual(lines(h.send({ id: 4, method: "authorize", params: ["Miner1"] })), [
    '{"id":4,"result":[0,"0001",8],"error":null}',
  ], "re-authorizing a name returns its worker");
});

Deno.test("session answers requests before subscribe with 25, in the dialect the method names", () => {
  const h = harness();
  assert.deepEqual(lines(h.send({ id: 5, method: "mining.submit", params: ["w", "1", "00"] })), [
    '{"id":5,"result":null,"error":[25,"Not subscribed",null]}',
  ]);
  assert.deepEqual(lines(h.send({ id: 6, method: "mining.authorize", params: [ADDR] })), [
    '{"id":6,"result":null,"error":[25,"Not subscribed",null]}',
  ]);
  assert.deepEqual(lines(h.send({ id: 7, method: "authorize", params: ["w"] })), [
    '{"id":7,"result":false,"error":[25,"Not subscribed"]}',
  ]);
  assert.deepEqual(lines(h.send({ id: 8, method: "mining.extranonce.subscribe", params: [] })), [
    '{"id":8,"result":true,"error":null}',
  ]);
  assert.equal(h.session.phase.kind, "connected");
});

Deno.test("session answers malformed lines with the JSON-RPC codes and never stays silent", () => {
  const h = harness();
  h.send({ id: 1, method: "mining.subscribe", params: ["SRBMiner-MULTI/2.4.5"] });
  const cases: [string, number][] = [
    ["{not json", -32700],
    ["[1,2,3]", -32600],
    ['{"id":3,"params":[]}', -32600],
    ['{"id":4,"method":"mining.submit","params":{"a":1}}', -32602],
    ['{"id":5,"method":"mining.submit","params":["w"]}', -32602],
    ['{"id":6,"method":"mining.hello","params":[]}', -32601],
    ['{"id":7,"method":"mining.submit","params":["w","1","0001"]}', 24],
  ];
  for (const [line, code] of cases) assert.equal(errorCode(h.send(line)), code, line);
  assert.deepEqual(h.events.of("protocolError").map((e) => e.code), cases.map(([, c]) => c));
});

Deno.test("session refuses an invalid or wrong-network address with 24 and logs why", () => {
  const h = harness();
  h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  const wrongNet = ADDR.replace("kaspa:", "kaspatest:");
  for (const user of [`${ADDR.slice(0, -1)}x.rig`, `${wrongNet}.rig`, "kaspa:qqq"]) {
    const step = h.send({ id: 2, method: "mining.authorize", params: [user, "x"] });
    assert.equal(errorCode(step), 24, user);
    const log = step.effects.find((e) => e.kind === "log");
    assert.ok(
      log?.kind === "log" && log.level === "warn" && typeof log.fields.reason === "string",
      user,
    );
  }
  const step = h.send({ id: 3, method: "mining.authorize", params: ["rig-without-address", "x"] });
  assert.deepEqual(lines(step), ['{"id":3,"result":null,"error":[24,"No payout address",null]}']);
  assert.equal(h.session.phase.kind, "subscribed");
  // Both are code 24; metrics tell them apart (err_malformed_wallet_address, err_no_miner_address).
  assert.deepEqual(h.events.of("protocolError").map((e) => e.cause), [
    "bad-address",
    "bad-address",
    "bad-address",
    "no-address",
  ]);
});

Deno.test("session pays a worker without an address to the default address", () => {
  const fallback = mainnetAddress(9);
  const h = harness({ defaultAddress: fallback });
  h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  const step = h.send({ id: 2, method: "mining.authorize", params: ["rig7", "x"] });
  assert.equal(errorCode(step), null);
  assert.deepEqual(actions(step), [{ kind: "subscribeJobs", address: fallback }]);
  assert.equal(h.events.of("authorized")[0]!.who.worker, "rig7");
});

Deno.test("session takes a fixed per-worker difficulty from the password", () => {
  const h = harness({ difficulty: { kind: "vardiff", initial: 64, min: 1, max: 1e9 } });
  h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  h.send({ id: 2, method: "mining.authorize", params: [`${ADDR}.big`, "x,d=4096"] });
  assert.equal(
    lines(h.session.onJob(JOB_A, 1))[0],
    '{"id":null,"method":"mining.set_difficulty","params":[4096]}',
  );
});

Deno.test("session clamps d= to the port's min and max and ignores it on a fixed port", () => {
  const vardiff = { kind: "vardiff" as const, initial: 64, min: 16, max: 1024 };
  const cases: [string, number][] = [["d=0.000000001", 16], ["d=100000", 1024], ["d=256", 256]];
  for (const [password, want] of cases) {
    const h = harness({ difficulty: vardiff });
    h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
    h.send({ id: 2, method: "mining.authorize", params: [`${ADDR}.rig`, password] });
    const first = lines(h.session.onJob(JOB_A, 1))[0];
    assert.equal(
      first,
      `{"id":null,"method":"mining.set_difficulty","params":[${want}]}`,
      password,
    );
  }
  const fixed = harness({ difficulty: { kind: "fixed", difficulty: 4096 } });
  fixed.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  const step = fixed.send({
    id: 2,
    method: "mining.authorize",
    params: [`${ADDR}.r`, "d=0.000000001"],
  });
  assert.ok(step.effects.some((e) => e.kind === "log" && /ignored/.test(e.message)));
  assert.equal(
    lines(fixed.session.onJob(JOB_A, 1))[0],
    '{"id":null,"method":"mining.set_difficulty","params":[4096]}',
  );
});

Deno.test("session cuts worker names (every dialect) and user agents to 64 characters", () => {
  const long = "w".repeat(70_000);
  const simple = harness();
  simple.send({ id: 1, method: "subscribe", params: [ADDR, "a".repeat(70_000)] });
  simple.send({ id: 2, method: "authorize", params: [long] });
  const who = simple.events.of("authorized")[0]!.who;
  assert.equal(who.worker.length, 64);
  assert.equal(who.miner.length, 64);
  const array = harness();
  array.send({ id: 1, method: "mining.subscribe", params: ["u".repeat(70_000)] });
  array.send({ id: 2, method: "mining.authorize", params: [`${ADDR}.${long}`, "x"] });
  const who2 = array.events.of("authorized")[0]!.who;
  assert.equal(who2.worker.length, 64);
  assert.equal(who2.miner.length, 64);
});

Deno.test("session refuses an address longer than any Kaspa address before decoding it", () => {
  const h = harness();
  h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  const huge = "kaspa:" + "q".repeat(65_000);
  const t0 = performance.now();
  const step = h.send({ id: 2, method: "mining.authorize", params: [`${huge}.rig`, "x"] });
  const ms = performance.now() - t0;
  assert.equal(errorCode(step), 24);
  const log = step.effects.find((e) => e.kind === "log");
  assert.ok(log?.kind === "log" && /longer than 80/.test(String(log.fields.reason)));
  assert.ok(ms < 20, `refused in ${ms.toFixed(1)} ms`);
});

Deno.test("session keeps one payout address per array-jobs connection", () => {
  const h = harness();
  h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  h.send({ id: 2, method: "mining.authorize", params: [`${ADDR}.a`, "x"] });
  assert.equal(
    errorCode(h.send({ id: 3, method: "mining.authorize", params: [`${ADDR}.b`, "x"] })),
    null,
  );
  const other = h.send({
    id: 4,
    method: "mining.authorize",
    params: [`${mainnetAddress(8)}.c`, "x"],
  });
  assert.deepEqual(replies(other)[0]!.error, [24, "One payout address per connection", null]);
});

Deno.test("session lets a Simplified Stratum miner replace its address and restarts the job stream", () => {
  const h = harness();
  h.send({ id: 1, method: "subscribe", params: [ADDR, "KaspaMiner/1.0.0"] });
  h.send({ id: 2, method: "authorize", params: ["w"] });
  const next = mainnetAddress(3);
  const step = h.send({ id: 3, method: "subscribe", params: [next, "KaspaMiner/1.0.0"] });
  assert.deepEqual(lines(step), ['{"id":3,"result":true,"error":null}']);
  assert.deepEqual(actions(step), [{ kind: "unsubscribeJobs" }, {
    kind: "subscribeJobs",
    address: next,
  }]);
  const bad = h.send({ id: 4, method: "subscribe", params: ["kaspa:nope", "KaspaMiner/1.0.0"] });
  assert.equal(
    replies(bad)[0]!.error instanceof Array && (replies(bad)[0]!.error as unknown[]).length,
    2,
  );
  assert.equal(errorCode(bad), 24);
});

Deno.test("session with a forced dialect ignores the user agent", () => {
  const h = harness({ dialect: "bighex" });
  h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner 1.88"] });
  h.send({ id: 2, method: "mining.authorize", params: [ADDR, "x"] });
  assert.match(
    lines(h.session.onJob(JOB_A, 0)).at(-1)!,
    /^\{"method":"mining.notify","params":\["1","af11/,
  );
});

Deno.test("session hands out unique extranonces and takes them back on close", () => {
  const pools = new ExtranoncePools();
  const seen: string[] = [];
  const sessions = Array.from({ length: 3 }, () => harness({ extranonces: pools }));
  for (const h of sessions) {
    h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
    const auth = lines(h.send({ id: 2, method: "mining.authorize", params: [ADDR, "x"] }));
    seen.push(JSON.parse(auth[1]!).params[0]);
  }
  assert.deepEqual(seen, ["0001", "0002", "0003"]);
  assert.equal(pools.pool(2).inUse, 3);
  const closed = sessions[1]!.session.close("eof", 5);
  assert.deepEqual(actions(closed), [{ kind: "unsubscribeJobs" }]);
  assert.equal(pools.pool(2).inUse, 2);
  const d = sessions[1]!.events.of("disconnected")[0]!;
  assert.equal(d.reason, "eof");
  assert.equal(d.who?.wallet, ADDR);
  assert.deepEqual(sessions[1]!.session.close("again", 6).effects, [], "close is idempotent");
  assert.deepEqual(sessions[1]!.send({ id: 9, method: "mining.submit", params: [] }).effects, []);
});

Deno.test("session answers an oversize line with an error, then closes", () => {
  const h = harness();
  h.send({ id: 1, method: "subscribe", params: [ADDR, "KaspaMiner/1.0.0"] });
  const step = h.session.onOversize(1);
  assert.deepEqual(lines(step), ['{"id":null,"result":false,"error":[-32600,"Line too long"]}']);
  assert.deepEqual(actions(step), [{ kind: "close", reason: "line too long" }]);
});

Deno.test("session names the worker in protocol errors once one is authorized", () => {
  const h = harness();
  h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  h.send("{oops");
  h.send({ id: 2, method: "mining.authorize", params: [`${ADDR}.rig9`, "x"] });
  h.send({ id: 3, method: "mining.nope", params: [] });
  const errors = h.events.of("protocolError");
  assert.deepEqual(errors.map((e) => [e.code, e.who?.worker]), [[-32700, undefined], [
    -32601,
    "rig9",
  ]]);
});

Deno.test("session bounds distinct payout addresses per connection, per IP and in total", () => {
  const budget = new AddressBudget({ perConnection: 3, perIp: 4, total: 5 });
  // A Simplified Stratum miner re-subscribing with new addresses: the 4th is refused.
  const churn = harness({ addresses: budget, ip: "10.0.0.1" });
  const codes = [1, 2, 3, 4].map((i) =>
    errorCode(churn.send({ id: i, method: "subscribe", params: [mainnetAddress(100 + i), "x"] }))
  );
  assert.deepEqual(codes, [null, null, null, 24]);
  assert.equal(budget.inUse, 3);
  assert.deepEqual(churn.events.of("refused").map((e) => e.reason), ["address_budget"]);
  // Same IP, another connection: one more fits the per-IP limit of 4, the next does not.
  const second = harness({ addresses: budget, ip: "10.0.0.1" });
  second.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  assert.equal(
    errorCode(
      second.send({ id: 2, method: "mining.authorize", params: [`${mainnetAddress(200)}.a`, "x"] }),
    ),
    null,
  );
  const third = harness({ addresses: budget, ip: "10.0.0.1" });
  third.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  const refused = third.send({
    id: 2,
    method: "mining.authorize",
    params: [`${mainnetAddress(201)}.a`, "x"],
  });
  assert.equal(errorCode(refused), 24);
  assert.ok(
    refused.effects.some((e) => e.kind === "log" && /one IP/.test(String(e.fields.reason))),
  );
  // An address already in use from this IP still fits.
  const reuse = harness({ addresses: budget, ip: "10.0.0.1" });
  reuse.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  assert.equal(
    errorCode(
      reuse.send({ id: 2, method: "mining.authorize", params: [`${mainnetAddress(200)}.b`, "x"] }),
    ),
    null,
  );
  // Another IP: the server-wide limit of 5 leaves room for one.
  const other = harness({ addresses: budget, ip: "10.0.0.2" });
  other.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  other.send({ id: 2, method: "mining.authorize", params: [`${mainnetAddress(300)}.a`, "x"] });
  const full = harness({ addresses: budget, ip: "10.0.0.3" });
  full.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  assert.equal(
    errorCode(
      full.send({ id: 2, method: "mining.authorize", params: [`${mainnetAddress(301)}.a`, "x"] }),
    ),
    24,
  );
  // Closing connections gives their addresses back.
  churn.session.close("gone", 0);
  assert.equal(budget.inUse, 2);
  const after = harness({ addresses: budget, ip: "10.0.0.3" });
  after.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] });
  assert.equal(
    errorCode(
      after.send({ id: 2, method: "mining.authorize", params: [`${mainnetAddress(301)}.a`, "x"] }),
    ),
    null,
  );
});

Deno.test("session refuses a miner when every extranonce is live, and logs it (no silent sharing)", () => {
  const pools = new ExtranoncePools();
  const sessions = Array.from(
    { length: 257 },
    () => harness({ extranonces: pools, extranonceSize: 1 }),
  );
  const codes = sessions.map((h) =>
    errorCode(h.send({ id: 1, method: "mining.subscribe", params: ["lolMiner"] }))
  );
  assert.equal(codes.filter((c) => c === null).length, 256);
  const last = sessions[256]!.send({ id: 2, method: "mining.subscribe", params: ["lolMiner"] });
  assert.ok(last.effects.some((e) => e.kind === "close"), "the extra miner is closed");
  assert.ok(last.effects.some((e) => e.kind === "log" && /extranonce space full/.test(e.message)));
  assert.equal(pools.pool(1).refused, 2);
  assert.deepEqual(sessions[256]!.events.of("refused").map((e) => e.reason), [
    "extranonce_full",
    "extranonce_full",
  ]);
  // Simplified Stratum: one extranonce per worker; the worker past the space is refused.
  const sp = new ExtranoncePools();
  const simple = harness({ extranonces: sp, extranonceSize: 1 });
  simple.send({ id: 1, method: "subscribe", params: [ADDR, "KaspaMiner/1.0.0"] });
  for (let i = 0; i < 256; i++) sp.pool(1).acquire();
  assert.equal(errorCode(simple.send({ id: 2, method: "authorize", params: ["w1"] })), 20);
});
