// Dialect detection, done once at subscribe from the method name and the user agent.
// Pure: the only code in kstratum that looks at user agents.

import type { DialectId } from "./dialect.ts";

const BITMAIN = /godminer|bitmain|antminer/i;
const BIG_JOB = /iceriver|bzminer/i;

/**
 * The dialect a subscribe speaks: unprefixed `subscribe` is Simplified Stratum (`simple`);
 * Bitmain agents (GodMiner, Antminer) are `bitmain`; IceRiver and BzMiner are `bighex`; everyone
 * else is `array`.
 *
 * @example
 * ```ts
 * detectDialect("mining.subscribe", "IceRiverMiner-v1.1"); // "bighex"
 * ```
 */
export function detectDialect(method: string, agent: string): DialectId {
  if (method === "subscribe") return "simple";
  if (method !== "mining.subscribe") return provisionalDialect(method);
  if (BITMAIN.test(agent)) return "bitmain";
  if (BIG_JOB.test(agent)) return "bighex";
  return "array";
}

/** The user agent a subscribe carries: params[0] for `mining.subscribe`, params[1] for `simple`. */
export function subscribeAgent(method: string, params: readonly unknown[]): string {
  const agent = method === "subscribe" ? params[1] : params[0];
  return typeof agent === "string" ? agent : "";
}

/** Whether `method` opens a session (and so triggers detection). */
export function isSubscribe(method: string): boolean {
  return method === "mining.subscribe" || method === "subscribe";
}

/** The dialect to answer in before any subscribe: by method-name family only. */
export function provisionalDialect(method: string): DialectId {
  return method.startsWith("mining.") ? "array" : "simple";
}
