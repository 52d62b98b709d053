// Contracts of the session engine: what it consumes (jobs, block submission, address checks)
// and what it returns (effects). Types only; net/ runs the effects, templates/ provides the jobs.

import type { DialectId } from "../dialects/mod.ts";
import type { LogLevel } from "../log/mod.ts";
import type { WorkerRef } from "./events.ts";
import type { Job, SubmitVerdict } from "../kaspa/types.ts";
import type { VardiffOptions } from "./vardiff.ts";

/** Where sessions get work: the template service publishes one Job stream per payout address. */
export interface JobSource {
  /**
   * Starts (or joins) the job stream for `address`; `onJob` gets every new Job, newest last.
   * Returns the unsubscribe function. May call `onJob` synchronously.
   */
  subscribe(address: string, onJob: (job: Job) => void): () => void;
  /** The newest Job for `address`, if one exists yet. */
  currentJob(address: string): Job | undefined;
}

/** A block submission's outcome: the node's verdict and the block hash (hex). */
export interface BlockSubmission {
  /** What the node said. */
  verdict: SubmitVerdict;
  /** Block hash, hex ("" when unknown). */
  hash: string;
}

/** Submits found blocks. Implementations resolve (never reject) within a bounded time. */
export interface BlockSubmitter {
  /** Submits `job`'s block with `nonce` (the job's timestamp kept) on behalf of `who`. */
  submit(job: Job, nonce: bigint, who: WorkerRef): Promise<BlockSubmission>;
}

/** Result of checking a payout address. `address` is the canonical form to use. */
export type AddressCheck = { ok: true; address: string } | { ok: false; reason: string };

/** Checks a payout address, including that it belongs to the node's network. */
export type ValidateAddress = (address: string) => AddressCheck;

/** Share difficulty of a listener: one fixed value, or variable per miner. */
export type DifficultyPolicy =
  | { kind: "fixed"; difficulty: number }
  | ({ kind: "vardiff" } & VardiffOptions);

/** Extranonce bytes per connection (or per worker in `simple`). */
export type ExtranonceSize = 0 | 1 | 2 | 3;

/** Per-listener settings every session of that listener shares. */
export interface SessionOptions {
  /** Forces a dialect instead of detecting it at subscribe. */
  dialect?: DialectId;
  /** Fixed or variable share difficulty. */
  difficulty: DifficultyPolicy;
  /** Default 2; `bitmain` never gets one. */
  extranonceSize: ExtranonceSize;
  /** Pays workers that authorize without an address. */
  defaultAddress?: string;
  /** At most one job per miner per interval, ms (default 250); always the newest. */
  jobIntervalMs: number;
  /** Jobs kept per channel for late shares (≥ 300 recommended). */
  ringCapacity: number;
  /** Nonces remembered per channel for duplicate detection. */
  maxNonces: number;
  /** Workers one connection may authorize (`simple`; extra names in the mining.* dialects). */
  maxWorkers: number;
}

/** Defaults for {@linkcode SessionOptions} fields other than difficulty. */
export const SESSION_DEFAULTS: Omit<SessionOptions, "difficulty"> = {
  extranonceSize: 2,
  jobIntervalMs: 250,
  ringCapacity: 300,
  maxNonces: 16_384,
  maxWorkers: 16,
};

/** Opaque handle of a share whose block is being submitted; handed back with the outcome. */
export interface BlockTicket {
  /** Id of the submit request being answered. */
  readonly requestId: unknown;
  /** Session-local sequence number. */
  readonly seq: number;
}

/** What a session asks its driver to do, in order. */
export type Effect =
  /** Write one line (no terminator). `job` marks a notify the write queue may drop once superseded. */
  | { kind: "send"; line: string; job?: { channel: number; droppable: boolean } }
  | { kind: "subscribeJobs"; address: string }
  | { kind: "unsubscribeJobs" }
  /** Submit a block, await it, then call `Session.onBlockResult(ticket, ...)`. */
  | { kind: "submitBlock"; job: Job; nonce: bigint; who: WorkerRef; ticket: BlockTicket }
  /** Flush pending writes, then close the connection. */
  | { kind: "close"; reason: string }
  | { kind: "log"; level: LogLevel; message: string; fields: Record<string, unknown> };

/** The result of feeding a session one input. */
export interface Step {
  /** Effects to run, in order. */
  effects: Effect[];
  /** When the session next wants `onTick` (ms since the epoch); undefined: no timer needed. */
  wakeAt?: number;
}
