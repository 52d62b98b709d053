// Load generator settings: defaults, command-line parsing and checks, payout addresses.
// Pure: no I/O; every bound (miners, rate, duration) is checked here so a run always stops itself.

import { parseArgs } from "node:util";
import { DIALECT_IDS, type DialectId, isDialectId } from "../../lib/dialects/mod.ts";
import { encodeAddress } from "../../lib/kaspa/address.ts";

/** What a share must be: a share but not a block, a block, or any nonce (no PoW search). */
export type ShareKind = "valid" | "block" | "any";

/** Everything one load run does. */
export interface LoadOptions {
  /** Server host; loopback only. */
  host: string;
  /** Server port. */
  port: number;
  /** Simulated miners (connections). */
  miners: number;
  /** Relative weights of the dialects, e.g. { array: 1, bighex: 1, bitmain: 1, simple: 1 }. */
  mix: Record<DialectId, number>;
  /** Distinct payout addresses, assigned round-robin. */
  addresses: number;
  /** Address prefix (network), e.g. "kaspadev". */
  prefix: "kaspa" | "kaspatest" | "kaspasim" | "kaspadev";
  /** New connections per second during the ramp. */
  rampPerSec: number;
  /** Connects in flight at once. */
  connectConcurrency: number;
  /** Time every miner stays connected after the ramp (the measured window), ms. */
  holdMs: number;
  /** Start of the hold left out of the job statistics (the server settling after the ramp), ms. */
  warmupMs: number;
  /** Shares per second across all miners during the hold; 0 = idle miners. */
  shareRate: number;
  /** What submitted shares are. */
  shareKind: ShareKind;
  /** Compact target bits of the node's templates, to tell shares from blocks. */
  networkBits: number;
  /** Nonces tried per share before giving up on that share. */
  maxTries: number;
  /** A submit without a reply after this long counts as timed out, ms. */
  replyTimeoutMs: number;
  /** Hard stop for the whole run (ramp + hold + drain), ms. */
  maxRunMs: number;
  /** Worker name prefix. */
  workerPrefix: string;
}

/** Defaults: a short, small run. */
export const LOAD_DEFAULTS: LoadOptions = {
  host: "127.0.0.1",
  port: 5555,
  miners: 10,
  mix: { array: 1, bighex: 1, bitmain: 1, simple: 1 },
  addresses: 1,
  prefix: "kaspadev",
  rampPerSec: 1000,
  connectConcurrency: 256,
  holdMs: 10_000,
  warmupMs: 0,
  shareRate: 0,
  shareKind: "valid",
  networkBits: 0x1e21bc1c,
  maxTries: 256,
  replyTimeoutMs: 5_000,
  maxRunMs: 300_000,
  workerPrefix: "lg",
};

/** Raised for settings that cannot work; `code` is stable. */
export class LoadOptionsError extends Error {
  /** Error name. */
  override readonly name = "LoadOptionsError";
  /** Stable code. */
  readonly code = "load-options";
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const MAX_MINERS = 50_000;

/**
 * Parses "array:2,bighex:1,simple:1" (or "array,bighex,bitmain,simple" for equal weights) into
 * dialect weights.
 */
export function parseMix(text: string): Record<DialectId, number> {
  const mix: Record<DialectId, number> = { array: 0, bighex: 0, bitmain: 0, simple: 0 };
  for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const [name, weight = "1"] = part.split(":");
    const id = name?.toLowerCase() ?? "";
    if (!isDialectId(id)) {
      throw new LoadOptionsError(
        `unknown dialect "${name}" in --mix (use ${DIALECT_IDS.join(", ")})`,
      );
    }
    const w = Number(weight);
    if (!(w >= 0 && Number.isFinite(w))) throw new LoadOptionsError(`bad weight in --mix: ${part}`);
    mix[id] += w;
  }
  if (DIALECT_IDS.reduce((s, id) => s + mix[id], 0) <= 0) {
    throw new LoadOptionsError("--mix has no weight");
  }
  return mix;
}

/**
 * The dialect of each of `count` miners: smooth weighted round-robin, so every prefix of the list
 * follows the weights as closely as whole miners allow (1:1:1:1 gives array, bighex, bitmain,
 * simple, array, ...).
 */
