// The three sources of settings above the defaults: config file, KSTRATUM_* environment, CLI flags.
// Each becomes a Layer of parsed values with a label saying how the user wrote each one. Pure.

import { parseArgs } from "node:util";
import { ConfigError, ValueProblem } from "./errors.ts";
import { normalizeKey, type RawListener } from "./listeners.ts";
import {
  type BridgeKey,
  bridgeKeyNames,
  envOf,
  flagOf,
  IGNORED_BRIDGE_KEYS,
  type Setting,
  type SettingKey,
  SETTINGS,
} from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import { bool, type Codec, describe } from "./values.ts";

/** A parsed value and how the user named it ("--node", "KSTRATUM_NODE", "kstratum.yaml: node"). */
export interface Entry {
  value: unknown;
  label: string;
}
export type Layer = Map<SettingKey, Entry>;

const KEYS = Object.keys(SETTINGS) as SettingKey[];
const def = (key: SettingKey): Setting<unknown> => SETTINGS[key] as Setting<unknown>;

/** Shows a raw value inside a message. */
export function showRaw(raw: unknown): string {
  if (typeof raw === "string") return /^[^\s"]+$/.test(raw) ? raw : JSON.stringify(raw);
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return describe(raw);
}

/**
 * Runs a codec and turns a ValueProblem into a ConfigError naming `label` and the value, joined
 * by `sep`: "--extranonce-size 5: ...", "KSTRATUM_EXTRANONCE_SIZE=5: ...", "k.yaml: x = 5: ...".
 */
export function parseWith<T>(codec: Codec<T>, raw: unknown, label: string, sep = " "): T {
  try {
    return typeof raw === "string" ? codec.parseText(raw) : codec.parseValue(raw);
  } catch (err) {
    if (!(err instanceof ValueProblem)) throw err;
    throw new ConfigError(err.code, `${label}${sep}${showRaw(raw)}: ${err.message}`);
  }
}

/** What the command line asked for. */
export interface CliResult {
  layer: Layer;
  help: boolean;
  version: boolean;
}

function cliOptions(): Record<string, { type: "string" | "boolean"; short?: string }> {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "V" },
  };
  for (const key of KEYS) {
    const s = def(key);
    const o: { type: "string" | "boolean"; short?: string } = {
      type: s.codec === bool ? "boolean" : "string",
    };
    if (s.short !== undefined) o.short = s.short;
    options[flagOf(key).slice(2)] = o;
  }
  return options;
}

/** Parses command-line arguments (a leading "--", as `deno task start --` passes, is skipped). */
export function cliLayer(args: readonly string[]): CliResult {
  const list = args[0] === "--" ? args.slice(1) : [...args];
  const options = cliOptions();
  const { tokens } = parseArgs({
    args: list,
    options,
    strict: false,
    tokens: true,
    allowPositionals: true,
  });
  const result: CliResult = { layer: new Map(), help: false, version: false };
  if (tokens.some((t) => t.kind === "option" && (t.name === "help" || t.name === "version"))) {
    result.help = tokens.some((t) => t.kind === "option" && t.name === "help");
    result.version = !result.help;
    return result;
  }
  let previousBool: string | undefined;
  for (const token of tokens) {
    if (token.kind === "positional") {
      const hint = previousBool !== undefined
        ? `; write ${previousBool}=false or --no-${previousBool.slice(2)}`
        : "; options start with -- (see --help)";
      throw new ConfigError("unexpected_argument", `unexpected argument "${token.value}"${hint}`);
    }
    if (token.kind !== "option") continue;
    previousBool = undefined;
    const flagged = cliToken(token.name, token.rawName, token.value);
    if (flagged.isBoolFlag && token.value === undefined) previousBool = `--${token.name}`;
    const existing = result.layer.get(flagged.key);
    const value = Array.isArray(existing?.value) && Array.isArray(flagged.value)
      ? [...existing.value, ...flagged.value]
      : flagged.value;
    result.layer.set(flagged.key, { value, label: flagged.label });
  }
  return result;
}

