import assert from "node:assert/strict";
import {
  formatExposition,
  formatExpositionChunks,
  formatLabels,
  type MetricFamily,
  MetricsError,
  withLabel,
} from "../../lib/metrics/exposition.ts";
import { collectMetrics, metricFamilies, renderMetrics } from "../../lib/metrics/mod.ts";
import { workersJson, workersJsonChunks } from "../../lib/http/api.ts";
import { slicedStream } from "../../lib/http/sliced.ts";
import { Stats } from "../../lib/stats/stats.ts";
import type { WorkerRef } from "../../lib/session/events.ts";

/** One parsed sample line. */
interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The value exactly as written. */
  raw: string;
}

interface ParsedFamily {
  help: string;
  type: string;
  samples: ParsedSample[];
}

/**
 * A small, strict reader of the text format, written from the format description (not from the
 * formatter): HELP/TYPE comments, sample lines with escaped label values. Throws on anything else.
 */
function parseExposition(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | undefined;
  let currentName = "";
  assert.ok(text === "" || text.endsWith("\n"), "document must end with a newline");
  for (const line of text.split("\n").slice(0, -1)) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help) {
      currentName = help[1] ?? "";
      assert.ok(!families.has(currentName), `family ${currentName} declared twice`);
      current = { help: unescape(help[2] ?? "", false), type: "", samples: [] };
      families.set(currentName, current);
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/
      .exec(line);
    if (type) {
      assert.equal(type[1], currentName, "TYPE must follow its HELP");
      assert.ok(current);
      current.type = type[2] ?? "";
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    const name = m[1] ?? "";
    assert.ok(current && name.startsWith(currentName), `${name} outside its family`);
    const raw = m[3] ?? "";
    assert.match(raw, /^(?:[+-]Inf|NaN|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/, `bad value ${raw}`);
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    current.samples.push({ name, labels: parseLabels(m[2] ?? ""), value, raw });
  }
  return families;
}

function parseLabels(block: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (block === "") return labels;
  let rest = block.slice(1, -1);
  while (rest.length > 0) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
    assert.ok(m, `bad labels: ${block}`);
    const key = m[1] ?? "";
    assert.ok(!(key in labels), `label ${key} twice`);
    labels[key] = unescape(m[2] ?? "", true);
    rest = rest.slice(m[0].length);
  }
  return labels;
}

function unescape(s: string, quotes: boolean): string {
  return s.replace(/\\(.)/g, (_, c: string) => {
    if (c === "n") return "\n";
    if (c === "\\") return "\\";
    if (c === '"' && quotes) return '"';
    throw new Error(`bad escape \\${c}`);
  });
}

/** The one sample of `family` whose labels include `want`. */
function sampleOf(
  parsed: Map<string, ParsedFamily>,
  family: string,
  want: Record<string, string> = {},
  name = family,
): ParsedSample {
  const f = parsed.get(family);
  assert.ok(f, `no family ${family}`);
  const hits = f.samples.filter((s) =>
    s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v)
  );
  assert.equal(hits.length, 1, `${name}${JSON.stringify(want)}: ${hits.length} matches`);
  return hits[0] as ParsedSample;
}

