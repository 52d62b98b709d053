// The PROXY protocol step of lib/net on 127.0.0.1: v1 and v2 headers give each session the client
// address (limits, events, logs); untrusted peers, malformed or late headers close the connection.

import assert from "node:assert/strict";
import { parseCidr } from "../../lib/framing/mod.ts";
import type { Cidr } from "../../lib/framing/mod.ts";
import { PROXY_V2_SIGNATURE } from "../../lib/framing/mod.ts";
import { mainnetAddress } from "../fixtures/transcripts/real_jobs.ts";
import { LineClient, startTestServer } from "../fixtures/transcripts/stratum_client.ts";

const ADDR = mainnetAddress(42);
const easy = { kind: "fixed", difficulty: 2 ** -20 } as const;

function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if ("error" in c) throw new Error(c.error);
  return c;
}

const SUBSCRIBE = `{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88"]}\n`;
const AUTHORIZE = `{"id":2,"method":"mining.authorize","params":["${ADDR}.rig","x"]}\n`;

function v2(src: [number, number, number, number], port: number): Uint8Array {
  return Uint8Array.of(
    ...PROXY_V2_SIGNATURE,
    0x21,
    0x11,
    0,
    12,
    ...src,
    127,
    0,
    0,
    1,
    port >> 8,
    port & 0xff,
    0x15,
    0xb3,
  );
}

Deno.test("proxy listener: v1 and v2 headers give the session the client address", async () => {
  const srv = await startTestServer(
    { difficulty: easy, proxy: { trusted: [cidr("127.0.0.0/8")] } },
    {
      maxConnectionsPerIp: 1,
    },
  );
  try {
    // v1, with the subscribe line in the same segment as the header.
    const a = await LineClient.connect(srv.port);
    await a.write(`PROXY TCP4 203.0.113.7 127.0.0.1 40001 5555\r\n${SUBSCRIBE}`);
    assert.match((await a.line())!, /"id":1/);
    await a.write(AUTHORIZE);
    assert.match((await a.line())!, /"result":true/);
    // v2 from another client: a second connection from 127.0.0.1, allowed because the per-IP cap
    // (1) counts client addresses, not the balancer's.
    const b = await LineClient.connect(srv.port);
    await b.write(v2([198, 51, 100, 9], 40002));
    await b.write(SUBSCRIBE);
    assert.match((await b.line())!, /"id":1/);
    const ips = srv.events.log.flatMap((e) => e.kind === "connected" ? [e.ip] : []);
    assert.deepEqual(ips, ["203.0.113.7", "198.51.100.9"]);
    const authorized = srv.events.log.find((e) => e.kind === "authorized");
    assert.equal(authorized?.kind === "authorized" && authorized.who.ip, "203.0.113.7");
    // A second connection from 203.0.113.7 is over its per-IP cap of 1.
    const c = await LineClient.connect(srv.port);
    await c.write(`PROXY TCP4 203.0.113.7 127.0.0.1 40003 5555\r\n${SUBSCRIBE}`);
    assert.equal(await c.line(), null);
    a.close();
    b.close();
    c.close();
  } finally {
    await srv.server.shutdown();
  }
});

Deno.test("proxy listener: untrusted, missing, malformed and late headers close, counted and logged once per source", async () => {
  const srv = await startTestServer(
    { difficulty: easy, proxy: { trusted: [cidr("10.0.0.0/8")] } },
    { proxyHeaderTimeoutMs: 300 },
  );
  const srv2 = await startTestServer(
    { difficulty: easy, proxy: { trusted: [cidr("127.0.0.1")] } },
    { proxyHeaderTimeoutMs: 300, proxyHeaderMaxBytes: 64 },
  );
  try {
    // 127.0.0.1 is not in 10.0.0.0/8: closed before anything is read, three times, logged once.
    for (let i = 0; i < 3; i++) {
      const c = await LineClient.connect(srv.port);
      await c.write(`PROXY TCP4 203.0.113.7 127.0.0.1 40001 5555\r\n${SUBSCRIBE}`).catch(() => {});
      assert.equal(await c.line(), null);
      c.close();
    }
    const untrusted = srv.events.log.filter((e) => e.kind === "proxyRejected");
    assert.deepEqual(untrusted.map((e) => e.kind === "proxyRejected" && e.reason), [
      "untrusted",
      "untrusted",
      "untrusted",
    ]);
    assert.equal(srv.logs.filter((l) => l.msg === "PROXY protocol connection closed").length, 1);
    assert.equal(srv.events.log.filter((e) => e.kind === "connected").length, 0);

    const cases: [string | Uint8Array, string][] = [
      [SUBSCRIBE, "malformed"], // no header at all
      ["PROXY TCP4 203.0.113.300 127.0.0.1 1 2\r\n", "malformed"],
      [Uint8Array.of(...PROXY_V2_SIGNATURE, 0x21, 0x11, 0x10, 0x00), "malformed"], // 4 KiB > 64
      ["PROXY TCP4 203.0.113.7 ", "timeout"], // never finished
      ["", "timeout"], // silent
    ];
    for (const [bytes, reason] of cases) {
      const before = srv2.events.log.length;
      const c = await LineClient.connect(srv2.port);
      if (bytes.length > 0) await c.write(bytes);
      assert.equal(await c.line(), null, `${reason}: connection closed`);
      c.close();
      const got = srv2.events.log.slice(before).find((e) => e.kind === "proxyRejected");
      assert.equal(got?.kind === "proxyRejected" && got.reason, reason, JSON.stringify(bytes));
    }
    assert.equal(srv2.events.log.filter((e) => e.kind === "connected").length, 0);
  } finally {
    await srv.server.shutdown();
    await srv2.server.shutdown();
  }
});

