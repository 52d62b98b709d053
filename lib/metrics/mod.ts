// Public face of metrics/: the Prometheus text formatter and the kstratum metric set.
// Pure: `http/` calls renderMetrics on each scrape.

import type { StatsSnapshot } from "../stats/mod.ts";
import { DEFAULT_CHUNK_LINES, formatExposition, formatExpositionChunks } from "./exposition.ts";
import { collectMetrics, metricFamilies, type ProcessInfo } from "./kstratum.ts";

export {
  DEFAULT_CHUNK_LINES,
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
export { collectMetrics, metricFamilies, type ProcessInfo } from "./kstratum.ts";

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

/** Work done between two timer turns of a streamed scrape, ms. */
const SLICE_MS = 8;

/**
 * The /metrics document as a byte stream, formatted in slices of about 8 ms with a timer turn of
 * the event loop between them. Chunks are small (a family, or `linesPerChunk` series of a
 * per-worker family) and each family is built only when its turn comes. Why: at 10,000 workers
 * the document is 28 MB; built and formatted in one piece it held every other request, share
 * reply and job for 300-500 ms per scrape, and 300 KB chunks went to V8's large-object space,
 * which only a full GC frees (RSS grew by about 100 MB more per burst of scrapes). A timer, not a
 * microtask or a stream pull alone: Deno polls its sockets only when its loop sleeps.
 */
export function metricsStream(
  snap: StatsSnapshot,
  proc: ProcessInfo,
  linesPerChunk: number = DEFAULT_CHUNK_LINES,
): ReadableStream<Uint8Array> {
  const chunks = formatExpositionChunks(metricFamilies(snap, proc), linesPerChunk);
  const encoder = new TextEncoder();
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!first) await new Promise((resolve) => setTimeout(resolve, 0));
      first = false;
      const until = performance.now() + SLICE_MS;
      do {
        const next = chunks.next();
        if (next.done) return controller.close();
        controller.enqueue(encoder.encode(next.value));
      } while (performance.now() < until);
    },
    cancel() {
      chunks.return(undefined);
    },
  }, { highWaterMark: 0 });
}
