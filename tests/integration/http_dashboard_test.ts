import assert from "node:assert/strict";
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
