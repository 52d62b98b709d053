import assert from "node:assert/strict";
import { createHandler } from "../../lib/http/app.ts";
import type { HealthState } from "../../lib/http/health.ts";
import { Stats } from "../../lib/stats/stats.ts";
import type { WorkerRef } from "../../lib/session/events.ts";

const RIG: WorkerRef = {
  worker: "rig1",
  wallet: "kaspa:qrig",
  miner: "BzMiner-v21",
  ip: "192.168.1.50",
  dialect: "bighex",
};
const HEALTHY: HealthState = { nodeConnected: true, nodeSynced: true, listening: true };

function setup(health: () => HealthState = () => HEALTHY) {
  let t = 1_700_000_000_000;
  const stats = new Stats({ now: () => t });
  stats.connected(RIG.ip, "bighex");
  stats.authorized(RIG);
  stats.difficultyChanged(RIG, 2048);
  for (let i = 0; i < 30; i++) {
    stats.share({ who: RIG, outcome: "valid", difficulty: 2048, at: t });
    t += 1000;
  }
  stats.blockFound({
    who: RIG,
    hash: "cd".repeat(32),
    daaScore: 2n ** 60n,
    nonce: 2n ** 63n + 5n,
    verdict: "accepted",
    at: t,
  });
  stats.setNode({
    connected: true,
    network: "kaspa-devnet",
    synced: true,
    daaScore: 90_000_002n,
    networkHashrate: 2n ** 55n,
    difficulty: 12.5,
    templateAt: t - 400,
  });
  const handle = createHandler({
    stats,
    health,
    version: "0.1.0-test",
    uptimeMs: () => 61_000,
    rssBytes: () => 40_000_000,
  });
  const get = (path: string, method = "GET") =>
    handle(new Request(`http://127.0.0.1${path}`, { method }));
  return { stats, get };
}

Deno.test("http /health answers 200 when connected to a synced node and listening", async () => {
  const res = setup().get("/health");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(await res.json(), { status: "ok", reasons: [], reason: "ok" });
});

Deno.test("http /health answers 503 with a reason for each way to be unhealthy", async () => {
  const cases: Array<[HealthState, string[]]> = [
    [{ nodeConnected: false, nodeSynced: false, listening: true }, ["node-disconnected"]],
    [{ nodeConnected: true, nodeSynced: false, listening: true }, ["node-not-synced"]],
    [{ nodeConnected: true, nodeSynced: true, listening: false }, ["not-listening"]],
    [{ nodeConnected: false, nodeSynced: true, listening: false }, [
      "node-disconnected",
      "not-listening",
    ]],
  ];
  for (const [state, reasons] of cases) {
    const res = setup(() => state).get("/health");
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.status, "unavailable");
    assert.deepEqual(body.reasons, reasons);
    assert.equal(typeof body.reason, "string");
  }
  const draining = setup(() => ({
    nodeConnected: true,
    nodeSynced: true,
    listening: true,
    draining: true,
  })).get("/health");
  assert.equal(draining.status, 503);
  const drainingBody = await draining.json();
  assert.equal(drainingBody.status, "draining");
  assert.deepEqual(drainingBody.reasons, ["draining"]);
  const broken = setup(() => {
    throw new Error("boom");
  }).get("/health");
  assert.equal(broken.status, 503);
  assert.deepEqual((await broken.json()).reasons, ["health-unknown"]);
});

Deno.test("http /api/status gives node, totals and health with bigints as decimal strings", async () => {
  const res = setup().get("/api/status");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const s = await res.json();
  assert.deepEqual(Object.keys(s).sort(), [
    "balances",
    "connections",
    "hashrate",
    "health",
    "history",
    "node",
    "now",
    "startedAt",
    "totals",
    "uptimeMs",
    "version",
    "workers",
  ]);
  assert.equal(s.version, "0.1.0-test");
  assert.equal(s.uptimeMs, 61_000);
  assert.equal(s.health.ok, true);
  assert.deepEqual(s.node, {
    connected: true,
    network: "kaspa-devnet",
    synced: true,
    daaScore: "90000002",
    blockCount: "0",
    networkHashrate: "36028797018963968",
    difficulty: 12.5,
    templateAgeMs: 400,
    rpcLatencyMs: null,
  });
  assert.equal(s.totals.shares.valid, 30);
  assert.deepEqual(s.connections, { total: 1, byDialect: { bighex: 1 } });
  assert.deepEqual(s.workers, { tracked: 1, max: 5000, untrackedEvents: 0, evicted: 0 });
  assert.ok(s.hashrate.m1 > 0);
  assert.deepEqual(s.balances, { state: "pending", reason: null, refreshedAt: null, wallets: [] });
});

