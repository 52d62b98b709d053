// Typed errors of the node link, with stable codes and a retry classifier.
// Pure: shared by the gRPC and wRPC clients and the reconnecting wrapper.

/** Stable codes of NodeError. */
export type NodeErrorCode =
  /** No answer within the call's timeout. */
  | "timeout"
  /** The connection is down (never established, lost, or being re-established). */
  | "disconnected"
  /** The client was closed on purpose. */
  | "closed"
  /** The node answered with an error message (RPCError / wRPC error). */
  | "rpc"
  /** The node's answer could not be decoded or lacks a required field. */
  | "bad-response"
  /** The node does not have the RPC at all (an older kaspad). */
  | "unsupported";

/** An error talking to kaspad. Branch on `code`, never on `message`. */
export class NodeError extends Error {
  /** Error name, for logs. */
  override readonly name = "NodeError";
  /** Makes an error with a stable `code`. */
  constructor(
    readonly code: NodeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether retrying the same call later (after a reconnect) may succeed. */
export function isRetriable(error: unknown): boolean {
  return error instanceof NodeError && (error.code === "timeout" || error.code === "disconnected");
}

/** Wraps anything thrown by a decoder as a "bad-response" NodeError. */
export function badResponse(what: string, cause: unknown): NodeError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new NodeError("bad-response", `${what}: ${detail}`, { cause });
}
