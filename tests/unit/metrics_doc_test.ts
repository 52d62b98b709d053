import assert from "node:assert/strict";
import { renderMetrics } from "../../lib/metrics/mod.ts";
import { Stats } from "../../lib/stats/mod.ts";
import DOC from "../../docs/metrics.md" with { type: "text" };

// docs/metrics.md's table is what users build dashboards from: it must list every family kstratum
// exposes, with the type and labels /metrics really has.

interface Row {
  type: string;
  labels: string[];
  bridges: string;
}

function docTable(): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of DOC.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const name = /^`(ks_[a-z_]+)`$/.exec(cells[1] ?? "")?.[1];
    if (name === undefined || cells.length < 7) continue;
    const labels = (cells[3] ?? "").replaceAll("`", "").split(",").map((l) => l.trim())
      .filter((l) => l !== "");
    rows.set(name, { type: cells[2] ?? "", labels, bridges: cells[5] ?? "" });
  }
  return rows;
}

/** Families, types and label names of a /metrics document (histogram suffixes and `le` folded). */
function exposed(text: string): Map<string, { type: string; labels: Set<string> }> {
  const out = new Map<string, { type: string; labels: Set<string> }>();
  let current = "";
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      current = type[1]!;
      out.set(current, { type: type[2]!, labels: new Set() });
    } else if (line !== "" && !line.startsWith("#")) {
      for (const [, label] of line.matchAll(/([a-z_]+)="/g)) {
        if (label !== "le") out.get(current)!.labels.add(label!);
      }
    }
  }
  return out;
}

function everythingFed(): Stats {
  const stats = new Stats({ now: () => 1_700_000_000_000 });
  const who = { worker: "rig1", wallet: "kaspa:q", miner: "m", ip: "10.0.0.1", dialect: "array" };
  stats.connected(who.ip, "array");
  stats.authorized(who);
  stats.difficultyChanged(who, 8);
  stats.jobSent(who);
  stats.share({ who, outcome: "valid", difficulty: 8, at: 1_700_000_000_000 });
  stats.share({ who, outcome: "stale", difficulty: 8, at: 1_700_000_000_000 });
  stats.blockFound({ who, hash: "ab", daaScore: 1n, verdict: "accepted", at: 1_700_000_000_000 });
  stats.setNode({ connected: true, templateAt: 1_700_000_000_000 });
  stats.observeNodeRpc(2);
  stats.observeFanout(1);
  stats.setBalances([{ address: "kaspa:q", sompi: 1n }], 0);
  return stats;
}

Deno.test("docs/metrics.md lists every family with the type and labels /metrics has", () => {
  const doc = docTable();
  const real = exposed(
    renderMetrics(everythingFed().snapshot(), { version: "t", uptimeMs: 0, rssBytes: 0 }),
  );
  assert.deepEqual([...doc.keys()].sort(), [...real.keys()].sort(), "the same families");
  for (const [name, row] of doc) {
    const r = real.get(name)!;
    assert.equal(row.type, r.type, `${name} type`);
    assert.deepEqual([...row.labels].sort(), [...r.labels].sort(), `${name} labels`);
    assert.match(row.bridges, /^(Go, Rust|Rust|Go|kstratum)$/, `${name} bridges column`);
  }
});

Deno.test("a block the node refused is not mined: ks_blocks_mined and the block gauge follow the Go bridge", () => {
  const stats = everythingFed();
  const who = { worker: "rig1", wallet: "kaspa:q", miner: "m", ip: "10.0.0.1", dialect: "array" };
  stats.blockFound({ who, hash: "cd", daaScore: 2n, verdict: "rejected", at: 1_700_000_001_000 });
  const text = renderMetrics(stats.snapshot(), { version: "t", uptimeMs: 0, rssBytes: 0 });
  assert.match(text, /^ks_blocks_mined\{[^}]*\} 1$/m);
  assert.match(text, /^ks_blocks_total\{verdict="rejected"\} 1$/m);
  assert.equal(text.match(/^ks_mined_blocks_gauge\{/gm)?.length, 1, "only the accepted block");
  assert.match(text, /^ks_mined_blocks_gauge\{.*timestamp="1700000000".*\} 1$/m, "seconds");
});
