// Public face of protocol: JSON-RPC envelope parsing, exact JSON, error codes and encoders.
// Pure: imports nothing else from lib/.

export { DEFAULT_MESSAGES, ErrorCode, StratumError } from "./errors.ts";
export { parseRequest } from "./envelope.ts";
export type { ParsedLine, RpcId, RpcInvalid, RpcRequest } from "./envelope.ts";
export { encodeError, encodeNotification, encodeResult } from "./encode.ts";
export type { NotifyId, ReplyStyle } from "./encode.ts";
export { JsonEncodeError, parseJson, writeJson } from "./json.ts";
export type { JsonValue } from "./json.ts";
