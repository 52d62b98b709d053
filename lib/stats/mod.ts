// Public face of stats/: Stats (a MinerEvents sink), its snapshot types and the console formatters.
// Pure: no I/O; `http/` and `metrics/` read snapshots, main.ts prints the console lines.

export { Stats } from "./stats.ts";
export type {
  BalancesSnapshot,
  BalancesState,
  BlockColor,
  BlockRecord,
  NodeSnapshot,
  NodeStatus,
  ShareCounts,
  StatsOptions,
  StatsSnapshot,
  Totals,
  WalletBalance,
  WorkerSnapshot,
} from "./types.ts";
export {
  disconnectErrorName,
  protocolErrorName,
  shareErrorName,
  WORKER_ERROR_NAMES,
  type WorkerErrorName,
} from "./errors.ts";
export { HASHES_PER_DIFFICULTY, HashrateMeter, type Hashrates } from "./hashrate.ts";
export { Histogram, type HistogramSnapshot, LATENCY_BOUNDS_MS } from "./histogram.ts";
export { formatBlockFound, formatStatsTable, type TableOptions } from "./console.ts";
export { formatDifficulty, formatDuration, formatHashrate } from "./format.ts";
