// Several kstratum instances behind a real HAProxy (Debian's, TCP mode, send-proxy-v2, health
// checks on /health) and one real devnet kaspad: real client addresses, a killed instance's miners
// moving over, shares and blocks reconciled exactly; and a rolling upgrade on one port (reusePort,
// SIGTERM drain with client.reconnect) that costs each miner one reconnect and no share.

import assert from "node:assert/strict";
import type { StatusJson, WorkersJson } from "../../lib/http/api.ts";
import { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { mine, StratumMiner } from "../../scripts/stratum_miner.ts";
import {
  kaspadTest,
  randomDevnetAddress,
  startKaspad,
  storedBlock,
  waitFor,
} from "../helpers/kaspad.ts";
import { KstratumProcess } from "../helpers/kstratum.ts";

const HAPROXY = "/usr/sbin/haproxy";
const REQUIRE_HAPROXY = Deno.env.get("KSTRATUM_REQUIRE_HAPROXY") !== undefined;
const HAPROXY_PRESENT = (() => {
  try {
    return Deno.statSync(HAPROXY).isFile;
  } catch {
    return false;
  }
})();
if (!HAPROXY_PRESENT) {
  console.warn(
    REQUIRE_HAPROXY
      ? "haproxy tests FAIL: /usr/sbin/haproxy is missing"
      : "haproxy tests SKIPPED: install Debian's haproxy (apt-get install haproxy)",
  );
}

/** 2^-16: about 65,536 hashes per share, so a CPU finds shares and devnet blocks in seconds. */
const SHARE_DIFF = 2 ** -16;
const ARGS = [
  "--allow-unsynced",
  "--no-vardiff",
  `--start-diff=${SHARE_DIFF}`,
  "--log-format=json",
];
/** HAProxy connects to the instances from this address; miners come from 127.0.0.1. */
const PROXY_SOURCE = "127.0.0.9";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free loopback port below 32768 (out of the ephemeral range the OS hands out for port 0). */
function probePort(): number {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch {
      // taken: try another
    }
  }
  throw new Error("no free port below 32768");
}

/**
 * One mining rig: mines through `port`, and when its connection ends (or the server asks with
 * client.reconnect) it dials again at once, as ASIC firmware does. Counts accepted shares across
 * connections and when each connection's first job arrived.
 */
class Rig {
  accepted = 0;
  submitted = 0;
  /** ms since the epoch at which each connection's first job arrived. */
  readonly jobsAt: number[] = [];
  /** How each connection ended: "reconnect asked", "closed". */
  readonly ends: string[] = [];
  paused = false;
  #stopped = false;
  #busy = false;
  readonly done: Promise<void>;

  constructor(readonly port: number, readonly address: string, readonly worker: string) {
    this.done = this.#run();
  }

