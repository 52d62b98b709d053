// The miner side of the four Stratum dialects (stratum.md §1): the lines a miner sends and a
// reader for what servers send (kstratum and the public bridges). Pure: strings in, values out.

import { fromHex, toHex } from "../../lib/kaspa/hex.ts";
import { parseJson } from "../../lib/protocol/mod.ts";
import type { DialectId } from "../../lib/dialects/mod.ts";

/** User agents real miners of each dialect send (what servers detect the dialect from). */
export const AGENTS: Record<DialectId, string> = {
  array: "lolMiner 1.88",
  bighex: "IceRiverMiner-v1.1",
  bitmain: "GodMiner/2.0.0",
  simple: "KaspaMiner/1.0.0",
};

/** A job as received; the exact pre-PoW hash is read only when a share needs it. */
export interface JobRef {
  /** Job id (mining.* dialects) or pre-PoW hash hex (simple). */
  key: string;
  /** Template timestamp, ms (it names the template event). */
  timestamp: number;
  /** The notify line, kept to read the exact hash from later. */
  line: string;
  /** Filled by prePowOf. */
  prePow?: Uint8Array;
}

/** One message from the server. */
export type ServerMessage =
  | { kind: "reply"; id: number; result: unknown; error: unknown }
  | { kind: "notify"; job: JobRef; difficulty?: number }
  | { kind: "difficulty"; value: number }
  | { kind: "extranonce"; hex: string }
  | { kind: "other"; method: string }
  | { kind: "bad"; line: string };

const enc = (id: number, method: string, params: unknown[]): string =>
  JSON.stringify({ id, method, params });

/** The subscribe request. */
export function subscribeLine(dialect: DialectId, id: number, address: string): string {
  if (dialect === "simple") return enc(id, "subscribe", [address, AGENTS.simple]);
  return enc(id, "mining.subscribe", [AGENTS[dialect], "EthereumStratum/1.0.0"]);
}

/** The authorize request: `address.worker`, or the worker name alone in `simple`. */
export function authorizeLine(
  dialect: DialectId,
  id: number,
  address: string,
  worker: string,
): string {
  if (dialect === "simple") return enc(id, "authorize", [worker]);
  return enc(id, "mining.authorize", [`${address}.${worker}`, "x"]);
}

/** What a submit carries. */
export interface SubmitFields {
  id: number;
  /** `address.worker` (mining.* dialects) or the worker id (simple). */
  worker: string;
  job: JobRef;
  /** The full u64 nonce. */
  nonce: bigint;
  /** Connection/worker nonce prefix, hex ("" for none). */
  prefixHex: string;
}

/** The submit request: hex without the extranonce (mining.* dialects), the full nonce in decimal (simple). */
export function submitLine(dialect: DialectId, f: SubmitFields): string {
  if (dialect === "simple") {
    return `{"id":${f.id},"method":"submit","params":[${
      JSON.stringify(f.worker)
    },"${f.job.key}","${f.nonce}"]}`;
  }
  const width = 16 - f.prefixHex.length;
  const part = (f.nonce & ((1n << BigInt(width * 4)) - 1n)).toString(16).padStart(width, "0");
  return `{"id":${f.id},"method":"mining.submit","params":[${
    JSON.stringify(f.worker)
  },"${f.job.key}","${part}"]}`;
}

function u64LeNumber(hex: string): number {
  const bytes = fromHex(hex);
  return Number(new DataView(bytes.buffer).getBigUint64(0, true));
}

function notify(params: unknown[], line: string): ServerMessage {
  const [first, second, third, fourth] = params;
  if (typeof second === "string" && second.length === 80) { // bighex: hash + LE timestamp
    return {
      kind: "notify",
      job: { key: String(first), timestamp: u64LeNumber(second.slice(64)), line },
    };
  }
  if (Array.isArray(second) && typeof third === "number") { // array, bitmain: four u64 words
    return { kind: "notify", job: { key: String(first), timestamp: third, line } };
  }
  if (typeof second === "string" && second.length === 64 && typeof third === "string") { // simple
    const job: JobRef = { key: second.toLowerCase(), timestamp: Number(third), line };
    return typeof fourth === "number"
      ? { kind: "notify", job, difficulty: fourth }
      : { kind: "notify", job };
  }
  return { kind: "bad", line };
}

/** Reads one server line. Never throws. */
export function parseServerLine(line: string): ServerMessage {
  let msg: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown };
  try {
    msg = JSON.parse(line);
  } catch {
    return { kind: "bad", line };
  }
  if (typeof msg !== "object" || msg === null) return { kind: "bad", line };
  if (typeof msg.method === "string") {
    const params = Array.isArray(msg.params) ? msg.params : [];
    switch (msg.method) {
      case "mining.notify":
      case "notify":
        return notify(params, line);
      case "mining.set_difficulty":
        return typeof params[0] === "number"
          ? { kind: "difficulty", value: params[0] }
          : { kind: "bad", line };
      case "mining.set_extranonce":
        return typeof params[0] === "string"
          ? { kind: "extranonce", hex: params[0] }
          : { kind: "bad", line };
      default:
        return { kind: "other", method: msg.method };
    }
  }
  return typeof msg.id === "number"
    ? { kind: "reply", id: msg.id, result: msg.result, error: msg.error ?? null }
    : { kind: "bad", line };
}

/** The exact 32-byte pre-PoW hash of a job (u64 words past 2^53 read without loss). */
export function prePowOf(job: JobRef): Uint8Array {
  if (job.prePow !== undefined) return job.prePow;
  const { params } = parseJson(job.line) as { params: unknown[] };
  const second = params[1];
  let bytes: Uint8Array;
  if (typeof second === "string") bytes = fromHex(second.slice(0, 64));
  else {
    bytes = new Uint8Array(32);
    const view = new DataView(bytes.buffer);
    (second as bigint[] | number[]).forEach((w, i) =>
      view.setBigUint64(i * 8, BigInt(w as bigint | number), true)
    );
  }
  job.prePow = bytes;
  return bytes;
}

/** The error code of a rejected reply: `[code, msg]` arrays or `{code}` objects; 0 if none. */
export function errorCode(error: unknown): number {
  if (Array.isArray(error) && typeof error[0] === "number") return error[0];
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === "number") return code;
  }
  return 0;
}

/** Hex of a pre-PoW hash (the `simple` job key). */
export { toHex };
