// Helpers shared by the dialect files: u64 hex and words, param readers, the mining.* decoder.
// Private to dialects/: pure functions over protocol types.

import { ErrorCode, type JsonValue, type RpcRequest, writeJson } from "../protocol/mod.ts";
import { toHex } from "../kaspa/hex.ts";
import type { DecodedRequest, NonceInput } from "./dialect.ts";

/** `value` as 8 little-endian bytes in hex (16 chars). */
export function u64LeHex(value: bigint): string {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return toHex(bytes);
}

/** The 32-byte hash as four little-endian u64 words (bytes 0-7, 8-15, 16-23, 24-31). */
export function u64Words(hash: Uint8Array): bigint[] {
  const view = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
  return [0, 8, 16, 24].map((at) => view.getBigUint64(at, true));
}

/** A difficulty as a JSON number. */
export function difficultyJson(difficulty: number): string {
  return writeJson(difficulty);
}

/** The error a decoder returns for malformed params. */
export function badParams(message: string): DecodedRequest {
  return { kind: "invalid", code: ErrorCode.InvalidParams, message: `Invalid params: ${message}` };
}

/** Unknown method. */
export function unknownMethod(method: string): DecodedRequest {
  return {
    kind: "invalid",
    code: ErrorCode.MethodNotFound,
    message: `Method not found: ${method.slice(0, 64)}`,
  };
}

/** Optional string param: `fallback` when absent or null, undefined when of another type. */
export function optionalString(v: unknown, fallback = ""): string | undefined {
  if (v === undefined || v === null) return fallback;
  return typeof v === "string" ? v : undefined;
}

/** A job id or worker id given as a string or an integer. */
export function idText(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim();
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

/** A nonce param, if it has a usable type. */
export function nonceInput(v: unknown): NonceInput | undefined {
  if (typeof v === "string" || typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  return undefined;
}

/**
 * Decodes the `mining.*` methods of EthereumStratum/1.0.0 miners (array, bighex, bitmain).
 * Submit is `[worker, jobId, nonce]` or the 5-param lolMiner form with the nonce last.
 */
export function decodeMining(request: RpcRequest): DecodedRequest {
  const p = request.params;
  switch (request.method) {
    case "mining.subscribe": {
      const agent = optionalString(p[0]);
      return agent === undefined
        ? badParams("user agent must be a string")
        : { kind: "subscribe", agent };
    }
    case "mining.authorize": {
      const user = optionalString(p[0]);
      const password = optionalString(p[1]);
      if (user === undefined || password === undefined) {
        return badParams("worker and password must be strings");
      }
      return { kind: "authorize", user: user.trim(), password };
    }
    case "mining.submit": {
      if (p.length < 3) return badParams("submit takes [worker, job id, nonce]");
      const worker = optionalString(p[0]);
      const job = idText(p[1]);
      const nonce = nonceInput(p[p.length - 1]);
      if (worker === undefined || job === undefined || nonce === undefined) {
        return badParams("submit takes [worker, job id, nonce]");
      }
      return { kind: "submit", worker: worker.trim(), job, nonce };
    }
    case "mining.extranonce.subscribe":
      return { kind: "extranonceSubscribe" };
    default:
      return unknownMethod(request.method);
  }
}

/** The EthereumStratum/1.0.0 subscribe result of the array and bighex dialects. */
export const ETHEREUM_STRATUM_SUBSCRIBED: JsonValue = [true, "EthereumStratum/1.0.0"];