Deno.test("exposition writes HELP, TYPE and samples that parse back to the same labels and values", () => {
  const tricky = 'C:\\miners\\"rig"\nline2 ünïcode';
  const text = formatExposition([
    {
      name: "ks_demo_counter",
      help: "Counts things\\stuff\nsecond line",
      type: "counter",
      samples: [{ value: 3 }, { labels: { worker: tricky, ip: "10.0.0.1" }, value: 0.5 }],
    },
    {
      name: "ks_demo_gauge",
      help: "Odd values",
      type: "gauge",
      samples: [
        { labels: { v: "inf" }, value: Infinity },
        { labels: { v: "-inf" }, value: -Infinity },
        { labels: { v: "nan" }, value: NaN },
        { labels: { v: "big" }, value: 2n ** 64n + 1n },
        { labels: { v: "tiny" }, value: 5e-7 },
        { labels: { v: "huge" }, value: 1e21 },
        { labels: { v: "negzero" }, value: -0 },
      ],
    },
  ]);
  const parsed = parseExposition(text);
  const c = parsed.get("ks_demo_counter");
  assert.equal(c?.type, "counter");
  assert.equal(c?.help, "Counts things\\stuff\nsecond line");
  const bare = c?.samples.filter((x) => Object.keys(x.labels).length === 0);
  assert.deepEqual(bare?.map((x) => x.raw), ["3"]);
  assert.equal(sampleOf(parsed, "ks_demo_counter", { worker: tricky }).value, 0.5);
  assert.equal(sampleOf(parsed, "ks_demo_counter", { worker: tricky }).labels.ip, "10.0.0.1");
  assert.equal(sampleOf(parsed, "ks_demo_gauge", { v: "inf" }).raw, "+Inf");
  assert.equal(sampleOf(parsed, "ks_demo_gauge", { v: "-inf" }).raw, "-Inf");
  assert.equal(sampleOf(parsed, "ks_demo_gauge", { v: "nan" }).raw, "NaN");
  assert.equal(sampleOf(parsed, "ks_demo_gauge", { v: "big" }).raw, "18446744073709551617");
  assert.equal(sampleOf(parsed, "ks_demo_gauge", { v: "tiny" }).value, 5e-7);
  assert.equal(sampleOf(parsed, "ks_demo_gauge", { v: "huge" }).value, 1e21);
  assert.equal(sampleOf(parsed, "ks_demo_gauge", { v: "negzero" }).raw, "0");
  assert.ok(!text.includes("\nline2"), "a raw newline inside a label would break the line format");
});

Deno.test("exposition writes histograms as cumulative buckets ending in +Inf, then sum and count", () => {
  const text = formatExposition([{
    name: "ks_demo_seconds",
    help: "Latency",
    type: "histogram",
    samples: [{ labels: { op: "x" }, bounds: [0.01, 0.1], counts: [2, 3, 1], sum: 1.25, count: 6 }],
  }]);
  const parsed = parseExposition(text);
  assert.equal(parsed.get("ks_demo_seconds")?.type, "histogram");
  const bucket = (le: string) =>
    sampleOf(parsed, "ks_demo_seconds", { op: "x", le }, "ks_demo_seconds_bucket").value;
  assert.equal(bucket("0.01"), 2);
  assert.equal(bucket("0.1"), 5);
  assert.equal(bucket("+Inf"), 6);
  assert.equal(sampleOf(parsed, "ks_demo_seconds", { op: "x" }, "ks_demo_seconds_sum").value, 1.25);
  assert.equal(sampleOf(parsed, "ks_demo_seconds", { op: "x" }, "ks_demo_seconds_count").value, 6);
});

Deno.test("exposition refuses families Prometheus would reject", () => {
  const fam = (over: Partial<MetricFamily>): MetricFamily =>
    ({ name: "ok", help: "h", type: "gauge", samples: [{ value: 1 }], ...over }) as MetricFamily;
  const code = (fams: MetricFamily[]) => {
    try {
      formatExposition(fams);
    } catch (e) {
      assert.ok(e instanceof MetricsError);
      return e.code;
    }
    return "no error";
  };
  assert.equal(code([fam({ name: "1bad" })]), "invalid-metric-name");
  assert.equal(code([fam({ name: "bad-name" })]), "invalid-metric-name");
  assert.equal(
    code([fam({ samples: [{ labels: { "a-b": "x" }, value: 1 }] })]),
    "invalid-label-name",
  );
  assert.equal(
    code([fam({ samples: [{ labels: { __name__: "x" }, value: 1 }] })]),
    "invalid-label-name",
  );
  assert.equal(
    code([fam({ samples: [{ labels: { a: "1" }, value: 1 }, { labels: { a: "1" }, value: 2 }] })]),
    "duplicate-series",
  );
  assert.equal(code([fam({}), fam({})]), "duplicate-series");
  assert.equal(
    code([{
      name: "h",
      help: "h",
      type: "histogram",
      samples: [{ bounds: [1], counts: [1], sum: 0, count: 1 }],
    }]),
    "bad-histogram",
  );
  assert.equal(
    code([{
      name: "h",
      help: "h",
      type: "histogram",
      samples: [{ labels: { le: "1" }, bounds: [1], counts: [1, 0], sum: 0, count: 1 }],
    }]),
    "invalid-label-name",
  );
  assert.equal(code([fam({ name: "ns:ok_total" })]), "no error");
});

