import assert from "node:assert/strict";
import { startHttp } from "../../lib/http/server.ts";
import type { HealthState } from "../../lib/http/health.ts";
import { Stats } from "../../lib/stats/stats.ts";

const RIG = {
  worker: "rig1",
  wallet: "kaspa:qrig",
  miner: "lolMiner 1.88",
  ip: "10.1.1.1",
  dialect: "array",
};

function healthFrom(state: HealthState) {
  return () => state;
}

Deno.test("http server binds loopback by default and serves the API on a real socket", async () => {
  const stats = new Stats();
  stats.authorized(RIG);
  stats.share({ who: RIG, outcome: "valid", difficulty: 64, at: Date.now() });
  const state: HealthState = { nodeConnected: true, nodeSynced: false, listening: true };
  const http = await startHttp({ port: 0, stats, health: healthFrom(state), version: "0.1.0" });
  try {
    assert.equal(http.addr.hostname, "127.0.0.1");
    assert.ok(http.addr.port > 0);
    const base = `http://127.0.0.1:${http.addr.port}`;
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 503);
    assert.deepEqual((await health.json()).reasons, ["node-not-synced"]);
    state.nodeSynced = true; // read on every request
    const ok = await fetch(`${base}/health`);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    const workers = await (await fetch(`${base}/api/workers`)).json();
    assert.equal(workers.workers[0].name, "rig1");
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^ks_valid_share_counter\{worker="rig1",.*\} 1$/m);
    assert.match(metrics, /^ks_process_resident_memory_bytes \d+$/m);
    const head = await fetch(`${base}/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    const post = await fetch(`${base}/metrics`, { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
    const missing = await fetch(`${base}/admin`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await http.shutdown();
  }
  await http.finished;
});

Deno.test("http server stops accepting after shutdown", async () => {
  const http = await startHttp({
    hostname: "127.0.0.1",
    port: 0,
    stats: new Stats(),
    health: healthFrom({ nodeConnected: true, nodeSynced: true, listening: true }),
    version: "0.1.0",
  });
  const url = `http://127.0.0.1:${http.addr.port}/health`;
  const res = await fetch(url);
  await res.body?.cancel();
  await http.shutdown();
  await assert.rejects(() => fetch(url));
});

Deno.test("http server shuts down when its abort signal fires", async () => {
  const ctl = new AbortController();
  const http = await startHttp({
    port: 0,
    signal: ctl.signal,
    stats: new Stats(),
    health: healthFrom({ nodeConnected: true, nodeSynced: true, listening: true }),
    version: "0.1.0",
  });
  ctl.abort();
  await http.finished;
  await assert.rejects(() => fetch(`http://127.0.0.1:${http.addr.port}/health`));
});

Deno.test("http server refuses a port another program holds, and shares one with itself (upgrades)", async () => {
  const opts = {
    stats: new Stats(),
    health: healthFrom({ nodeConnected: true, nodeSynced: true, listening: true }),
    version: "0.1.0",
  };
  // A socket without SO_REUSEPORT (another program) keeps the port to itself.
  const other = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await assert.rejects(
      () => startHttp({ ...opts, port: (other.addr as Deno.NetAddr).port }),
      Deno.errors.AddrInUse,
    );
  } finally {
    other.close();
  }
  // Two kstratum HTTP servers (old draining, new starting) bind the same port on Linux.
  const first = await startHttp({ ...opts, port: 0 });
  try {
    if (Deno.build.os === "linux") {
      const second = await startHttp({ ...opts, port: first.addr.port });
      await second.shutdown();
    }
  } finally {
    await first.shutdown();
  }
});