  /** Stops submitting and waits until no share is awaiting its reply. */
  async pause(): Promise<void> {
    this.paused = true;
    await waitFor(
      `${this.worker} idle`,
      () => Promise.resolve(!this.#busy || undefined),
      20_000,
      20,
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.done;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let m: StratumMiner | undefined;
      try {
        m = await StratumMiner.connect(this.port, {
          dialect: "array",
          address: this.address,
          worker: this.worker,
        });
        await m.handshake();
        if ((await m.nextJob(undefined, 10_000)) === undefined) throw new Error("no job");
      } catch {
        m?.close();
        await sleep(50);
        continue;
      }
      this.jobsAt.push(Date.now());
      const asked = () => m!.other.some((l) => l.includes("client.reconnect"));
      try {
        while (!this.#stopped && !m.closed && !asked()) {
          if (this.paused) {
            await sleep(20);
            continue;
          }
          this.#busy = true;
          try {
            await mine(m, {
              until: () => this.#stopped || this.paused || asked(),
              maxShares: 1,
              timeoutMs: 5_000,
              hashes: 200_000,
            });
          } finally {
            this.#busy = false;
          }
          await sleep(10); // leave CPU to the servers on a 2-core machine
        }
      } catch {
        // the connection died under a submit: that share got no reply, so it is not counted
      }
      this.ends.push(asked() ? "reconnect asked" : "closed");
      this.accepted += m.tally.accepted;
      this.submitted += m.tally.submitted;
      m.close();
      // Not counted twice: the tally of a closed miner is read once, here.
    }
  }
}

/** Shares and blocks one instance counted, with its accepted block hashes. */
async function counts(k: KstratumProcess): Promise<{ valid: number; blocks: string[] }> {
  const status = await k.api<StatusJson>("/api/status");
  const blocks = await k.api<{ blocks: { hash: string; verdict: string }[] }>("/api/blocks");
  const hashes = blocks.blocks.filter((b) => b.verdict === "accepted").map((b) => b.hash);
  assert.equal(hashes.length, status.totals.blocks.accepted, "block list holds every block");
  return { valid: status.totals.shares.valid, blocks: hashes };
}

/** Workers with an open connection on `k`. */
async function connected(k: KstratumProcess): Promise<WorkersJson["workers"]> {
  const w = await k.api<WorkersJson>("/api/workers");
  return w.workers.filter((x) => x.connections > 0);
}

function haproxyConfig(front: number, servers: { name: string; port: number; http: number }[]) {
  return [
    "defaults",
    "  mode tcp",
    "  timeout connect 1s",
    "  timeout client 10m",
    "  timeout server 10m",
    "  retries 2",
    "  option redispatch",
    "frontend stratum",
    `  bind 127.0.0.1:${front}`,
    "  default_backend kstratum",
    "backend kstratum",
    "  balance leastconn",
    "  option httpchk GET /health",
    "  http-check expect status 200",
    `  source ${PROXY_SOURCE}`,
    "  default-server send-proxy-v2 check inter 300 fall 2 rise 2 on-marked-down shutdown-sessions",
    ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check port ${s.http}`),
    "",
  ].join("\n");
}

async function startHaproxy(config: string): Promise<{ child: Deno.ChildProcess; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "kstratum-haproxy-" });
  await Deno.writeTextFile(`${dir}/haproxy.cfg`, config);
  const check = await new Deno.Command(HAPROXY, { args: ["-c", "-f", `${dir}/haproxy.cfg`] })
    .output();
  assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
  const child = new Deno.Command(HAPROXY, {
    args: ["-db", "-f", `${dir}/haproxy.cfg`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  return { child, dir };
}

function haproxyTest(name: string, fn: () => Promise<void>): void {
  kaspadTest(name, async () => {
    if (!HAPROXY_PRESENT) {
      if (REQUIRE_HAPROXY) throw new Error("haproxy is required (KSTRATUM_REQUIRE_HAPROXY)");
      return;
    }
    await fn();
  });
}

haproxyTest(
  "haproxy: two instances behind send-proxy-v2; real client addresses; a killed instance's miners move over; shares and blocks reconcile",
  async () => {
    const kaspad = await startKaspad();
    const node = new GrpcNodeClient({ address: kaspad.grpcAddress });
    const address = randomDevnetAddress();
    const instances = ["ks-a", "ks-b"].map((name) => {
      const proxyPort = probePort();
      const k = new KstratumProcess([
        `--node=${kaspad.grpcAddress}`,
        `--metrics-instance=${name}`,
        `--listen=127.0.0.1:${proxyPort},proxy_protocol=on,trusted_proxies=${PROXY_SOURCE}`,
        ...ARGS,
      ]);
      return { name, k, proxyPort };
    });
    const front = probePort();
    let haproxy: { child: Deno.ChildProcess; dir: string } | undefined;
    const rigs: Rig[] = [];
    try {
      await node.connect();
      await Promise.all(instances.map((i) => i.k.healthy()));
      haproxy = await startHaproxy(haproxyConfig(
        front,
        instances.map((i) => ({ name: i.name, port: i.proxyPort, http: i.k.httpPort })),
      ));
      const [a, b] = instances as [typeof instances[0], typeof instances[0]];

      // A miner dialling an instance's PROXY port directly is not a trusted proxy: closed, counted.
      const direct = await StratumMiner.connect(a.proxyPort, {
        dialect: "array",
        address,
        worker: "direct",
      });
      await assert.rejects(() => direct.handshake());
      direct.close();

      for (let i = 0; i < 4; i++) rigs.push(new Rig(front, address, `rig${i}`));
      await waitFor(
        "every rig mining, on both instances",
        async () => {
          const [wa, wb] = await Promise.all([connected(a.k), connected(b.k)]);
          const ok = wa.length > 0 && wb.length > 0 && wa.length + wb.length === rigs.length &&
            rigs.every((r) => r.jobsAt.length > 0);
          return ok || undefined;
        },
        30_000,
        200,
      );
      await sleep(3_000); // shares on both

      // Real client addresses: HAProxy connects from 127.0.0.9, the miners from 127.0.0.1.
      const onA = await connected(a.k);
      const onB = await connected(b.k);
      for (const w of [...onA, ...onB]) assert.equal(w.ip, "127.0.0.1", JSON.stringify(w));
      const metricsA = await (await fetch(`http://127.0.0.1:${a.k.httpPort}/metrics`)).text();
      assert.match(metricsA, /ks_proxy_rejected_total\{[^}]*reason="untrusted"[^}]*\} 1\b/);
      assert.match(metricsA, /instance="ks-a"/);