Deno.test("exposition splits a long family over chunks, still checking label sets across them", () => {
  const samples = Array.from({ length: 7 }, (_, i) => ({ labels: { n: String(i) }, value: i }));
  const fams: MetricFamily[] = [
    { name: "long", help: "h", type: "gauge", samples },
    { name: "short", help: "h", type: "gauge", samples: [{ value: 1 }] },
  ];
  const chunks = [...formatExpositionChunks(fams, 3)];
  // long: 3 + 3 + 1 series; short starts its own chunk.
  assert.equal(chunks.length, 4);
  assert.ok(chunks[0]!.startsWith('# HELP long h\n# TYPE long gauge\nlong{n="0"} 0\n'));
  assert.equal(chunks[1], 'long{n="3"} 3\nlong{n="4"} 4\nlong{n="5"} 5\n');
  assert.ok(chunks[3]!.startsWith("# HELP short h\n"));
  assert.equal(chunks.join(""), formatExposition(fams));
  const dup = [{
    name: "d",
    help: "h",
    type: "gauge" as const,
    samples: [...samples, samples[0]!],
  }];
  assert.throws(() => [...formatExpositionChunks(dup, 3)], /duplicate-series/);
});

Deno.test("exposition: preformatted label text and withLabel print what labels objects print", () => {
  const base = { worker: 'rig "1"\\a', miner: "lolMiner\n1.88", wallet: "kaspa:qz", ip: "::1" };
  const text = formatLabels(base);
  const viaText = formatExposition([{
    name: "m",
    help: "h",
    type: "counter",
    samples: [
      { labelText: text, value: 1 },
      { labelText: withLabel(text, "type", 'st"ale'), value: 2 },
      { labelText: withLabel("", "window", "1m"), value: 3 },
    ],
  }]);
  const viaObjects = formatExposition([{
    name: "m",
    help: "h",
    type: "counter",
    samples: [
      { labels: base, value: 1 },
      { labels: { ...base, type: 'st"ale' }, value: 2 },
      { labels: { window: "1m" }, value: 3 },
    ],
  }]);
  assert.equal(viaText, viaObjects);
  assert.equal(parseExposition(viaText).get("m")?.samples[1]?.labels.type, 'st"ale');
  assert.throws(() => withLabel(text, "bad-name", "x"), /invalid-label-name/);
});

Deno.test("metrics: per-worker families have distinct label sets, even for look-alike workers", () => {
  // The per-worker families skip the formatter's repeated-label-set check (they are distinct by
  // construction); these workers are the cases where a label set could collide.
  const stats = new Stats({ now: () => 5_000 });
  const workers: WorkerRef[] = [
    { worker: "", wallet: "kaspa:qa", miner: "m", ip: "10.0.0.1", dialect: "array" },
    { worker: "@10.0.0.1", wallet: "kaspa:qa", miner: "m", ip: "10.0.0.1", dialect: "array" },
    { worker: "", wallet: "kaspa:qa", miner: "m", ip: "10.0.0.2", dialect: "bighex" },
    // The same worker back from another IP first: its record shows the latest, below.
    { worker: "rig", wallet: "kaspa:qa", miner: "other", ip: "10.0.0.9", dialect: "bitmain" },
    { worker: "rig", wallet: "kaspa:qa", miner: "m", ip: "10.0.0.1", dialect: "array" },
    // Differs from the one above only by wallet.
    { worker: "rig", wallet: "kaspa:qb", miner: "m", ip: "10.0.0.1", dialect: "array" },
  ];
  for (const who of workers) {
    stats.authorized(who);
    stats.share({ who, outcome: "valid", difficulty: 1, at: 4_000 });
    stats.share({ who, outcome: "stale", difficulty: 1, at: 4_000 });
  }
  const tracked = stats.snapshot().workers.length;
  for (const [name, f] of parseExposition(renderMetrics(stats.snapshot(), PROC))) {
    const sets = f.samples.map((s) =>
      `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`
    );
    assert.equal(new Set(sets).size, sets.length, `${name} repeats a label set`);
  }
  assert.ok(tracked >= 4, `expected several tracked workers, got ${tracked}`);
});

Deno.test("exposition of no families is an empty document", () => {
  assert.equal(formatExposition([]), "");
});

const RIG: WorkerRef = {
  worker: "rig1",
  wallet: "kaspa:qrig",
  miner: "IceRiverMiner-v1.1",
  ip: "192.168.1.50",
  dialect: "bighex",
};
const RIG_LABELS = {
  worker: "rig1",
  miner: "IceRiverMiner-v1.1",
  wallet: "kaspa:qrig",
  ip: "192.168.1.50",
};
const PROC = { version: "0.1.0", uptimeMs: 90_500, rssBytes: 52_428_800 };