Deno.test("drain: client.reconnect to dialects that take it, requests served until they leave, the rest closed", async () => {
  const srv = await startTestServer({ difficulty: easy }, {
    reconnectSettleMs: 3_000,
    shutdownGraceMs: 10_000,
  });
  const lol = await LineClient.connect(srv.port);
  await lol.write(SUBSCRIBE);
  await lol.line();
  await lol.write(AUTHORIZE);
  await lol.line();
  const simple = await LineClient.connect(srv.port);
  await simple.write(`{"id":1,"method":"subscribe","params":["kaspa-miner/0.2"]}\n`);
  await simple.line();
  const started = Date.now();
  const stopping = srv.server.shutdown();
  // lolMiner (array) is told to reconnect; a request sent meanwhile is still answered.
  let line = await lol.line();
  while (line !== null && !line.includes("client.reconnect")) line = await lol.line();
  assert.equal(line, '{"id":null,"method":"client.reconnect","params":[]}');
  await lol.write(`{"id":9,"method":"mining.authorize","params":["${ADDR}.rig2","x"]}\n`);
  let reply = await lol.line();
  while (reply !== null && !reply.includes('"id":9')) reply = await lol.line();
  assert.match(reply ?? "", /"id":9,"result":true/);
  lol.close(); // it leaves, as a miner honouring client.reconnect does
  // The simple-dialect miner gets no reconnect; it is closed once the asked miners have left
  // (here at once, well before the 3 s settle time).
  const rest: (string | null)[] = [];
  for (let l = await simple.line(); l !== null; l = await simple.line()) rest.push(l);
  assert.ok(!rest.some((l) => l?.includes("client.reconnect")), rest.join("\n"));
  await stopping;
  const took = Date.now() - started;
  assert.ok(took < 2_500, `shutdown took ${took} ms`);
  simple.close();
});

Deno.test("proxy listener over TLS: the header comes before the handshake; the session gets the client address", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstratum-proxy-tls-" });
  try {
    const script = new URL("../fixtures/tls/make_test_certs.sh", import.meta.url).pathname;
    const made = await new Deno.Command("bash", { args: [script, dir], stderr: "piped" }).output();
    assert.ok(made.success, new TextDecoder().decode(made.stderr));
    const srv = await startTestServer({
      difficulty: easy,
      proxy: { trusted: [cidr("127.0.0.1")] },
      tls: {
        cert: await Deno.readTextFile(`${dir}/cert.pem`),
        key: await Deno.readTextFile(`${dir}/key.pem`),
      },
    });
    try {
      const tcp = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
      // The header and the ClientHello may share a segment: TLS must still see every byte.
      await tcp.write(v2([192, 0, 2, 77], 40010));
      const conn = await Deno.startTls(tcp, {
        hostname: "localhost",
        caCerts: [await Deno.readTextFile(`${dir}/ca.pem`)],
      });
      await conn.write(new TextEncoder().encode(SUBSCRIBE));
      const buf = new Uint8Array(4096);
      const n = await conn.read(buf);
      assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /"id":1/);
      const ips = srv.events.log.flatMap((e) => e.kind === "connected" ? [e.ip] : []);
      assert.deepEqual(ips, ["192.0.2.77"]);
      conn.close();
    } finally {
      await srv.server.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
