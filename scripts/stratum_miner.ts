// A Stratum miner client: speaks every dialect over TCP or TLS, keeps the newest job, finds shares
// with the WASM kHeavyHash and tallies every reply. Used by tests, the soak and scripts/cpu_miner.ts.

import type { DialectId } from "../lib/dialects/mod.ts";
import { parseJson } from "../lib/protocol/mod.ts";
import { createPowState, difficultyToTarget, type PowState } from "../lib/pow/mod.ts";

/** The Stratum wire dialect a miner speaks (lib/dialects' ids). */
export type MinerDialect = DialectId;

/** What each dialect's miner says it is at subscribe. */
export const AGENTS: Readonly<Record<MinerDialect, string>> = {
  array: "lolMiner 1.88",
  bighex: "IceRiverMiner-v1.1",
  bitmain: "GodMiner/2.0.0",
  simple: "KaspaMiner/1.0.0",
};

/** The newest job as the miner understood it. */
export interface MinerJob {
  /** Job id to submit (mining.* dialects), or the pre-PoW hash hex (simple). */
  id: string;
  prePow: Uint8Array;
  /** ms */
  timestamp: bigint;
  /** Share difficulty in force when the job arrived. */
  difficulty: number;
  /** When it arrived, ms (performance.now()). */
  receivedAt: number;
  pow?: PowState;
}

/** One reply as received. */
export interface Reply {
  id: unknown;
  result: unknown;
  error: unknown;
}

/** Counts of replies to submits: accepted, and errors by code. */
export interface Tally {
  submitted: number;
  accepted: number;
  errors: Record<string, number>;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** A miner on one connection. `close()` ends it; `ended` resolves when the server closes. */
export class StratumMiner {
  readonly dialect: MinerDialect;
  readonly address: string;
  readonly worker: string;
  job: MinerJob | undefined;
  /** Every job received, oldest first (bounded to the last 64). */
  readonly jobs: MinerJob[] = [];
  extranonce = "";
  difficulty = 0;
  /** simple: the worker id the server gave. */
  workerId = 0;
  readonly tally: Tally = { submitted: 0, accepted: 0, errors: {} };
  /** Nonces hashed by findNonce so far: the work this miner actually did. */
  hashes = 0;
  /** Lines the server sent that were not replies or known notifications. */
  readonly other: string[] = [];
  /** Resolves when the server ends the stream (or the connection fails). */
  readonly ended: Promise<void>;
  readonly #conn: Deno.Conn;
  readonly #waiting = new Map<number, (r: Reply) => void>();
  readonly #replies = new Map<number, Reply>();
  #nextId = 1;
  #closed = false;
  #jobWaiters: Array<() => void> = [];

  constructor(
    conn: Deno.Conn,
    options: { dialect: MinerDialect; address: string; worker: string },
  ) {
    this.#conn = conn;
    this.dialect = options.dialect;
    this.address = options.address;
    this.worker = options.worker;
    this.ended = this.#pump();
  }

  /** Connects over TCP (or TLS with `caCerts`) to `hostname` (default 127.0.0.1):`port`. */
  static async connect(
    port: number,
    options: {
      dialect: MinerDialect;
      address: string;
      worker: string;
      caCerts?: string[];
      hostname?: string;
    },
  ): Promise<StratumMiner> {
    const hostname = options.hostname ?? "127.0.0.1";
    const conn = options.caCerts === undefined
      ? await Deno.connect({ hostname, port })
      : await Deno.connectTls({ hostname, port, caCerts: options.caCerts });
    return new StratumMiner(conn, options);
  }

  /** Whether the connection is over. */
  get closed(): boolean {
    return this.#closed;
  }

  async #pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of this.#conn.readable) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
          this.#take(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      }
    } catch {
      // reset by the server: the stream is over either way
    } finally {
      this.#closed = true;
      for (const w of this.#jobWaiters.splice(0)) w();
    }
  }

