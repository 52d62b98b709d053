// Prometheus text exposition format 0.0.4: metric families in, one text document out.
// Pure: no registry and no I/O; `kstratum.ts` builds the families from a stats snapshot.

/** Label name → value. */
export type Labels = Readonly<Record<string, string>>;

/** One counter or gauge series. Bigints are printed exactly. */
export interface Sample {
  /** The series' labels; none when absent. */
  labels?: Labels;
  /**
   * The labels already formatted by {@linkcode formatLabels} or {@linkcode withLabel}; used
   * instead of `labels` when present. For label sets shared by many series (a worker's), so they
   * are formatted once per scrape, not once per series.
   */
  labelText?: string;
  /** The value; bigints are printed exactly. */
  value: number | bigint;
}

/** One histogram series, in the metric's own unit (seconds for `_seconds` metrics). */
export interface HistogramSample {
  /** The series' labels ("le" is reserved); none when absent. */
  labels?: Labels;
  /** Upper bounds, increasing; +Inf is implied. */
  bounds: readonly number[];
  /** Per-bucket counts, NOT cumulative: one per bound plus one for values above every bound. */
  counts: readonly number[];
  /** Sum of observations. */
  sum: number;
  /** Number of observations. */
  count: number;
}

/** A named metric with its help text, type and series. */
export type MetricFamily =
  | {
    name: string;
    help: string;
    type: "counter" | "gauge";
    /**
     * The series, read once and in order; a generator builds each as it is formatted, so a long
     * family's samples die young instead of living across a streamed scrape's timer turns.
     */
    samples: Iterable<Sample>;
    /**
     * The builder guarantees no two samples share a label set (one per key of a map), so the
     * formatter skips its repeated-label-set check: at 10,000 workers that check was a fifth of
     * a scrape's CPU.
     */
    distinct?: boolean;
  }
  | { name: string; help: string; type: "histogram"; samples: readonly HistogramSample[] };

/** Why the formatter refused a family. */
export type MetricsErrorCode =
  | "invalid-metric-name"
  | "invalid-label-name"
  | "duplicate-series"
  | "bad-histogram";

/** A family the formatter refuses to print; a bug in whoever built it. */
export class MetricsError extends Error {
  /** Stable reason code. */
  readonly code: MetricsErrorCode;
  /** `detail` names the offending family, series or label. */
  constructor(code: MetricsErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = "MetricsError";
    this.code = code;
  }
}

/** The Content-Type of the text this module produces. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Formats metric families as Prometheus text (each with `# HELP` and `# TYPE`), ending in "\n".
 * Throws MetricsError on a bad name, a repeated label set or a malformed histogram.
 *
 * @example
 * ```ts
 * import { formatExposition } from "./exposition.ts";
 * const text = formatExposition([
 *   { name: "up", help: "Is it up", type: "gauge", samples: [{ labels: { job: "a" }, value: 1 }] },
 * ]);
 * if (text !== '# HELP up Is it up\n# TYPE up gauge\nup{job="a"} 1\n') throw new Error(text);
 * ```
 */
export function formatExposition(families: readonly MetricFamily[]): string {
  let text = "";
  for (const chunk of formatExpositionChunks(families)) text += chunk;
  return text;
}

/**
 * Most series lines in one chunk of {@linkcode formatExpositionChunks}: about 80 KB at a worker's
 * labels, under V8's 128 KB large-object size, so a chunk dies young instead of waiting for a
 * full GC.
 */
export const DEFAULT_CHUNK_LINES = 500;

/**
 * formatExposition in pieces for a streamed response (the caller may yield between chunks):
 * each family starts a new chunk, and a family longer than `maxLines` series lines (a per-worker
 * family at thousands of workers) continues over several. Each chunk ends in "\n". Families are
 * read from `families` one at a time, so a lazy iterable builds each only when its turn comes.
 * Names and repeated label sets are checked across the whole sequence; a bad family throws when
 * its chunk is reached.
 */
export function* formatExpositionChunks(
  families: Iterable<MetricFamily>,
  maxLines: number = DEFAULT_CHUNK_LINES,
): Generator<string> {
  const names = new Set<string>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new MetricsError("invalid-metric-name", f.name);
    if (names.has(f.name)) throw new MetricsError("duplicate-series", `family ${f.name} twice`);
    names.add(f.name);
    yield* familyChunks(f, Math.max(1, maxLines));
  }
}

