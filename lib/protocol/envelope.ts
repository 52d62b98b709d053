// JSON-RPC envelope: one text line → a typed request, or the error that answers it.
// Pure: no knowledge of methods; dialects/ give meaning to `method` and `params`.

import { ErrorCode } from "./errors.ts";
import { parseJson } from "./json.ts";

/** A request id as miners send it. Absent ids read as `null`. */
export type RpcId = number | string | bigint | null;

/** A well-formed request envelope. */
export interface RpcRequest {
  /** Echoed in the reply. */
  id: RpcId;
  /** e.g. "mining.submit". */
  method: string;
  /** Positional params; `[]` when absent. Big integers are bigint. */
  params: unknown[];
}

/** A line that is not a request, with the id to answer (null when unknown). */
export interface RpcInvalid {
  /** Id to answer with. */
  id: RpcId;
  /** JSON-RPC error code. */
  code: ErrorCode;
  /** Message for the miner. */
  message: string;
}

/** Result of {@linkcode parseRequest}. */
export type ParsedLine = { ok: true; request: RpcRequest } | { ok: false; error: RpcInvalid };

/** An id the reply can echo exactly: a number written as 1e300 or 9007199254740993.0 cannot be. */
function isId(v: unknown): v is RpcId {
  return v === null || typeof v === "string" || typeof v === "bigint" ||
    (typeof v === "number" && Number.isFinite(v) &&
      (!Number.isInteger(v) || Number.isSafeInteger(v)));
}

/**
 * Parses one line into a request. Bad JSON gives -32700, a non-request object -32600, and
 * non-array params -32602 (Stratum params are positional).
 *
 * @example
 * ```ts
 * parseRequest('{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88"]}');
 * // { ok: true, request: { id: 1, method: "mining.subscribe", params: ["lolMiner 1.88"] } }
 * ```
 */
export function parseRequest(line: string): ParsedLine {
  let value: unknown;
  try {
    value = parseJson(line);
  } catch {
    return invalid(null, ErrorCode.ParseError, "Parse error");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid(null, ErrorCode.InvalidRequest, "Invalid request: not an object");
  }
  const obj = value as Record<string, unknown>;
  const id = obj.id === undefined ? null : obj.id;
  if (!isId(id)) return invalid(null, ErrorCode.InvalidRequest, "Invalid request: bad id");
  if (typeof obj.method !== "string" || obj.method.length === 0) {
    return invalid(id, ErrorCode.InvalidRequest, "Invalid request: no method");
  }
  const params = obj.params === undefined || obj.params === null ? [] : obj.params;
  if (!Array.isArray(params)) {
    return invalid(id, ErrorCode.InvalidParams, "Invalid params: expected an array");
  }
  return { ok: true, request: { id, method: obj.method, params } };
}

function invalid(id: RpcId, code: ErrorCode, message: string): ParsedLine {
  return { ok: false, error: { id, code, message } };
}
