// One simulated miner: a TCP connection speaking one dialect, handshake, job receipt, share
// submission with per-share timing. The load generator's only user of Deno.connect.

import { difficultyToTarget } from "../../lib/pow/mod.ts";
import type { Found, NonceFinder } from "./nonces.ts";
import type { DialectId } from "../../lib/dialects/mod.ts";
import type { ShareKind } from "./options.ts";
import {
  authorizeLine,
  errorCode,
  type JobRef,
  parseServerLine,
  submitLine,
  subscribeLine,
} from "./protocol.ts";

/** Wall time with sub-millisecond precision, ms since the epoch (comparable across processes). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** Who a miner is and where its events go. */
export interface MinerSetup {
  index: number;
  dialect: DialectId;
  host: string;
  port: number;
  address: string;
  worker: string;
  /** A notify arrived; `at` is the read time, ms since the epoch. */
  onJob(job: JobRef, at: number): void;
  /** A submit was answered after `latencyMs`; `code` is the error code (0 when accepted). */
  onReply(latencyMs: number, accepted: boolean, code: number): void;
  /** The connection ended. */
  onClosed(reason: string, wasReady: boolean): void;
}

type Phase = "connecting" | "subscribing" | "authorizing" | "ready" | "closed";

const SUBSCRIBE_ID = 1;
const AUTHORIZE_ID = 2;
const FIRST_SUBMIT_ID = 10;
const MAX_CARRY = 1 << 20;
const HEX = /^[0-9a-fA-F]{0,16}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

/** A miner connection. Create, then `run()`; `ready` settles once authorized (or failed). */
export class SimMiner {
  readonly setup: MinerSetup;
  phase: Phase = "connecting";
  /** Newest job received. */
  job: JobRef | undefined;
  /** Jobs received. */
  jobs = 0;
  /** When the newest job arrived, ms since the epoch (0: none yet). */
  lastJobAt = 0;
  /** Share target from the last difficulty the server set. */
  shareTarget: bigint | undefined;
  /** Nonce prefix owned by the server (extranonce / worker prefix), hex. */
  prefixHex = "";
  /** Why it failed or closed, if it did. */
  reason = "";
  readonly ready: Promise<boolean>;
  #resolveReady: (ok: boolean) => void = () => {};
  #conn: Deno.Conn | undefined;
  #writes: Promise<void> = Promise.resolve();
  #workerId = "0";
  #nextId = FIRST_SUBMIT_ID;
  #pending = new Map<number, number>();
  #counter = 0;
  readonly #start: number;

