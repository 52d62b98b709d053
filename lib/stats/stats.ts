// Stats: the MinerEvents sink that keeps per-worker and server-wide counters, blocks and node status.
// Pure with an injected clock; bounded (worker cap, idle eviction, block list cap). Read via snapshot().

import { disconnectErrorName, protocolErrorName, shareErrorName } from "./errors.ts";
import type {
  BlockEvent,
  MinerEvents,
  ProxyRejectReason,
  RefusalCause,
  RefusedReason,
  ShareEvent,
  WorkerRef,
} from "../session/events.ts";
import { HashrateMeter } from "./hashrate.ts";
import { Histogram } from "./histogram.ts";
import type {
  BalancesSnapshot,
  BlockRecord,
  NodeStatus,
  StatsOptions,
  StatsSnapshot,
  Totals,
  WalletBalance,
} from "./types.ts";
import { emptyShareCounts, workerKey, WorkerRecord } from "./worker.ts";

/** Least time between two sweeps of a full worker table, ms. */
const FULL_SWEEP_MS = 1000;

interface BlockEntry {
  record: BlockRecord;
  workerKey: string;
}

/**
 * Counts what miners do. Feed it MinerEvents; the composition root adds node status and latencies.
 *
 * @example
 * ```ts
 * import { Stats } from "./stats.ts";
 * let t = 1_000_000;
 * const stats = new Stats({ now: () => t });
 * const who = { worker: "rig1", wallet: "kaspa:q", miner: "lolMiner", ip: "10.0.0.2", dialect: "array" };
 * stats.authorized(who);
 * stats.share({ who, outcome: "valid", difficulty: 1024, at: t });
 * t += 10_000;
 * if (stats.snapshot().workers[0]?.shares.valid !== 1) throw new Error();
 * ```
 */
