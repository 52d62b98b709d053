// lib/log: levels, child fields, text and JSON lines, and values that must never break a line.

import assert from "node:assert/strict";
import { createLogger, formatJson, formatText, type LogRecord } from "../../lib/log/mod.ts";
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
