// The embedded history store: one SQLite file (node:sqlite) under data_dir, written in batches.
// Owns the data_dir lock, the fault policy (any storage error turns history off, mining goes on).

import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Logger } from "../log/mod.ts";
import {
  addSample,
  type BucketRow,
  FARM_RETENTION_S,
  pruneCutoff,
  type Resolution,
  type Sample,
  WORKER_RETENTION_S,
} from "./rollup.ts";
import { migrate } from "./schema.ts";

/** The database file's name inside data_dir. */
export const DB_FILE = "history.sqlite";
/** The lock file's name inside data_dir: held by the one kstratum using the directory. */
export const LOCK_FILE = "kstratum.lock";

/** What the node said of a found block when it was submitted. */
export type StoredVerdict = "accepted" | "rejected" | "unreachable";
/** A block's colour as last reported; null while unknown. */
export type StoredColor = "blue" | "red" | null;

/** One found block as stored. */
export interface StoredBlock {
  /** Block hash, hex. */
  hash: string;
  /** When it was found, ms since the epoch. */
  foundAt: number;
  /** Display name of the finder. */
  worker: string;
  /** Payout address. */
  wallet: string;
  /** The block's DAA score. */
  daaScore: bigint;
  /** The node's verdict at submission. */
  verdict: StoredVerdict;
  /** Blue or red once the node knows, else null. */
  color: StoredColor;
  /** Chain blocks on top of the merging block, as last reported; null while unknown. */
  confirmations: number | null;
  /** The chain block that merged it, hex; null while unknown. */
  mergingHash: string | null;
  /** Reward paid, sompi; null until the node reports it (or never, for a red block). */
  rewardSompi: bigint | null;
  /** Whether following is over: blue with its reward, red, or never accepted. */
  final: boolean;
}

/** One point of a series as the API serves it. */
export interface SeriesPoint {
  /** Bucket start, seconds since the epoch. */
  t: number;
  /** Mean hashrate over the bucket, H/s. */
  hashrate: number;
  /** Accepted shares in the bucket. */
  accepted: number;
  /** Stale shares in the bucket. */
  stale: number;
  /** Invalid shares in the bucket. */
  invalid: number;
}

/** One day of found blocks. */
export interface BlockDay {
  /** The day, "YYYY-MM-DD" (UTC). */
  day: string;
  /** Blocks found that day (any verdict). */
  found: number;
  /** Blocks accepted by the node. */
  accepted: number;
  /** Blue blocks. */
  blue: number;
  /** Red blocks. */
  red: number;
  /** Sum of known rewards, sompi. */
  rewardSompi: bigint;
}

/** One worker known to the store. */
export interface StoredWorker {
  /** Stats key: wallet and name. */
  key: string;
  /** Display name. */
  name: string;
  /** Payout address. */
  wallet: string;
}

/** Whether history is recording, and why not. */
export interface HistoryStatus {
  /** False when data_dir is off. */
  enabled: boolean;
  /** True while the store records. */
  on: boolean;
  /** One line saying why it is off. */
  reason?: string;
  /** The database file. */
  path?: string;
}

/** A data_dir in use by another kstratum: the second one must not start. */
export class HistoryLockedError extends Error {
  /** `dataDir` is the directory both were pointed at. */
  constructor(readonly dataDir: string) {
    super(
      `another kstratum is already using data_dir ${dataDir} (it holds ${dataDir}/${LOCK_FILE}): ` +
        `stop it, or give this one its own data_dir`,
    );
    this.name = "HistoryLockedError";
  }
}

/** Where the store lives and how it writes. */
export interface HistoryStoreOptions {
  /** The directory holding the database and its lock; created when missing. */
  dataDir: string;
  /** Where the one "history off" line goes. */
  log: Logger;
  /** Wall clock, ms since the epoch. */
  now: () => number;
  /** Pending writes go to disk in one transaction this often, ms. Default 5000. */
  flushMs?: number;
  /** Old rows are pruned this often, ms. Default 600000. */
  pruneEveryMs?: number;
  /** How long a write waits on a database another program locked, ms. Default 2000. */
  busyTimeoutMs?: number;
  /**
   * When another kstratum holds data_dir: false (default) throws HistoryLockedError; true runs
   * without history and takes the directory over once that one releases it (an upgrade handover).
   */
  handover?: boolean;
  /** How often a handover checks whether data_dir was released, ms. Default 1000. */
  handoverPollMs?: number;
}

