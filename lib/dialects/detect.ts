// Dialect detection, done once at subscribe from the method name and the user agent.
// Pure: the only code in kstratum that looks at user agents.

import type { DialectId } from "./dialect.ts";

const BITMAIN = /godminer|bitmain|antminer/i;
const BIG_JOB = /iceriver|bzminer/i;

/**
 * The dialect a subscribe speaks: unprefixed `subscribe` is Simplified Stratum (D); Bitmain
 * agents (GodMiner, Antminer) are C; IceRiver and BzMiner are B; everyone else is A.
 *
 * @example
 * ```ts
 * detectDialect("mining.subscribe", "IceRiverMiner-v1.1"); // "B"
 * ```
 */
export function detectDialect(method: string, agent: string): DialectId {
  if (method === "subscribe") return "D";
  if (method !== "mining.subscribe") return provisionalDialect(method);
  if (BITMAIN.test(agent)) return "C";
  if (BIG_JOB.test(agent)) return "B";
  return "A";
}

/** The user agent a subscribe carries: params[0] for `mining.subscribe`, params[1] for D. */
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
  return method.startsWith("mining.") ? "A" : "D";
}
