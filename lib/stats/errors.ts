// The bridges' worker-error vocabulary (`ks_worker_errors{error}`) and how kstratum's events map to it.
// Pure: names from the Go and Rust kaspa-stratum-bridges' errors.go / errors.rs; docs/metrics.md has the table.

import type { RefusalCause, ShareOutcome } from "../session/events.ts";

/** The error names both bridges put in ks_worker_errors' `error` label. */
export const WORKER_ERROR_NAMES = [
  "err_no_miner_address",
  "err_failed_block_fetch",
  "err_malformed_wallet_address",
  "err_missing_job",
  "err_bad_data_from_miner",
  "err_failed_sending_work",
  "err_diff_set_failed",
  "err_worker_disconnected",
] as const;

/** One of {@linkcode WORKER_ERROR_NAMES}. */
export type WorkerErrorName = typeof WORKER_ERROR_NAMES[number];

/**
 * The name of a refused request: no payout address or a malformed one by its cause, every other
 * refusal (parse error, unknown method, bad params, out-of-order call, limits) is bad data from
 * the miner, as the bridges count any request they cannot use.
 */
export function protocolErrorName(code: number, cause?: RefusalCause): WorkerErrorName {
  if (cause === "no-address") return "err_no_miner_address";
  if (cause === "bad-address") return "err_malformed_wallet_address";
  return code === 21 ? "err_missing_job" : "err_bad_data_from_miner";
}

/**
 * The name a rejected share also counts under: a share for a job kstratum no longer holds (its
 * "stale") is the bridges' missing job, an unreadable nonce is bad data. Others count only in
 * ks_invalid_share_counter, as in the bridges.
 */
export function shareErrorName(outcome: ShareOutcome): WorkerErrorName | undefined {
  if (outcome === "stale") return "err_missing_job";
  if (outcome === "invalid") return "err_bad_data_from_miner";
  return undefined;
}

/**
 * The name a closed connection counts under: a write that failed or a miner too slow to read its
 * jobs is work that could not be sent; a connection that never authorized within the handshake
 * timeout gave no payout address (the bridges' 20 s rule). Other closes are not errors.
 */
export function disconnectErrorName(
  reason: string,
  authorized: boolean,
): WorkerErrorName | undefined {
  if (reason === "write error" || reason === "slow reader") return "err_failed_sending_work";
  if (reason === "handshake timeout" && !authorized) return "err_no_miner_address";
  return undefined;
}
