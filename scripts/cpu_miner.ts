// A small Stratum CPU miner (dialect A, EthereumStratum/1.0.0 array jobs) that hashes with
// kstratum's WASM kHeavyHash: for trying kstratum on a local devnet without mining hardware.
//
//   deno run --allow-net scripts/cpu_miner.ts --user kaspadev:qr...addr.rig1 [--host 127.0.0.1]
//     [--port 5555] [--password x] [--seconds 0 (run until Ctrl-C)] [--quiet]
//
// At devnet difficulty a block takes ~500k hashes, so with kstratum's share difficulty set low
// (e.g. --start-diff 0.00002 --no-vardiff) it submits shares every moment and finds real blocks.
// The end-to-end test drives kstratum with this same miner.

import { parseArgs } from "node:util";
import { LineStream } from "../lib/framing/mod.ts";
import { createPowState, difficultyToTarget } from "../lib/pow/mod.ts";

/** The newest job as the server announced it. */
export interface MinerJob {
  id: string;
  /** 32 bytes. */
  prePow: Uint8Array;
  /** ms */
  timestamp: bigint;
}

/** A reply to one of our requests. */
export interface Reply {
  result: unknown;
  error: unknown;
}

/** The miner side of dialect A over one TCP connection. */
export class StratumCpuMiner {
  job: MinerJob | undefined;
  /** Hex of the high nonce bytes the server assigned. */
  extranonce = "";
  /** Share difficulty from the last mining.set_difficulty. */
  difficulty = 0;
  readonly #conn: Deno.Conn;
  readonly #replies = new Map<number, (r: Reply) => void>();
  readonly #encoder = new TextEncoder();
  #nextId = 1;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.closed = this.#read();
  }

  /** Connects to a Stratum port (TCP). */
  static async connect(hostname: string, port: number): Promise<StratumCpuMiner> {
    return new StratumCpuMiner(await Deno.connect({ hostname, port }));
  }

  async #read(): Promise<void> {
    try {
      for await (const line of this.#conn.readable.pipeThrough(new LineStream())) {
        this.#take(line);
      }
    } catch {
      // connection reset or closed by us
    }
    for (const resolve of this.#replies.values()) resolve({ result: null, error: [20, "closed"] });
    this.#replies.clear();
  }

  #take(line: string): void {
    // Notify words exceed 2^53: read long integers as text, never through JS numbers.
    const msg = JSON.parse(line.replace(/(\[|,)\s*(\d{16,})/g, '$1"$2"'));
    if (msg.method === "mining.set_extranonce") this.extranonce = msg.params[0];
    else if (msg.method === "mining.set_difficulty") this.difficulty = Number(msg.params[0]);
    else if (msg.method === "mining.notify") {
      const [id, words, ts] = msg.params as [string, string[], string | number];
      const prePow = new Uint8Array(32);
      const view = new DataView(prePow.buffer);
      words.forEach((w, i) => view.setBigUint64(i * 8, BigInt(w), true));
      this.job = { id, prePow, timestamp: BigInt(ts) };
    } else if (typeof msg.id === "number") {
      this.#replies.get(msg.id)?.({ result: msg.result, error: msg.error });
      this.#replies.delete(msg.id);
    }
  }

  /** Sends a request and resolves with its reply (an error reply after `timeoutMs` ms). */
  request(method: string, params: unknown[], timeoutMs = 15_000): Promise<Reply> {
    const id = this.#nextId++;
    const reply = new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        this.#replies.delete(id);
        resolve({ result: null, error: [20, `no reply within ${timeoutMs} ms`] });
      }, timeoutMs);
      this.#replies.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    const line = JSON.stringify({ id, method, params }) + "\n";
    return this.#conn.write(this.#encoder.encode(line)).then(() => reply);
  }

  /** mining.subscribe then mining.authorize as `user`; throws when either is refused. */
  async login(user: string, password = "x"): Promise<void> {
    const sub = await this.request("mining.subscribe", [
      "kstratum-cpu-miner/0.1",
      "EthereumStratum/1.0.0",
    ]);
    if (sub.error) throw new Error(`subscribe refused: ${JSON.stringify(sub.error)}`);
    const auth = await this.request("mining.authorize", [user, password]);
    if (auth.result !== true) throw new Error(`authorize refused: ${JSON.stringify(auth.error)}`);
  }

  /**
   * Searches the current job for a nonce meeting the share target, at most `tries` hashes.
   * Returns the job id and the miner's part of the nonce in hex (the server prepends the extranonce).
   */
  findShare(tries = 400_000): { jobId: string; nonceHex: string } | undefined {
    const job = this.job;
    if (job === undefined || this.difficulty <= 0) return undefined;
    const target = difficultyToTarget(this.difficulty);
    const pow = createPowState(job.prePow, job.timestamp);
    const width = 16 - this.extranonce.length;
    const high = this.extranonce === "" ? 0n : BigInt(`0x${this.extranonce}`) << BigInt(width * 4);
    const mask = (1n << BigInt(width * 4)) - 1n;
    const start = BigInt(Math.floor(Math.random() * 2 ** 40)) & mask;
    for (let i = 0n; i < BigInt(tries); i++) {
      const low = (start + i) & mask;
      if (pow.meets(high | low, target)) {
        return { jobId: job.id, nonceHex: low.toString(16).padStart(width, "0") };
      }
    }
    return undefined;
  }

  /** mining.submit for `user`. */
  submit(user: string, share: { jobId: string; nonceHex: string }): Promise<Reply> {
    return this.request("mining.submit", [user, share.jobId, share.nonceHex]);
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

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "5555" },
      user: { type: "string" },
      password: { type: "string", default: "x" },
      seconds: { type: "string", default: "0" },
      quiet: { type: "boolean", default: false },
    },
  });
  if (values.user === undefined) {
    console.error("cpu_miner: --user <address>.<worker> is required");
    return 2;
  }
  const user = values.user;
  const seconds = Number(values.seconds);
  const until = seconds > 0 ? Date.now() + seconds * 1000 : Infinity;
  const miner = await StratumCpuMiner.connect(values.host, Number(values.port));
  let stop = false;
  miner.closed.then(() => (stop = true));
  Deno.addSignalListener("SIGINT", () => (stop = true));
  await miner.login(user, values.password);
  console.log(`cpu_miner: logged in as ${user}; mining (Ctrl-C stops)`);
  let accepted = 0;
  let rejected = 0;
  while (!stop && Date.now() < until) {
    const share = miner.findShare(50_000);
    await new Promise((r) => setTimeout(r, 0)); // take new jobs between rounds
    if (share === undefined) continue;
    const reply = await miner.submit(user, share);
    if (reply.result === true) accepted++;
    else rejected++;
    if (!values.quiet) {
      console.log(
        `share ${reply.result === true ? "accepted" : `rejected ${JSON.stringify(reply.error)}`}` +
          ` (job ${share.jobId}, difficulty ${miner.difficulty}; ${accepted} accepted, ${rejected} rejected)`,
      );
    }
  }
  miner.close();
  await miner.closed;
  console.log(`cpu_miner: ${accepted} shares accepted, ${rejected} rejected`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
