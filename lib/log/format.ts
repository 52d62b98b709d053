// Renders one log record as a text line or a JSON line. Pure: no clock, no I/O.
// Values are bounded (long strings cut) and never throw (bigint, Error, bytes, cycles handled).

/** Severity, least to most. */
export type LogLevel = "debug" | "info" | "warn" | "error";
/** Every level, least severe first. */
export const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Structured context of a record: short keys, plain values. */
export type LogFields = Record<string, unknown>;

/** One log event. */
export interface LogRecord {
  /** Milliseconds since the Unix epoch. */
  time: number;
  /** Severity. */
  level: LogLevel;
  /** Short constant text; variable parts go in fields. */
  msg: string;
  /** Structured context. */
  fields: LogFields;
}

/** Longest string value written, in UTF-16 units; longer ones are cut and marked. */
export const MAX_VALUE_CHARS = 1024;
const RESERVED = new Set(["time", "level", "msg"]);
// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

/**
 * Code points never written raw: controls (C0, DEL, C1 such as U+0085 and U+009B), format
 * characters (bidi overrides and isolates such as U+202E, zero-width, BOM), line and paragraph
 * separators (U+2028, U+2029) and lone surrogates. One of them can make a log line mislead.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const UNSAFE_TEST = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Keys whose values miners choose: always quoted in text lines, so they read as one value. */
const MINER_CHOSEN = new Set(["worker", "miner", "wallet", "address", "agent", "user", "asked"]);

/**
 * `s` with every unsafe code point written as `\uXXXX` (each UTF-16 unit): valid inside a JSON
 * string, and visible in a text line.
 */
export function escapeUnsafe(s: string): string {
  return s.replace(UNSAFE, (c) => {
    let out = "";
    for (let i = 0; i < c.length; i++) {
      out += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
    }
    return out;
  });
}

function cut(s: string): string {
  return s.length <= MAX_VALUE_CHARS
    ? s
    : `${s.slice(0, MAX_VALUE_CHARS)}…(+${s.length - MAX_VALUE_CHARS})`;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Turns any value into something JSON.stringify writes faithfully and boundedly. */
export function plain(value: unknown, seen: Set<unknown> = new Set()): unknown {
  if (typeof value === "string") return cut(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value === null || typeof value !== "object") {
    return typeof value === "function" || typeof value === "symbol" ? String(value) : value;
  }
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  try {
    if (value instanceof Uint8Array) return cut(hex(value));
    if (value instanceof Date) {
      return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
    }
    if (value instanceof Error) {
      const out: Record<string, unknown> = { name: value.name, message: cut(value.message) };
      const code = (value as { code?: unknown }).code;
      if (code !== undefined) out.code = plain(code, seen);
      return out;
    }
    if (Array.isArray(value)) return value.slice(0, 100).map((v) => plain(v, seen));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value).slice(0, 100)) {
      if (v !== undefined) out[k] = plain(v, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * One JSON object per line: time (ISO, when `timestamps`), level, msg, then the fields.
 * A field named like a reserved key is written as `field_<name>`.
 */
export function formatJson(record: LogRecord, timestamps = true): string {
  const out: Record<string, unknown> = {};
  if (timestamps) out.time = new Date(record.time).toISOString();
  out.level = record.level;
  out.msg = cut(record.msg);
  for (const [k, v] of Object.entries(record.fields)) {
    if (v !== undefined) out[RESERVED.has(k) ? `field_${k}` : k] = plain(v);
  }
  return escapeUnsafe(JSON.stringify(out));
}

function textValue(value: unknown, quote = false): string {
  const p = plain(value);
  if (typeof p === "string") {
    const bare = !quote && p !== "" && !/[\s"=\\]/.test(p) && !UNSAFE_TEST.test(p);
    return bare ? p : escapeUnsafe(JSON.stringify(p));
  }
  if (p !== null && typeof p === "object" && value instanceof Error) {
    const e = p as { name: string; message: string; code?: unknown };
    const code = e.code === undefined ? "" : `(${String(e.code)})`;
    return JSON.stringify(`${e.name}${code}: ${e.message}`);
  }
  return typeof p === "object" && p !== null ? JSON.stringify(p) : String(p);
}

/** `2026-01-02T03:04:05.678Z INFO  message key=value key="two words"` on one line. */
export function formatText(record: LogRecord, timestamps = true): string {
  const msg = escapeUnsafe(
    cut(record.msg).replace(CONTROL_CHARS, (c) => JSON.stringify(c).slice(1, -1)),
  );
  const parts: string[] = [];
  if (timestamps) parts.push(new Date(record.time).toISOString());
  parts.push(record.level.toUpperCase().padEnd(5), msg);
  for (const [k, v] of Object.entries(record.fields)) {
    if (v !== undefined) parts.push(`${k}=${textValue(v, MINER_CHOSEN.has(k))}`);
  }
  return parts.join(" ");
}