function* familyChunks(f: MetricFamily, maxLines: number): Generator<string> {
  let out = [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`];
  let lines = 0;
  const seen = new Set<string>();
  const once = (labels: string): void => {
    if (seen.has(labels)) throw new MetricsError("duplicate-series", `${f.name}${labels}`);
    seen.add(labels);
  };
  if (f.type === "histogram") {
    for (const s of f.samples) {
      const base = s.labels ?? {};
      once(formatLabels(base));
      for (const line of histogramLines(f.name, base, s)) out.push(line);
      lines += s.bounds.length + 3;
      if (lines >= maxLines) {
        yield `${out.join("\n")}\n`;
        out = [];
        lines = 0;
      }
    }
  } else {
    const check = f.distinct !== true;
    for (const s of f.samples) {
      const labels = s.labelText ?? formatLabels(s.labels ?? {});
      if (check) once(labels);
      out.push(`${f.name}${labels} ${formatValue(s.value)}`);
      if (++lines >= maxLines) {
        yield `${out.join("\n")}\n`;
        out = [];
        lines = 0;
      }
    }
  }
  if (out.length > 0) yield `${out.join("\n")}\n`;
}

function histogramLines(name: string, labels: Labels, s: HistogramSample): string[] {
  if (s.counts.length !== s.bounds.length + 1) {
    throw new MetricsError(
      "bad-histogram",
      `${name}: ${s.counts.length} counts for ${s.bounds.length} bounds`,
    );
  }
  if ("le" in labels) throw new MetricsError("invalid-label-name", `${name}: "le" is reserved`);
  const lines: string[] = [];
  let cumulative = 0;
  for (let i = 0; i <= s.bounds.length; i++) {
    cumulative += s.counts[i] ?? 0;
    const le = i < s.bounds.length ? formatValue(s.bounds[i] ?? 0) : "+Inf";
    lines.push(`${name}_bucket${formatLabels({ ...labels, le })} ${formatValue(cumulative)}`);
  }
  const plain = formatLabels(labels);
  lines.push(
    `${name}_sum${plain} ${formatValue(s.sum)}`,
    `${name}_count${plain} ${formatValue(s.count)}`,
  );
  return lines;
}

/** Label names already checked (a handful per process; checking each series costs more). */
const goodLabelNames = new Set<string>();

/** Formatted label sets by object: a labels object shared by many series is formatted once. */
const formatted = new WeakMap<Labels, string>();

/**
 * `{a="x",b="y"}` with values escaped, or "" for no labels. Throws MetricsError on a bad label
 * name. Cached per labels object.
 */
export function formatLabels(labels: Labels): string {
  const hit = formatted.get(labels);
  if (hit !== undefined) return hit;
  const text = formatLabelsUncached(labels);
  formatted.set(labels, text);
  return text;
}

function formatLabelsUncached(labels: Labels): string {
  let out = "";
  for (const k in labels) out += `${out === "" ? "{" : ","}${label(k, labels[k] ?? "")}`;
  return out === "" ? "" : `${out}}`;
}

/** `name="value"` with the value escaped; throws MetricsError on a bad name. */
function label(name: string, value: string): string {
  if (!goodLabelNames.has(name)) {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) {
      throw new MetricsError("invalid-label-name", name);
    }
    goodLabelNames.add(name);
  }
  return `${name}="${escapeLabelValue(value)}"`;
}

/**
 * `text` (from {@linkcode formatLabels}) with one more label, e.g. a worker's labels plus
 * `type="stale"`, without formatting the others again. Throws MetricsError on a bad name.
 */
export function withLabel(text: string, name: string, value: string): string {
  const more = label(name, value);
  return text === "" ? `{${more}}` : `${text.slice(0, -1)},${more}}`;
}

const NEEDS_ESCAPE = /[\\"\n]/;

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes HELP text: backslash and newline. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as Prometheus reads it: +Inf, -Inf, NaN, exact bigints, shortest floats. */
export function formatValue(v: number | bigint): string {
  if (typeof v === "bigint") return v.toString();
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return Object.is(v, -0) ? "0" : String(v);
}
