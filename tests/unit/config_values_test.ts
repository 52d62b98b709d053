// Value codecs of lib/config: numbers, durations, addresses to bind and node endpoints.

import assert from "node:assert/strict";
import { ValueProblem } from "../../lib/config/errors.ts";
import { parseListenerSpec } from "../../lib/config/listeners.ts";
import { nearest } from "../../lib/config/suggest.ts";
import {
  bindAddress,
  bool,
  durationMs,
  int,
  nodeList,
  num,
  parseHostPort,
  parseNodeEndpoint,
} from "../../lib/config/values.ts";

Deno.test("int accepts integers in range and rejects decimals, words and out-of-range values", () => {
  const c = int(0, 3);
  assert.equal(c.parseText("2"), 2);
  assert.equal(c.parseValue(3), 3);
  for (const bad of ["4", "-1", "1.5", "two", ""]) {
    assert.throws(() => c.parseText(bad), ValueProblem);
  }
  assert.throws(() => c.parseValue(true), /expected an integer from 0 to 3/);
});

Deno.test("num accepts decimals and exponents within bounds", () => {
  const c = num(0.1, 600);
  assert.equal(c.parseText("0.5"), 0.5);
  assert.equal(c.parseText("1e2"), 100);
  assert.throws(() => c.parseText("0"), ValueProblem);
  assert.throws(() => c.parseText("Infinity"), ValueProblem);
});

Deno.test("bool reads true/false, yes/no, on/off and 1/0", () => {
  for (const t of ["true", "YES", "on", "1"]) assert.equal(bool.parseText(t), true);
  for (const f of ["false", "no", "Off", "0"]) assert.equal(bool.parseText(f), false);
  assert.throws(() => bool.parseText("maybe"), /expected true or false/);
});

Deno.test("durationMs reads bare milliseconds and Go durations like 3s and 1m30s", () => {
  const c = durationMs(0, 86_400_000);
  assert.equal(c.parseText("250"), 250);
  assert.equal(c.parseValue(1000), 1000);
  assert.equal(c.parseText("500ms"), 500);
  assert.equal(c.parseText("3s"), 3000);
  assert.equal(c.parseText("1m30s"), 90_000);
  assert.equal(c.parseText("1.5s"), 1500);
  assert.equal(c.parseText("2h"), 7_200_000);
  for (const bad of ["3 s", "s", "3x", "3s4", "-1s"]) {
    assert.throws(() => c.parseText(bad), ValueProblem);
  }
  assert.throws(() => durationMs(100, 200).parseText("1s"), /from 100 to 200/);
});

Deno.test("parseHostPort reads host:port, :port, a bare port and [v6]:port", () => {
  assert.deepEqual(parseHostPort("10.0.0.1:5555", "0.0.0.0"), { host: "10.0.0.1", port: 5555 });
  assert.deepEqual(parseHostPort(":5555", "0.0.0.0"), { host: "0.0.0.0", port: 5555 });
  assert.deepEqual(parseHostPort("5555", "0.0.0.0"), { host: "0.0.0.0", port: 5555 });
  assert.deepEqual(parseHostPort("[::1]:5555", "0.0.0.0"), { host: "::1", port: 5555 });
  assert.deepEqual(parseHostPort("node.local:16110", ""), { host: "node.local", port: 16110 });
  assert.throws(() => parseHostPort(":70000", "0.0.0.0"), /port 70000 is out of range/);
  assert.throws(() => parseHostPort(":0", "0.0.0.0"), /out of range \(1-65535\)/);
  assert.throws(() => parseHostPort("a:b:c", "0.0.0.0"), /expected host:port/);
});

Deno.test("bindAddress turns off into undefined and keeps port 0 for tests", () => {
  const c = bindAddress(true);
  assert.equal(c.parseText("off"), undefined);
  assert.deepEqual(c.parseText("127.0.0.1:0"), { host: "127.0.0.1", port: 0 });
  assert.equal(c.show(undefined), "off");
  assert.throws(() => bindAddress(false).parseText("off"), ValueProblem);
});

Deno.test("node endpoints are gRPC host:port or wRPC ws:// URLs, in the order given", () => {
  assert.deepEqual(parseNodeEndpoint("127.0.0.1:16110"), {
    kind: "grpc",
    host: "127.0.0.1",
    port: 16110,
  });
  assert.deepEqual(parseNodeEndpoint("ws://10.0.0.2:18110"), {
    kind: "wrpc",
    url: "ws://10.0.0.2:18110",
  });
  assert.deepEqual(parseNodeEndpoint("wss://node.example/rpc"), {
    kind: "wrpc",
    url: "wss://node.example/rpc",
  });
  assert.throws(() => parseNodeEndpoint(":16110"), /needs a host/);
  assert.throws(() => parseNodeEndpoint("http://x:1"), /use host:port for gRPC or ws:\/\//);
  const list = nodeList.parseText("a:1 ws://b:2;c:3");
  assert.deepEqual(list.map((e) => e.kind), ["grpc", "wrpc", "grpc"]);
  assert.throws(() => nodeList.parseValue([]), /one or more/);
});

Deno.test("a listener spec splits into a bind and normalized key=value options", () => {
  const l = parseListenerSpec(":5556,dialect=bighex,Start-Diff=16384");
  assert.deepEqual(l.bind, { host: "0.0.0.0", port: 5556 });
  assert.deepEqual(l.set, { dialect: "bighex", start_diff: "16384" });
  assert.throws(() => parseListenerSpec(":5556,bighex"), /must look like key=value/);
  assert.throws(() => parseListenerSpec(":5556,diff=1,diff=2"), /given twice/);
});

Deno.test("nearest suggests the closest known name and nothing for unrelated words", () => {
  const known = ["shares_per_min", "start_diff", "min_diff", "node", "listen"];
  assert.equal(nearest("shares_per_minute", known), "shares_per_min");
  assert.equal(nearest("min_dif", known), "min_diff");
  assert.equal(nearest("lsiten", known), "listen");
  assert.equal(nearest("coffee_machine", known), undefined);
});
