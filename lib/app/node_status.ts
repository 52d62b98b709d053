// Keeps the stats' view of the node fresh: DAG info, network hashrate and RPC latency.
// Polls on a timer at the edge; every failure is logged once per streak, never thrown.

import type { Logger } from "../log/mod.ts";
import type { Stats } from "../stats/mod.ts";
import type { NodeClient } from "../kaspa/mod.ts";
import type { TemplateService } from "../templates/mod.ts";

/** Starts polling every `intervalMs` (ms). Returns a stop function. */
export function pollNodeStatus(
  deps: { node: NodeClient; service: TemplateService; stats: Stats; log: Logger },
  intervalMs: number,
): () => void {
  const { node, service, stats, log } = deps;
  let failing = false;
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    const status = service.status();
    stats.setNode({
      connected: status.connected,
      synced: status.synced,
      templateAt: status.lastJobAt,
      ...(status.network === undefined ? {} : { network: status.network }),
    });
    try {
      if (!status.connected) return;
      const started = performance.now();
      const dag = await node.getDagInfo();
      stats.observeNodeRpc(performance.now() - started);
      stats.setNode({
        network: dag.networkName,
        blockCount: dag.blockCount,
        difficulty: dag.difficulty,
        daaScore: dag.virtualDaaScore,
      });
      // A young DAG has too few blocks for the estimate window: the node answers an error.
      const hashrate = await node.estimateNetworkHashesPerSecond(1000).catch(() => undefined);
      if (hashrate !== undefined) stats.setNode({ networkHashrate: hashrate });
      if (failing) log.info("node status readable again");
      failing = false;
    } catch (err) {
      if (!failing) log.warn("node status poll failed", { error: String(err) });
      failing = true;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  // Refresh at once when the link comes up or drops, not only on the next period.
  const unlisten = node.onConnectionChange(() => setTimeout(() => void tick(), 50));
  void tick();
  return () => {
    clearInterval(timer);
    unlisten();
  };
}
