// Value codecs for configuration settings: parse text (CLI, environment) and file values.
// Pure; a codec throws ValueProblem with the reason only, the resolver adds where it came from.

import { type Cidr, parseCidr } from "../framing/mod.ts";
import { ValueProblem } from "./errors.ts";
import type { HostPort, LogFormat, NodeEndpoint } from "./types.ts";

/** Parses one setting's value from a string (CLI, environment) or a file value (YAML, JSON). */
export interface Codec<T> {
  /** Human description of accepted values, used by --help and docs/config.md. */
  readonly type: string;
  /** Parses CLI and environment text. */
  parseText(text: string): T;
  /** Parses a YAML/JSON value; strings go through parseText. */
  parseValue(value: unknown): T;
  /** Renders a value (a default) the way a user would write it. */
  show(value: T): string;
}

function fromText<T>(type: string, parseText: (t: string) => T, show: (v: T) => string): Codec<T> {
  return {
    type,
    parseText,
    parseValue(value: unknown): T {
      if (typeof value === "string") return parseText(value);
      if (typeof value === "number" || typeof value === "boolean") return parseText(String(value));
      throw new ValueProblem(`expected ${type}, got ${describe(value)}`);
    },
    show,
  };
}

/** Short description of an unexpected file value for error messages. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return JSON.stringify(value);
}

/** Integer in [min, max]. */
export function int(min: number, max: number): Codec<number> {
  const type = `an integer from ${min} to ${max}`;
  return fromText(type, (t) => {
    const s = t.trim().replaceAll("_", "");
    if (!/^-?\d+$/.test(s)) throw new ValueProblem(`expected ${type}`);
    const n = Number(s);
    if (n < min || n > max) throw new ValueProblem(`expected ${type}`);
    return n;
  }, String);
}

/** "auto" or an integer from 1 to `max`: a count the server may size from the machine. */
export function autoOrInt(max: number): Codec<"auto" | number> {
  const type = `auto or an integer from 1 to ${max}`;
  return fromText<"auto" | number>(type, (t) => {
    const s = t.trim().replaceAll("_", "");
    if (s.toLowerCase() === "auto") return "auto";
    if (!/^\d+$/.test(s)) throw new ValueProblem(`expected ${type}`);
    const n = Number(s);
    if (n < 1 || n > max) throw new ValueProblem(`expected ${type}`);
    return n;
  }, String);
}

/** Finite number in [min, max] (decimals and exponents allowed); `range` overrides "min to max". */
export function num(min: number, max: number, what = "a number", range?: string): Codec<number> {
  const type = `${what} from ${range ?? `${min} to ${max}`}`;
  return fromText(type, (t) => {
    const s = t.trim().replaceAll("_", "");
    const n = s === "" ? NaN : Number(s);
    if (!Number.isFinite(n) || n < min || n > max) throw new ValueProblem(`expected ${type}`);
    return n;
  }, String);
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

/** true/false (also yes/no, on/off, 1/0). */
export const bool: Codec<boolean> = fromText("true or false", (t) => {
  const s = t.trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new ValueProblem("expected true or false");
}, String);

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds in [min, max]: a bare number is ms; Go durations ("500ms", "3s", "1m30s") too. */
export function durationMs(min: number, max: number): Codec<number> {
  const type = `milliseconds from ${min} to ${max} (or a duration like "3s")`;
  return fromText(type, (t) => {
    const s = t.trim();
    let ms: number;
    if (/^\d+(\.\d+)?$/.test(s)) ms = Number(s);
    else {
      const parts = [...s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
      if (parts.length === 0 || parts.map((p) => p[0]).join("") !== s) {
        throw new ValueProblem(`expected ${type}`);
      }
      ms = parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2]!] ?? NaN), 0);
    }
    ms = Math.round(ms);
    if (!(ms >= min && ms <= max)) throw new ValueProblem(`expected ${type}`);
    return ms;
  }, String);
}

/** One of a fixed set of names. */
export function oneOf<T extends string>(names: readonly T[]): Codec<T> {
  const type = names.join(" | ");
  return fromText(type, (t) => {
    const s = t.trim().toLowerCase();
    const hit = names.find((n) => n === s);
    if (hit === undefined) throw new ValueProblem(`expected one of ${names.join(", ")}`);
    return hit;
  }, String);
}

/** UTF-8 text of at most `maxBytes` bytes, printable characters only. */
export function text(maxBytes: number): Codec<string> {
  const type = `text up to ${maxBytes} bytes`;
  return fromText(type, (t) => {
    if (new TextEncoder().encode(t).length > maxBytes) throw new ValueProblem(`expected ${type}`);
    // deno-lint-ignore no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(t)) {
      throw new ValueProblem("control characters are not allowed");
    }
    return t;
  }, (v) => JSON.stringify(v));
}

/** A file path (non-empty). */
export const path: Codec<string> = fromText("a file path", (t) => {
  if (t.trim() === "") throw new ValueProblem("expected a file path");
  return t;
}, String);

/** A directory path, or "off" (also "false", "none", "") for none. */
export const dirOrOff: Codec<string | undefined> = fromText('a directory path, or "off"', (t) => {
  const s = t.trim();
  if (s === "" || /^(off|false|none)$/i.test(s)) return undefined;
  return s.replace(/\/+$/, "") || "/";
}, (v) => (v === undefined ? "off" : v));

