// What crosses between the main thread and a Stratum thread: the messages, and miner events
// packed into flat batches with each WorkerRef sent once. Pure: no timers, no ports.

import type { BlockHeader } from "../kaspa/mod.ts";
import type { LogFields, LogLevel } from "../log/mod.ts";
import type { ListenerInfo, ListenerOptions, ServerOptions } from "../net/mod.ts";
import type {
  BlockEvent,
  BlockSubmission,
  MinerEvents,
  ProxyRejectReason,
  RefusalCause,
  RefusedReason,
  ShareEvent,
  ShareOutcome,
  WorkerRef,
} from "../session/mod.ts";

/** Main thread → Stratum thread. */
export type ToThread =
  /** First message, once the thread said "loaded": who it is and the server settings. */
  | {
    t: "init";
    index: number;
    count: number;
    server: Partial<ServerOptions>;
    logLevel: LogLevel;
    network: string | undefined;
    /** The main thread's descriptor reserve state (FdReserve.shared), when one is kept. */
    reserve?: SharedArrayBuffer;
  }
  /** Listen on a port (the same port as the other threads, with SO_REUSEPORT). */
  | { t: "listen"; id: number; options: ListenerOptions }
  /** A new job for `address`: the template's header, without the node's raw block. */
  | {
    t: "job";
    address: string;
    header: BlockHeader;
    payAddress: string;
    isSynced: boolean;
    createdAt: number;
  }
  /** The node's network, once known or when it changed. */
  | { t: "network"; network: string }
  /** The outcome of a block the thread asked the main thread to submit. */
  | { t: "submitted"; id: number; result: BlockSubmission }
  /** Drain and stop (SIGTERM). */
  | { t: "shutdown" };

/** Stratum thread → main thread. */
export type FromThread =
  /** The thread's modules are loaded and it listens for messages: send "init". */
  | { t: "loaded" }
  | { t: "ready" }
  | { t: "listening"; id: number; info: ListenerInfo }
  | { t: "listenFailed"; id: number; name: string; message: string }
  /** The thread's first miner on `address` wants jobs; the last one left (unsubscribe). */
  | { t: "subscribe"; address: string }
  | { t: "unsubscribe"; address: string }
  /** Submit the block of the job with pre-PoW hash `workKey` and `nonce`. */
  | { t: "submit"; id: number; workKey: string; nonce: bigint; who: WorkerRef }
  | { t: "events"; batch: unknown[] }
  | { t: "log"; level: LogLevel; msg: string; fields: LogFields }
  /** Whether every listener of the thread accepts (false: out of file descriptors). */
  | { t: "accepting"; ok: boolean }
  /** Drained: every reply written, every connection closed, every event sent. */
  | { t: "stopped" };

/** Event opcodes in a batch; each is followed by a fixed number of values. */
const OP = {
  define: 0, // id worker wallet miner ip dialect
  connected: 1, // ip dialect
  disconnected: 2, // id|0 ip reason
  authorized: 3, // id
  share: 4, // id outcome difficulty at
  jobSent: 5, // id
  difficultyChanged: 6, // id difficulty
  blockFound: 7, // id hash daaScore verdict reason nonce blueScore at
  blockColor: 8, // hash blue
  protocolError: 9, // id|0 code cause
  proxyRejected: 10, // reason
  refused: 11, // reason
} as const;

/**
 * A WorkerRef is defined again when its last definition is older than this, ms; the reader keeps
 * one for at least twice as long after its last use, so a reference never arrives undefined.
 */
export const REDEFINE_MS = 60_000;

/**
 * The thread's MinerEvents: packs each event into the current batch (a flat array), a WorkerRef
 * as a small number after its first use. `flush()` hands the batch over and starts a new one;
 * `onFirst` is called when an event lands in an empty batch (the thread schedules a flush), and
 * `onFull` when the batch reaches `fullAt` values or holds a found block (the thread flushes at once).
 */
export class EventPacker implements MinerEvents {
  #batch: unknown[] = [];
  readonly #ids = new WeakMap<WorkerRef, { id: number; definedAt: number }>();
  #next = 1;
  readonly #now: () => number;
  readonly #onFirst: () => void;
  readonly #onFull: () => void;
  readonly #fullAt: number;

  /** `now` in ms since the epoch; `fullAt` in batch values. */
  constructor(now: () => number, onFirst: () => void, onFull = () => {}, fullAt = 16_384) {
    this.#now = now;
    this.#onFirst = onFirst;
    this.#onFull = onFull;
    this.#fullAt = fullAt;
  }

  /** Values waiting in the batch. */
  get pending(): number {
    return this.#batch.length;
  }

  /** The batch so far (handed over, not copied); a new one starts. */
  flush(): unknown[] {
    const batch = this.#batch;
    this.#batch = [];
    return batch;
  }