export function dialectPlan(count: number, mix: Record<DialectId, number>): DialectId[] {
  const ids = DIALECT_IDS;
  const total = ids.reduce((s, id) => s + mix[id], 0);
  const credit: Record<DialectId, number> = { array: 0, bighex: 0, bitmain: 0, simple: 0 };
  const plan: DialectId[] = [];
  for (let i = 0; i < count; i++) {
    let best: DialectId = "array";
    for (const id of ids) {
      credit[id] += mix[id];
      if (credit[id] > credit[best] || mix[best] === 0) best = id;
    }
    credit[best] -= total;
    plan.push(best);
  }
  return plan;
}

/** `count` distinct, valid Schnorr payout addresses with `prefix` (deterministic). */
export function payoutAddresses(count: number, prefix: LoadOptions["prefix"]): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const payload = new Uint8Array(32);
    new DataView(payload.buffer).setUint32(0, 0x4b53_4c47); // "KSLG"
    new DataView(payload.buffer).setUint32(28, i + 1);
    out.push(encodeAddress({ prefix, version: 0, payload }));
  }
  return out;
}

function num(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new LoadOptionsError(`--${name} must be a number in [${min}, ${max}], got ${text}`);
  }
  return v;
}

/** Checks a full option set; throws LoadOptionsError. */
export function checkOptions(o: LoadOptions): LoadOptions {
  if (!LOOPBACK.test(o.host)) {
    throw new LoadOptionsError(`the load generator targets loopback only, not ${o.host}`);
  }
  if (!(Number.isInteger(o.miners) && o.miners >= 1 && o.miners <= MAX_MINERS)) {
    throw new LoadOptionsError(`--miners must be 1-${MAX_MINERS}`);
  }
  if (!(o.addresses >= 1 && o.addresses <= o.miners)) {
    throw new LoadOptionsError("--addresses must be 1..miners");
  }
  if (o.holdMs + o.miners / o.rampPerSec * 1000 > o.maxRunMs) {
    throw new LoadOptionsError("ramp + hold exceed --max-run-s");
  }
  return o;
}

/** Parses command-line arguments over the defaults (see scripts/loadgen.ts for the list). */
export function parseLoadArgs(args: string[]): LoadOptions & { out: string | undefined } {
  const { values: v } = parseArgs({
    args,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      miners: { type: "string" },
      mix: { type: "string" },
      addresses: { type: "string" },
      prefix: { type: "string" },
      ramp: { type: "string" },
      "hold-s": { type: "string" },
      "warmup-s": { type: "string" },
      "share-rate": { type: "string" },
      "share-kind": { type: "string" },
      "network-bits": { type: "string" },
      "reply-timeout-ms": { type: "string" },
      "max-run-s": { type: "string" },
      out: { type: "string" },
    },
  });
  const d = LOAD_DEFAULTS;
  const kind = v["share-kind"] ?? d.shareKind;
  if (kind !== "valid" && kind !== "block" && kind !== "any") {
    throw new LoadOptionsError(`--share-kind must be valid, block or any`);
  }
  const prefix = v.prefix ?? d.prefix;
  if (!["kaspa", "kaspatest", "kaspasim", "kaspadev"].includes(prefix)) {
    throw new LoadOptionsError(`--prefix must be kaspa, kaspatest, kaspasim or kaspadev`);
  }
  const options: LoadOptions = {
    ...d,
    host: v.host ?? d.host,
    port: num(v.port, "port", 1, 65535) ?? d.port,
    miners: num(v.miners, "miners", 1, MAX_MINERS) ?? d.miners,
    mix: v.mix === undefined ? d.mix : parseMix(v.mix),
    addresses: num(v.addresses, "addresses", 1, MAX_MINERS) ?? d.addresses,
    prefix: prefix as LoadOptions["prefix"],
    rampPerSec: num(v.ramp, "ramp", 1, 100_000) ?? d.rampPerSec,
    holdMs: (num(v["hold-s"], "hold-s", 0, 3600) ?? d.holdMs / 1000) * 1000,
    warmupMs: (num(v["warmup-s"], "warmup-s", 0, 3600) ?? d.warmupMs / 1000) * 1000,
    shareRate: num(v["share-rate"], "share-rate", 0, 200_000) ?? d.shareRate,
    shareKind: kind,
    networkBits: num(v["network-bits"], "network-bits", 1, 0xffffffff) ?? d.networkBits,
    replyTimeoutMs: num(v["reply-timeout-ms"], "reply-timeout-ms", 1, 600_000) ?? d.replyTimeoutMs,
    maxRunMs: (num(v["max-run-s"], "max-run-s", 1, 3600) ?? d.maxRunMs / 1000) * 1000,
  };
  return { ...checkOptions(options), out: v.out };
}