function fedStats(): { stats: Stats; advance: (ms: number) => void } {
  let t = 1_700_000_000_000;
  const stats = new Stats({ now: () => t });
  stats.connected(RIG.ip, "bighex");
  stats.connected("10.0.0.9", "array");
  stats.authorized(RIG);
  stats.difficultyChanged(RIG, 4096);
  for (let i = 0; i < 3; i++) stats.jobSent(RIG);
  for (const outcome of ["valid", "valid", "valid", "stale", "weak", "weak"] as const) {
    stats.share({ who: RIG, outcome, difficulty: 4096, at: t });
  }
  stats.protocolError(RIG, -32601);
  stats.protocolError(undefined, 24, "no-address");
  stats.blockFound({
    who: RIG,
    hash: "ab".repeat(32),
    daaScore: 90_000_001n,
    nonce: 0x1234n,
    blueScore: 88_000_000n,
    verdict: "accepted",
    at: t,
  });
  stats.blockColor("ab".repeat(32), false);
  stats.setNode({
    connected: true,
    network: "kaspa-devnet",
    synced: true,
    daaScore: 90_000_002n,
    blockCount: 123_456n,
    networkHashrate: 2n ** 60n,
    difficulty: 1234.5,
    templateAt: t,
  });
  stats.observeFanout(3);
  stats.observeFanout(40);
  stats.observeNodeRpc(7);
  return { stats, advance: (ms) => (t += ms) };
}

Deno.test("metrics carry every ks_* name existing Grafana dashboards read, with their types", () => {
  const { stats } = fedStats();
  const parsed = parseExposition(renderMetrics(stats.snapshot(), PROC));
  const legacy: Record<string, string> = {
    ks_valid_share_counter: "counter",
    ks_valid_share_diff_counter: "counter",
    ks_invalid_share_counter: "counter",
    ks_blocks_mined: "counter",
    ks_mined_blocks_gauge: "gauge",
    ks_worker_disconnect_counter: "counter",
    ks_worker_job_counter: "counter",
    ks_worker_errors: "counter",
    ks_estimated_network_hashrate_gauge: "gauge",
    ks_network_difficulty_gauge: "gauge",
    ks_network_block_count: "gauge",
    ks_worker_current_difficulty: "gauge",
    ks_worker_start_time: "gauge",
    ks_blocks_accepted_by_node: "counter",
    ks_blocks_not_confirmed_blue: "counter",
  };
  for (const [name, type] of Object.entries(legacy)) {
    assert.equal(parsed.get(name)?.type, type, name);
  }
});

Deno.test("metrics report a worker's shares, blocks, jobs and errors under its labels", () => {
  const { stats } = fedStats();
  const p = parseExposition(renderMetrics(stats.snapshot(), PROC));
  assert.equal(sampleOf(p, "ks_valid_share_counter", RIG_LABELS).value, 3);
  assert.deepEqual(sampleOf(p, "ks_valid_share_counter", RIG_LABELS).labels, RIG_LABELS);
  // The bridges' unit: difficulty x 2^32 / 1e9 per share, so rate(...) x 1e9 is hashes per second.
  const work = sampleOf(p, "ks_valid_share_diff_counter", RIG_LABELS).value;
  assert.ok(Math.abs(work - 3 * 4096 * 2 ** 32 / 1e9) < 1e-9, String(work));
  const invalid = (type: string) =>
    sampleOf(p, "ks_invalid_share_counter", { ...RIG_LABELS, type }).value;
  assert.deepEqual(
    ["stale", "duplicate", "invalid", "weak"].map(invalid),
    [1, 0, 0, 2],
  );
  assert.equal(sampleOf(p, "ks_blocks_mined", RIG_LABELS).value, 1);
  assert.equal(sampleOf(p, "ks_blocks_accepted_by_node", RIG_LABELS).value, 1);
  assert.equal(sampleOf(p, "ks_blocks_not_confirmed_blue", RIG_LABELS).value, 1);
  assert.deepEqual(sampleOf(p, "ks_mined_blocks_gauge", RIG_LABELS).labels, {
    ...RIG_LABELS,
    nonce: "4660",
    bluescore: "88000000",
    timestamp: "1700000000", // seconds, as the Rust bridge writes it
    hash: "ab".repeat(32),
  });
  assert.equal(sampleOf(p, "ks_worker_job_counter", RIG_LABELS).value, 3);
  assert.equal(sampleOf(p, "ks_worker_current_difficulty", RIG_LABELS).value, 4096);
  assert.equal(sampleOf(p, "ks_worker_start_time", RIG_LABELS).value, 1_700_000_000);
  const errors = (wallet: string, error: string) =>
    sampleOf(p, "ks_worker_errors", { wallet, error }).value;
  assert.equal(errors("kaspa:qrig", "err_missing_job"), 1, "the stale share's job was gone");
  assert.equal(errors("kaspa:qrig", "err_bad_data_from_miner"), 1, "the unknown method");
  assert.equal(errors("", "err_no_miner_address"), 1);
  stats.disconnected(RIG, RIG.ip, "eof");
  const after = parseExposition(renderMetrics(stats.snapshot(), PROC));
  assert.equal(sampleOf(after, "ks_worker_disconnect_counter", RIG_LABELS).value, 1);
});

