// lib/log: levels, child fields, text and JSON lines, and values that must never break a line.

import assert from "node:assert/strict";
import {
  createLogger,
  formatJson,
  formatText,
  limitPerSource,
  type LogRecord,
} from "../../lib/log/mod.ts";
import { MAX_VALUE_CHARS } from "../../lib/log/format.ts";

function capture(level: "debug" | "info" | "warn" | "error", format: "text" | "json") {
  const lines: string[] = [];
  const log = createLogger({
    level,
    format,
    write: (l) => lines.push(l),
    now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  });
  return { log, lines };
}

Deno.test("logger writes records at or above its level and skips the rest", () => {
  const { log, lines } = capture("warn", "text");
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  assert.deepEqual(lines, ["2026-01-02T03:04:05.678Z WARN  w", "2026-01-02T03:04:05.678Z ERROR e"]);
  assert.equal(log.enabled("info"), false);
  assert.equal(log.enabled("error"), true);
});

Deno.test("logger JSON lines carry time, level, msg and the fields, one object per line", () => {
  const { log, lines } = capture("debug", "json");
  log.info("miner connected", { ip: "10.0.0.5", port: 5555 });
  assert.deepEqual(JSON.parse(lines[0]!), {
    time: "2026-01-02T03:04:05.678Z",
    level: "info",
    msg: "miner connected",
    ip: "10.0.0.5",
    port: 5555,
  });
});

Deno.test("child loggers add their fields to every record, call fields winning", () => {
  const { log, lines } = capture("info", "json");
  const conn = log.child({ conn: 7, ip: "1.2.3.4" }).child({ worker: "rig1" });
  conn.info("share", { worker: "rig2", diff: 4096 });
  const rec = JSON.parse(lines[0]!);
  assert.equal(rec.conn, 7);
  assert.equal(rec.worker, "rig2");
  assert.equal(rec.diff, 4096);
});

Deno.test("timestamps can be turned off for journald", () => {
  const lines: string[] = [];
  const log = createLogger({
    level: "info",
    format: "text",
    timestamps: false,
    write: (l) => lines.push(l),
  });
  log.info("up", { port: 1 });
  assert.equal(lines[0], "INFO  up port=1");
  const rec: LogRecord = { time: 0, level: "info", msg: "m", fields: {} };
  assert.equal(formatJson(rec, false), '{"level":"info","msg":"m"}');
});

Deno.test("text values are bare when safe and JSON-quoted otherwise", () => {
  const rec: LogRecord = {
    time: 0,
    level: "info",
    msg: "line1\nline2",
    fields: {
      a: "plain",
      b: "two words",
      c: "",
      d: 'q"x',
      e: true,
      f: null,
      g: undefined,
      h: [1, 2],
    },
  };
  assert.equal(
    formatText(rec, false),
    'INFO  line1\\nline2 a=plain b="two words" c="" d="q\\"x" e=true f=null h=[1,2]',
  );
});

Deno.test("bigints, errors, bytes and cycles are written without throwing or losing digits", () => {
  class NodeError extends Error {
    override name = "NodeError";
    code = "timeout";
  }
  const cyclic: Record<string, unknown> = { n: 1 };
  cyclic.self = cyclic;
  const fields = {
    nonce: 18446744073709551615n,
    err: new NodeError("no answer"),
    hash: new Uint8Array([0, 171, 255]),
    cyclic,
  };
  const json = JSON.parse(formatJson({ time: 0, level: "error", msg: "x", fields }));
  assert.equal(json.nonce, "18446744073709551615");
  assert.deepEqual(json.err, { name: "NodeError", message: "no answer", code: "timeout" });
  assert.equal(json.hash, "00abff");
  assert.deepEqual(json.cyclic, { n: 1, self: "[circular]" });
  const text = formatText({ time: 0, level: "error", msg: "x", fields }, false);
  assert.equal(
    text,
    'ERROR x nonce=18446744073709551615 err="NodeError(timeout): no answer" hash=00abff cyclic={"n":1,"self":"[circular]"}',
  );
});

Deno.test("long values and reserved field names are bounded and kept apart", () => {
  const long = "u".repeat(MAX_VALUE_CHARS + 50);
  const json = JSON.parse(
    formatJson({
      time: 0,
      level: "info",
      msg: "m",
      fields: { agent: long, msg: "mine", level: 3 },
    }),
  );
  assert.equal(json.agent, "u".repeat(MAX_VALUE_CHARS) + "…(+50)");
  assert.equal(json.msg, "m");
  assert.equal(json.field_msg, "mine");
  assert.equal(json.field_level, 3);
});

Deno.test("C1 controls, bidi overrides and line separators never reach a log line raw (hole 9)", () => {
  const evil = "rig\u0085\u009b31m\u202eevil\u2028\u2029\u200b\u2066x\ufeff\u007f";
  const record: LogRecord = {
    time: 0,
    level: "info",
    msg: `found ${evil}`,
    fields: { worker: evil, note: evil, plainish: "rig1" },
  };
  // deno-lint-ignore no-control-regex
  const unsafe = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/;
  for (const line of [formatText(record, false), formatJson(record, false)]) {
    assert.ok(!unsafe.test(line), `raw unsafe code point in ${JSON.stringify(line)}`);
    assert.match(line, /\\u202e/);
  }
  const text = formatText(record, false);
  assert.match(text, /worker="rig\\u0085/, "miner-chosen values are quoted");
  assert.match(text, / plainish=rig1$/);
  // The JSON line still parses back to the exact values.
  const parsed = JSON.parse(formatJson(record, false));
  assert.equal(parsed.worker, evil);
  assert.equal(parsed.msg, `found ${evil}`);
  // A worker name is quoted even when plain: it cannot pose as another field.
  const quoted = formatText({ ...record, msg: "m", fields: { worker: "a" } }, false);
  assert.equal(quoted, 'INFO  m worker="a"');
});

Deno.test("lines about one IP are limited per minute and the rest counted (hole 8)", () => {
  const lines: string[] = [];
  let t = 0;
  const root = createLogger({ level: "info", format: "json", write: (l) => lines.push(l) });
  const log = limitPerSource(root, { perWindow: 3, now: () => t }).child({ part: "stratum" });
  for (let i = 0; i < 20_000; i++) log.info("worker authorized", { ip: "10.0.0.9", worker: "x" });
  log.info("worker authorized", { ip: "10.0.0.10" });
  log.info("block found by a miner"); // names no IP: never limited
  assert.equal(lines.length, 5);
  t = 60_000;
  log.info("worker authorized", { ip: "10.0.0.9" });
  const records = lines.map((l) => JSON.parse(l));
  const report = records.find((r) => r.msg === "log lines suppressed");
  assert.deepEqual(
    { ip: report.ip, suppressed: report.suppressed, part: report.part },
    { ip: "10.0.0.9", suppressed: 19_997, part: undefined },
  );
  assert.equal(records.at(-1).msg, "worker authorized");
  assert.equal(records[0].part, "stratum");
});
