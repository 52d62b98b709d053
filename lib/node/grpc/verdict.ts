// SubmitBlockResponse ⇄ SubmitVerdict: how the client reads kaspad's answer and how the mining front
// phrases one. Pure.

import type { SubmitVerdict } from "../../kaspa/types.ts";
import { type Decoded, type Encodable, ENUMS } from "./messages.ts";

/** kaspad's gRPC text for a submit refused because the per-connection queue is full. */
export const ROUTE_FULL_MESSAGE = "Block was not submitted: route is full";

/** Classifies kaspad's SubmitBlockResponse. */
export function submitVerdict(r: Decoded<"SubmitBlockResponseMessage">): SubmitVerdict {
  const message = r.error?.message ?? "";
  switch (r.rejectReason) {
    case ENUMS.RejectReason.BLOCK_INVALID:
      return { kind: "rejected", reason: "invalid", message: message || "block is invalid" };
    case ENUMS.RejectReason.IS_IN_IBD:
      return { kind: "rejected", reason: "ibd", message: message || "node is not synced" };
  }
  if (r.error === undefined) return { kind: "accepted" };
  // The protocol has no enum value for a full route: kaspad (and its own client) compare this text.
  if (message === ROUTE_FULL_MESSAGE) return { kind: "rejected", reason: "route-full", message };
  return { kind: "rejected", reason: "other", message };
}

/** SubmitBlockResponse for a verdict, as kaspad would phrase it. */
export function submitResponse(
  v: SubmitVerdict | "stale" | "low" | "duplicate",
): Encodable<"SubmitBlockResponseMessage"> {
  const invalid = (message: string) => ({
    rejectReason: ENUMS.RejectReason.BLOCK_INVALID,
    error: { message },
  });
  if (v === "stale") return invalid("Block was not submitted: unknown or stale template");
  if (v === "low") return invalid("Block was not submitted: insufficient proof of work");
  if (v === "duplicate") return invalid("Block was not submitted: already submitted");
  switch (v.kind) {
    case "accepted":
      return {};
    case "unreachable":
      return { error: { message: `Block was not submitted: node unreachable (${v.message})` } };
    case "rejected":
      switch (v.reason) {
        case "invalid":
          return invalid("Block was not submitted: block is invalid");
        case "ibd":
          return {
            rejectReason: ENUMS.RejectReason.IS_IN_IBD,
            error: { message: "Block was not submitted: node is not synced" },
          };
        case "route-full":
          return { error: { message: ROUTE_FULL_MESSAGE } };
        case "other":
          return { error: { message: v.message } };
      }
  }
}
