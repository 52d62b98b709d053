// One miner connection: socket bytes → lines → Session, and the session's effects → socket,
// job subscription, block submission, timers. The only place a session meets a socket.

import { LineSplitter, type SplitEvent } from "../framing/mod.ts";
import type { Job } from "../kaspa/mod.ts";
import type { BlockSubmission, Effect, Session, Step } from "../session/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ServerOptions, StratumDeps } from "./types.ts";
import type { ByteConn } from "./socket_conn.ts";
import { Wakeable, type WakeWheel } from "./wake_wheel.ts";
import { WriteQueue, WriteQueueFullError } from "./write_queue.ts";

type Timer = ReturnType<typeof setTimeout>;
type BlockEffect = Extract<Effect, { kind: "submitBlock" }>;

/** The usual answer of #run: no block submissions (shared, never written to). */
const NO_BLOCKS: BlockEffect[] = [];

/** Read buffer of a connection, bytes: small while idle, larger while lines stream in. */
const READ_MIN_BYTES = 512;
const READ_MAX_BYTES = 16 * 1024;

/** What a connection is built from. */
export interface ConnectionParts {
  conn: ByteConn;
  ip: string;
  session: Session;
  deps: StratumDeps;
  options: ServerOptions;
  log: Logger;
  /** The server's shared timer for session wake-ups (throttled jobs, vardiff checks). */
  wakes: WakeWheel;
}

/**
 * Drives one session over one socket. Lines are handled strictly in order; a block submission
 * is awaited before the next line, so its reply comes first. Jobs and timers run in between.
 */
export class Connection {
  readonly ip: string;
  readonly #conn: ByteConn;
  readonly #session: Session;
  readonly #deps: StratumDeps;
  readonly #options: ServerOptions;
  readonly #log: Logger;
  readonly #queue: WriteQueue;
  #unsubscribe: (() => void) | undefined;
  /** Effects queued by re-entrant steps (a step's effects causing another step). */
  #pending: Effect[] = [];
  #running = false;
  #closed = false;
  #draining = false;
  #inflight: Promise<void> | undefined;
  readonly #wakes: WakeWheel;
  readonly #waker: Wakeable;
  /** When the session asked to be woken (session clock, ms), if it did. */
  #wakeAt: number | undefined;
  #idleTimer: Timer | undefined;
  /** Last line from the miner, performance.now() ms. */
  #lastActive = 0;
  #handshakeTimer: Timer | undefined;
  #flushTimer: Timer | undefined;