/** A worker's sample as the sampler hands it over. */
export interface WorkerSample extends StoredWorker {
  /** The sample. */
  sample: Sample;
}

interface PendingWorkerRow {
  worker: StoredWorker;
  res: Resolution;
  row: BucketRow;
}

/** One line naming a storage failure and what to do about it. */
export function describeStorageError(error: unknown, path: string): string {
  const e = error as { errcode?: number; message?: string; code?: string };
  const message = e?.message ?? String(error);
  const code = typeof e?.errcode === "number" ? e.errcode & 0xff : undefined;
  if (code === 13 || /disk is full|No space left/i.test(message)) {
    return `the disk holding ${path} is full (${message})`;
  }
  if (error instanceof Deno.errors.NotCapable || /--allow-write/.test(message)) {
    return `kstratum may not write to ${path}: it is granted ./data only; add ` +
      `--allow-write=${
        path.replace(/\/[^/]*\.sqlite$/, "")
      } to the deno run command, or keep the ` +
      `default data_dir`;
  }
  if (
    code === 8 || error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.NotCapable || /read-?only|EROFS|EACCES|permission/i.test(message)
  ) {
    return `${path} cannot be written: read-only or not permitted (${message})`;
  }
  if (code === 26 || code === 11 || /not a database|malformed/i.test(message)) {
    return `${path} is corrupt or not a SQLite database (${message}); move it away to start anew`;
  }
  if (code === 5 || code === 6 || /locked|busy/i.test(message)) {
    return `${path} is locked by another program (${message})`;
  }
  return `${path} failed: ${message}`;
}

/** The history store. Every method is safe to call after a fault: it then does nothing. */
export class HistoryStore {
  #db: DatabaseSync | undefined;
  #lock: Deno.FsFile | undefined;
  #reason: string | undefined;
  /** The lock file while a handover waits for it, and the timer that polls it. */
  #waiting: Deno.FsFile | undefined;
  #handover: ReturnType<typeof setInterval> | undefined;
  #path: string;
  #log: Logger;
  #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastPrune = 0;
  #pruneEveryMs: number;
  #farm = new Map<string, { res: Resolution; row: BucketRow }>();
  #workers = new Map<string, PendingWorkerRow>();
  #blocks = new Map<string, StoredBlock>();
  #workerIds = new Map<string, number>();
  #stmts = new Map<string, StatementSync>();

  private constructor(readonly options: HistoryStoreOptions) {
    this.#path = `${options.dataDir}/${DB_FILE}`;
    this.#log = options.log;
    this.#now = options.now;
    this.#pruneEveryMs = options.pruneEveryMs ?? 600_000;
  }

  /**
   * Opens (creating and upgrading as needed) the store in `options.dataDir`. Throws
   * HistoryLockedError when another kstratum holds the directory; any other failure gives a store
   * that is off, having logged one line.
   */
  static open(options: HistoryStoreOptions): HistoryStore {
    const store = new HistoryStore(options);
    store.#open();
    return store;
  }