      // Reconcile A before it dies: pause, then read its counters.
      await Promise.all(rigs.map((r) => r.pause()));
      await sleep(200);
      const countsA = await counts(a.k);
      const rigsOnA = new Set(onA.map((w) => w.worker));
      const jobsBefore = new Map(rigs.map((r) => [r.worker, r.jobsAt.length]));

      const killedAt = Date.now();
      a.k.child.kill("SIGKILL");
      await a.k.exited;
      for (const r of rigs) r.paused = false;
      await waitFor(
        "A's miners mining on B",
        async () => {
          const moved = rigs.filter((r) => rigsOnA.has(r.worker))
            .every((r) => r.jobsAt.length > jobsBefore.get(r.worker)!);
          return (moved && (await connected(b.k)).length === rigs.length) || undefined;
        },
        30_000,
        50,
      );
      const gaps = rigs.filter((r) => rigsOnA.has(r.worker))
        .map((r) => r.jobsAt[jobsBefore.get(r.worker)!]! - killedAt);
      console.log(
        `killed instance: ${gaps.length} miners back mining on the other after ${
          gaps.map((g) => `${g} ms`).join(", ")
        } (max ${Math.max(...gaps)} ms)`,
      );
      assert.ok(Math.max(...gaps) < 20_000, `reconnect took ${Math.max(...gaps)} ms`);

      // Mine on B until the pair has found a block (bounded), then reconcile everything.
      await waitFor(
        "a block found",
        async () => {
          const s = await b.k.api<StatusJson>("/api/status");
          return (s.totals.blocks.accepted + countsA.blocks.length > 0 &&
            s.totals.shares.valid > 5) ||
            undefined;
        },
        45_000,
        250,
      );
      await Promise.all(rigs.map((r) => r.stop()));
      const countsB = await counts(b.k);
      const sent = rigs.reduce((n, r) => n + r.accepted, 0);
      console.log(
        `shares accepted: miners ${sent} = ${a.name} ${countsA.valid} + ${b.name} ${countsB.valid}; ` +
          `blocks: ${a.name} ${countsA.blocks.length}, ${b.name} ${countsB.blocks.length}`,
      );
      assert.equal(countsA.valid + countsB.valid, sent, "every accepted share counted once");
      const blocks = [...countsA.blocks, ...countsB.blocks];
      assert.equal(new Set(blocks).size, blocks.length, "no block counted twice");
      for (const hash of blocks) await storedBlock(node, hash); // each one is in the node's DAG
      const metricsB = await (await fetch(`http://127.0.0.1:${b.k.httpPort}/metrics`)).text();
      assert.match(metricsB, /instance="ks-b"/);

