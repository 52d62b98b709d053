// Reading the authorize user and password: `address.worker`, default address, `d=4096` override.
// Pure string handling; address validity itself is the injected ValidateAddress.

import { isDifficulty } from "../shares/mod.ts";

/** Longest worker name kept (longer names are cut: they become metric labels). */
export const MAX_WORKER_NAME = 64;

/** Longest user agent kept (longer ones are cut: it becomes a metric label). */
export const MAX_AGENT = 64;

/** `name` cut to `max` UTF-16 units (a label must stay small whatever the miner sends). */
export function cutText(name: string, max: number): string {
  return name.length > max ? name.slice(0, max) : name;
}

/** A worker name cut to MAX_WORKER_NAME (every dialect, the simple/D one included). */
export function cutWorker(name: string): string {
  return cutText(name, MAX_WORKER_NAME);
}

/** An authorize user split into the address it names (if any) and the worker name. */
export interface ParsedUser {
  /** The address part, when the user names one. */
  address?: string;
  /** Worker name, "" when none. */
  worker: string;
}

/**
 * Splits `address.worker`. The part before the first dot is taken as an address when it
 * contains ":" or is at least 61 characters (a bare Kaspa payload); otherwise the whole user
 * is a worker name, to be paid to the listener's default address.
 *
 * @example
 * ```ts
 * parseUser("kaspa:qr0.rig1"); // { address: "kaspa:qr0", worker: "rig1" }
 * parseUser("rig1"); // { worker: "rig1" }
 * ```
 */
export function parseUser(user: string): ParsedUser {
  const dot = user.indexOf(".");
  const head = dot === -1 ? user : user.slice(0, dot);
  const rest = dot === -1 ? "" : user.slice(dot + 1);
  if (head.includes(":") || head.length >= 61) return { address: head, worker: cutWorker(rest) };
  return { worker: cutWorker(user) };
}

const OVERRIDE = /(?:^|[\s,;])d=(\d+(?:\.\d+)?)(?=$|[\s,;])/;

/**
 * Fixed difficulty a worker asks for in its password (`d=4096`, also `x,d=4096`, `d=0.5;x`);
 * undefined when absent or not a positive number.
 */
export function parseDifficultyOverride(password: string): number | undefined {
  const m = OVERRIDE.exec(password);
  if (m === null) return undefined;
  const d = Number(m[1]);
  return isDifficulty(d) ? d : undefined;
}
