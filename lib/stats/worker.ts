// One tracked worker's counters and hashrate meter, and its identity key.
// Pure: times are passed in; `stats.ts` owns the table of these.

import type { ShareOutcome, WorkerRef } from "../session/events.ts";
import { HashrateMeter } from "./hashrate.ts";
import type { ShareCounts, WorkerSnapshot } from "./types.ts";

/** Most distinct error names remembered per worker (names come from stats/errors.ts). */
const MAX_ERROR_NAMES = 32;

/** Identity of a worker: its wallet and name; an unnamed worker is told apart by its IP. */
export function workerKey(who: WorkerRef): string {
  return `${who.wallet}/${who.worker === "" ? `@${who.ip}` : who.worker}`;
}

/** Zeroed share counts. */
export function emptyShareCounts(): ShareCounts {
  return { valid: 0, stale: 0, duplicate: 0, weak: 0, invalid: 0 };
}

/** Mutable per-worker state; read it through `snapshot`. */
export class WorkerRecord {
  readonly key: string;
  readonly worker: string;
  readonly wallet: string;
  miner: string;
  ip: string;
  dialect: string;
  readonly firstSeenAt: number;
  lastSeenAt: number;
  lastShareAt: number | null = null;
  connections = 0;
  shares: ShareCounts = emptyShareCounts();
  acceptedDifficulty = 0;
  difficulty: number | null = null;
  jobs = 0;
  disconnects = 0;
  errors = new Map<string, number>();
  blocks = { found: 0, accepted: 0, blue: 0, red: 0 };
  readonly meter = new HashrateMeter();

  constructor(who: WorkerRef, now: number) {
    this.key = workerKey(who);
    this.worker = who.worker;
    this.wallet = who.wallet;
    this.miner = who.miner;
    this.ip = who.ip;
    this.dialect = who.dialect;
    this.firstSeenAt = now;
    this.lastSeenAt = now;
  }

  /** Name to show: the worker name, or the IP when unnamed. */
  get name(): string {
    return this.worker === "" ? this.ip : this.worker;
  }

  /** Notes activity at `now` (ms) and refreshes the labels that may change between connections. */
  touch(who: WorkerRef, now: number): void {
    if (now > this.lastSeenAt) this.lastSeenAt = now;
    this.miner = who.miner;
    this.ip = who.ip;
    this.dialect = who.dialect;
  }

  /** Counts a share judged at `difficulty`, found at `at` (ms). */
  share(outcome: ShareOutcome, difficulty: number, at: number): void {
    this.shares[outcome]++;
    if (this.lastShareAt === null || at > this.lastShareAt) this.lastShareAt = at;
    if (outcome !== "valid") return;
    if (difficulty > 0 && Number.isFinite(difficulty)) this.acceptedDifficulty += difficulty;
    this.meter.addShare(at, difficulty);
  }

  /** Counts one worker error by its bridge name (err_missing_job, ...). */
  error(name: string): void {
    const seen = this.errors.get(name);
    if (seen !== undefined) this.errors.set(name, seen + 1);
    else if (this.errors.size < MAX_ERROR_NAMES) this.errors.set(name, 1);
  }

  /** A plain copy at `now` (ms). */
  snapshot(now: number): WorkerSnapshot {
    return {
      key: this.key,
      worker: this.worker,
      name: this.name,
      wallet: this.wallet,
      miner: this.miner,
      ip: this.ip,
      dialect: this.dialect,
      connections: this.connections,
      firstSeenAt: this.firstSeenAt,
      lastSeenAt: this.lastSeenAt,
      lastShareAt: this.lastShareAt,
      hashrate: this.meter.rates(now, this.firstSeenAt),
      shares: { ...this.shares },
      acceptedDifficulty: this.acceptedDifficulty,
      difficulty: this.difficulty,
      jobs: this.jobs,
      disconnects: this.disconnects,
      errors: Object.fromEntries(this.errors),
      blocks: { ...this.blocks },
    };
  }
}
