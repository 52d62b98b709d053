// Merging of setting layers over the defaults, and small helpers shared by the resolvers.
// Pure.

import { ConfigError, ValueProblem } from "./errors.ts";
import type { SettingKey, Values } from "./schema.ts";
import { SETTINGS } from "./schema.ts";
import type { Layer } from "./sources.ts";
import type { HostPort } from "./types.ts";

/** Reads a file as UTF-8 text, throwing on failure (Deno.readTextFileSync fits). */
export type ReadFile = (path: string) => string;

/** Merged values plus the label of the source that set each (absent = default). */
export interface Merged {
  values: Values;
  labels: Partial<Record<SettingKey, string>>;
}

/** Applies layers over the defaults, later layers winning per setting. */
export function merge(layers: readonly Layer[]): Merged {
  const values = Object.fromEntries(
    Object.entries(SETTINGS).map(([k, s]) => [k, s.default]),
  ) as Values;
  const labels: Partial<Record<SettingKey, string>> = {};
  for (const layer of layers) {
    for (const [key, entry] of layer) {
      (values as Record<string, unknown>)[key] = entry.value;
      labels[key] = entry.label;
    }
  }
  return { values, labels };
}

/** Name of a setting in messages: the label the user wrote it with, else the key (default). */
export function nameOf(m: Merged, key: SettingKey): string {
  return m.labels[key] ?? `${key} (default)`;
}

/** Runs `fn`; a ValueProblem becomes a ConfigError prefixed with `label`. */
export function problemToError<T>(fn: () => T, label: string): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ValueProblem)) throw err;
    throw new ConfigError(err.code, `${label}: ${err.message}`);
  }
}

/** Whether two binds would collide (same port, and same host or one of them on every interface). */
export function bindsClash(a: HostPort, b: HostPort): boolean {
  if (a.port === 0 || b.port === 0 || a.port !== b.port) return false;
  const any = (h: string) => h === "0.0.0.0" || h === "::";
  return a.host === b.host || any(a.host) || any(b.host);
}

/** A short reason for a failed file read, by error class (never by message text). */
export function fileReason(err: unknown): string {
  const name = err instanceof Error ? err.name : "";
  if (name === "NotFound") return "no such file";
  if (name === "PermissionDenied" || name === "NotCapable") return "permission denied";
  if (name === "IsADirectory") return "is a directory";
  return `cannot be read (${err instanceof Error ? err.message : String(err)})`;
}