/**
 * Parses "host:port", ":port", "port" or "[v6]:port". A missing host means all IPv4 interfaces.
 * @param minPort lowest accepted port (0 lets a listener pick a free port)
 */
export function parseHostPort(t: string, defaultHost: string, minPort = 1): HostPort {
  const s = t.trim();
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d+)$/.exec(s) ?? /^()()(\d+)$/.exec(s);
  if (m === null) throw new ValueProblem(`expected host:port, ":port" or a port number`);
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < minPort || port > 65535) {
    throw new ValueProblem(`port ${m[3]} is out of range (${minPort}-65535)`);
  }
  const host = m[1] || m[2] || defaultHost;
  return { host, port };
}

/** Renders a HostPort as it would be written in a config file. */
export function showHostPort(hp: HostPort): string {
  return hp.host.includes(":") ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

/**
 * Listening address; "off" disables the service when `allowOff`. A missing host (":port") means
 * `defaultHost`: all IPv4 interfaces unless the caller binds loopback by default.
 */
export function bindAddress(
  allowOff: boolean,
  defaultHost = "0.0.0.0",
): Codec<HostPort | undefined> {
  const type = `host:port or ":port"${allowOff ? ', or "off"' : ""}`;
  return fromText(type, (t) => {
    const s = t.trim().toLowerCase();
    if (allowOff && (s === "off" || s === "" || s === "false")) return undefined;
    return parseHostPort(t, defaultHost, 0);
  }, (v) => (v === undefined ? "off" : showHostPort(v)));
}

/** A kaspad endpoint: "host:port" (gRPC) or "ws://host:port" / "wss://..." (wRPC JSON). */
export function parseNodeEndpoint(t: string): NodeEndpoint {
  const s = t.trim();
  if (/^wss?:\/\//i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new ValueProblem(`"${s}" is not a valid ws:// URL`);
    }
    if (url.hostname === "") throw new ValueProblem(`"${s}" has no host`);
    return { kind: "wrpc", url: s };
  }
  if (/^[a-z]+:\/\//i.test(s)) {
    throw new ValueProblem(`"${s}": use host:port for gRPC or ws://host:port for wRPC`);
  }
  const hp = parseHostPort(s, "", 1);
  if (hp.host === "") throw new ValueProblem(`"${s}" needs a host, e.g. 127.0.0.1:16110`);
  return { kind: "grpc", host: hp.host, port: hp.port };
}

/** Renders a NodeEndpoint as written in config. */
export function showNodeEndpoint(e: NodeEndpoint): string {
  return e.kind === "wrpc" ? e.url : showHostPort(e);
}

/**
 * A list of items. Text (CLI, environment) separates items with spaces or ";"; a file may give a
 * YAML list or one string. Repeated CLI flags append.
 */
export function listOf<T>(
  item: { type: string; parse(t: string): T; show(v: T): string },
): Codec<T[]> {
  const type = `one or more ${item.type}`;
  const parseText = (t: string): T[] => {
    const parts = t.split(/[\s;]+/).filter((p) => p !== "");
    if (parts.length === 0) throw new ValueProblem(`expected ${type}`);
    return parts.map((p) => item.parse(p));
  };
  return {
    type,
    parseText,
    parseValue(value: unknown): T[] {
      if (typeof value === "string") return parseText(value);
      if (!Array.isArray(value) || value.length === 0) {
        throw new ValueProblem(`expected ${type}, got ${describe(value)}`);
      }
      return value.map((v) => {
        if (typeof v !== "string") {
          throw new ValueProblem(`expected ${item.type}, got ${describe(v)}`);
        }
        return item.parse(v);
      });
    },
    show: (v) => v.map(item.show).join(" "),
  };
}

function parseCidrItem(t: string): Cidr {
  const c = parseCidr(t);
  if ("error" in c) throw new ValueProblem(c.error);
  return c;
}

/**
 * CIDR ranges ("10.0.0.0/8", "2001:db8::/32", or a single address), separated by spaces, ";" or
 * "|" (the one a `--listen` spec can carry); "none" or nothing means none.
 */
export const cidrList: Codec<Cidr[]> = {
  type: 'CIDR ranges ("10.0.0.0/8 ::1"), or none',
  parseText: (t) =>
    t.trim().toLowerCase() === "none"
      ? []
      : t.split(/[\s;|]+/).filter((p) => p !== "").map(parseCidrItem),
  parseValue(value: unknown): Cidr[] {
    if (typeof value === "string") return cidrList.parseText(value);
    if (!Array.isArray(value)) {
      throw new ValueProblem(`expected a list of CIDR ranges, got ${describe(value)}`);
    }
    return value.map((v) => {
      if (typeof v !== "string") {
        throw new ValueProblem(`expected a CIDR range, got ${describe(v)}`);
      }
      return parseCidrItem(v);
    });
  },
  show: (v) => (v.length === 0 ? "none" : v.map((c) => c.text).join(" ")),
};

export const nodeList: Codec<NodeEndpoint[]> = listOf({
  type: "host:port (gRPC) or ws://host:port (wRPC) endpoints, tried in order",
  parse: parseNodeEndpoint,
  show: showNodeEndpoint,
});

/** Share difficulty on the Stratum scale (1 ≈ 2^32 hashes per share); values below 0.001 suit CPU miners on devnet. */
export const difficulty: Codec<number> = num(1e-6, 2 ** 52, "a difficulty", "0.000001 to 2^52");

export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];
