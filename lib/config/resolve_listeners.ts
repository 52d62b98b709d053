// Turns raw `listen` entries into ListenerConfigs: per-port options over the top-level values,
// difficulty bounds, unique binds, and TLS files read through the injected readFile.

import { join } from "node:path";
import type { Cidr } from "../framing/mod.ts";
import { ConfigError } from "./errors.ts";
import type { RawListener } from "./listeners.ts";
import {
  bindsClash,
  fileReason,
  type Merged,
  nameOf,
  problemToError,
  type ReadFile,
} from "./merge.ts";
import {
  bridgeKeyNames,
  IGNORED_BRIDGE_KEYS,
  LISTENER_ONLY,
  perListenerKeys,
  type Setting,
  type SettingKey,
  SETTINGS,
} from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import type { DifficultyConfig, ListenerConfig, TlsConfig } from "./types.ts";
import { showRaw } from "./sources.ts";
import { difficulty, path, showHostPort } from "./values.ts";

/** Keys of other bridges' instance entries that mean nothing per port here, with the reason. */
const IGNORED_IN_ENTRY: Readonly<Record<string, string>> = {
  ...IGNORED_BRIDGE_KEYS,
  prom_port: "one http address serves metrics for every listener",
  block_wait_time: "block_wait_ms applies to all listeners; set it at the top level",
  extranonce_size: "extranonce_size applies to all listeners; set it at the top level",
};

const PER_LISTENER = perListenerKeys();

/** Every key a listen entry may contain, for suggestions. */
export function knownEntryKeys(): string[] {
  return [...Object.keys(LISTENER_ONLY), ...PER_LISTENER, ...PER_LISTENER.flatMap(bridgeKeyNames)];
}

function entrySetting(key: string): SettingKey | undefined {
  return PER_LISTENER.find((k) => k === key || bridgeKeyNames(k).includes(key));
}

interface EntryOptions {
  overrides: Partial<Record<SettingKey, unknown>>;
  diff: number | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
}

function readEntry(l: RawListener, warnings: string[]): EntryOptions {
  const out: EntryOptions = {
    overrides: {},
    diff: undefined,
    tlsCert: undefined,
    tlsKey: undefined,
  };
  for (const [key, raw] of Object.entries(l.set)) {
    const label = `${l.where}: ${key}`;
    const parse = <T>(codec: Setting<T>["codec"]): T =>
      problemToError(
        () => (typeof raw === "string" ? codec.parseText(raw) : codec.parseValue(raw)),
        `${label} = ${showRaw(raw)}`,
      );
    const setting = entrySetting(key);
    if (key === "diff") out.diff = parse(difficulty);
    else if (key === "tls_cert") out.tlsCert = parse(path);
    else if (key === "tls_key") out.tlsKey = parse(path);
    else if (setting !== undefined) {
      if (setting in out.overrides) {
        throw new ConfigError("conflict", `${l.where}: ${setting} is given twice; keep one`);
      }
      out.overrides[setting] = parse((SETTINGS[setting] as Setting<unknown>).codec);
    } else if (key in IGNORED_IN_ENTRY) {
      warnings.push(`${label} is ignored: ${IGNORED_IN_ENTRY[key]}`);
    } else if (key in SETTINGS) {
      throw new ConfigError(
        "conflict",
        `${label}: ${key} applies to all listeners; set it at the top level`,
      );
    } else {
      throw new ConfigError(
        "unknown_key",
        `${l.where}: unknown listener option "${key}"${didYouMean(key, knownEntryKeys())}`,
      );
    }
  }
  return out;
}