export class Stats implements MinerEvents {
  readonly #now: () => number;
  readonly #maxWorkers: number;
  readonly #maxWorkersPerIp: number;
  /** Tracked workers by IP (for maxWorkersPerIp). */
  readonly #trackedByIp = new Map<string, number>();
  /** The IP each tracked worker was counted under (a record's own ip follows reconnects). */
  readonly #countedIp = new Map<string, string>();
  readonly #idleEvictMs: number;
  readonly #maxBlocks: number;
  readonly #sweepEveryMs: number;
  readonly #startedAt: number;
  #lastSweep: number;
  #workers = new Map<string, WorkerRecord>();
  #keys = new WeakMap<WorkerRef, string>();
  #blocks: BlockEntry[] = [];
  #blockByHash = new Map<string, BlockEntry>();
  #openByIp = new Map<string, string[]>();
  #openByDialect = new Map<string, number>();
  #meter = new HashrateMeter();
  #totals: Totals = {
    shares: emptyShareCounts(),
    acceptedDifficulty: 0,
    jobs: 0,
    disconnects: 0,
    protocolErrors: 0,
    proxyRejected: { untrusted: 0, malformed: 0, timeout: 0 },
    refused: { descriptors: 0, address_budget: 0, extranonce_full: 0 },
    blocks: { found: 0, accepted: 0, rejected: 0, unreachable: 0, blue: 0, red: 0 },
  };
  #errorsUnattributed = new Map<string, number>();
  #balances: BalancesSnapshot = { state: "pending", reason: null, refreshedAt: null, wallets: [] };
  #untrackedEvents = 0;
  #evicted = 0;
  #node: NodeStatus | undefined;
  #fanout = new Histogram();
  #nodeRpc = new Histogram();

  /** An empty table; the clock is read now for the start time. */
  constructor(opts: StatsOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#maxWorkers = opts.maxWorkers ?? 5000;
    this.#maxWorkersPerIp = opts.maxWorkersPerIp ?? 1000;
    this.#idleEvictMs = opts.idleEvictMs ?? 3_600_000;
    this.#maxBlocks = opts.maxBlocks ?? 200;
    this.#sweepEveryMs = opts.sweepEveryMs ?? 60_000;
    this.#startedAt = this.#now();
    this.#lastSweep = this.#startedAt;
  }

  // ---- MinerEvents ----

  /** Counts an open connection under the dialect it opened with. */
  connected(ip: string, dialect: string): void {
    const open = this.#openByIp.get(ip);
    if (open) open.push(dialect);
    else this.#openByIp.set(ip, [dialect]);
    this.#openByDialect.set(dialect, (this.#openByDialect.get(dialect) ?? 0) + 1);
  }

  /** Closes one of `ip`'s connections; counts a disconnect for a tracked worker. */
  disconnected(who: WorkerRef | undefined, ip: string, reason: string): void {
    this.#closeConnection(ip, who?.dialect);
    this.#totals.disconnects++;
    const name = disconnectErrorName(reason, who !== undefined);
    // a gone worker is not brought back by its goodbye
    const w = who ? this.#workers.get(this.#keyOf(who)) : undefined;
    if (name !== undefined) {
      if (w) w.error(name);
      else this.#unattributed(name);
    }
    if (!w) return;
    w.lastSeenAt = Math.max(w.lastSeenAt, this.#now());
    w.disconnects++;
    if (w.connections > 0) w.connections--;
  }

  /** Starts tracking the worker (if there is room) and counts its connection. */
  authorized(who: WorkerRef): void {
    const w = this.#worker(who);
    if (w) w.connections++;
  }

  /** Counts a share; valid ones add d·2^32 hashes to the hashrate windows. */
  share(event: ShareEvent): void {
    const { outcome, difficulty, at } = event;
    this.#totals.shares[outcome]++;
    if (outcome === "valid") {
      if (difficulty > 0 && Number.isFinite(difficulty)) {
        this.#totals.acceptedDifficulty += difficulty;
      }
      this.#meter.addShare(at, difficulty);
    }
    const w = this.#worker(event.who, outcome === "valid");
    w?.share(outcome, difficulty, at);
    const name = shareErrorName(outcome);
    if (name === undefined) return;
    if (w) w.error(name);
    else this.#unattributed(name);
  }

  /** Counts a job sent. */
  jobSent(who: WorkerRef): void {
    this.#totals.jobs++;
    const w = this.#worker(who);
    if (w) w.jobs++;
  }

  /** Remembers the worker's current share difficulty. */
  difficultyChanged(who: WorkerRef, difficulty: number): void {
    const w = this.#worker(who);
    if (w) w.difficulty = difficulty;
  }

  /** Adds the block to the bounded list (once per hash) and counts it by verdict. */
  blockFound(event: BlockEvent): void {
    if (this.#blockByHash.has(event.hash)) return; // reported twice: count once
    const b = this.#totals.blocks;
    b.found++;
    if (event.verdict === "accepted") b.accepted++;
    else if (event.verdict === "rejected") b.rejected++;
    else b.unreachable++;
    const w = this.#worker(event.who);
    if (w) {
      w.blocks.found++;
      if (event.verdict === "accepted") w.blocks.accepted++;
    }
    const record: BlockRecord = {
      hash: event.hash,
      worker: event.who.worker === "" ? event.who.ip : event.who.worker,
      wallet: event.who.wallet,
      miner: event.who.miner,
      ip: event.who.ip,
      daaScore: event.daaScore,
      nonce: event.nonce,
      blueScore: event.blueScore,
      verdict: event.verdict,
      reason: event.reason,
      color: "pending",
      at: event.at,
    };
    const entry = { record, workerKey: workerKey(event.who) };
    this.#blocks.push(entry);
    this.#blockByHash.set(event.hash, entry);
    while (this.#blocks.length > this.#maxBlocks) {
      const old = this.#blocks.shift();
      if (old) this.#blockByHash.delete(old.record.hash);
    }
  }

  /** Records a listed block's color; the first report stands. */
  blockColor(hash: string, blue: boolean): void {
    const entry = this.#blockByHash.get(hash);
    if (!entry || entry.record.color !== "pending") return;
    entry.record.color = blue ? "blue" : "red";
    this.#totals.blocks[blue ? "blue" : "red"]++;
    const w = this.#workers.get(entry.workerKey);
    if (w) w.blocks[blue ? "blue" : "red"]++;
  }

  /** Counts a protocol error under its bridge name (stats/errors.ts), per worker when known. */
  protocolError(who: WorkerRef | undefined, code: number, cause?: RefusalCause): void {
    this.#totals.protocolErrors++;
    const name = protocolErrorName(code, cause);
    const w = who ? this.#worker(who) : undefined;
    if (w) w.error(name);
    else this.#unattributed(name);
  }

  /** Counts a connection a PROXY protocol listener closed before its session started. */
  proxyRejected(reason: ProxyRejectReason): void {
    this.#totals.proxyRejected[reason]++;
  }

  /** Counts a connection or request refused to protect kstratum. */
  refused(reason: RefusedReason): void {
    this.#totals.refused[reason]++;
  }

  #unattributed(name: string): void {
    const seen = this.#errorsUnattributed.get(name);
    if (seen !== undefined) this.#errorsUnattributed.set(name, seen + 1);
    else if (this.#errorsUnattributed.size < 64) this.#errorsUnattributed.set(name, 1);
  }

  // ---- fed by the composition root ----

  /** Merges what the composition root learned about the node. */
  setNode(update: Partial<NodeStatus>): void {
    this.#node = { ...(this.#node ?? emptyNode()), ...update };
  }

  /** Replaces the wallet balances with what the node answered at `at` (ms since the epoch). */
  setBalances(wallets: readonly WalletBalance[], at: number): void {
    const sorted = wallets.map((w) => ({ address: w.address, sompi: w.sompi }))
      .sort((a, b) => cmp(a.address, b.address));
    this.#balances = { state: "on", reason: null, refreshedAt: at, wallets: sorted };
  }

  /** Marks balances unreadable, with a sentence saying why; the last values are dropped. */
  setBalancesOff(reason: string): void {
    this.#balances = { state: "off", reason, refreshedAt: null, wallets: [] };
  }

  /** Records one node RPC round trip of `ms` milliseconds. */
  observeNodeRpc(ms: number): void {
    this.#nodeRpc.observe(ms);
  }

  /** Records how long (ms) a new template took to reach every miner as a job. */
  observeFanout(ms: number): void {
    this.#fanout.observe(ms);
  }

  /**
   * Everything known now; idle workers are evicted first. `workers: false` leaves the per-worker
   * list empty (limits.tracked still counts them): at 10,000 workers that list costs 25-35 ms, which
   * a reader of totals (/api/status, /api/blocks) should not pay.
   */
  snapshot(opts: { workers?: boolean } = {}): StatsSnapshot {
    const now = this.#now();
    this.#sweep(now);
    const workers = opts.workers === false ? [] : [...this.#workers.values()]
      .map((w) => w.snapshot(now))
      .sort((a, b) => cmp(a.wallet, b.wallet) || cmp(a.name, b.name));
    const byDialect = Object.fromEntries(
      [...this.#openByDialect].filter(([, n]) => n > 0).sort(([a], [b]) => cmp(a, b)),
    );
    const total = Object.values(byDialect).reduce((s, n) => s + n, 0);
    const node = this.#node;
    const rpc = this.#nodeRpc.snapshot();
    return {
      now,
      startedAt: this.#startedAt,
      totals: structuredClone(this.#totals),
      hashrate: this.#meter.rates(now, this.#startedAt),
      connections: { total, byDialect },
      workers,
      blocks: this.#blocks.map((e) => ({ ...e.record })).reverse(),
      node: node
        ? {
          ...node,
          templateAgeMs: node.templateAt === undefined ? null : Math.max(0, now - node.templateAt),
          rpcLatencyMs: rpc.last ?? null,
        }
        : null,
      unattributedErrors: Object.fromEntries(this.#errorsUnattributed),
      balances: { ...this.#balances, wallets: this.#balances.wallets.map((w) => ({ ...w })) },
      fanout: this.#fanout.snapshot(),
      nodeRpc: rpc,
      limits: {
        tracked: this.#workers.size,
        maxWorkers: this.#maxWorkers,
        untrackedEvents: this.#untrackedEvents,
        evicted: this.#evicted,
      },
    };
  }

  // ---- internals ----

  /**
   * `who`'s table key, built once per WorkerRef: this runs for every share and for every job sent
   * to every miner. Sessions replace a WorkerRef when its fields change, never edit it in place.
   */
  #keyOf(who: WorkerRef): string {
    let key = this.#keys.get(who);
    if (key === undefined) {
      key = workerKey(who);
      this.#keys.set(who, key);
    }
    return key;
  }

  /**
   * The record for `who`, created if there is room; undefined when the table (or `who`'s IP) is
   * full. A worker `proven` by a valid share takes the place of one that never had a share, so
   * fake workers that only authorize cannot keep real ones out.
   */
  #worker(who: WorkerRef, proven = false): WorkerRecord | undefined {
    const now = this.#now();
    if (now - this.#lastSweep >= this.#sweepEveryMs) this.#sweep(now);
    const key = this.#keyOf(who);
    let w = this.#workers.get(key);
    if (w) {
      w.touch(who, now);
      return w;
    }
    // A full table is swept again at most once a second: sweeping it on every event of every
    // untracked worker made a job round O(workers²) (10k miners: seconds of fan-out, 44% CPU).
    if (this.#workers.size >= this.#maxWorkers && now - this.#lastSweep >= FULL_SWEEP_MS) {
      this.#sweep(now);
    }
    const full = this.#workers.size >= this.#maxWorkers;
    const ipFull = (this.#trackedByIp.get(who.ip) ?? 0) >= this.#maxWorkersPerIp;
    if ((full || ipFull) && !(proven && (!full || this.#evictUnproven()))) {
      this.#untrackedEvents++;
      return undefined;
    }
    w = new WorkerRecord(who, now);
    this.#workers.set(key, w);
    this.#trackedByIp.set(who.ip, (this.#trackedByIp.get(who.ip) ?? 0) + 1);
    this.#countedIp.set(key, who.ip);
    return w;
  }

  /** Forgets the longest-idle worker that never had a valid share; false when there is none. */
  #evictUnproven(): boolean {
    let victim: [string, WorkerRecord] | undefined;
    for (const entry of this.#workers) {
      const w = entry[1];
      if (w.acceptedDifficulty > 0 || w.shares.valid > 0) continue;
      if (victim === undefined || w.lastSeenAt < victim[1].lastSeenAt) victim = entry;
    }
    if (victim === undefined) return false;
    this.#forget(victim[0]);
    return true;
  }

  #forget(key: string): void {
    this.#workers.delete(key);
    this.#evicted++;
    const ip = this.#countedIp.get(key) ?? "";
    this.#countedIp.delete(key);
    const left = (this.#trackedByIp.get(ip) ?? 1) - 1;
    if (left <= 0) this.#trackedByIp.delete(ip);
    else this.#trackedByIp.set(ip, left);
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, w] of this.#workers) {
      if (now - w.lastSeenAt > this.#idleEvictMs) this.#forget(key);
    }
  }

  /** Forgets one open connection from `ip`, preferring one opened with `dialect`. */
  #closeConnection(ip: string, dialect: string | undefined): void {
    const open = this.#openByIp.get(ip);
    if (!open || open.length === 0) return;
    const i = dialect === undefined ? -1 : open.indexOf(dialect);
    const [closed] = open.splice(i >= 0 ? i : 0, 1);
    if (open.length === 0) this.#openByIp.delete(ip);
    if (closed === undefined) return;
    const n = (this.#openByDialect.get(closed) ?? 0) - 1;
    if (n > 0) this.#openByDialect.set(closed, n);
    else this.#openByDialect.delete(closed);
  }
}

function emptyNode(): NodeStatus {
  return {
    connected: false,
    network: "",
    synced: false,
    daaScore: 0n,
    blockCount: 0n,
    networkHashrate: 0n,
    difficulty: 0,
    templateAt: undefined,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
