// Encoders for replies and notifications: exact JSON text, one line without its terminator.
// Pure: the wire forms differ per dialect only through `ReplyStyle` and `NotifyId`.

import type { ErrorCode } from "./errors.ts";
import type { RpcId } from "./envelope.ts";
import { type JsonValue, writeJson } from "./json.ts";

/**
 * How a dialect writes errors: `triple` is `[code, message, null]` with `result: null`
 * (the mining.* dialects); `pair` is `[code, message]` with `result: false` (Simplified Stratum).
 */
export type ReplyStyle = "triple" | "pair";

/** The id member of a notification: a value to write, or `"omit"` for no id member at all. */
export type NotifyId = RpcId | "omit";

/**
 * A success reply.
 *
 * @example
 * ```ts
 * encodeResult(1, [true, "EthereumStratum/1.0.0"]);
 * // '{"id":1,"result":[true,"EthereumStratum/1.0.0"],"error":null}'
 * ```
 */
export function encodeResult(id: RpcId, result: JsonValue): string {
  return `{"id":${writeJson(id)},"result":${writeJson(result)},"error":null}`;
}

/**
 * An error reply in the dialect's style.
 *
 * @example
 * ```ts
 * encodeError(3, 23, "Low difficulty share", "triple");
 * // '{"id":3,"result":null,"error":[23,"Low difficulty share",null]}'
 * encodeError(10, 21, "Job not found", "pair");
 * // '{"id":10,"result":false,"error":[21,"Job not found"]}'
 * ```
 */
export function encodeError(
  id: RpcId,
  code: ErrorCode,
  message: string,
  style: ReplyStyle,
): string {
  const error: JsonValue = style === "triple" ? [code, message, null] : [code, message];
  const result = style === "triple" ? null : false;
  return `{"id":${writeJson(id)},"result":${writeJson(result)},"error":${writeJson(error)}}`;
}

/**
 * A server notification. `paramsJson` is the already-encoded params array text, so callers can
 * reuse cached fragments (job bodies) without re-encoding them.
 *
 * @example
 * ```ts
 * encodeNotification("mining.set_difficulty", "[8192]", null);
 * // '{"id":null,"method":"mining.set_difficulty","params":[8192]}'
 * encodeNotification("mining.notify", '["1","8e42"]', "omit");
 * // '{"method":"mining.notify","params":["1","8e42"]}'
 * ```
 */
export function encodeNotification(method: string, paramsJson: string, id: NotifyId): string {
  const head = id === "omit" ? "" : `"id":${writeJson(id)},`;
  return `{${head}"method":${JSON.stringify(method)},"params":${paramsJson}}`;
}
