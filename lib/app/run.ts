// Builds and runs the whole server from a resolved Config: node link, templates, Stratum
// listeners, the gRPC mining front, HTTP, console stats. main.ts and end-to-end tests call it.

import type { Config, NodeEndpoint } from "../config/mod.ts";
import { limitPerSource, type Logger } from "../log/mod.ts";
import { StratumServer } from "../net/mod.ts";
import { createNodeClient } from "../node/mod.ts";
import { GrpcMiningFront } from "../grpcfront/mod.ts";
import { StratumThreads } from "../threads/mod.ts";
import { type HttpServer, startHttp } from "../http/mod.ts";
import { formatStatsTable, Stats } from "../stats/mod.ts";
import { TemplateService } from "../templates/mod.ts";
import { FdReserve, openExecutable, systemClock } from "../runtime/mod.ts";
import { HistoryStore, RewardFollower, Sampler, type StoredBlock } from "../history/mod.ts";
import type { BlockEvent } from "../session/mod.ts";
import { BalanceWatch } from "./balances.ts";
import { eventsTee } from "./events.ts";
import { pollNodeStatus } from "./node_status.ts";
import { addressValidatorOf, listenerOptionsOf, serverOptionsOf, threadCountOf } from "./wiring.ts";

/** What the running server exposes to main.ts and tests. */
export interface Running {
  /** Stratum listeners as bound (real ports when 0 was configured). */
  stratum: { name: string; hostname: string; port: number; tls: boolean }[];
  /** Threads serving Stratum miners (1: the main thread itself). */
  threads: number;
  /** gRPC mining front port, when enabled. */
  grpcFrontPort: number | undefined;
  /** HTTP address, when enabled. */
  http: Deno.NetAddr | undefined;
  /** Live share, worker and block statistics (what /api and /metrics read). */
  stats: Stats;
  /** The template service: node link, jobs per payout address, block submission. */
  service: TemplateService;
  /** The history store, when data_dir is set (it may be off after a storage fault). */
  history: HistoryStore | undefined;
  /**
   * Graceful stop (drain): /health turns 503 draining, listeners close, miners are asked to
   * reconnect, in-flight share replies and blocks finish within drain_timeout_ms; then the node
   * link, HTTP and the rest close.
   */
  stop(): Promise<void>;
}

/** What run.ts needs of the Stratum side, whether on the main thread or on N threads. */
type StratumSide = Pick<StratumServer, "listen" | "listeners" | "accepting" | "shutdown">;

/** Extra knobs that are not user configuration. */
export interface RunOptions {
  /** Where every part of the server logs. */
  log: Logger;
  /** kstratum version for the dashboard and metrics. */
  version: string;
  /** Console stats table period, ms (0 = off). Default 60000. */
  statsEveryMs?: number;
  /** Node status poll period, ms. Default 5000. */
  nodeStatusEveryMs?: number;
  /** History flush period (one write transaction), ms. Default 5000. */
  historyFlushMs?: number;
  /** Reward follow-up poll period, ms. Default 5000. */
  rewardPollMs?: number;
  /** Descriptors held in reserve for the node link; 0 keeps none. Default FD_RESERVE (16). */
  fdReserve?: number;
}

/**
 * Spare file descriptors kstratum holds for the node link (docs/robustness.md, Budgets). A connect
 * takes one socket; 16 covers a pass over several endpoints and the listeners rebinding meanwhile,
 * and costs 16 of a limit that should be in the thousands (the systemd unit sets 65536).
 */
export const FD_RESERVE = 16;

/** A node endpoint as the node module's URL form. */
export function nodeUrl(endpoint: NodeEndpoint): string {
  return endpoint.kind === "wrpc" ? endpoint.url : `${endpoint.host}:${endpoint.port}`;
}

/**
 * Starts everything. Throws (after closing what it opened) when a listener cannot bind, e.g.
 * Deno.errors.AddrInUse, or when another kstratum holds data_dir (HistoryLockedError); node
 * trouble never throws here: the link reconnects in the background, and a storage fault only
 * turns history off.
 */
