// Session state: the phase union, channels, and the small helpers handlers share to emit effects.
// Pure: handlers mutate a Core and append effects to `core.out`; nothing here does I/O.

import type { Dialect } from "../dialects/mod.ts";
import {
  encodeError,
  encodeResult,
  type ErrorCode,
  type JsonValue,
  type RpcId,
} from "../protocol/mod.ts";
import { DEFAULT_MESSAGES } from "../protocol/mod.ts";
import { JobRing, roundPow2 } from "../shares/mod.ts";
import type { MinerEvents, RefusalCause, WorkerRef } from "./events.ts";
import type { Job } from "../kaspa/types.ts";
import type { JobEncodings } from "./encodings.ts";
import type { Extranonce, ExtranoncePools } from "./extranonce.ts";
import type { AddressBudget } from "./address_budget.ts";
import type { LogLevel } from "../log/mod.ts";
import type { Effect, SessionOptions, ValidateAddress } from "./types.ts";
import { createVardiff, type VardiffOptions, type VardiffState } from "./vardiff.ts";

/** How a channel's difficulty is decided. */
export type DifficultyControl =
  | { kind: "fixed"; difficulty: number }
  | { kind: "vardiff"; state: VardiffState; options: VardiffOptions };

/**
 * One nonce space with its own difficulty and job ring: the whole connection, or each
 * authorized worker in Simplified Stratum (`simple`).
 */
export interface Channel {
  /** Worker id on the connection (`simple`); 0 elsewhere. */
  readonly id: number;
  /** Worker names authorized on this channel (mining.* dialects may authorize several). */
  readonly workers: Map<string, WorkerRef>;
  /** The worker events are reported for by default (the first authorized). */
  primary: WorkerRef;
  /** Nonce prefix of this channel, if any. */
  readonly extranonce: Extranonce | undefined;
  /** Whether the channel releases its extranonce (`simple`) or the connection does. */
  readonly ownsExtranonce: boolean;
  /** Jobs sent on this channel, with their duplicate guards. */
  readonly ring: JobRing;
  /** How the difficulty is decided. */
  control: DifficultyControl;
  /** Difficulty the miner was last told, undefined before the first. */
  announced: number | undefined;
  /** D: difficulty last carried inside a notify. */
  inNotify: number | undefined;
}

/** The session's phase: each holds exactly the state valid in it. */
export type Phase =
  | { kind: "connected" }
  | { kind: "subscribed"; dialect: Dialect; agent: string; address?: string }
  | { kind: "authorized"; dialect: Dialect; agent: string; address: string; channels: Channel[] }
  | { kind: "closed"; reason: string };

/** What a session needs from outside, all injected. */
export interface SessionDeps {
  /** Payout address check. */
  validateAddress: ValidateAddress;
  /** Where miner, share and block events go. */
  events: MinerEvents;
  /** Extranonce pools shared by the server's sessions. */
  extranonces: ExtranoncePools;
  /** Job encodings shared by the server's sessions. */
  encodings: JobEncodings;
  /** Remote IP, for events and logs. */
  ip: string;
  /** Payout-address budget shared by the server's sessions; none: no limits. */
  addresses?: AddressBudget;
}

/** A valid share waiting for its block submission. */
export interface PendingShare {
  requestId: RpcId;
  channel: Channel;
  who: WorkerRef;
  difficulty: number;
  job: Job;
  nonce: bigint;
}

/** Job delivery state: throttle and newest job. */
export interface Delivery {
  latest: Job | undefined;
  pending: Job | undefined;
  /** When the last job went out, ms; -Infinity before the first. */
  lastSentAt: number;
  /** When the last job sent was published (Job.createdAt), ms; -Infinity before the first. */
  lastSentCreatedAt: number;
}

/** Mutable core shared by the handler files; `out` collects the current step's effects. */
export interface Core {
  readonly options: SessionOptions;
  readonly deps: SessionDeps;
  phase: Phase;
  connectionExtranonce: Extranonce | undefined;
  /** Whether `events.connected` was reported (so `disconnected` pairs with it). */
  reportedConnected: boolean;
  nextWorkerId: number;
  delivery: Delivery;
  pendingBlocks: Map<number, PendingShare>;
  nextTicket: number;
  out: Effect[];
  now: number;
  /** Distinct payout addresses this connection took from the budget. */
  addresses: Set<string>;
}

/** Sends a success reply. */
export function reply(core: Core, id: RpcId, result: JsonValue): void {
  core.out.push({ kind: "send", line: encodeResult(id, result) });
}

/** Sends an error reply in the dialect's style; non-share errors are reported as protocol errors. */
export function fail(
  core: Core,
  dialect: Dialect,
  request: {
    id: RpcId;
    code: ErrorCode;
    message?: string;
    who?: WorkerRef;
    share?: boolean;
    /** Why, when the code alone does not say (metrics name the error by it). */
    cause?: RefusalCause;
  },
): void {
  const message = request.message ?? DEFAULT_MESSAGES[request.code];
  core.out.push({
    kind: "send",
    line: encodeError(request.id, request.code, message, dialect.replyStyle),
  });
  if (request.share === true) return;
  const phase = core.phase;
  const who = request.who ?? (phase.kind === "authorized" ? phase.channels[0]?.primary : undefined);
  core.deps.events.protocolError(who, request.code, request.cause);
}

/** Emits a structured log effect tagged with the remote IP. */
export function log(
  core: Core,
  level: LogLevel,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  core.out.push({ kind: "log", level, message, fields: { ip: core.deps.ip, ...fields } });
}

/** The difficulty the channel wants now. */
export function wantedDifficulty(channel: Channel): number {
  return channel.control.kind === "fixed"
    ? channel.control.difficulty
    : channel.control.state.difficulty;
}

/** The difficulty control for a new channel: a password override, the fixed value, or vardiff. */
export function makeControl(
  core: Core,
  dialect: Dialect,
  override: number | undefined,
): DifficultyControl {
  const policy = core.options.difficulty;
  const pow2 = dialect.pow2Difficulty;
  // A fixed-difficulty port keeps its value whatever the password asks; on a vardiff port `d=`
  // is clamped to the port's min..max (a miner must not pick a near-zero difficulty).
  if (policy.kind === "fixed") {
    if (override !== undefined && override !== policy.difficulty) {
      log(core, "info", "d= in the password ignored on a fixed-difficulty port", {
        asked: override,
        kept: policy.difficulty,
      });
    }
    return { kind: "fixed", difficulty: pow2 ? roundPow2(policy.difficulty) : policy.difficulty };
  }
  if (override !== undefined) {
    const d = Math.min(policy.max, Math.max(policy.min, override));
    if (d !== override) {
      log(core, "info", "d= in the password clamped", { asked: override, used: d });
    }
    return { kind: "fixed", difficulty: pow2 ? roundPow2(d) : d };
  }
  const { kind: _, ...vardiff } = policy;
  const options: VardiffOptions = { ...vardiff, pow2: (vardiff.pow2 ?? false) || pow2 };
  return { kind: "vardiff", state: createVardiff(options, core.now), options };
}

/** A fresh job ring sized by the listener options. */
export function makeRing(core: Core): JobRing {
  return new JobRing({ capacity: core.options.ringCapacity, maxNonces: core.options.maxNonces });
}

/** The WorkerRef events and the submitter see. */
export function workerRef(
  core: Core,
  fields: { worker: string; wallet: string; miner: string; dialect: Dialect },
): WorkerRef {
  return {
    worker: fields.worker,
    wallet: fields.wallet,
    miner: fields.miner,
    ip: core.deps.ip,
    dialect: fields.dialect.id,
  };
}