  #open(): void {
    const dir = this.options.dataDir;
    try {
      Deno.mkdirSync(dir, { recursive: true });
      const lock = Deno.openSync(`${dir}/${LOCK_FILE}`, { create: true, write: true, read: true });
      if (!lock.tryLockSync(true)) {
        if (this.options.handover !== true) {
          lock.close();
          throw new HistoryLockedError(dir);
        }
        this.#awaitHandover(lock, dir);
        return;
      }
      this.#lock = lock;
    } catch (e) {
      if (e instanceof HistoryLockedError) throw e;
      this.#fail(e, dir);
      return;
    }
    this.#openDatabase();
  }

  /** Off until the kstratum holding data_dir releases its lock, then opens the store. */
  #awaitHandover(lock: Deno.FsFile, dir: string): void {
    this.#reason = `waiting for the kstratum that holds data_dir ${dir} to exit (handover)`;
    this.#log.info("history waits for the previous kstratum to release data_dir", { dir });
    this.#waiting = lock;
    this.#handover = setInterval(() => {
      let got = false;
      try {
        got = lock.tryLockSync(true);
      } catch { /* still held, or gone: try again */ }
      if (!got) return;
      clearInterval(this.#handover);
      this.#handover = undefined;
      this.#waiting = undefined;
      this.#lock = lock;
      this.#reason = undefined;
      this.#openDatabase();
      if (this.#reason === undefined) this.#log.info("history taken over", { path: this.#path });
    }, this.options.handoverPollMs ?? 1000);
  }

  #openDatabase(): void {
    try {
      const db = new DatabaseSync(this.#path, { timeout: this.options.busyTimeoutMs ?? 2000 });
      this.#db = db;
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      migrate(db);
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.#timer = setInterval(() => this.flush(), this.options.flushMs ?? 5000);
  }

  #fail(error: unknown, path: string = this.#path): void {
    if (this.#reason !== undefined) return;
    this.#reason = describeStorageError(error, path);
    this.#log.error(`history off: ${this.#reason}; mining and the live dashboard go on without it`);
    try {
      this.#db?.close();
    } catch { /* already failing */ }
    this.#db = undefined;
    this.#stmts.clear();
    this.#farm.clear();
    this.#workers.clear();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Whether the store records, and why not. */
  get status(): HistoryStatus {
    return this.#reason === undefined
      ? { enabled: true, on: true, path: this.#path }
      : { enabled: true, on: false, reason: this.#reason, path: this.#path };
  }

  /** The database file. */
  get path(): string {
    return this.#path;
  }

  #stmt(sql: string): StatementSync {
    let s = this.#stmts.get(sql);
    if (s === undefined) {
      s = this.#db!.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /**
   * Adds one sample of the farm and of each worker, taken at `atMs`, to every resolution's
   * bucket. Kept in memory until the next flush.
   */
  recordSamples(farm: Sample, workers: readonly WorkerSample[], atMs: number): void {
    if (this.#db === undefined) return;
    const tS = Math.floor(atMs / 1000);
    for (const res of FARM_RETENTION_S.keys()) {
      const ts = Math.floor(tS / res) * res;
      const k = `${res}:${ts}`;
      let p = this.#farm.get(k);
      if (p === undefined) {
        p = { res, row: { ts, hsSum: 0, n: 0, accepted: 0, stale: 0, invalid: 0 } };
        this.#farm.set(k, p);
      }
      addSample(p.row, farm);
    }
    for (const w of workers) {
      for (const res of WORKER_RETENTION_S.keys()) {
        const ts = Math.floor(tS / res) * res;
        const k = `${res}:${ts}:${w.key}`;
        let p = this.#workers.get(k);
        if (p === undefined) {
          p = {
            worker: { key: w.key, name: w.name, wallet: w.wallet },
            res,
            row: { ts, hsSum: 0, n: 0, accepted: 0, stale: 0, invalid: 0 },
          };
          this.#workers.set(k, p);
        }
        addSample(p.row, w.sample);
      }
    }
  }

  /** Records a block (new, or a newer state of one already known); written at the next flush. */
  putBlock(block: StoredBlock): void {
    if (this.#db === undefined) return;
    this.#blocks.set(block.hash, { ...block });
  }

  /** Writes everything pending in one transaction, and prunes when due. */
  flush(): void {
    const db = this.#db;
    if (db === undefined) return;
    const prune = this.#now() - this.#lastPrune >= this.#pruneEveryMs;
    if (this.#farm.size === 0 && this.#workers.size === 0 && this.#blocks.size === 0 && !prune) {
      return;
    }
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        this.#writePending();
        if (prune) this.#prune();
        db.exec("COMMIT");
      } catch (e) {
        try {
          db.exec("ROLLBACK");
        } catch { /* the failure below says it */ }
        throw e;
      }
      this.#farm.clear();
      this.#workers.clear();
      this.#blocks.clear();
      if (prune) this.#lastPrune = this.#now();
    } catch (e) {
      this.#fail(e);
    }
  }

  #writePending(): void {
    const farm = this.#stmt(
      `INSERT INTO farm (res, ts, hs_sum, n, accepted, stale, invalid) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (res, ts) DO UPDATE SET hs_sum = hs_sum + excluded.hs_sum, n = n + excluded.n,
         accepted = accepted + excluded.accepted, stale = stale + excluded.stale,
         invalid = invalid + excluded.invalid`,
    );
    for (const { res, row } of this.#farm.values()) {
      farm.run(res, row.ts, row.hsSum, row.n, row.accepted, row.stale, row.invalid);
    }
    const series = this.#stmt(
      `INSERT INTO worker_series (res, worker_id, ts, hs_sum, n, accepted, stale, invalid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (res, worker_id, ts) DO UPDATE SET hs_sum = hs_sum + excluded.hs_sum,
         n = n + excluded.n, accepted = accepted + excluded.accepted,
         stale = stale + excluded.stale, invalid = invalid + excluded.invalid`,
    );
    for (const { worker, res, row } of this.#workers.values()) {
      const id = this.#workerId(worker);
      series.run(res, id, row.ts, row.hsSum, row.n, row.accepted, row.stale, row.invalid);
    }
    const block = this.#stmt(
      `INSERT INTO blocks (hash, found_at, worker, wallet, daa_score, verdict, color, confirmations,
         reward_sompi, merging_hash, final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (hash) DO UPDATE SET verdict = excluded.verdict, color = excluded.color,
         confirmations = excluded.confirmations, reward_sompi = excluded.reward_sompi,
         merging_hash = excluded.merging_hash, final = excluded.final`,
    );
    for (const b of this.#blocks.values()) {
      block.run(
        b.hash,
        b.foundAt,
        b.worker,
        b.wallet,
        b.daaScore,
        b.verdict,
        b.color,
        b.confirmations,
        b.rewardSompi,
        b.mergingHash,
        b.final ? 1 : 0,
      );
    }
  }

  #workerId(w: StoredWorker): number {
    const known = this.#workerIds.get(w.key);
    if (known !== undefined) return known;
    this.#stmt(
      `INSERT INTO workers (key, name, wallet) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET name = excluded.name, wallet = excluded.wallet`,
    ).run(w.key, w.name, w.wallet);
    const row = this.#stmt("SELECT id FROM workers WHERE key = ?").get(w.key) as { id: number };
    this.#workerIds.set(w.key, row.id);
    return row.id;
  }

  #prune(): void {
    const nowS = Math.floor(this.#now() / 1000);
    for (const [res, keep] of FARM_RETENTION_S) {
      this.#stmt("DELETE FROM farm WHERE res = ? AND ts < ?").run(
        res,
        pruneCutoff(nowS, res, keep),
      );
    }
    const ids = this.#stmt("SELECT id FROM workers").all() as { id: number }[];
    for (const [res, keep] of WORKER_RETENTION_S) {
      const cut = pruneCutoff(nowS, res, keep);
      const del = this.#stmt(
        "DELETE FROM worker_series WHERE res = ? AND worker_id = ? AND ts < ?",
      );
      for (const { id } of ids) del.run(res, id, cut);
    }
    // A worker with no rows left is forgotten.
    this.#stmt(
      `DELETE FROM workers WHERE NOT EXISTS
         (SELECT 1 FROM worker_series s WHERE s.res = 3600 AND s.worker_id = workers.id)`,
    ).run();
    this.#workerIds.clear();
  }

  /** Runs a read; a failure turns history off and gives `fallback`. */
  #read<T>(fallback: T, fn: () => T): T {
    if (this.#db === undefined) return fallback;
    try {
      return fn();
    } catch (e) {
      this.#fail(e);
      return fallback;
    }
  }

  /** The farm series at `res` over [fromS, toS] (seconds), oldest first. */
  farmSeries(res: Resolution, fromS: number, toS: number): SeriesPoint[] {
    return this.#read([], () =>
      (this.#stmt(
        "SELECT * FROM farm WHERE res = ? AND ts >= ? AND ts <= ? ORDER BY ts",
      ).all(res, fromS, toS) as unknown as DbSeriesRow[]).map(point));
  }

  /** Worker `key`'s series at `res` over [fromS, toS] (seconds), oldest first. */
  workerSeries(key: string, res: Resolution, fromS: number, toS: number): SeriesPoint[] {
    return this.#read([], () =>
      (this.#stmt(
        `SELECT s.* FROM worker_series s JOIN workers w ON w.id = s.worker_id
         WHERE w.key = ? AND s.res = ? AND s.ts >= ? AND s.ts <= ? ORDER BY s.ts`,
      ).all(key, res, fromS, toS) as unknown as DbSeriesRow[]).map(point));
  }

  /**
   * The summed series of every worker paying `wallet`, at `res` over [fromS, toS] (seconds):
   * each bucket's hashrate is the sum of its workers' mean hashrates.
   */
  walletSeries(wallet: string, res: Resolution, fromS: number, toS: number): SeriesPoint[] {
    return this.#read([], () =>
      (this.#stmt(
        `SELECT s.ts AS ts, sum(s.hs_sum / s.n) AS hs_sum, 1 AS n, sum(s.accepted) AS accepted,
           sum(s.stale) AS stale, sum(s.invalid) AS invalid
         FROM workers w JOIN worker_series s
           ON s.res = ? AND s.worker_id = w.id AND s.ts >= ? AND s.ts <= ?
         WHERE w.wallet = ? GROUP BY s.ts ORDER BY s.ts`,
      ).all(res, fromS, toS, wallet) as unknown as DbSeriesRow[]).map(point));
  }

  /**
   * Hashrate points at `res` since `fromS` for every stored worker (of `wallet` when given), at
   * most `maxWorkers`: one index seek per worker, so a dashboard of 5,000 workers costs 5,000
   * short range reads.
   */
  sparklines(
    res: Resolution,
    fromS: number,
    maxWorkers: number,
    wallet?: string,
  ): { worker: StoredWorker; points: SeriesPoint[] }[] {
    return this.#read([], () => {
      const workers = (wallet === undefined
        ? this.#stmt("SELECT id, key, name, wallet FROM workers ORDER BY wallet, name LIMIT ?").all(
          maxWorkers,
        )
        : this.#stmt(
          "SELECT id, key, name, wallet FROM workers WHERE wallet = ? ORDER BY name LIMIT ?",
        ).all(wallet, maxWorkers)) as unknown as (StoredWorker & { id: number })[];
      const series = this.#stmt(
        "SELECT * FROM worker_series WHERE res = ? AND worker_id = ? AND ts >= ? ORDER BY ts",
      );
      return workers.map((w) => ({
        worker: { key: w.key, name: w.name, wallet: w.wallet },
        points: (series.all(res, w.id, fromS) as unknown as DbSeriesRow[]).map(point),
      }));
    });
  }

  /** Workers with stored history, by wallet and name. */
  workers(): StoredWorker[] {
    return this.#read(
      [],
      () =>
        this.#stmt("SELECT key, name, wallet FROM workers ORDER BY wallet, name")
          .all() as unknown as StoredWorker[],
    );
  }

  /**
   * Found blocks, newest first, at most `limit`, optionally of one wallet or worker name and
   * within [fromMs, toMs]. Pending (unflushed) blocks are included.
   */
  blocks(
    q: { limit: number; wallet?: string; worker?: string; fromMs?: number; toMs?: number },
  ): StoredBlock[] {
    const rows = this.#read([] as StoredBlock[], () =>
      (this.#stmt(
        `SELECT * FROM blocks WHERE found_at >= ? AND found_at <= ?
           AND (? IS NULL OR wallet = ?) AND (? IS NULL OR worker = ?)
         ORDER BY found_at DESC LIMIT ?`,
      ).all(
        q.fromMs ?? 0,
        q.toMs ?? Number.MAX_SAFE_INTEGER,
        q.wallet ?? null,
        q.wallet ?? null,
        q.worker ?? null,
        q.worker ?? null,
        q.limit,
      ) as unknown as DbBlockRow[]).map(blockOf));
    if (this.#blocks.size === 0) return rows;
    const byHash = new Map(rows.map((b) => [b.hash, b]));
    for (const b of this.#blocks.values()) {
      if (q.wallet !== undefined && b.wallet !== q.wallet) continue;
      if (q.worker !== undefined && b.worker !== q.worker) continue;
      if (b.foundAt < (q.fromMs ?? 0) || b.foundAt > (q.toMs ?? Number.MAX_SAFE_INTEGER)) continue;
      byHash.set(b.hash, { ...b });
    }
    return [...byHash.values()].sort((a, b) => b.foundAt - a.foundAt).slice(0, q.limit);
  }

  /** Accepted blocks whose reward or colour is still being followed. */
  openBlocks(): StoredBlock[] {
    const rows = this.#read(
      [] as StoredBlock[],
      () =>
        (this.#stmt("SELECT * FROM blocks WHERE final = 0 ORDER BY found_at")
          .all() as unknown as DbBlockRow[]).map(blockOf),
    );
    const byHash = new Map(rows.map((b) => [b.hash, b]));
    for (const b of this.#blocks.values()) {
      if (b.final) byHash.delete(b.hash);
      else byHash.set(b.hash, { ...b });
    }
    return [...byHash.values()];
  }

  /**
   * Blocks per UTC day over [fromMs, toMs], optionally of one wallet, oldest day first, as written
   * at the last flush.
   */
  blocksPerDay(fromMs: number, toMs: number, wallet?: string): BlockDay[] {
    // Reads only what is written: a block found in the last flush period (5 s) shows next time.
    return this.#read([], () =>
      (this.#stmt(
        `SELECT date(found_at / 1000, 'unixepoch') AS day, count(*) AS found,
           sum(verdict = 'accepted') AS accepted, sum(color = 'blue') AS blue,
           sum(color = 'red') AS red, coalesce(sum(reward_sompi), 0) AS reward
         FROM blocks WHERE found_at >= ? AND found_at <= ? AND (? IS NULL OR wallet = ?)
         GROUP BY day ORDER BY day`,
      ).all(fromMs, toMs, wallet ?? null, wallet ?? null) as unknown as {
        day: string;
        found: number;
        accepted: number;
        blue: number;
        red: number;
        reward: number | bigint;
      }[]).map((r) => ({
        day: r.day,
        found: Number(r.found),
        accepted: Number(r.accepted ?? 0),
        blue: Number(r.blue ?? 0),
        red: Number(r.red ?? 0),
        rewardSompi: BigInt(r.reward),
      })));
  }

  /** Writes what is pending and closes the database; releases data_dir. */
  close(): void {
    if (this.#handover !== undefined) clearInterval(this.#handover);
    this.#handover = undefined;
    try {
      this.#waiting?.close();
    } catch { /* closing anyway */ }
    this.#waiting = undefined;
    this.flush();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    try {
      this.#db?.close();
    } catch { /* closing anyway */ }
    this.#db = undefined;
    this.#stmts.clear();
    try {
      this.#lock?.close();
    } catch { /* closing anyway */ }
    this.#lock = undefined;
    if (this.#reason === undefined) this.#reason = "closed";
  }
}

interface DbSeriesRow {
  ts: number;
  hs_sum: number;
  n: number;
  accepted: number;
  stale: number;
  invalid: number;
}

function point(r: DbSeriesRow): SeriesPoint {
  return {
    t: Number(r.ts),
    hashrate: r.n > 0 ? Number(r.hs_sum) / Number(r.n) : 0,
    accepted: Number(r.accepted),
    stale: Number(r.stale),
    invalid: Number(r.invalid),
  };
}

interface DbBlockRow {
  hash: string;
  found_at: number;
  worker: string;
  wallet: string;
  daa_score: number | bigint;
  verdict: StoredVerdict;
  color: StoredColor;
  confirmations: number | null;
  merging_hash: string | null;
  reward_sompi: number | bigint | null;
  final: number;
}

function blockOf(r: DbBlockRow): StoredBlock {
  return {
    hash: r.hash,
    foundAt: Number(r.found_at),
    worker: r.worker,
    wallet: r.wallet,
    daaScore: BigInt(r.daa_score),
    verdict: r.verdict,
    color: r.color,
    confirmations: r.confirmations === null ? null : Number(r.confirmations),
    mergingHash: r.merging_hash,
    rewardSompi: r.reward_sompi === null ? null : BigInt(r.reward_sompi),
    final: Number(r.final) === 1,
  };
}
