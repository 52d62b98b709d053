// Dialect `simple` (spec D), Simplified Stratum (KIP-10/11): unprefixed methods, several workers a connection.
// Pure: the pre-PoW hash names the job; difficulty rides in authorize, notify and submit replies.

import { encodeNotification, writeJson } from "../protocol/mod.ts";
import { toHex } from "../kaspa/hex.ts";
import type { DecodedRequest, Dialect } from "./dialect.ts";
import {
  badParams,
  difficultyJson,
  idText,
  nonceInput,
  optionalString,
  unknownMethod,
} from "./_wire.ts";

const PRE_POW_HEX = /^[0-9a-fA-F]{64}$/;

function decodeSimplified(request: { method: string; params: unknown[] }): DecodedRequest {
  const p = request.params;
  switch (request.method) {
    case "subscribe": {
      const address = optionalString(p[0]);
      const agent = optionalString(p[1]);
      if (address === undefined || agent === undefined) {
        return badParams("subscribe takes [address, agent]");
      }
      const trimmed = address.trim();
      return trimmed === ""
        ? { kind: "subscribe", agent }
        : { kind: "subscribe", agent, address: trimmed };
    }
    case "authorize": {
      const user = optionalString(p[0]);
      const password = optionalString(p[1]);
      if (user === undefined || password === undefined) {
        return badParams("authorize takes [worker name]");
      }
      return { kind: "authorize", user: user.trim(), password };
    }
    case "submit": {
      const worker = idText(p[0]);
      const header = p[1];
      const nonce = nonceInput(p[2]);
      if (worker === undefined || typeof header !== "string" || nonce === undefined) {
        return badParams("submit takes [worker id, pre-PoW hash hex, nonce]");
      }
      if (!PRE_POW_HEX.test(header)) return badParams("pre-PoW hash must be 64 hex characters");
      return { kind: "submit", worker, job: header.toLowerCase(), nonce };
    }
    default:
      return unknownMethod(request.method);
  }
}

/**
 * Dialect `simple`. Authorize answers `[workerId, prefixHex, difficulty]` (both KIP revisions read it);
 * notify is `[workerIdStr, prePowHex, timestampDecimal(, difficulty)]` without an id member.
 */
export const simpleDialect: Dialect = {
  id: "simple",
  replyStyle: "pair",
  extranonce: "worker",
  pow2Difficulty: false,
  neighbourJobs: 0,
  nonceForm: "decimal",
  jobNaming: "prePow",
  bodyFormat: "simplified",
  difficultyIn: "notify",
  channelPerWorker: true,
  reconnect: false,
  decode: decodeSimplified,
  subscribeResult: () => true,
  authorizeResult: (f) => [f.workerId, f.prefixHex, f.difficulty],
  submitResult: (d) => d ?? true,
  extranonceLine: () => undefined,
  difficultyLine: () => undefined,
  jobBody: (work) => `"${toHex(work.prePowHash)}","${work.timestamp.toString(10)}"`,
  notifyLine: (body, f) => {
    const diff = f.difficulty === undefined ? "" : `,${difficultyJson(f.difficulty)}`;
    return encodeNotification(
      "notify",
      `[${writeJson(String(f.workerId))},${body}${diff}]`,
      "omit",
    );
  },
};
