// Dialect `bighex` (spec B), one "big job" hex string: BzMiner and IceRiver KS0-KS7 firmware.
// Pure: 80-hex notify, notifications without id members, power-of-two difficulty.

import { encodeNotification, writeJson } from "../protocol/mod.ts";
import type { Dialect } from "./dialect.ts";
import { toHex } from "../kaspa/hex.ts";
import { decodeMining, difficultyJson, ETHEREUM_STRATUM_SUBSCRIBED, u64LeHex } from "./_wire.ts";

/**
 * Dialect `bighex`. set_extranonce carries only the extranonce, as the Rust bridge (tuned on
 * IceRiver KS2L) sends it; every notification omits `id`. IceRiver and some firmware name a
 * neighbouring job in submits, so weak shares are retried against earlier jobs.
 */
export const bighexDialect: Dialect = {
  id: "bighex",
  replyStyle: "triple",
  extranonce: "connection",
  pow2Difficulty: true,
  neighbourJobs: 4,
  nonceForm: "hex",
  jobNaming: "counter",
  bodyFormat: "bigjob",
  difficultyIn: "set_difficulty",
  channelPerWorker: false,
  reconnect: true,
  decode: decodeMining,
  subscribeResult: () => ETHEREUM_STRATUM_SUBSCRIBED,
  authorizeResult: () => true,
  submitResult: () => true,
  extranonceLine: (hex) =>
    hex === ""
      ? undefined
      : encodeNotification("mining.set_extranonce", `[${writeJson(hex)}]`, "omit"),
  difficultyLine: (d) =>
    encodeNotification("mining.set_difficulty", `[${difficultyJson(d)}]`, "omit"),
  jobBody: (work) => `"${toHex(work.prePowHash)}${u64LeHex(work.timestamp)}"`,
  notifyLine: (body, f) => encodeNotification("mining.notify", `["${f.jobId}",${body}]`, "omit"),
};