Deno.test("http /api/workers and /api/blocks give what a script needs", async () => {
  const { get } = setup();
  const w = await get("/api/workers").json();
  assert.equal(w.workers.length, 1);
  assert.equal(w.total, 1);
  assert.deepEqual(await get("/api/workers?limit=1").json(), w);
  for (const bad of ["0", "-1", "1.5", "x", "1000001"]) {
    const res = get(`/api/workers?limit=${bad}`);
    assert.equal(res.status, 400, `limit=${bad}`);
    assert.equal((await res.json()).error, "bad-limit");
  }
  const rig = w.workers[0];
  assert.equal(rig.name, "rig1");
  assert.equal(rig.wallet, "kaspa:qrig");
  assert.equal(rig.shares.valid, 30);
  assert.equal(rig.difficulty, 2048);
  assert.equal(rig.hashrate.m1, (2048 * 2 ** 32 * 30) / 30);
  const b = await get("/api/blocks").json();
  assert.deepEqual(b.totals, {
    found: 1,
    accepted: 1,
    rejected: 0,
    unreachable: 0,
    blue: 0,
    red: 0,
  });
  assert.deepEqual(b.blocks[0], {
    hash: "cd".repeat(32),
    worker: "rig1",
    wallet: "kaspa:qrig",
    miner: "BzMiner-v21",
    ip: "192.168.1.50",
    daaScore: "1152921504606846976",
    nonce: "9223372036854775813",
    blueScore: null,
    verdict: "accepted",
    reason: null,
    color: "pending",
    at: 1_700_000_030_000,
  });
});

Deno.test("http /metrics serves the Prometheus text format", async () => {
  const res = setup().get("/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  assert.ok(text.includes("# TYPE ks_valid_share_counter counter\n"));
  assert.ok(
    text.includes(
      'ks_valid_share_counter{worker="rig1",miner="BzMiner-v21",wallet="kaspa:qrig",ip="192.168.1.50"} 30\n',
    ),
  );
  assert.ok(text.includes("ks_process_resident_memory_bytes 40000000\n"));
  assert.ok(text.includes("ks_process_uptime_seconds 61\n"));
});

Deno.test("http serves the dashboard page, script and stylesheet with a strict CSP", async () => {
  const { get } = setup();
  const page = get("/");
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  const csp = page.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const html = await page.text();
  assert.ok(html.includes('<script src="/app.js" defer></script>'));
  assert.doesNotMatch(html, /<script>|https?:\/\/(?!localhost)/, "no inline script, no CDN");
  const js = get("/app.js");
  assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
  assert.ok((await js.text()).includes("dashboardMain({"));
  const css = get("/style.css");
  assert.match(css.headers.get("content-type") ?? "", /^text\/css/);
  assert.equal(get("/style.css").headers.get("x-content-type-options"), "nosniff");
  await css.body?.cancel();
});

Deno.test("http answers 404 for unknown paths and 405 for methods other than GET and HEAD", async () => {
  const { get } = setup();
  for (
    const path of [
      "/nope",
      "/api",
      "/api/status/",
      "/api/config",
      "/metrics/x",
      "/.env",
      "/app.js/",
    ]
  ) {
    const res = get(path);
    assert.equal(res.status, 404, path);
    assert.deepEqual(await res.json(), { error: "not-found" });
  }
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
    const res = get("/metrics", method);
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    await res.body?.cancel();
  }
  assert.equal(get("/api/status?pretty=1").status, 200);
});

Deno.test("http HEAD answers like GET without a body", async () => {
  const { get } = setup();
  for (const path of ["/", "/metrics", "/api/status", "/health"]) {
    const head = get(path, "HEAD");
    const full = get(path);
    assert.equal(head.status, full.status, path);
    assert.equal(head.headers.get("content-type"), full.headers.get("content-type"));
    assert.equal(head.body, null);
    await full.body?.cancel();
  }
});

Deno.test("http reports a failing route as 500 without details and tells the owner", async () => {
  const seen: string[] = [];
  const handle = createHandler({
    stats: {
      snapshot() {
        throw new TypeError("secret internals");
      },
    },
    health: () => HEALTHY,
    version: "x",
    uptimeMs: () => 0,
    rssBytes: () => 0,
    onError: (e, path) => seen.push(`${(e as Error).name} ${path}`),
  });
  const res = handle(new Request("http://127.0.0.1/api/workers"));
  assert.equal(res.status, 500);
  const body = await res.text();
  assert.doesNotMatch(body, /secret/);
  assert.deepEqual(seen, ["TypeError /api/workers"]);
  assert.equal(handle(new Request("http://127.0.0.1/health")).status, 200);
});
