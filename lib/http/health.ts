// What /health judges: connected to a synced node and listening for miners.
// Pure: the composition root supplies HealthState; this file turns it into a verdict.

/** Facts the composition root knows about its own health. */
export interface HealthState {
  /** The node link is up. */
  nodeConnected: boolean;
  /** The node says it is synced. */
  nodeSynced: boolean;
  /** The Stratum listeners are accepting miners. */
  listening: boolean;
  /** Shutting down (SIGTERM): balancers should send miners elsewhere. */
  draining?: boolean;
}

/** Stable codes for what is wrong. */
export type HealthReason =
  | "draining"
  | "node-disconnected"
  | "node-not-synced"
  | "not-listening"
  | "health-unknown";

/** /health's answer. */
export interface HealthVerdict {
  /** Everything needed to mine is up. */
  ok: boolean;
  /** Stable codes, empty when ok. */
  reasons: HealthReason[];
  /** One sentence for people. */
  reason: string;
}

const SENTENCES: Record<HealthReason, string> = {
  draining: "draining: shutting down, miners are moving to other instances",
  "node-disconnected": "not connected to the node",
  "node-not-synced": "the node is not synced",
  "not-listening": "a listener cannot accept connections (out of file descriptors?)",
  "health-unknown": "health could not be determined",
};

/**
 * Judges a HealthState; `undefined` (the state could not be read) is unhealthy.
 *
 * @example
 * ```ts
 * import { judgeHealth } from "./health.ts";
 * const v = judgeHealth({ nodeConnected: true, nodeSynced: false, listening: true });
 * if (v.ok || v.reasons[0] !== "node-not-synced") throw new Error();
 * ```
 */
export function judgeHealth(state: HealthState | undefined): HealthVerdict {
  const reasons: HealthReason[] = [];
  if (!state) reasons.push("health-unknown");
  else {
    if (state.draining === true) reasons.push("draining");
    if (!state.nodeConnected) reasons.push("node-disconnected");
    else if (!state.nodeSynced) reasons.push("node-not-synced");
    if (!state.listening) reasons.push("not-listening");
  }
  return {
    ok: reasons.length === 0,
    reasons,
    reason: reasons.length === 0 ? "ok" : reasons.map((r) => SENTENCES[r]).join("; "),
  };
}
