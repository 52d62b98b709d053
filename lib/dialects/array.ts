// Dialect `array` (spec A), EthereumStratum/1.0.0 jobs as arrays: lolMiner, SRBMiner, kaspa-miner, Goldshell.
// Pure: notify carries the pre-PoW hash as four little-endian u64 words, exact past 2^53.

import { encodeNotification, writeJson } from "../protocol/mod.ts";
import type { Dialect, JobWork } from "./dialect.ts";
import { decodeMining, difficultyJson, ETHEREUM_STRATUM_SUBSCRIBED, u64Words } from "./_wire.ts";

/** `[w0,w1,w2,w3],timestamp`: the job part of an array-form notify (shared with `bitmain`). */
export function arrayJobBody(work: JobWork): string {
  return `${writeJson(u64Words(work.prePowHash))},${work.timestamp.toString(10)}`;
}

/** Array-form notify: the id member repeats the job id, as the Go bridge has always sent. */
export function arrayNotifyLine(body: string, jobId: number): string {
  return encodeNotification("mining.notify", `["${jobId}",${body}]`, jobId);
}

/** Dialect `array`. */
export const arrayDialect: Dialect = {
  id: "array",
  replyStyle: "triple",
  extranonce: "connection",
  pow2Difficulty: false,
  neighbourJobs: 0,
  nonceForm: "hex",
  jobNaming: "counter",
  bodyFormat: "words",
  difficultyIn: "set_difficulty",
  channelPerWorker: false,
  reconnect: true,
  decode: decodeMining,
  subscribeResult: () => ETHEREUM_STRATUM_SUBSCRIBED,
  authorizeResult: () => true,
  submitResult: () => true,
  extranonceLine: (hex, size) =>
    hex === ""
      ? undefined
      : encodeNotification("mining.set_extranonce", `[${writeJson(hex)},${8 - size}]`, null),
  difficultyLine: (d) =>
    encodeNotification("mining.set_difficulty", `[${difficultyJson(d)}]`, null),
  jobBody: arrayJobBody,
  notifyLine: (body, f) => arrayNotifyLine(body, f.jobId),
};