Deno.test("metrics report the network, the node link and kstratum's own latencies", () => {
  const { stats, advance } = fedStats();
  advance(1500);
  const p = parseExposition(renderMetrics(stats.snapshot(), PROC));
  assert.equal(sampleOf(p, "ks_estimated_network_hashrate_gauge").raw, "1152921504606846976");
  assert.equal(sampleOf(p, "ks_network_difficulty_gauge").value, 1234.5);
  assert.equal(sampleOf(p, "ks_network_block_count").value, 123_456);
  assert.equal(sampleOf(p, "ks_node_synced").value, 1);
  assert.equal(sampleOf(p, "ks_node_daa_score").raw, "90000002");
  assert.equal(sampleOf(p, "ks_template_age_seconds").value, 1.5);
  const fan = (le: string) =>
    sampleOf(p, "ks_job_fanout_seconds", { le }, "ks_job_fanout_seconds_bucket").value;
  assert.equal(fan("0.0025"), 0);
  assert.equal(fan("0.005"), 1);
  assert.equal(fan("0.05"), 2);
  assert.equal(fan("+Inf"), 2);
  assert.equal(sampleOf(p, "ks_job_fanout_seconds", {}, "ks_job_fanout_seconds_sum").value, 0.043);
  assert.equal(sampleOf(p, "ks_node_rpc_seconds", {}, "ks_node_rpc_seconds_count").value, 1);
  // ks_connections keeps the spec letters dashboards were built on (array A, bighex B).
  assert.equal(sampleOf(p, "ks_connections", { dialect: "A" }).value, 1);
  assert.equal(sampleOf(p, "ks_connections", { dialect: "B" }).value, 1);
  assert.equal(sampleOf(p, "ks_shares_total", { outcome: "weak" }).value, 2);
  assert.equal(sampleOf(p, "ks_blocks_colored_total", { color: "red" }).value, 1);
  assert.equal(sampleOf(p, "ks_process_uptime_seconds").value, 90.5);
  assert.equal(sampleOf(p, "ks_process_resident_memory_bytes").value, 52_428_800);
  assert.equal(sampleOf(p, "ks_build_info", { version: "0.1.0" }).value, 1);
  assert.ok(sampleOf(p, "ks_worker_hashrate", { ...RIG_LABELS, window: "1m" }).value > 0);
  assert.ok(sampleOf(p, "ks_hashrate", { window: "1h" }).value > 0);
});

Deno.test("metrics leave out the network before the node is known", () => {
  const p = parseExposition(renderMetrics(new Stats({ now: () => 0 }).snapshot(), PROC));
  assert.equal(p.get("ks_estimated_network_hashrate_gauge")?.samples.length, 0);
  assert.equal(p.get("ks_template_age_seconds")?.samples.length, 0);
  assert.equal(p.get("ks_valid_share_counter")?.samples.length, 0);
});

Deno.test("metrics series per worker stay within the worker cap", () => {
  let t = 0;
  const stats = new Stats({ now: () => t, maxWorkers: 3 });
  for (let i = 0; i < 50; i++) {
    const who = { ...RIG, worker: `w${i}`, ip: `10.0.${i}.1` };
    stats.share({ who, outcome: "valid", difficulty: 1, at: t++ });
    stats.protocolError(who, 20 + (i % 6));
  }
  const p = parseExposition(renderMetrics(stats.snapshot(), PROC));
  assert.equal(p.get("ks_valid_share_counter")?.samples.length, 3);
  assert.equal(p.get("ks_invalid_share_counter")?.samples.length, 12);
  assert.equal(p.get("ks_worker_hashrate")?.samples.length, 9);
  assert.equal(sampleOf(p, "ks_shares_total", { outcome: "valid" }).value, 50);
  assert.equal(sampleOf(p, "ks_workers_untracked_events_total").value, 94);
});