function difficultyOf(m: Merged, l: RawListener, o: EntryOptions): DifficultyConfig {
  const pick = <K extends SettingKey>(k: K) =>
    (o.overrides[k] ?? m.values[k]) as Merged["values"][K];
  const d: DifficultyConfig = {
    start: pick("start_diff"),
    min: pick("min_diff"),
    max: pick("max_diff"),
    vardiff: pick("vardiff"),
    sharesPerMinute: pick("shares_per_min"),
    pow2Clamp: pick("pow2_clamp"),
  };
  if (o.diff !== undefined) {
    if (o.overrides.vardiff === true || o.overrides.start_diff !== undefined) {
      throw new ConfigError(
        "conflict",
        `${l.where}: diff (fixed) cannot be combined with vardiff=true or start_diff`,
      );
    }
    return { ...d, start: o.diff, vardiff: false };
  }
  const from = (k: SettingKey) => (k in o.overrides ? `${l.where}: ${k}` : nameOf(m, k));
  if (d.min > d.max) {
    throw new ConfigError(
      "conflict",
      `${from("min_diff")} (${d.min}) is above ${
        from("max_diff")
      } (${d.max}); lower min_diff or raise max_diff`,
    );
  }
  if (d.vardiff && (d.start < d.min || d.start > d.max)) {
    throw new ConfigError(
      "conflict",
      `${
        from("start_diff")
      } (${d.start}) is outside min_diff..max_diff (${d.min}..${d.max}); change start_diff or the bounds`,
    );
  }
  return d;
}

function tlsOf(l: RawListener, o: EntryOptions, readFile: ReadFile): TlsConfig | undefined {
  if (o.tlsCert === undefined && o.tlsKey === undefined) return undefined;
  if (o.tlsCert === undefined || o.tlsKey === undefined) {
    throw new ConfigError("conflict", `${l.where}: TLS needs both tls_cert and tls_key`);
  }
  const resolvePath = (p: string) => (l.dir === undefined || isAbsolute(p) ? p : join(l.dir, p));
  const certFile = resolvePath(o.tlsCert);
  const keyFile = resolvePath(o.tlsKey);
  return {
    certFile,
    keyFile,
    cert: readPem(l, "tls_cert", certFile, readFile),
    key: readPem(l, "tls_key", keyFile, readFile),
  };
}

function isAbsolute(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

function readPem(l: RawListener, key: string, file: string, readFile: ReadFile): string {
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    throw new ConfigError("file_unreadable", `${l.where}: ${key} ${file}: ${fileReason(err)}`);
  }
  if (!text.includes("-----BEGIN ")) {
    throw new ConfigError(
      "bad_value",
      `${l.where}: ${key} ${file} is not a PEM file (no "-----BEGIN" line)`,
    );
  }
  return text;
}

/** Builds every listener; binds must not clash. */
export function buildListeners(
  m: Merged,
  readFile: ReadFile,
  warnings: string[],
): ListenerConfig[] {
  const raws = m.values.listen;
  const out: ListenerConfig[] = [];
  for (const [i, l] of raws.entries()) {
    const o = readEntry(l, warnings);
    const clash = out.findIndex((prev) => bindsClash(prev.bind, l.bind));
    if (clash >= 0) {
      throw new ConfigError(
        "conflict",
        `listener ${i + 1} (${l.where}) on ${showHostPort(l.bind)} clashes with listener ${
          clash + 1
        } ` +
          `(${raws[clash]!.where}); give each listener its own port`,
      );
    }
    const tls = tlsOf(l, o, readFile);
    const proxyProtocol = (o.overrides.proxy_protocol ?? m.values.proxy_protocol) === "on";
    const trustedProxies = (o.overrides.trusted_proxies ?? m.values.trusted_proxies) as Cidr[];
    if (proxyProtocol && trustedProxies.length === 0) {
      throw new ConfigError(
        "conflict",
        `listener ${i + 1} (${l.where}) has proxy_protocol on but no trusted_proxies; list the ` +
          `load balancers' addresses, e.g. trusted_proxies: ["10.0.0.0/8"]`,
      );
    }
    out.push({
      bind: l.bind,
      dialect: (o.overrides.dialect ?? m.values.dialect) as ListenerConfig["dialect"],
      difficulty: difficultyOf(m, l, o),
      tls,
      proxyProtocol,
      trustedProxies,
    });
  }
  return out;
}
