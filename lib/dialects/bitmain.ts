// Dialect `bitmain` (spec C), Antminer KS3/KS5 ("GodMiner"): array jobs, no extranonce, pow2 difficulty.
// Pure: submit nonces are read in every unambiguous form (hex, 0x-hex, decimal).

import { encodeNotification } from "../protocol/mod.ts";
import { arrayJobBody, arrayNotifyLine } from "./array.ts";
import type { Dialect } from "./dialect.ts";
import { decodeMining, difficultyJson } from "./_wire.ts";

/** Dialect `bitmain`. Subscribe answers `[null, "", 8]`: the whole 8-byte nonce is the miner's. */
export const bitmainDialect: Dialect = {
  id: "bitmain",
  replyStyle: "triple",
  extranonce: "none",
  pow2Difficulty: true,
  neighbourJobs: 4,
  nonceForm: "any",
  jobNaming: "counter",
  bodyFormat: "words",
  difficultyIn: "set_difficulty",
  channelPerWorker: false,
  reconnect: true,
  decode: decodeMining,
  subscribeResult: () => [null, "", 8],
  authorizeResult: () => true,
  submitResult: () => true,
  extranonceLine: () => undefined,
  difficultyLine: (d) =>
    encodeNotification("mining.set_difficulty", `[${difficultyJson(d)}]`, null),
  jobBody: arrayJobBody,
  notifyLine: (body, f) => arrayNotifyLine(body, f.jobId),
};