/** Everything `stream` yields, one string per chunk. */
async function readChunks(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(decoder.decode(r.value));
  }
  return chunks;
}

/** A snapshot of `n` workers named `${prefix}0`, `${prefix}1`, ..., one valid share each. */
function workersSnapshot(n: number, prefix = "rig") {
  const stats = new Stats({ now: () => 1_000 });
  for (let i = 0; i < n; i++) {
    const who: WorkerRef = {
      worker: `${prefix}${i}`,
      wallet: "kaspa:qz",
      miner: "lolMiner 1.88",
      ip: "10.0.0.1",
      dialect: "array",
    };
    stats.authorized(who);
    stats.share({ who, outcome: "valid", difficulty: 4, at: 1_000 });
  }
  return stats.snapshot();
}

Deno.test("streamed /metrics: the same document as renderMetrics, a family per chunk or more", async () => {
  const snap = workersSnapshot(50);
  const families = collectMetrics(snap, PROC).length;
  const chunks = await readChunks(slicedStream(formatExpositionChunks(metricFamilies(snap, PROC))));
  assert.equal(chunks.length, families, "one chunk per family");
  assert.ok(chunks.every((c) => c.startsWith("# HELP ") && c.endsWith("\n")));
  assert.equal(chunks.join(""), renderMetrics(snap, PROC));
  // 50 workers, 20 series a chunk: every per-worker family (50 or 200 series) spans chunks.
  const pieces = await readChunks(
    slicedStream(formatExpositionChunks(metricFamilies(snap, PROC), 20)),
  );
  assert.ok(pieces.length > families + 20, `${pieces.length} chunks`);
  assert.ok(pieces.every((c) => c.endsWith("\n") && c.split("\n").length <= 20 + 3));
  assert.equal(pieces.join(""), renderMetrics(snap, PROC));
});

Deno.test("streamed /api/workers: the same JSON as one stringify, in pieces", async () => {
  for (const n of [0, 1, 450]) {
    const snap = workersSnapshot(n, 'rig"'); // a quote in every name, escaped by JSON
    const chunks = await readChunks(slicedStream(workersJsonChunks(snap, Infinity, 200)));
    assert.equal(chunks.join(""), JSON.stringify(workersJson(snap)), `${n} workers`);
    assert.equal(chunks.length, 2 + Math.ceil(n / 200), `${n} workers: head, pieces, tail`);
    assert.equal(JSON.parse(chunks.join("")).workers.length, n);
    // ?limit= (the dashboard's): the first 7, the total still counts all.
    const first = (await readChunks(slicedStream(workersJsonChunks(snap, 7, 3)))).join("");
    assert.equal(first, JSON.stringify(workersJson(snap, 7)));
    assert.deepEqual(
      [JSON.parse(first).total, JSON.parse(first).workers.length],
      [n, Math.min(n, 7)],
    );
  }
});

Deno.test("metrics: the instance setting puts instance first on every series, and is off by default", () => {
  const { stats } = fedStats();
  stats.setBalances([{ address: "kaspa:qrig", sompi: 250_000_000n }], 0);
  const snap = stats.snapshot();
  const plain = renderMetrics(snap, PROC);
  assert.doesNotMatch(plain, /instance=/, "no instance label unless asked");
  const text = renderMetrics(snap, { ...PROC, instance: "rack-2" });
  const series = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  assert.equal(
    series.length,
    plain.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length,
  );
  for (const line of series) assert.match(line, /^[a-z_]+\{instance="rack-2"[,}]/, line);
  const p = parseExposition(text);
  assert.equal(
    sampleOf(p, "ks_valid_share_counter", { ...RIG_LABELS, instance: "rack-2" }).value,
    3,
    "per-worker series as the Rust bridge labels them",
  );
  assert.equal(
    sampleOf(p, "ks_balance_by_wallet_gauge", { instance: "rack-2", wallet: "kaspa:qrig" }).value,
    2.5,
    "balances in KAS",
  );
});
