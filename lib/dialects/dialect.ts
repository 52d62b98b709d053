// The one interface every miner family implements: data plus small encoders and decoders.
// Pure: the session engine drives any dialect the same way; nothing here holds state.

import type { ErrorCode, JsonValue, ReplyStyle, RpcRequest } from "../protocol/mod.ts";

/**
 * Every dialect id: the one name of a dialect in config (`dialect:`), code, logs and the API.
 * stratum.md calls them A (`array`), B (`bighex`), C (`bitmain`) and D (`simple`).
 */
export const DIALECT_IDS = ["array", "bighex", "bitmain", "simple"] as const;

/** A dialect id (see DIALECT_IDS). */
export type DialectId = typeof DIALECT_IDS[number];

/** The parts of a job a dialect writes: 32-byte pre-PoW hash and the timestamp (ms). */
export interface JobWork {
  /** 32 bytes. */
  prePowHash: Uint8Array;
  /** Milliseconds since the epoch. */
  timestamp: bigint;
}

/** A nonce exactly as the miner sent it. */
export type NonceInput = string | number | bigint;

/**
 * How submit nonces are read (see shares/nonce.ts): `hex` with extranonce completion
 * (array, bighex), `decimal` (simple), or `any` unambiguous form, ambiguous ones tried both ways
 * (bitmain).
 */
export type NonceForm = "hex" | "decimal" | "any";

/** A request decoded into what the session engine acts on. */
export type DecodedRequest =
  | { kind: "subscribe"; agent: string; address?: string }
  | { kind: "authorize"; user: string; password: string }
  | { kind: "submit"; worker: string; job: string; nonce: NonceInput }
  | { kind: "extranonceSubscribe" }
  | { kind: "invalid"; code: ErrorCode; message: string };

/** What a notify line needs besides the cached job body. */
export interface NotifyFields {
  /** Per-connection job id; unused by `simple`, where the pre-PoW hash names the job. */
  jobId: number;
  /** Worker id on the connection (`simple`); 0 elsewhere. */
  workerId: number;
  /** Difficulty to carry inside the notify (`simple` only, when it changed). */
  difficulty?: number;
}

/** What an authorize reply may carry. */
export interface AuthorizeFields {
  /** Worker id on the connection (`simple`). */
  workerId: number;
  /** Extranonce / nonce prefix, hex ("" when none). */
  prefixHex: string;
  /** Share difficulty the worker starts at. */
  difficulty: number;
}

/** A miner family's wire form over the shared session engine. */
export interface Dialect {
  /** The dialect's one name. */
  readonly id: DialectId;
  /** Error form and `result` value on error. */
  readonly replyStyle: ReplyStyle;
  /** Who owns an extranonce: the connection (array, bighex), each worker (simple) or nobody (bitmain). */
  readonly extranonce: "connection" | "worker" | "none";
  /** Whether every difficulty sent is rounded to a power of two. */
  readonly pow2Difficulty: boolean;
  /** Earlier jobs a weak share is retried against (firmware that names a neighbouring job). */
  readonly neighbourJobs: number;
  /** How submit nonces are read. */
  readonly nonceForm: NonceForm;
  /** `counter`: jobs named by per-connection ids; `prePow`: named by the pre-PoW hash hex. */
  readonly jobNaming: "counter" | "prePow";
  /** Cache key of the job body: dialects with equal keys share one encoding per job. */
  readonly bodyFormat: string;
  /** Where a difficulty change travels: a set_difficulty line, or inside notify (`simple`). */
  readonly difficultyIn: "set_difficulty" | "notify";
  /** Whether one connection may authorize several workers, each a separate channel (`simple`). */
  readonly channelPerWorker: boolean;
  /**
   * Whether this family's miners are sent `client.reconnect` when kstratum drains (SIGTERM), so
   * they reconnect at once through the balancer; see docs/miners.md for which firmware honours it.
   */
  readonly reconnect: boolean;

  /** Maps an envelope to a typed request (method names and param layout are the dialect's). */
  decode(request: RpcRequest): DecodedRequest;
  /** Result of subscribe, given the connection's extranonce (hex, bytes). */
  subscribeResult(extranonceHex: string, extranonceSize: number): JsonValue;
  /** Result of a successful authorize. */
  authorizeResult(fields: AuthorizeFields): JsonValue;
  /** Reply to an accepted share; `simple` answers a changed difficulty instead of `true`. */
  submitResult(newDifficulty: number | undefined): JsonValue;
  /** The set_extranonce line, or undefined when the dialect sends none. */
  extranonceLine(extranonceHex: string, extranonceSize: number): string | undefined;
  /** The set_difficulty line, or undefined when difficulty travels elsewhere (`simple`). */
  difficultyLine(difficulty: number): string | undefined;
  /** Job-dependent part of notify, encoded once per job and shared by every miner. */
  jobBody(work: JobWork): string;
  /** A full notify line from a cached body. */
  notifyLine(body: string, fields: NotifyFields): string;
}