  #push(...values: unknown[]): void {
    if (this.#batch.length === 0) this.#onFirst();
    for (const v of values) this.#batch.push(v);
    if (this.#batch.length >= this.#fullAt) this.#onFull();
  }

  #ref(who: WorkerRef | undefined): number {
    if (who === undefined) return 0;
    const now = this.#now();
    let entry = this.#ids.get(who);
    if (entry === undefined) {
      entry = { id: this.#next++, definedAt: -Infinity };
      this.#ids.set(who, entry);
    }
    if (now - entry.definedAt > REDEFINE_MS) {
      entry.definedAt = now;
      this.#push(OP.define, entry.id, who.worker, who.wallet, who.miner, who.ip, who.dialect);
    }
    return entry.id;
  }

  connected(ip: string, dialect: string): void {
    this.#push(OP.connected, ip, dialect);
  }
  disconnected(who: WorkerRef | undefined, ip: string, reason: string): void {
    const id = this.#ref(who);
    this.#push(OP.disconnected, id, ip, reason);
  }
  authorized(who: WorkerRef): void {
    const id = this.#ref(who);
    this.#push(OP.authorized, id);
  }
  share(e: ShareEvent): void {
    const id = this.#ref(e.who);
    this.#push(OP.share, id, e.outcome, e.difficulty, e.at);
  }
  jobSent(who: WorkerRef): void {
    const id = this.#ref(who);
    this.#push(OP.jobSent, id);
  }
  difficultyChanged(who: WorkerRef, difficulty: number): void {
    const id = this.#ref(who);
    this.#push(OP.difficultyChanged, id, difficulty);
  }
  blockFound(e: BlockEvent): void {
    const id = this.#ref(e.who);
    this.#push(
      OP.blockFound,
      id,
      e.hash,
      e.daaScore,
      e.verdict,
      e.reason,
      e.nonce,
      e.blueScore,
      e.at,
    );
    this.#onFull(); // a block crosses at once, not with the next batch
  }
  blockColor(hash: string, blue: boolean): void {
    this.#push(OP.blockColor, hash, blue);
  }
  protocolError(who: WorkerRef | undefined, code: number, cause?: RefusalCause): void {
    const id = this.#ref(who);
    this.#push(OP.protocolError, id, code, cause);
  }
  proxyRejected(reason: ProxyRejectReason): void {
    this.#push(OP.proxyRejected, reason);
  }
  refused(reason: RefusedReason): void {
    this.#push(OP.refused, reason);
  }
}

/** Raised for a batch that does not decode (a bug, never miner input). `code` is stable. */
export class EventBatchError extends Error {
  /** Error name. */
  override readonly name = "EventBatchError";
  /** Stable code. */
  readonly code = "event-batch";
}

/**
 * The main thread's side of one thread's EventPacker: replays each batch into `sink`. WorkerRefs
 * unused for two rotations (each at least REDEFINE_MS apart) are forgotten.
 */
export class EventUnpacker {
  #refs = new Map<number, WorkerRef>();
  #old = new Map<number, WorkerRef>();
  #rotatedAt: number;
  readonly #now: () => number;

  /** `now` in ms since the epoch. */
  constructor(now: () => number) {
    this.#now = now;
    this.#rotatedAt = now();
  }

  /** WorkerRefs held now (for tests). */
  get held(): number {
    return this.#refs.size + this.#old.size;
  }

  #who(id: unknown): WorkerRef {
    const n = id as number;
    let who = this.#refs.get(n);
    if (who === undefined) {
      who = this.#old.get(n);
      if (who === undefined) throw new EventBatchError(`worker ${n} was never defined`);
      this.#old.delete(n);
      this.#refs.set(n, who);
    }
    return who;
  }

  #maybe(id: unknown): WorkerRef | undefined {
    return id === 0 ? undefined : this.#who(id);
  }

  /** Replays `batch` into `sink`, in order. Throws EventBatchError on a malformed batch. */
  replay(batch: readonly unknown[], sink: MinerEvents): void {
    const now = this.#now();
    if (now - this.#rotatedAt >= 2 * REDEFINE_MS) {
      this.#old = this.#refs;
      this.#refs = new Map();
      this.#rotatedAt = now;
    }
    let i = 0;
    const next = (): unknown => batch[i++];
    while (i < batch.length) {
      const op = next();
      switch (op) {
        case OP.define: {
          const id = next() as number;
          const who: WorkerRef = {
            worker: next() as string,
            wallet: next() as string,
            miner: next() as string,
            ip: next() as string,
            dialect: next() as string,
          };
          this.#old.delete(id);
          this.#refs.set(id, who);
          break;
        }
        case OP.connected:
          sink.connected(next() as string, next() as string);
          break;
        case OP.disconnected: {
          const who = this.#maybe(next());
          sink.disconnected(who, next() as string, next() as string);
          break;
        }
        case OP.authorized:
          sink.authorized(this.#who(next()));
          break;
        case OP.share: {
          const who = this.#who(next());
          const outcome = next() as ShareOutcome;
          const difficulty = next() as number;
          sink.share({ who, outcome, difficulty, at: next() as number });
          break;
        }
        case OP.jobSent:
          sink.jobSent(this.#who(next()));
          break;
        case OP.difficultyChanged: {
          const who = this.#who(next());
          sink.difficultyChanged(who, next() as number);
          break;
        }
        case OP.blockFound: {
          const who = this.#who(next());
          const hash = next() as string;
          const daaScore = next() as bigint;
          const verdict = next() as BlockEvent["verdict"];
          const reason = next() as string | undefined;
          const nonce = next() as bigint | undefined;
          const blueScore = next() as bigint | undefined;
          const at = next() as number;
          sink.blockFound({
            who,
            hash,
            daaScore,
            verdict,
            at,
            ...(reason === undefined ? {} : { reason }),
            ...(nonce === undefined ? {} : { nonce }),
            ...(blueScore === undefined ? {} : { blueScore }),
          });
          break;
        }
        case OP.blockColor:
          sink.blockColor(next() as string, next() as boolean);
          break;
        case OP.protocolError: {
          const who = this.#maybe(next());
          const code = next() as number;
          const cause = next() as RefusalCause | undefined;
          sink.protocolError(who, code, ...(cause === undefined ? [] : [cause]));
          break;
        }
        case OP.proxyRejected:
          sink.proxyRejected?.(next() as ProxyRejectReason);
          break;
        case OP.refused:
          sink.refused?.(next() as RefusedReason);
          break;
        default:
          throw new EventBatchError(`unknown event opcode ${String(op)} at ${i - 1}`);
      }
    }
  }
}
