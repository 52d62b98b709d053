// Soak load: scripted miners in every dialect (one over TLS) that mix valid, duplicate, stale, weak
// and malformed-nonce shares, reconnect now and then, tally every reply, and keep accepted nonces.

import { difficultyToTarget } from "../lib/pow/mod.ts";
import { hostileLine, type Rng } from "../tests/helpers/fuzz.ts";
import { type MinerDialect, type MinerJob, StratumMiner } from "./stratum_miner.ts";

/** One miner identity across its reconnections. */
export interface Identity {
  name: string;
  dialect: MinerDialect;
  address: string;
  worker: string;
  port: number;
  caCerts?: string[];
  /** Replies by server outcome, summed over connections. */
  outcomes: { valid: number; stale: number; duplicate: number; weak: number; invalid: number };
  /** Replies that were not the one the share was made to get. */
  surprises: string[];
  /** Full nonces of accepted shares (a found block's nonce must be among them). */
  accepted: Set<bigint>;
  connections: number;
}

type Kind = "valid" | "duplicate" | "stale" | "weak" | "invalid";
const CODE_OF: Record<Kind, number | null> = {
  valid: null,
  duplicate: 22,
  stale: 21,
  weak: 23,
  invalid: -32602,
};
const OUTCOME_OF_CODE = new Map<number | null, keyof Identity["outcomes"]>([
  [null, "valid"],
  [21, "stale"],
  [22, "duplicate"],
  [23, "weak"],
  [-32602, "invalid"],
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Picks what the next share is: mostly valid, some of each bad kind. */
function pick(rng: Rng, dialect: MinerDialect, canDuplicate: boolean): Kind {
  const r = rng.next();
  if (r < 0.05 && canDuplicate) return "duplicate";
  if (r < 0.09) return "stale";
  // Weak shares only where no neighbouring job could rescue them (bighex and bitmain retry earlier jobs).
  if (r < 0.13 && (dialect === "array" || dialect === "simple")) return "weak";
  if (r < 0.16) return "invalid";
  return "valid";
}

/** The submit params for one share of `kind`, or undefined when none could be made. */
function shareFor(
  m: StratumMiner,
  job: MinerJob,
  kind: Kind,
  ctx: { rng: Rng; last: { job: MinerJob; nonce: bigint } | undefined },
): { params: unknown[]; nonce?: bigint } | undefined {
  const start = BigInt(ctx.rng.int(2 ** 30)) * BigInt(ctx.rng.int(2 ** 10) + 1);
  switch (kind) {
    case "duplicate":
      return ctx.last && { params: m.submitParams(ctx.last.job, ctx.last.nonce) };
    case "stale": {
      const p = m.submitParams(job, 1n);
      p[1] = m.dialect === "simple" ? "ab".repeat(32) : "4000000000";
      return { params: p };
    }
    case "invalid": {
      const p = m.submitParams(job, 1n);
      p[2] = "zz";
      return { params: p };
    }
    case "weak": {
      const target = difficultyToTarget(job.difficulty);
      for (let i = 0n; i < 16n; i++) {
        const nonce = m.findNonce(job, { start: start + i, tries: 1, target: (1n << 256n) - 1n });
        if (nonce !== undefined && !job.pow!.meets(nonce, target)) {
          return { params: m.submitParams(job, nonce) };
        }
      }
      return undefined;
    }
    case "valid": {
      const nonce = m.findNonce(job, { start, tries: 400_000 });
      return nonce === undefined ? undefined : { params: m.submitParams(job, nonce), nonce };
    }
  }
}

/** Mines with `id` until `stop()`, reconnecting every 15-60 s; pace is ms between shares. */
export async function work(
  id: Identity,
  rng: Rng,
  stop: () => boolean,
  paceMs: number,
): Promise<void> {
  while (!stop()) {
    let m: StratumMiner;
    try {
      m = await StratumMiner.connect(id.port, {
        dialect: id.dialect,
        address: id.address,
        worker: id.worker,
        ...(id.caCerts ? { caCerts: id.caCerts } : {}),
      });
      await m.handshake();
    } catch (e) {
      id.surprises.push(`connect: ${e}`);
      await sleep(500);
      continue;
    }
    id.connections++;
    const until = Date.now() + 15_000 + rng.int(45_000);
    let last: { job: MinerJob; nonce: bigint } | undefined;
    try {
      while (!stop() && Date.now() < until && !m.closed) {
        const job = m.job ?? await m.nextJob(undefined, 10_000);
        if (job === undefined) break;
        const kind = pick(rng, id.dialect, last !== undefined);
        const share = shareFor(m, job, kind, { rng, last });
        await sleep(rng.int(2 * paceMs)); // also lets newer jobs arrive
        if (share === undefined) continue;
        const method = id.dialect === "simple" ? "submit" : "mining.submit";
        const reply = await m.request(method, share.params, 60_000);
        const code = reply.error === null ? null : Number((reply.error as unknown[])[0]);
        const outcome = OUTCOME_OF_CODE.get(code);
        if (outcome === undefined) id.surprises.push(`${kind} answered ${JSON.stringify(reply)}`);
        else id.outcomes[outcome]++;
        if (code !== CODE_OF[kind]) id.surprises.push(`${kind} answered ${code}`);
        if (code === null && share.nonce !== undefined) {
          id.accepted.add(share.nonce);
          last = { job, nonce: share.nonce };
        }
      }
    } catch (e) {
      id.surprises.push(`request: ${e}`);
    } finally {
      m.close();
      await m.ended;
    }
  }
}

/** Garbage and fuzzed lines on short-lived connections until `stop()`; returns lines sent. */
export async function noise(port: number, rng: Rng, stop: () => boolean): Promise<number> {
  let lines = 0;
  while (!stop()) {
    await sleep(2000 + rng.int(2000));
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      const text = Array.from({ length: 3 }, () => hostileLine(rng).replaceAll("\n", " ")).join(
        "\n",
      );
      await c.write(new TextEncoder().encode(text + "\n"));
      await c.write(rng.bytes(64));
      lines += 3;
      await sleep(200);
      c.close();
    } catch {
      // the server may close a hostile connection first
    }
  }
  return lines;
}