  #take(line: string): void {
    const msg = parseJson(line) as Record<string, unknown>;
    const params = (msg.params ?? []) as unknown[];
    const method = typeof msg.method === "string" ? msg.method.replace(/^mining\./, "") : "";
    if ("result" in msg || "error" in msg) {
      const id = Number(msg.id);
      const reply = { id: msg.id, result: msg.result, error: msg.error ?? null };
      const waiter = this.#waiting.get(id);
      if (waiter) waiter(reply);
      else this.#replies.set(id, reply);
    } else if (method === "set_extranonce") {
      this.extranonce = String(params[0]);
    } else if (method === "set_difficulty") {
      this.difficulty = Number(params[0]);
    } else if (method === "notify") {
      this.#notify(params);
    } else {
      this.other.push(line);
    }
  }

  #notify(p: unknown[]): void {
    let job: MinerJob;
    const now = performance.now();
    if (this.dialect === "simple") {
      if (p[3] !== undefined) this.difficulty = Number(p[3]);
      const prePowHex = String(p[1]);
      job = {
        id: prePowHex,
        prePow: fromHex(prePowHex),
        timestamp: BigInt(String(p[2])),
        difficulty: this.difficulty,
        receivedAt: now,
      };
    } else if (this.dialect === "bighex") {
      const body = String(p[1]);
      const ts = new DataView(fromHex(body.slice(64)).buffer).getBigUint64(0, true);
      job = {
        id: String(p[0]),
        prePow: fromHex(body.slice(0, 64)),
        timestamp: ts,
        difficulty: this.difficulty,
        receivedAt: now,
      };
    } else {
      const words = p[1] as (number | bigint)[];
      const prePow = new Uint8Array(32);
      const view = new DataView(prePow.buffer);
      words.forEach((w, i) => view.setBigUint64(i * 8, BigInt(w), true));
      job = {
        id: String(p[0]),
        prePow,
        timestamp: BigInt(p[2] as number | bigint),
        difficulty: this.difficulty,
        receivedAt: now,
      };
    }
    this.job = job;
    this.jobs.push(job);
    if (this.jobs.length > 64) this.jobs.shift();
    for (const w of this.#jobWaiters.splice(0)) w();
  }

  /** Writes raw text (no newline added). */
  async write(text: string | Uint8Array): Promise<void> {
    const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
    for (let at = 0; at < bytes.length;) at += await this.#conn.write(bytes.subarray(at));
  }

  /** Sends a request; resolves with its reply, or rejects after `timeoutMs` or at end of stream. */
  async request(method: string, params: unknown[], timeoutMs = 15_000): Promise<Reply> {
    const id = this.#nextId++;
    const reply = new Promise<Reply>((resolve, reject) => {
      const early = this.#replies.get(id);
      if (early) return resolve(early);
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`no reply to ${method} #${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.ended.then(() => {
        if (!this.#waiting.has(id)) return;
        clearTimeout(timer);
        this.#waiting.delete(id);
        reject(new Error(`connection ended before the reply to ${method} #${id}`));
      });
      this.#waiting.set(id, (r) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(r);
      });
    });
    const body = params.map((v) => (typeof v === "bigint" ? v.toString() : JSON.stringify(v)));
    try {
      await this.write(`{"id":${id},"method":"${method}","params":[${body.join(",")}]}\n`);
    } catch (e) {
      reply.catch(() => {}); // the write failure is the error to report
      throw e;
    }
    return await reply;
  }

  /** subscribe + authorize in this miner's dialect; throws unless both succeed. */
  async handshake(): Promise<void> {
    const d = this.dialect;
    const sub = d === "simple"
      ? await this.request("subscribe", [this.address, AGENTS.simple])
      : await this.request("mining.subscribe", [AGENTS[d], "EthereumStratum/1.0.0"]);
    if (sub.error !== null) throw new Error(`subscribe refused: ${JSON.stringify(sub.error)}`);
    const auth = d === "simple"
      ? await this.request("authorize", [this.worker])
      : await this.request("mining.authorize", [`${this.address}.${this.worker}`, "x"]);
    if (auth.error !== null) throw new Error(`authorize refused: ${JSON.stringify(auth.error)}`);
    if (d === "simple") {
      const [workerId, prefix, difficulty] = auth.result as [number, string, number];
      this.workerId = workerId;
      this.extranonce = prefix;
      this.difficulty = difficulty;
    }
  }

  /** Resolves with a job newer than `after` (any job when undefined), or undefined on timeout/end. */
  async nextJob(after: MinerJob | undefined, timeoutMs: number): Promise<MinerJob | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.job === after || this.job === undefined) {
      if (this.#closed || Date.now() >= deadline) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#jobWaiters.push(resolve);
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      clearTimeout(timer);
    }
    return this.job;
  }

  /** The full 64-bit nonce range this miner may use, as [high bits, low-bit count]. */
  #space(): [bigint, bigint] {
    const lowBits = BigInt(64 - this.extranonce.length * 4);
    const high = this.extranonce === "" ? 0n : BigInt(`0x${this.extranonce}`) << lowBits;
    return [high, lowBits];
  }

  /**
   * Scans up to `tries` nonces from `start` for one meeting the job's share target (and
   * `alsoTarget` when given). Returns the full nonce, or undefined.
   */
  findNonce(
    job: MinerJob,
    opts: { start: bigint; tries: number; target?: bigint },
  ): bigint | undefined {
    const [high, lowBits] = this.#space();
    const mask = (1n << lowBits) - 1n;
    const target = opts.target ?? difficultyToTarget(job.difficulty);
    job.pow ??= createPowState(job.prePow, job.timestamp);
    for (let i = 0n; i < BigInt(opts.tries); i++) {
      const nonce = high | ((opts.start + i) & mask);
      if (job.pow.meets(nonce, target)) {
        this.hashes += Number(i) + 1;
        return nonce;
      }
    }
    this.hashes += opts.tries;
    return undefined;
  }

  /** The submit params for `nonce` on `job`, in this dialect's form. */
  submitParams(job: MinerJob, nonce: bigint): unknown[] {
    const user = `${this.address}.${this.worker}`;
    switch (this.dialect) {
      case "simple":
        return [this.workerId, job.id, nonce.toString()];
      case "bitmain":
        return [user, job.id, nonce.toString(16).padStart(16, "0")];
      default: {
        const width = 16 - this.extranonce.length;
        const low = nonce & ((1n << BigInt(width * 4)) - 1n);
        return [user, job.id, low.toString(16).padStart(width, "0")];
      }
    }
  }

  /** Submits a share and tallies the reply (waits up to `timeoutMs` for it). */
  async submit(job: MinerJob, nonce: bigint, timeoutMs = 15_000): Promise<Reply> {
    this.tally.submitted++;
    const method = this.dialect === "simple" ? "submit" : "mining.submit";
    const r = await this.request(method, this.submitParams(job, nonce), timeoutMs);
    if (r.error === null) {
      this.tally.accepted++;
      if (this.dialect === "simple" && typeof r.result === "number") this.difficulty = r.result;
    } else {
      const code = String((r.error as unknown[])[0]);
      this.tally.errors[code] = (this.tally.errors[code] ?? 0) + 1;
    }
    return r;
  }

  /** Closes the connection (idempotent). */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

export { fromHex, hex };

/**
 * Mines on the miner's newest job: finds shares (bounded by `hashes` per share) and submits them
 * until `until()` holds, `maxShares` were sent or `timeoutMs` passed. Returns the shares sent.
 */
export async function mine(
  miner: StratumMiner,
  opts: { until: () => boolean; maxShares: number; timeoutMs: number; hashes?: number },
): Promise<number> {
  const deadline = Date.now() + opts.timeoutMs;
  let sent = 0;
  let start = BigInt(Math.floor(Math.random() * 2 ** 40));
  while (!opts.until() && sent < opts.maxShares && Date.now() < deadline && !miner.closed) {
    const job = miner.job;
    if (job === undefined) {
      await miner.nextJob(undefined, Math.max(0, deadline - Date.now()));
      continue;
    }
    const tries = opts.hashes ?? 2_000_000;
    const nonce = miner.findNonce(job, { start, tries });
    start += BigInt(tries);
    await new Promise((r) => setTimeout(r, 0)); // let newer jobs arrive
    if (nonce === undefined) continue;
    start = nonce + 1n; // the miner's high bytes are masked off again in findNonce
    await miner.submit(job, nonce);
    sent++;
  }
  return sent;
}
