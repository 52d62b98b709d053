import assert from "node:assert/strict";
import { createHandler } from "../../lib/http/app.ts";
import { CLIENT_JS } from "../../lib/http/dashboard/client.ts";
import { INDEX_HTML, STYLE_CSS } from "../../lib/http/dashboard/page.ts";
import { renderBlocks, renderNode, renderWorkers } from "../../lib/http/dashboard/render.ts";
import { blocksJson, statusJson, workersJson } from "../../lib/http/api.ts";
import { judgeHealth } from "../../lib/http/health.ts";
import { Stats } from "../../lib/stats/stats.ts";
import type { WorkerRef } from "../../lib/session/events.ts";

const EVIL: WorkerRef = {
  worker: `<img src=x onerror="alert(1)">`,
  wallet: `kaspa:"><script>alert(2)</script>`,
  miner: "Bz<b>Miner",
  ip: "10.0.0.66",
  dialect: "bighex",
};

function fed(): Stats {
  let t = 1_700_000_000_000;
  const stats = new Stats({ now: () => t });
  stats.connected(EVIL.ip, "bighex");
  stats.authorized(EVIL);
  stats.difficultyChanged(EVIL, 16384);
  for (let i = 0; i < 60; i++) {
    stats.share({ who: EVIL, outcome: "valid", difficulty: 16384, at: t });
    t += 1000;
  }
  stats.blockFound({
    who: EVIL,
    hash: "ef".repeat(32),
    daaScore: 81_234_567n,
    verdict: "rejected",
    reason: `bad <block>`,
    at: t,
  });
  stats.setNode({ connected: true, network: "kaspa-devnet", synced: false, daaScore: 81_234_999n });
  return stats;
}

Deno.test("dashboard views escape everything a miner controls", () => {
  const snap = fed().snapshot();
  const html = renderWorkers(workersJson(snap)) + renderBlocks(blocksJson(snap));
  assert.doesNotMatch(html, /<img|<script|Bz<b>|<block>/);
  assert.ok(html.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
  assert.ok(html.includes('title="kaspa:&quot;&gt;&lt;script&gt;'));
});

Deno.test("dashboard worker table says when it shows only the first of many workers", () => {
  const snap = fed().snapshot();
  assert.doesNotMatch(renderWorkers(workersJson(snap)), /The first/);
  const many = { ...workersJson(snap), total: 10_000 };
  assert.match(
    renderWorkers(many),
    new RegExp(`^<p class="muted">The first ${many.workers.length} of 10,000 workers`),
  );
});

Deno.test("dashboard views show hashrate windows, share counts, verdicts and node state", () => {
  const snap = fed().snapshot();
  const workers = renderWorkers(workersJson(snap));
  assert.ok(workers.includes('<td data-label="1m">70.4 TH/s</td>'), workers); // 16384·2^32 H/s
  assert.ok(workers.includes('<td data-label="Accepted">60</td>'));
  assert.ok(workers.includes('<td data-label="Diff">16384</td>'));
  assert.ok(workers.includes('<td data-label="Last share">1s ago</td>'));
  const blocks = renderBlocks(blocksJson(snap));
  assert.ok(blocks.includes('<span class="badge bad" title="bad &lt;block&gt;">rejected</span>'));
  assert.ok(
    blocks.includes('<td data-label="Color"><span class="muted">—</span></td>'),
    "no color for a rejected block",
  );
  assert.ok(blocks.includes("81,234,567"));
  const status = statusJson(snap, {
    version: "v",
    uptimeMs: 0,
    health: judgeHealth({ nodeConnected: true, nodeSynced: false, listening: true }),
  });
  const node = renderNode(status);
  assert.ok(node.includes('<dt>Synced</dt><dd><span class="bad">no</span></dd>'));
  assert.ok(node.includes("81,234,999"));
});

Deno.test("dashboard assets are small and the script is valid JavaScript", () => {
  const total = new TextEncoder().encode(INDEX_HTML + STYLE_CSS + CLIENT_JS).length;
  assert.ok(total < 30_000, `dashboard is ${total} bytes`);
  new Function(CLIENT_JS); // throws SyntaxError if the shipped sources do not join into a script
  assert.doesNotMatch(CLIENT_JS, /\bimport\b|\brequire\(/);
});

/** A page with just the elements the glue touches, run against the real handler in memory. */
Deno.test("dashboard script fills every section from the API", async () => {
  const handle = createHandler({
    stats: fed(),
    health: () => ({ nodeConnected: true, nodeSynced: true, listening: true }),
    version: "9.9.9",
    uptimeMs: () => 3_723_000,
    rssBytes: () => 0,
  });
  const ids = [
    "version",
    "health",
    "summary",
    "node",
    "worker-count",
    "workers",
    "block-count",
    "blocks",
    "updated",
  ];
  const els = Object.fromEntries(
    ids.map((id) => [id, { innerHTML: "", textContent: "", className: "" }]),
  );
  const timers: number[] = [];
  const fetched: string[] = [];
  const done = Promise.withResolvers<void>();
  const fakeFetch = (path: string) => {
    fetched.push(path);
    return Promise.resolve(handle(new Request(`http://127.0.0.1${path}`)));
  };
  const fakeTimeout = (_fn: () => void, ms: number) => {
    timers.push(ms);
    done.resolve();
  };
  new Function("document", "fetch", "setTimeout", CLIENT_JS)(
    { getElementById: (id: string) => els[id] ?? null },
    fakeFetch,
    fakeTimeout,
  );
  await done.promise;
  // The worker list is capped: a 10k farm's full list is no table to redraw every 5 s.
  assert.deepEqual(fetched.sort(), ["/api/blocks", "/api/status", "/api/workers?limit=500"]);
  assert.deepEqual(timers, [5000]);
  assert.equal(els.version?.textContent, "9.9.9");
  assert.equal(els.health?.textContent, "healthy");
  assert.equal(els.health?.className, "pill ok");
  assert.match(els.summary?.innerHTML ?? "", /Hashrate \(1m\)/);
  assert.match(els.summary?.innerHTML ?? "", /1h2m/);
  assert.match(els.node?.innerHTML ?? "", /kaspa-devnet/);
  assert.equal(els["worker-count"]?.textContent, "1");
  assert.match(els.workers?.innerHTML ?? "", /70\.4 TH\/s/);
  assert.equal(els["block-count"]?.textContent, "1");
  assert.match(els.blocks?.innerHTML ?? "", /efefefefefefefef…/);
  assert.match(els.updated?.textContent ?? "", /^updated /);
});