  /** A miner that has not connected yet. */
  constructor(setup: MinerSetup) {
    this.setup = setup;
    this.ready = new Promise((resolve) => (this.#resolveReady = resolve));
    this.#start = Math.floor(Math.random() * 2 ** 40);
  }

  /** Submits awaiting a reply. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Connects, handshakes and reads until closed. Never rejects. */
  async run(): Promise<void> {
    const s = this.setup;
    try {
      this.#conn = await Deno.connect({ hostname: s.host, port: s.port, transport: "tcp" });
      (this.#conn as Deno.TcpConn).setNoDelay(true);
    } catch (e) {
      this.close(`connect failed: ${e instanceof Error ? e.name : String(e)}`);
      return;
    }
    if (this.phase === "closed") {
      this.#conn.close();
      return;
    }
    this.phase = "subscribing";
    this.#send(subscribeLine(s.dialect, SUBSCRIBE_ID, s.address));
    await this.#read(this.#conn);
    this.close(this.reason || "server closed");
  }

  /** Closes the connection (idempotent). */
  close(reason: string): void {
    if (this.phase === "closed") return;
    const wasReady = this.phase === "ready";
    this.phase = "closed";
    this.reason = reason;
    this.#resolveReady(false);
    try {
      this.#conn?.close();
    } catch {
      // Already closed by the peer.
    }
    this.setup.onClosed(reason, wasReady);
  }

  /**
   * Sends one share of `kind` for the newest job; returns the search result, or undefined when
   * the miner has no job or target yet or no candidate qualified.
   */
  submit(finder: NonceFinder, kind: ShareKind): Found | undefined {
    const job = this.job;
    const target = this.shareTarget;
    if (this.phase !== "ready" || job === undefined || target === undefined) return undefined;
    const bits = BigInt(this.prefixHex.length * 4);
    const high = this.prefixHex === "" ? 0n : BigInt(`0x${this.prefixHex}`) << (64n - bits);
    const mask = (1n << (64n - bits)) - 1n;
    const found = finder.find(
      job,
      target,
      kind,
      () => high | (BigInt(this.#start + this.#counter++) & mask),
    );
    if (found === undefined) return undefined;
    const id = this.#nextId++;
    const s = this.setup;
    const worker = s.dialect === "simple" ? this.#workerId : `${s.address}.${s.worker}`;
    this.#pending.set(id, performance.now());
    this.#send(
      submitLine(s.dialect, { id, worker, job, nonce: found.nonce, prefixHex: this.prefixHex }),
    );
    return found;
  }

  /** Forgets submits older than `timeoutMs`; returns how many timed out. */
  sweep(timeoutMs: number): number {
    const cutoff = performance.now() - timeoutMs;
    let expired = 0;
    for (const [id, sentAt] of this.#pending) {
      if (sentAt >= cutoff) continue;
      this.#pending.delete(id);
      expired++;
    }
    return expired;
  }

  #send(line: string): void {
    const conn = this.#conn;
    if (conn === undefined || this.phase === "closed") return;
    const bytes = encoder.encode(line + "\n");
    this.#writes = this.#writes.then(() => writeAll(conn, bytes)).catch(() =>
      this.close("write failed")
    );
  }

  async #read(conn: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(4096);
    let carry = "";
    while (this.phase !== "closed") {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        this.reason ||= "read failed";
        return;
      }
      if (n === null) return;
      const perf = performance.now();
      const at = performance.timeOrigin + perf;
      const text = carry + decoder.decode(buf.subarray(0, n));
      let start = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        const line = text.slice(start, nl).trim();
        start = nl + 1;
        if (line !== "") this.#handle(line, at, perf);
      }
      carry = text.slice(start);
      if (carry.length > MAX_CARRY) {
        this.reason = "server line too long";
        return;
      }
    }
  }

  #setDifficulty(value: unknown): void {
    if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) return;
    this.shareTarget = difficultyToTarget(value);
  }

  #handle(line: string, at: number, perf: number): void {
    const msg = parseServerLine(line);
    switch (msg.kind) {
      case "notify":
        this.job = msg.job;
        this.jobs++;
        this.lastJobAt = at;
        if (msg.difficulty !== undefined) this.#setDifficulty(msg.difficulty);
        this.setup.onJob(msg.job, at);
        return;
      case "difficulty":
        return this.#setDifficulty(msg.value);
      case "extranonce":
        this.prefixHex = msg.hex;
        return;
      case "reply":
        return this.#reply(msg.id, msg.result, msg.error, perf);
      default:
        return;
    }
  }

  #reply(id: number, result: unknown, error: unknown, perf: number): void {
    const s = this.setup;
    if (id === SUBSCRIBE_ID && this.phase === "subscribing") {
      if (error !== null || result === false) return this.close("subscribe refused");
      if (Array.isArray(result) && typeof result[1] === "string" && HEX.test(result[1])) {
        this.prefixHex = result[1]; // bitmain: [null, extranonce, size]
      }
      this.phase = "authorizing";
      this.#send(authorizeLine(s.dialect, AUTHORIZE_ID, s.address, s.worker));
      return;
    }
    if (id === AUTHORIZE_ID && this.phase === "authorizing") {
      if (error !== null || result === false || result === null) {
        return this.close(`authorize refused (${errorCode(error)})`);
      }
      if (Array.isArray(result)) { // simple: [workerId, prefixHex, difficulty]
        this.#workerId = String(result[0]);
        if (typeof result[1] === "string") this.prefixHex = result[1];
        this.#setDifficulty(result[2]);
      }
      this.phase = "ready";
      this.#resolveReady(true);
      return;
    }
    const sentAt = this.#pending.get(id);
    if (sentAt === undefined) return;
    this.#pending.delete(id);
    const accepted = error === null && (result === true || typeof result === "number");
    if (typeof result === "number") this.#setDifficulty(result); // simple: the new difficulty
    s.onReply(perf - sentAt, accepted, accepted ? 0 : errorCode(error));
  }
}