export async function startKstratum(config: Config, opts: RunOptions): Promise<Running> {
  // Lines about one miner IP are budgeted per minute (hole 8: 20,000 authorize lines must not
  // become 20,000 log lines); lines naming no IP, such as found blocks, always pass.
  const log = limitPerSource(opts.log, { perWindow: config.log.linesPerIp });
  const clock = systemClock;
  // First, so a second kstratum on the same data_dir refuses before it binds any port.
  const history = config.dataDir === undefined ? undefined : HistoryStore.open({
    dataDir: config.dataDir,
    log: log.child({ part: "history" }),
    now: clock.now,
    flushMs: opts.historyFlushMs ?? 5000,
    handover: config.historyHandover,
  });
  if (history?.status.on) log.info("history kept", { path: history.path });
  const stats = new Stats({ maxWorkers: config.maxWorkers });
  const reserve = startReserve(opts.fdReserve ?? FD_RESERVE, log.child({ part: "fd-reserve" }));
  const node = createNodeClient({
    urls: config.nodes.map(nodeUrl),
    log: log.child({ part: "node" }),
    // Each (re)connect gets the reserve's descriptors, so a node restart during a descriptor
    // shortage reconnects at once; new miners are refused until the reserve is whole again.
    ...(reserve === undefined ? {} : { aroundConnect: (attempt) => reserve.lend(attempt) }),
  });
  const service = new TemplateService({
    node,
    log: log.child({ part: "templates" }),
    extraData: new TextEncoder().encode(config.extraData),
    coalesceMs: config.jobIntervalMs,
    pollMs: config.blockWaitMs,
    allowUnsynced: config.allowUnsynced,
    ...(config.network === undefined ? {} : { network: config.network }),
    onBlockColor: (hash, blue) => events.blockColor(hash, blue),
  });
  const balances = new BalanceWatch({
    node,
    stats,
    log: log.child({ part: "balances" }),
    everyMs: config.balanceRefreshMs,
  });
  const events = eventsTee(stats, log.child({ part: "blocks" }), {
    now: clock.now,
    publishedAt: (wallet) => service.currentJob(wallet)?.createdAt,
    onWallet: (address) => balances.see(address),
    ...(history === undefined ? {} : { onBlock: (b) => history.putBlock(storedBlockOf(b)) }),
  });

  const threads = threadCountOf(config.threads, {
    os: Deno.build.os,
    cores: navigator.hardwareConcurrency,
  });
  const stratum: StratumSide = threads === 1
    ? new StratumServer(serverOptionsOf(config), {
      jobs: service,
      submitter: service.submitter,
      events,
      validateAddress: addressValidatorOf(service),
      clock,
      log: log.child({ part: "stratum" }),
      ...(reserve === undefined ? {} : { reserve }),
    })
    : new StratumThreads(threads, serverOptionsOf(config), {
      jobs: service,
      submitter: service.submitter,
      findJob: (workKey) => service.jobByPrePowHash(workKey),
      network: () => service.network,
      events,
      log: log.child({ part: "stratum" }),
      logLevel: config.log.level,
      ...(reserve === undefined ? {} : { reserve: reserve.shared }),
    });
  const closers: Array<() => Promise<void> | void> = [];
  if (reserve !== undefined) closers.push(() => reserve.close());
  if (history !== undefined) closers.push(() => history.close());
  let draining = false;
  const stopAll = async (): Promise<void> => {
    // Drain first, with the node link and /health (503 draining) still up, so in-flight blocks
    // reach the node and balancers move miners away; then close the rest in reverse order.
    draining = true;
    try {
      await stratum.shutdown();
      // The final counts of this process, for reconciling across instances after it is gone.
      const t = stats.snapshot({ workers: false }).totals;
      log.info("drained", {
        shares_valid: t.shares.valid,
        blocks_found: t.blocks.found,
        blocks_accepted: t.blocks.accepted,
      });
    } catch (err) {
      log.warn("error while draining", { error: String(err) });
    }
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (err) {
        log.warn("error while stopping", { error: String(err) });
      }
    }
  };
  let rewardsUnsupported = () => false;
  try {
    if (stratum instanceof StratumThreads) {
      await stratum.start();
      log.info("stratum threads started", { threads });
    }
    for (const listener of config.listeners) await stratum.listen(listenerOptionsOf(listener));
    closers.push(() => stratum.shutdown());
    service.start();
    closers.push(() => service.stop());
    if (config.address !== undefined) balances.see(config.address);
    closers.push(balances.start());

    let grpcFrontPort: number | undefined;
    let front: GrpcMiningFront | undefined;
    if (config.grpcFront !== undefined) {
      front = new GrpcMiningFront({
        host: config.grpcFront.host,
        port: config.grpcFront.port,
        serverVersion: `kstratum ${opts.version}`,
        maxAddressesPerConnection: config.limits.maxAddressesPerConnection,
        maxConnectionsPerIp: config.grpcStreamsPerIp,
      }, {
        jobs: service,
        submitter: service.submitter,
        events,
        validateAddress: addressValidatorOf(service),
        synced: () => service.status().synced,
        clock,
        log: log.child({ part: "grpc-front" }),
      });
      const started = front;
      grpcFrontPort = await started.listen();
      closers.push(() => started.close());
    }

    let http: HttpServer | undefined;
    if (config.http !== undefined) {
      http = await startHttp({
        hostname: config.http.host,
        port: config.http.port,
        stats,
        version: opts.version,
        history: history === undefined ? undefined : {
          store: history,
          rewardsUnsupported: () => rewardsUnsupported(),
        },
        ...(config.metricsInstance === undefined
          ? {}
          : { metricsInstance: config.metricsInstance }),
        onDown: (e) => log.error("http cannot accept; retrying", { error: String(e) }),
        onUp: (downMs) => log.warn("http accepting again", { downMs }),
        health: () => {
          const s = service.status();
          return {
            nodeConnected: s.connected,
            nodeSynced: s.synced || config.allowUnsynced,
            // Every listener accepts: one that cannot (out of file descriptors) is unhealthy.
            listening: stratum.accepting && (front?.accepting ?? true) &&
              (http?.accepting ?? true),
            draining,
          };
        },
      });
      const server = http;
      closers.push(() => server.shutdown());
      log.info("http listening (dashboard, /metrics, /api, /health)", {
        address: `http://${http.addr.hostname}:${http.addr.port}/`,
      });
    }

    if (history !== undefined) {
      const sampler = new Sampler();
      const sampleTimer = setInterval(() => {
        const snap = stats.snapshot();
        const { farm, workers } = sampler.sample(snap);
        history.recordSamples(farm, workers, snap.now);
      }, config.historySampleMs);
      closers.push(() => clearInterval(sampleTimer));
      const follower = new RewardFollower({
        node,
        store: history,
        log: log.child({ part: "rewards" }),
        now: clock.now,
        everyMs: opts.rewardPollMs ?? 5000,
      });
      closers.push(follower.start());
      rewardsUnsupported = () => follower.rewardsUnsupported;
    }

    closers.push(pollNodeStatus({ node, service, stats, log }, opts.nodeStatusEveryMs ?? 5000));
    const statsEvery = opts.statsEveryMs ?? 60_000;
    if (statsEvery > 0) {
      const timer = setInterval(() => {
        const snap = stats.snapshot();
        if (snap.workers.length === 0) return;
        for (const line of formatStatsTable(snap, { version: opts.version })) log.info(line);
      }, statsEvery);
      closers.push(() => clearInterval(timer));
    }
    return {
      stratum: stratum.listeners,
      threads,
      grpcFrontPort,
      http: http?.addr,
      stats,
      service,
      history,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The descriptor reserve of `size` read-only handles on the executable, filled now; undefined for
 * size 0. Its shortages and its end (no read permission) are logged here.
 */
function startReserve(size: number, log: Logger): FdReserve | undefined {
  if (size <= 0) return undefined;
  const reserve = new FdReserve({
    size,
    open: openExecutable,
    clock: systemClock,
    events: {
      short: (held, of) =>
        log.warn("file descriptor reserve short: refusing new miners until it refills", {
          held,
          size: of,
        }),
      restored: (shortMs) => log.info("file descriptor reserve full again", { shortMs }),
      off: (error) =>
        log.warn("no file descriptor reserve: cannot open the executable", {
          error: String(error),
        }),
    },
  });
  reserve.fill();
  return reserve;
}

/** A found block as history first stores it: colour and reward follow later. */
export function storedBlockOf(b: BlockEvent): StoredBlock {
  return {
    hash: b.hash,
    foundAt: b.at,
    worker: b.who.worker === "" ? b.who.ip : b.who.worker,
    wallet: b.who.wallet,
    daaScore: b.daaScore,
    verdict: b.verdict,
    color: null,
    confirmations: null,
    mergingHash: null,
    rewardSompi: null,
    final: b.verdict !== "accepted",
  };
}
