// Integration tests of lib/net on 127.0.0.1: block before reply, graceful shutdown, caps,
// timeouts, slow readers, several listeners in one process, TLS.

import assert from "node:assert/strict";
import { silentLogger } from "../../lib/log/mod.ts";
import { StratumServer } from "../../lib/net/mod.ts";
import { noEvents } from "../../lib/session/mod.ts";
import { findNonce, HEADERS, mainnetAddress, realJob } from "../fixtures/transcripts/real_jobs.ts";
import {
  LineClient,
  startTestServer,
  type TestServer,
} from "../fixtures/transcripts/stratum_client.ts";

const ADDR = mainnetAddress(42);
const EASY = 2 ** -20;
const easy = { kind: "fixed", difficulty: EASY } as const;

async function handshake(client: LineClient, agent = "lolMiner 1.88"): Promise<string> {
  await client.write(`{"id":1,"method":"mining.subscribe","params":["${agent}"]}\n`);
  await client.line();
  await client.write(`{"id":2,"method":"mining.authorize","params":["${ADDR}.rig","x"]}\n`);
  await client.line(); // authorize result
  const en = JSON.parse((await client.line())!).params[0] as string; // set_extranonce
  return en;
}

/** Waits (bounded: 10 s) until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i >= 2000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function withServer(srv: TestServer, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await srv.server.shutdown();
  }
}

Deno.test("net submits a block and awaits the node before answering the share", async () => {
  const srv = await startTestServer({ difficulty: easy });
  await withServer(srv, async () => {
    const client = await LineClient.connect(srv.port);
    const en = await handshake(client);
    const job = realJob(HEADERS.simnet, { payAddress: ADDR });
    srv.jobs.publish(ADDR, job);
    await client.line(); // set_difficulty
    await client.line(); // notify
    let open!: () => void;
    srv.submitter.gate = new Promise((r) => open = r);
    const nonce = findNonce(job, { kind: "block", shareDifficulty: EASY, prefixHex: en });
    const low = (nonce & 0xffff_ffff_ffffn).toString(16).padStart(12, "0");
    await client.write(`{"id":7,"method":"mining.submit","params":["w","1","${low}"]}\n`);
    const reply = client.line().then((l) => {
      srv.submitter.order.push("reply");
      return l;
    });
    await until(() => srv.submitter.order.length > 0, "the block submission");
    srv.submitter.order.push("node answers");
    open();
    assert.equal(await reply, '{"id":7,"result":true,"error":null}');
    assert.deepEqual(srv.submitter.order, ["submit", "node answers", "submitted", "reply"]);
    assert.equal(srv.submitter.submitted[0]?.nonce, nonce);
    const found = srv.events.of("blockFound")[0]?.event;
    assert.equal(found?.verdict, "accepted");
    assert.match(found?.hash ?? "", /^[0-9a-f]{64}$/);
    client.close();
  });
});

Deno.test("net shutdown waits for an in-flight block submission, then closes", async () => {
  const srv = await startTestServer({ difficulty: easy });
  const client = await LineClient.connect(srv.port);
  const en = await handshake(client);
  const job = realJob(HEADERS.simnet, { payAddress: ADDR });
  srv.jobs.publish(ADDR, job);
  await client.line();
  await client.line();
  let open!: () => void;
  srv.submitter.gate = new Promise((r) => open = r);
  const nonce = findNonce(job, { kind: "block", shareDifficulty: EASY, prefixHex: en });
  const low = (nonce & 0xffff_ffff_ffffn).toString(16).padStart(12, "0");
  await client.write(`{"id":8,"method":"mining.submit","params":["w","1","${low}"]}\n`);
  await until(() => srv.submitter.order.length > 0, "the block submission");
  let stopped = false;
  const stopping = srv.server.shutdown().then(() => stopped = true);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(stopped, false, "shutdown holds while the node has the block");
  await assert.rejects(LineClient.connect(srv.port).then((c) => c.line()), "no new connections");
  open();
  assert.equal(await client.line(), '{"id":8,"result":true,"error":null}');
  assert.equal(await client.line(), null, "closed after the reply");
  await stopping;
  assert.equal(srv.events.of("blockFound").length, 1);
  assert.equal(srv.events.of("disconnected")[0]?.reason, "shutdown");
  client.close();
});

Deno.test("net reports an unreachable node as the block verdict and still answers the share", async () => {
  const srv = await startTestServer({ difficulty: easy });
  await withServer(srv, async () => {
    srv.submitter.submit = () => Promise.reject(new Error("node gone"));
    const client = await LineClient.connect(srv.port);
    const en = await handshake(client);
    const job = realJob(HEADERS.simnet, { payAddress: ADDR });
    srv.jobs.publish(ADDR, job);
    await client.line();
    await client.line();
    const nonce = findNonce(job, { kind: "block", shareDifficulty: EASY, prefixHex: en });
    const low = (nonce & 0xffff_ffff_ffffn).toString(16).padStart(12, "0");
    await client.write(`{"id":9,"method":"mining.submit","params":["w","1","${low}"]}\n`);
    assert.equal(await client.line(), '{"id":9,"result":true,"error":null}');
    const found = srv.events.of("blockFound")[0]?.event;
    assert.deepEqual([found?.verdict, found?.reason], ["unreachable", "Error: node gone"]);
    client.close();
  });
});

Deno.test("net refuses connections past the per-IP cap and logs it", async () => {
  const srv = await startTestServer({ difficulty: easy }, { maxConnectionsPerIp: 2 });
  await withServer(srv, async () => {
    const a = await LineClient.connect(srv.port);
    const b = await LineClient.connect(srv.port);
    await handshake(a);
    await handshake(b);
    const c = await LineClient.connect(srv.port);
    assert.equal(await c.line(), null, "third connection from one IP is closed");
    assert.ok(
      srv.logs.some((l) =>
        l.msg === "connection refused" && l.fields.reason === "connection limit"
      ),
    );
    a.close();
    // Once one leaves, a new one fits again.
    await until(() => srv.server.connections === 1, "the first connection to end");
    const d = await LineClient.connect(srv.port);
    assert.equal((await handshake(d)).length, 4);
    for (const x of [b, c, d]) x.close();
  });
});

Deno.test("net closes new connections at once while the descriptor reserve is short, and counts them", async () => {
  // The gate as lib/runtime FdReserve answers it; the reserve itself is unit-tested with a fake
  // descriptor table, and the real process under prlimit in hostile_fds_node_test.ts.
  const gate = {
    short: true,
    fills: 0,
    held: 15,
    size: 16,
    admit(): boolean {
      return !this.short;
    },
    fill(): boolean {
      this.fills++;
      return !this.short;
    },
  };
  const srv = await startTestServer({ difficulty: easy }, {}, { reserve: gate });
  await withServer(srv, async () => {
    const refused = [];
    for (let i = 0; i < 3; i++) {
      const c = await LineClient.connect(srv.port);
      refused.push(await c.line());
      c.close();
    }
    assert.deepEqual(refused, [null, null, null], "closed before any reply");
    assert.equal(gate.fills, 3, "each refused descriptor goes to the reserve");
    assert.deepEqual(srv.events.of("refused").map((e) => e.reason), Array(3).fill("descriptors"));
    const lines = srv.logs.filter((l) => /out of file descriptors/.test(l.msg));
    assert.equal(lines.length, 1, "one line per 10 s, not one per connection");
    assert.equal(lines[0]!.fields.reserveHeld, 15);
    assert.equal(srv.server.connections, 0);
    srv.clock.t += 10_000;
    const c = await LineClient.connect(srv.port);
    assert.equal(await c.line(), null);
    c.close();
    const again = srv.logs.filter((l) => /out of file descriptors/.test(l.msg));
    assert.equal(again.length, 2);
    assert.equal(again[1]!.fields.refusedSinceLastLine, 3, "two held back, and this one");
    // The reserve is whole again: miners are served.
    gate.short = false;
    const d = await LineClient.connect(srv.port);
    assert.equal((await handshake(d)).length, 4);
    d.close();
  });
});

Deno.test("net closes a miner that never authorizes", async () => {
  const srv = await startTestServer({ difficulty: easy }, {
    handshakeTimeoutMs: 100,
    idleTimeoutMs: 600_000,
  });
  await withServer(srv, async () => {
    const silent = await LineClient.connect(srv.port);
    await silent.write('{"id":1,"method":"mining.subscribe","params":["x"]}\n');
    assert.equal(
      await silent.line(),
      '{"id":1,"result":[true,"EthereumStratum/1.0.0"],"error":null}',
    );
    assert.equal(await silent.line(), null);
    assert.deepEqual(srv.events.of("disconnected").map((e) => e.reason), ["handshake timeout"]);
    silent.close();
  });
});

Deno.test("net closes a miner that goes idle", async () => {
  const srv = await startTestServer({ difficulty: easy }, {
    handshakeTimeoutMs: 600_000,
    idleTimeoutMs: 100,
  });
  await withServer(srv, async () => {
    const idle = await LineClient.connect(srv.port);
    assert.equal(await idle.line(), null);
    assert.ok(
      srv.logs.some((l) => l.msg === "connection closed" && l.fields.reason === "idle timeout"),
    );
    idle.close();
  });
});

Deno.test("net closes a slow reader at the write-queue bound without delaying other miners", async () => {
  const srv = await startTestServer({ difficulty: easy }, { writeQueueBytes: 64 * 1024 });
  await withServer(srv, async () => {
    const fast = await LineClient.connect(srv.port);
    await handshake(fast);
    const slow = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
    // The slow miner floods requests and never reads a reply: replies pile up in its queue.
    const request = new TextEncoder().encode(
      '{"id":1,"method":"mining.extranonce.subscribe"}\n'.repeat(1000),
    );
    await slow.write(
      new TextEncoder().encode('{"id":0,"method":"mining.subscribe","params":["slow"]}\n'),
    );
    let sent = 0;
    let closedBySever = false;
    const flood = (async () => {
      try {
        while (sent < 256 * 1024 * 1024) {
          for (let at = 0; at < request.length;) at += await slow.write(request.subarray(at));
          sent += request.length;
        }
      } catch {
        closedBySever = true;
      }
    })();
    // Meanwhile the fast miner keeps getting its jobs.
    for (let i = 0; i < 5; i++) {
      srv.clock.t += 1000;
      srv.jobs.publish(
        ADDR,
        realJob([HEADERS.devnetA, HEADERS.devnetB][i % 2]!, { payAddress: ADDR }),
      );
      const line = await fast.line();
      const next = line?.includes("set_difficulty") ? await fast.line() : line;
      assert.match(next ?? "", new RegExp(`"mining.notify","params":\\["${i + 1}"`));
    }
    await flood;
    assert.ok(closedBySever, `the server closed the slow reader (after ${sent} bytes)`);
    assert.ok(srv.logs.some((l) => l.msg === "slow reader: write queue full"));
    assert.ok(srv.events.of("disconnected").some((e) => e.reason === "slow reader"));
    try {
      slow.close();
    } catch {
      // closed
    }
    fast.close();
  });
});

Deno.test("net runs several listeners with their own settings and unique extranonces", async () => {
  const base = await startTestServer({ difficulty: easy });
  await withServer(base, async () => {
    // A second listener on the same server: forced Bitmain dialect, fixed difficulty 2^-19.
    const info = await base.server.listen({
      hostname: "127.0.0.1",
      port: 0,
      dialect: "bitmain",
      difficulty: { kind: "fixed", difficulty: 2 ** -19 },
    });
    assert.equal(base.server.listeners.length, 2);
    const onA = await LineClient.connect(base.port);
    const onC = await LineClient.connect(info.port);
    assert.equal(await handshake(onA), "0001");
    await onC.write('{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88"]}\n');
    assert.equal(
      await onC.line(),
      '{"id":1,"result":[null,"",8],"error":null}',
      "forced dialect bitmain",
    );
    await onC.write(`{"id":2,"method":"mining.authorize","params":["${ADDR}.c","x"]}\n`);
    assert.equal(await onC.line(), '{"id":2,"result":true,"error":null}');
    const third = await LineClient.connect(base.port);
    assert.equal(await handshake(third), "0002", "extranonces stay unique across connections");
    base.jobs.publish(ADDR, realJob(HEADERS.devnetA, { payAddress: ADDR }));
    assert.equal(
      await onC.line(),
      '{"id":null,"method":"mining.set_difficulty","params":[0.0000019073486328125]}',
    );
    assert.equal(
      await onA.line(),
      '{"id":null,"method":"mining.set_difficulty","params":[9.5367431640625e-7]}',
    );
    for (const c of [onA, onC, third]) c.close();
  });
});

Deno.test("net rejects listener settings that cannot work, and a port in use as AddrInUse", async () => {
  const server = new StratumServer({}, {
    jobs: { subscribe: () => () => {}, currentJob: () => undefined },
    submitter: { submit: () => Promise.reject(new Error("unused")) },
    events: noEvents,
    validateAddress: () => ({ ok: false, reason: "unused" }),
    clock: { now: () => 0 },
    log: silentLogger,
  });
  await assert.rejects(() => server.listen({ port: 70000, difficulty: easy }), {
    code: "listener-config",
  });
  await assert.rejects(
    () => server.listen({ port: 0, difficulty: { kind: "fixed", difficulty: 0 } }),
    { code: "listener-config" },
  );
  await assert.rejects(
    () => server.listen({ port: 0, difficulty: { kind: "vardiff", initial: 1, min: 2, max: 4 } }),
    { code: "listener-config" },
  );
  // main.ts turns Deno.errors.AddrInUse into its one-line "port already in use" message.
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    await assert.rejects(
      () => server.listen({ hostname: "127.0.0.1", port, difficulty: easy }),
      Deno.errors.AddrInUse,
    );
  } finally {
    taken.close();
  }
  assert.equal(server.listeners.length, 0);
});

Deno.test("net speaks Stratum over TLS", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstratum-tls-" });
  try {
    const args = [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
    ];
    const out = await new Deno.Command("openssl", {
      args: [
        ...args,
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "extendedKeyUsage=serverAuth",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const cert = await Deno.readTextFile(`${dir}/cert.pem`);
    const key = await Deno.readTextFile(`${dir}/key.pem`);
    const base = await startTestServer({ difficulty: easy });
    await withServer(base, async () => {
      const info = await base.server.listen({
        hostname: "127.0.0.1",
        port: 0,
        difficulty: easy,
        tls: { cert, key },
      });
      assert.equal(info.tls, true);
      const conn = await Deno.connectTls({
        hostname: "127.0.0.1",
        port: info.port,
        caCerts: [cert],
      });
      await conn.write(
        new TextEncoder().encode('{"id":1,"method":"mining.subscribe","params":["lolMiner"]}\n'),
      );
      const reader = conn.readable.getReader();
      let text = "";
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      assert.equal(text, '{"id":1,"result":[true,"EthereumStratum/1.0.0"],"error":null}\n');
      reader.releaseLock();
      conn.close();
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("net closes a miner whose address the job source refuses, and says why", async () => {
  const srv = await startTestServer({ difficulty: easy });
  await withServer(srv, async () => {
    srv.jobs.subscribe = () => {
      throw new Error("wrong network");
    };
    const client = await LineClient.connect(srv.port);
    await client.write('{"id":1,"method":"mining.subscribe","params":["lolMiner"]}\n');
    await client.line();
    await client.write(`{"id":2,"method":"mining.authorize","params":["${ADDR}.rig","x"]}\n`);
    assert.equal(await client.line(), '{"id":2,"result":true,"error":null}');
    assert.equal(
      await client.line(),
      '{"id":null,"method":"mining.set_extranonce","params":["0001",6]}',
    );
    assert.equal(await client.line(), null);
    const err = srv.logs.find((l) => l.msg === "job source refused an address");
    assert.equal(err?.fields.ip, "127.0.0.1");
    assert.equal(srv.events.of("disconnected")[0]?.reason, "no jobs for address");
    client.close();
  });
});
