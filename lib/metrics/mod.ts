// Public face of metrics/: the Prometheus text formatter and the kstratum metric set.
// Pure: `http/` streams formatExpositionChunks(metricFamilies(...)) on each scrape.

import type { StatsSnapshot } from "../stats/mod.ts";
import { formatExposition } from "./exposition.ts";
import { collectMetrics, type ProcessInfo } from "./kstratum.ts";

export {
  escapeHelp,
  escapeLabelValue,
  EXPOSITION_CONTENT_TYPE,
  formatExposition,
  formatExpositionChunks,
  formatValue,
  type HistogramSample,
  type Labels,
  type MetricFamily,
  MetricsError,
  type MetricsErrorCode,
  type Sample,
} from "./exposition.ts";
export {
  collectMetrics,
  metricFamilies,
  type ProcessInfo,
  SHARE_DIFF_UNIT,
  SOMPI_PER_KAS,
  sompiToKas,
} from "./kstratum.ts";

/**
 * The /metrics document for one snapshot.
 *
 * @example
 * ```ts
 * import { renderMetrics } from "./mod.ts";
 * import { Stats } from "../stats/stats.ts";
 * const text = renderMetrics(new Stats().snapshot(), { version: "0.1.0", uptimeMs: 0, rssBytes: 0 });
 * if (!text.startsWith("# HELP ks_")) throw new Error();
 * ```
 */
export function renderMetrics(snap: StatsSnapshot, proc: ProcessInfo): string {
  return formatExposition(collectMetrics(snap, proc));
}
