// Miner events fanned out to the stats and to the log: one clear line per block and its verdict.
// Also derives job fan-out latency (job published → notify queued to a miner) for the metrics.

import type { Logger } from "../log/mod.ts";
import { formatBlockFound, type Stats } from "../stats/mod.ts";
import type { BlockEvent, MinerEvents, WorkerRef } from "../session/events.ts";

/**
 * Events to `stats`, block lines to `log`; `publishedAt(wallet)` is when its newest job appeared
 * (ms); `onWallet` hears every payout address a worker authorizes with or a block pays; `onBlock`
 * hears every found block (history records it).
 */
export function eventsTee(
  stats: Stats,
  log: Logger,
  opts: {
    now: () => number;
    publishedAt: (wallet: string) => number | undefined;
    onWallet?: (address: string) => void;
    onBlock?: (event: BlockEvent) => void;
  },
): MinerEvents {
  return {
    connected: (ip, dialect) => stats.connected(ip, dialect),
    disconnected: (who, ip, reason) => stats.disconnected(who, ip, reason),
    authorized(who) {
      stats.authorized(who);
      opts.onWallet?.(who.wallet);
      log.info("worker authorized", describe(who));
    },
    share: (event) => stats.share(event),
    jobSent(who) {
      stats.jobSent(who);
      const at = opts.publishedAt(who.wallet);
      if (at !== undefined) stats.observeFanout(Math.max(0, opts.now() - at));
    },
    difficultyChanged: (who, difficulty) => stats.difficultyChanged(who, difficulty),
    blockFound(event: BlockEvent) {
      stats.blockFound(event);
      opts.onWallet?.(event.who.wallet);
      opts.onBlock?.(event);
      const line = formatBlockFound(event);
      if (event.verdict === "accepted") log.info(line);
      else log.error(line, { reason: event.reason ?? "" });
    },
    blockColor(hash, blue) {
      stats.blockColor(hash, blue);
      if (blue) log.info("block is blue: it earns its reward", { hash });
      else log.warn("block is red: the DAG did not merge it as blue, no reward", { hash });
    },
    protocolError: (who, code, cause) => stats.protocolError(who, code, cause),
    proxyRejected: (reason) => stats.proxyRejected(reason),
    refused: (reason) => stats.refused(reason),
  };
}

function describe(who: WorkerRef): Record<string, string> {
  return {
    worker: who.worker,
    wallet: who.wallet,
    miner: who.miner,
    ip: who.ip,
    dialect: who.dialect,
  };
}