function cliToken(
  name: string,
  rawName: string,
  value: string | undefined,
): { key: SettingKey; value: unknown; label: string; isBoolFlag: boolean } {
  const key = name.replaceAll("-", "_") as SettingKey;
  const negated = name.slice(3).replaceAll("-", "_");
  if (
    name.startsWith("no-") && isKey(negated) && def(negated).codec === bool && value === undefined
  ) {
    return { key: negated, value: false, label: rawName, isBoolFlag: false };
  }
  if (!isKey(key) || name !== name.toLowerCase()) {
    const known = [...KEYS.map(flagOf), "--help", "--version"];
    throw new ConfigError(
      "unknown_key",
      `unknown option ${rawName}${didYouMean(rawName, known)} (see --help)`,
    );
  }
  const s = def(key);
  if (s.codec === bool) {
    return {
      key,
      value: value === undefined ? true : parseWith(bool, value, rawName),
      label: rawName,
      isBoolFlag: true,
    };
  }
  if (value === undefined || value.startsWith("--")) {
    throw new ConfigError("bad_value", `${rawName} needs a value (${s.codec.type})`);
  }
  const parsed = parseWith(s.codec, value, rawName);
  return {
    key,
    value: nameListeners(key, parsed, `${rawName} ${showRaw(value)}`),
    label: rawName,
    isBoolFlag: false,
  };
}

function isKey(name: string): name is SettingKey {
  return (KEYS as string[]).includes(name);
}

/** Gives parsed listeners their `where` for messages; other values pass through. */
function nameListeners(key: SettingKey, value: unknown, label: string, dir?: string): unknown {
  if (key !== "listen") return value;
  const list = value as RawListener[];
  return list.map((l, i) => ({
    ...l,
    where: list.length === 1 ? label : `${label} entry ${i + 1}`,
    dir,
  }));
}

/** Reads every setting's KSTRATUM_* variable through `getEnv` (empty counts as unset). */
export function envLayer(getEnv: (name: string) => string | undefined): Layer {
  const layer: Layer = new Map();
  for (const key of KEYS) {
    const name = envOf(key);
    const raw = getEnv(name);
    if (raw === undefined || raw.trim() === "") continue;
    const value = parseWith(def(key).codec, raw, name, "=");
    layer.set(key, { value: nameListeners(key, value, name), label: name });
  }
  return layer;
}

/** Finds the setting (and codec) a config-file key names: ours first, then other bridges'. */
function fileKey(key: string): { key: SettingKey; codec: Codec<unknown> } | undefined {
  if ((KEYS as string[]).includes(key) && def(key as SettingKey).inFile !== false) {
    return { key: key as SettingKey, codec: def(key as SettingKey).codec };
  }
  for (const k of KEYS) {
    for (const b of def(k).bridgeKeys ?? []) {
      if (b === key) return { key: k, codec: def(k).codec };
      if (typeof b !== "string" && b.key === key) {
        return { key: k, codec: (b as BridgeKey<unknown>).codec };
      }
    }
  }
  return undefined;
}

/** Every key a config file may contain, for suggestions. */
export function knownFileKeys(): string[] {
  const ours = KEYS.filter((k) => def(k).inFile !== false);
  return [...ours, ...KEYS.flatMap(bridgeKeyNames), ...Object.keys(IGNORED_BRIDGE_KEYS)];
}

/**
 * Turns a parsed config document into a Layer. `file` names it in messages, `dir` resolves
 * relative TLS paths in listeners. Ignored keys of other bridges add to `warnings`.
 */
export function fileLayer(doc: unknown, file: string, dir: string, warnings: string[]): Layer {
  const layer: Layer = new Map();
  if (doc === null || doc === undefined) return layer;
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError(
      "file_syntax",
      `${file}: expected "key: value" settings at the top level, got ${describe(doc)}`,
    );
  }
  for (const [rawKey, raw] of Object.entries(doc as Record<string, unknown>)) {
    const key = normalizeKey(rawKey);
    if (raw === null) continue;
    if (key in IGNORED_BRIDGE_KEYS) {
      warnings.push(`${file}: ${rawKey} is ignored: ${IGNORED_BRIDGE_KEYS[key]}`);
      continue;
    }
    const found = fileKey(key);
    if (found === undefined) {
      const why = key === "config"
        ? "; a config file cannot name another config file"
        : didYouMean(key, knownFileKeys());
      throw new ConfigError(
        "unknown_key",
        `${file}: unknown key "${rawKey}"${why} (see docs/config.md)`,
      );
    }
    const previous = layer.get(found.key);
    if (previous !== undefined) {
      throw new ConfigError(
        "conflict",
        `${previous.label} and ${file}: ${rawKey} both set ${found.key}; keep only one`,
      );
    }
    const label = `${file}: ${rawKey}`;
    const value = parseWith(found.codec, raw, label, " = ");
    layer.set(found.key, { value: nameListeners(found.key, value, label, dir), label });
  }
  return layer;
}