      // SIGTERM drains: /health turns 503 "draining" at once, a miner is told client.reconnect;
      // one that ignores it is closed when HAProxy marks B down (on-marked-down shutdown-sessions)
      // or after the settle time, and the process exits 0.
      const holdout = await StratumMiner.connect(front, {
        dialect: "array",
        address,
        worker: "hold",
      });
      await holdout.handshake();
      b.k.child.kill("SIGTERM");
      const termAt = Date.now();
      await waitFor(
        "B's /health to say draining",
        async () => {
          const res = await fetch(`http://127.0.0.1:${b.k.httpPort}/health`).catch(() => undefined);
          const body = await res?.json().catch(() => undefined);
          return (res?.status === 503 && body?.status === "draining") || undefined;
        },
        5_000,
        20,
      );
      const healthAfter = Date.now() - termAt;
      await waitFor(
        "client.reconnect",
        () => holdout.other.some((l) => l.includes("client.reconnect")) || undefined,
        5_000,
        20,
      );
      const status = await b.k.exited;
      console.log(
        `drain: /health draining ${healthAfter} ms after SIGTERM; exit ${status.code} after ${
          Date.now() - termAt
        } ms (a miner ignoring client.reconnect stays until HAProxy marks B down and`,
        `  closes its session, or the 5 s settle time ends)`,
      );
      assert.equal(status.code, 0);
      assert.equal(status.signal, null);
      assert.ok(holdout.closed, "the holdout was closed");
      holdout.close();
    } finally {
      await Promise.all(rigs.map((r) => r.stop()));
      if (haproxy !== undefined) {
        haproxy.child.kill("SIGTERM");
        await haproxy.child.status;
        await Deno.remove(haproxy.dir, { recursive: true });
      }
      for (const i of instances) await i.k.stop();
      await node.close();
      await kaspad.stop();
    }
  },
);

haproxyTest(
  "rolling upgrade on one port: the new instance binds beside the draining one (reusePort); each miner reconnects once and loses no share",
  async () => {
    const kaspad = await startKaspad();
    const address = randomDevnetAddress();
    const stratum = probePort();
    const http = probePort();
    const old = new KstratumProcess([`--node=${kaspad.grpcAddress}`, ...ARGS], { stratum, http });
    let next: KstratumProcess | undefined;
    const rigs: Rig[] = [];
    try {
      await old.healthy();
      for (let i = 0; i < 3; i++) rigs.push(new Rig(stratum, address, `up${i}`));
      await waitFor(
        "rigs mining on the old instance",
        () => Promise.resolve(rigs.every((r) => r.jobsAt.length > 0) || undefined),
        30_000,
        100,
      );
      await sleep(3_000);

      next = new KstratumProcess([`--node=${kaspad.grpcAddress}`, ...ARGS], { stratum, http });
      await waitFor(
        "the new instance listening",
        () => Promise.resolve(next!.log.some((l) => l.includes("http listening")) || undefined),
        30_000,
        100,
      );
      const termAt = Date.now();
      old.child.kill("SIGTERM");
      const status = await old.exited;
      assert.equal(status.code, 0, "the old instance drains and exits 0");
      assert.equal(status.signal, null);
      await waitFor(
        "every rig on the new instance",
        () => Promise.resolve(rigs.every((r) => r.jobsAt.length >= 2) || undefined),
        30_000,
        50,
      );
      const gaps = rigs.map((r) => r.jobsAt[1]! - termAt);
      console.log(
        `rolling upgrade: ${rigs.length} miners mining on the new instance ${
          gaps.map((g) => `${g} ms`).join(", ")
        } after SIGTERM (max ${Math.max(...gaps)} ms); old instance exited after ${
          Date.now() - termAt
        } ms or less`,
      );
      await sleep(2_000);
      await Promise.all(rigs.map((r) => r.stop()));
      for (const r of rigs) {
        assert.equal(r.jobsAt.length, 2, `${r.worker} reconnected exactly once`);
        assert.equal(r.ends[0], "reconnect asked", `${r.worker} was asked to reconnect`);
      }
      const drained = old.log.flatMap((l) => {
        try {
          return [JSON.parse(l) as { msg?: string; shares_valid?: number }];
        } catch {
          return [];
        }
      }).find((l) => l.msg === "drained");
      assert.ok(drained, "the old instance logged its final counts");
      const newCounts = await next.api<StatusJson>("/api/status");
      const sent = rigs.reduce((n, r) => n + r.accepted, 0);
      console.log(
        `shares accepted: miners ${sent} = old ${drained.shares_valid} + new ${newCounts.totals.shares.valid}`,
      );
      assert.equal(drained.shares_valid! + newCounts.totals.shares.valid, sent);
    } finally {
      await Promise.all(rigs.map((r) => r.stop()));
      await old.stop();
      await next?.stop();
      await kaspad.stop();
    }
  },
);
