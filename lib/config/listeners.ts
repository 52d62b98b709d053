// Structure of `listen` entries: "[host]:port,key=value,..." text or a mapping in a config file.
// Only splits entries into a bind address and raw option values; resolve.ts validates the options.

import { ValueProblem } from "./errors.ts";
import type { HostPort } from "./types.ts";
import { type Codec, describe, parseHostPort, showHostPort } from "./values.ts";

/** One listener before its options are validated. */
export interface RawListener {
  bind: HostPort;
  /** Option name (normalized to snake_case) → raw value (text, or a file value). */
  set: Record<string, unknown>;
  /** Where it came from, for messages: `--listen :5556`, "kstratum.yaml: listen entry 1". */
  where: string;
  /** Directory relative option paths (tls_cert, tls_key) resolve against; undefined = as given. */
  dir?: string | undefined;
}

/** Names under which a file entry may give its bind address (ours, then the Rust bridge's). */
export const BIND_KEYS = ["bind", "stratum_port"] as const;

/** Lower-cases and turns dashes into underscores: `Shares-Per-Min` → `shares_per_min`. */
export function normalizeKey(key: string): string {
  return key.trim().toLowerCase().replaceAll("-", "_");
}

/** Parses a text spec: `":5556,dialect=bighex,start_diff=16384"`. */
export function parseListenerSpec(spec: string): RawListener {
  const [first = "", ...options] = spec.split(",");
  const bind = parseHostPort(first, "0.0.0.0", 0);
  const set: Record<string, unknown> = {};
  for (const option of options) {
    const eq = option.indexOf("=");
    if (eq <= 0) {
      throw new ValueProblem(`listener option "${option}" must look like key=value`);
    }
    const key = normalizeKey(option.slice(0, eq));
    if (key in set) throw new ValueProblem(`listener option ${key} is given twice`);
    set[key] = option.slice(eq + 1);
  }
  return { bind, set, where: "" };
}

function parseListenerValue(value: unknown): RawListener {
  if (typeof value === "string") return parseListenerSpec(value);
  if (typeof value === "number") return parseListenerSpec(String(value));
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ValueProblem(
      `expected a listener ("[host]:port" or a mapping), got ${describe(value)}`,
    );
  }
  const set: Record<string, unknown> = {};
  let bind: HostPort | undefined;
  for (const [rawKey, v] of Object.entries(value)) {
    const key = normalizeKey(rawKey);
    if ((BIND_KEYS as readonly string[]).includes(key)) {
      if (bind !== undefined) throw new ValueProblem(`give the listener address only once`);
      if (typeof v !== "string" && typeof v !== "number") {
        throw new ValueProblem(`${rawKey}: expected host:port, got ${describe(v)}`);
      }
      bind = parseHostPort(String(v), "0.0.0.0", 0);
    } else {
      if (key in set) throw new ValueProblem(`listener option ${key} is given twice`);
      set[key] = v;
    }
  }
  if (bind === undefined) throw new ValueProblem(`a listener mapping needs bind: "[host]:port"`);
  return { bind, set, where: "" };
}

/** Codec of the `listen` setting: a list of listeners. */
export const listenerList: Codec<RawListener[]> = {
  type: 'listeners: "[host]:port[,key=value...]", several separated by spaces',
  parseText(t: string): RawListener[] {
    const parts = t.split(/[\s;]+/).filter((p) => p !== "");
    if (parts.length === 0) throw new ValueProblem("expected at least one listener");
    return parts.map(parseListenerSpec);
  },
  parseValue(value: unknown): RawListener[] {
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0) throw new ValueProblem("expected at least one listener");
    return items.map(parseListenerValue);
  },
  show: (v) =>
    v.map((l) =>
      [showHostPort(l.bind), ...Object.entries(l.set).map(([k, x]) => `${k}=${x}`)].join(",")
    ).join(" "),
};