  constructor(parts: ConnectionParts) {
    this.ip = parts.ip;
    this.#conn = parts.conn;
    this.#session = parts.session;
    this.#deps = parts.deps;
    this.#options = parts.options;
    this.#log = parts.log;
    this.#wakes = parts.wakes;
    this.#waker = new Wakeable(() => this.#onWake());
    this.#queue = new WriteQueue((b) => this.#conn.write(b), parts.options.writeQueueBytes, (e) => {
      this.#log.debug("write failed", { error: String(e) });
      this.close("write error");
    });
  }

  /** Whether the connection was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The block submission in progress, if any (shutdown waits for it). */
  get inflight(): Promise<void> | undefined {
    return this.#inflight;
  }

  /** Reads and handles lines until the peer leaves or the connection is closed. */
  async serve(): Promise<void> {
    this.#handshakeTimer = setTimeout(() => {
      if (!this.#session.authorized) this.close("handshake timeout");
    }, this.#options.handshakeTimeoutMs);
    this.#touch();
    // A plain read loop, not a ReadableStream: an idle miner then holds one small buffer instead
    // of a stream pipeline and a 16 KiB chunk per pending read (about 50 KB per connection).
    // conn.read also leaves the socket open at EOF, so a peer that half-closed still gets replies.
    const splitter = new LineSplitter({ maxLineBytes: this.#options.maxLineBytes });
    let buf = new Uint8Array(READ_MIN_BYTES);
    try {
      for (let n = await this.#conn.read(buf); n !== null; n = await this.#conn.read(buf)) {
        if (!(await this.#handleEvents(splitter.push(buf.subarray(0, n))))) return;
        // Grow after a full read (a burst), shrink back once the miner is quiet again.
        if (n === buf.length && buf.length < READ_MAX_BYTES) buf = new Uint8Array(READ_MAX_BYTES);
        else if (n < READ_MIN_BYTES && buf.length > READ_MIN_BYTES) {
          buf = new Uint8Array(READ_MIN_BYTES);
        }
      }
      if (!(await this.#handleEvents(splitter.finish()))) return;
      // The peer sent FIN, maybe only half-closing: answer what it asked before letting go.
      await this.#flushed();
      this.close("peer closed");
    } catch {
      this.close(this.#closed ? "closed" : "read error");
    }
  }

  /** Handles split lines in order; false once the connection is done (closed or oversize line). */
  async #handleEvents(events: SplitEvent[]): Promise<boolean> {
    for (const event of events) {
      if (this.#closed) return false;
      if (event.kind === "overflow") {
        this.#log.warn("line too long", { bytes: event.bytes, max: this.#options.maxLineBytes });
        await this.#apply(this.#session.onOversize(this.#deps.clock.now()));
        await this.#flushed(); // the close effect closes once the error is written
        return false;
      }
      if (this.#draining) continue;
      this.#touch();
      await this.#apply(this.#session.handleLine(event.text, this.#deps.clock.now()));
      if (this.#handshakeTimer !== undefined && this.#session.authorized) {
        // Done with: the timer would otherwise sit in memory until it fires.
        clearTimeout(this.#handshakeTimer);
        this.#handshakeTimer = undefined;
      }
    }
    return !this.#closed;
  }

  /** Resolves when queued lines are written, or after closeFlushMs. */
  async #flushed(): Promise<void> {
    let timer: Timer | undefined;
    const late = new Promise<void>((r) => (timer = setTimeout(r, this.#options.closeFlushMs)));
    await Promise.race([this.#queue.flushed(), late]);
    clearTimeout(timer);
  }

  /** Stops handling new lines (shutdown); jobs and in-flight submissions continue. */
  drain(): void {
    this.#draining = true;
  }

  /**
   * Asks the miner to reconnect (`client.reconnect`) when its dialect takes it; requests keep
   * being served meanwhile. False when nothing was sent.
   */
  askReconnect(): boolean {
    if (this.#closed) return false;
    const line = this.#session.reconnectLine();
    if (line === undefined) return false;
    this.#send(line, undefined);
    return true;
  }

  /** Resolves once queued lines are written (share replies included), or after `ms`. */
  async flushWithin(ms: number): Promise<void> {
    let timer: Timer | undefined;
    const late = new Promise<void>((r) => (timer = setTimeout(r, ms)));
    await Promise.race([this.#queue.flushed().catch(() => {}), late]);
    clearTimeout(timer);
  }

  /** Closes now: timers, job stream, session (reports the disconnect), queue, socket. Idempotent. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [this.#idleTimer, this.#handshakeTimer, this.#flushTimer]) clearTimeout(t);
    this.#wakes.cancel(this.#waker);
    this.#wakeAt = undefined;
    this.#run(this.#session.close(reason, this.#deps.clock.now()).effects);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#queue.close();
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer or by the read side: nothing left to release.
    }
    this.#log.debug("connection closed", { reason });
  }

  /** Marks activity. The idle timer is re-armed lazily (when it fires early), not per line. */
  #touch(): void {
    this.#lastActive = performance.now();
    if (this.#idleTimer === undefined) this.#armIdle(this.#options.idleTimeoutMs);
  }

  #armIdle(delayMs: number): void {
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#closed) return;
      const left = this.#lastActive + this.#options.idleTimeoutMs - performance.now();
      if (left > 0) this.#armIdle(left);
      else this.close("idle timeout");
    }, delayMs);
  }

  /** Runs a step from the line path: effects in order, then any block submission, awaited. */
  async #apply(step: Step): Promise<void> {
    const blocks = this.#applySync(step);
    for (const block of blocks) {
      this.#inflight = this.#submit(block);
      await this.#inflight;
      this.#inflight = undefined;
    }
  }

  #applySync(step: Step): BlockEffect[] {
    this.#schedule(step.wakeAt);
    return this.#run(step.effects);
  }

  async #submit(effect: BlockEffect): Promise<void> {
    let submission: BlockSubmission;
    try {
      submission = await this.#deps.submitter.submit(effect.job, effect.nonce, effect.who);
    } catch (e) {
      submission = { verdict: { kind: "unreachable", message: String(e) }, hash: "" };
    }
    const blocks = this.#applySync(
      this.#session.onBlockResult(effect.ticket, submission, this.#deps.clock.now()),
    );
    if (blocks.length > 0) this.#log.error("block result asked for another block", {});
  }

  /** Executes effects in order; re-entrant calls (a job arriving synchronously) queue behind. */
  #run(effects: Effect[]): BlockEffect[] {
    if (this.#running) {
      for (const e of effects) this.#pending.push(e);
      return NO_BLOCKS;
    }
    this.#running = true;
    // The step's lines leave in one socket write (write_queue.ts cork).
    this.#queue.cork();
    let blocks = NO_BLOCKS;
    // The step's own array first, then anything queued meanwhile. Not one queue for both: on a
    // broadcast that queue's storage, replaced on every job and kept by the connection between
    // jobs, outlived young-generation GC and was a third of the old-space garbage at 10k miners.
    try {
      for (let list = effects; list.length > 0;) {
        for (const e of list) {
          if (e.kind !== "submitBlock") this.#execute(e);
          else if (blocks === NO_BLOCKS) blocks = [e];
          else blocks.push(e);
        }
        list = this.#pending;
        if (list.length > 0) this.#pending = [];
      }
    } finally {
      this.#running = false;
      this.#queue.uncork();
    }
    return blocks;
  }

  #execute(effect: Exclude<Effect, BlockEffect>): void {
    switch (effect.kind) {
      case "send":
        return this.#send(effect.line, effect.job);
      case "subscribeJobs":
        return this.#subscribe(effect.address);
      case "unsubscribeJobs":
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
        return;
      case "close":
        return this.#closeAfterFlush(effect.reason);
      case "log":
        return this.#log[effect.level](effect.message, effect.fields);
    }
  }

  #send(line: string, tag: { channel: number; droppable: boolean } | undefined): void {
    try {
      this.#queue.push(line, tag);
    } catch (e) {
      if (!(e instanceof WriteQueueFullError)) throw e;
      this.#log.warn("slow reader: write queue full", { queued: this.#queue.queuedBytes });
      this.close("slow reader");
    }
  }

  #subscribe(address: string): void {
    if (this.#closed) return;
    this.#unsubscribe?.();
    let active = true;
    const onJob = (job: Job): void => {
      if (active && !this.#closed) {
        this.#applySync(this.#session.onJob(job, this.#deps.clock.now()));
      }
    };
    try {
      const stop = this.#deps.jobs.subscribe(address, onJob);
      this.#unsubscribe = () => {
        active = false;
        stop();
      };
      const latest = this.#deps.jobs.currentJob(address);
      if (latest !== undefined) onJob(latest);
    } catch (e) {
      // The session validated the address already: a source that still refuses it is a fault.
      this.#log.error("job source refused an address", { address, error: String(e) });
      this.#closeAfterFlush("no jobs for address");
    }
  }

  #closeAfterFlush(reason: string): void {
    this.#draining = true;
    this.#flushTimer = setTimeout(() => this.close(reason), this.#options.closeFlushMs);
    this.#queue.flushed().then(() => this.close(reason), () => this.close(reason));
  }

  #schedule(wakeAt: number | undefined): void {
    // Most steps ask for the wake time already set (vardiff's next check).
    if (wakeAt === this.#wakeAt || this.#closed) return;
    this.#wakeAt = wakeAt;
    if (wakeAt === undefined) this.#wakes.cancel(this.#waker);
    else this.#wakes.schedule(this.#waker, wakeAt);
  }

  #onWake(): void {
    this.#wakeAt = undefined;
    if (this.#closed) return;
    try {
      this.#applySync(this.#session.onTick(this.#deps.clock.now()));
    } catch (e) {
      // A fault in this session's timer work ends this connection, not the server.
      this.#log.error("session tick failed", { error: String(e) });
      this.close("internal error");
    }
  }
}
