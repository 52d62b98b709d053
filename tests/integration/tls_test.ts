// stratum+ssl end to end: a config file names a TLS listener (tls_cert, tls_key) next to a plain one;
// the real server (production wiring, real kaspad devnet) serves a full subscribe / authorize /
// notify / submit exchange to Deno.connectTls trusting a test-only CA, and to `openssl s_client` as a
// second, independent TLS client. Plain TCP, untrusted and silent clients do not hurt the listener.
// Certificates are made at test time by tests/fixtures/tls/make_test_certs.sh into a temp dir.

import { freePort } from "../../scripts/kaspad_process.ts";
import assert from "node:assert/strict";
import { type InProcess, KstratumProcess, openFds, startInProcess } from "../helpers/kstratum.ts";
import {
  type KaspadProcess,
  kaspadTest,
  randomDevnetAddress,
  startKaspad,
  waitFor,
} from "../helpers/kaspad.ts";
import { type MinerDialect, StratumMiner } from "../../scripts/stratum_miner.ts";

const SHARE_DIFF = 2 ** -16;
const HANDSHAKE_MS = 2000;
const SCRIPT = new URL("../fixtures/tls/make_test_certs.sh", import.meta.url).pathname;

interface Env {
  dir: string;
  ca: string;
  kaspad: KaspadProcess;
  k: InProcess;
  tlsPort: number;
  plainPort: number;
}
let shared: Promise<Env> | undefined;

function env(): Promise<Env> {
  return shared ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "kstratum-tls-" });
    const out = await new Deno.Command("bash", { args: [SCRIPT, dir], stderr: "piped" }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const kaspad = await startKaspad();
    // Relative tls_cert/tls_key paths resolve against the config file's directory.
    await Deno.writeTextFile(
      `${dir}/kstratum.yaml`,
      [
        `node: ["${kaspad.grpcAddress}"]`,
        "listen:",
        '  - { bind: "127.0.0.1:0" }',
        '  - { bind: "127.0.0.1:0", tls_cert: cert.pem, tls_key: key.pem }',
        "",
      ].join("\n"),
    );
    const k = await startInProcess([
      `--config=${dir}/kstratum.yaml`,
      "--allow-unsynced",
      "--no-vardiff",
      `--start-diff=${SHARE_DIFF}`,
      `--handshake-timeout-ms=${HANDSHAKE_MS}`,
    ]);
    await k.running.service.whenReady();
    const tls = k.running.stratum.find((l) => l.tls);
    const plain = k.running.stratum.find((l) => !l.tls);
    assert.ok(tls && plain, "one TLS and one plain listener");
    const ca = await Deno.readTextFile(`${dir}/ca.pem`);
    return { dir, ca, kaspad, k, tlsPort: tls.port, plainPort: plain.port };
  })();
}

/** A test on the file's shared kaspad and kstratum (started by the first test that runs). */
function tlsTest(name: string, fn: (e: Env) => Promise<void>): void {
  kaspadTest(name, async () => fn(await env()));
}

/** handshake, first job, one real share accepted: the whole miner conversation. */
async function fullExchange(m: StratumMiner): Promise<void> {
  await m.handshake();
  const job = await m.nextJob(undefined, 30_000);
  assert.ok(job !== undefined, "a job (notify) arrives");
  assert.ok(m.difficulty > 0, "a difficulty was announced");
  if (m.dialect !== "bitmain" && m.dialect !== "simple") {
    assert.match(m.extranonce, /^[0-9a-f]{4}$/);
  }
  const nonce = m.findNonce(job, { start: 0n, tries: 5_000_000 });
  assert.ok(nonce !== undefined, "a share within 5M hashes");
  const reply = await m.submit(job, nonce);
  assert.equal(reply.error, null, `the share is accepted: ${JSON.stringify(reply)}`);
}

tlsTest(
  "tls: the config's TLS listener serves a full exchange to Deno.connectTls trusting the test CA",
  async (e) => {
    for (const dialect of ["array", "bighex", "simple"] as MinerDialect[]) {
      const m = await StratumMiner.connect(e.tlsPort, {
        dialect,
        address: randomDevnetAddress(),
        worker: `tls${dialect}`,
        caCerts: [e.ca],
      });
      try {
        await fullExchange(m);
      } finally {
        m.close();
      }
    }
    // The plain listener of the same config still speaks plain Stratum.
    const plain = await StratumMiner.connect(e.plainPort, {
      dialect: "array",
      address: randomDevnetAddress(),
      worker: "plain",
    });
    await fullExchange(plain);
    plain.close();
  },
);

/** `openssl s_client` as a byte pipe that looks like a Deno.Conn to the scripted miner. */
function opensslConn(port: number, caFile: string): { conn: Deno.Conn; child: Deno.ChildProcess } {
  const child = new Deno.Command("openssl", {
    args: [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-CAfile",
      caFile,
      "-verify_return_error",
      "-verify_ip",
      "127.0.0.1",
      "-quiet",
      "-nocommands",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const conn = {
    readable: child.stdout,
    write: async (b: Uint8Array) => {
      await writer.write(b);
      return b.length;
    },
    close: () => {
      writer.close().catch(() => {});
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
    },
  } as unknown as Deno.Conn;
  return { conn, child };
}

tlsTest(
  "tls: openssl s_client, an independent TLS client, verifies the certificate and does the same exchange",
  async (e) => {
    const { conn, child } = opensslConn(e.tlsPort, `${e.dir}/ca.pem`);
    const m = new StratumMiner(conn, {
      dialect: "array",
      address: randomDevnetAddress(),
      worker: "openssl",
    });
    try {
      await fullExchange(m);
    } finally {
      m.close();
      await child.status;
    }
    // Without the test CA openssl refuses the certificate: the verification above was real.
    const untrusted = await new Deno.Command("openssl", {
      args: ["s_client", "-connect", `127.0.0.1:${e.tlsPort}`, "-verify_return_error", "-quiet"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(untrusted.success, false);
    assert.match(
      new TextDecoder().decode(untrusted.stderr),
      /verify error|unable to get local issuer/,
    );
  },
);

tlsTest(
  "tls: plain TCP, untrusted and silent clients are turned away while TLS miners carry on",
  async (e) => {
    // Plain Stratum on the TLS port: not a TLS handshake, so the connection ends.
    const plain = await Deno.connect({ hostname: "127.0.0.1", port: e.tlsPort });
    await plain.write(
      new TextEncoder().encode('{"id":1,"method":"mining.subscribe","params":["x"]}\n'),
    ).catch(() => 0);
    const got = await readAll(plain, 10_000);
    assert.ok(!got.includes('"result"'), "no Stratum reply over plain TCP");
    // A client that does not trust the test CA fails its handshake.
    await assert.rejects(async () => {
      const c = await Deno.connectTls({ hostname: "127.0.0.1", port: e.tlsPort });
      try {
        await c.handshake();
      } finally {
        c.close();
      }
    });
    // TCP connections that never start the TLS handshake are closed at the handshake timeout, and
    // their sockets really go (Deno.listenTls kept such sockets open for as long as the peer stayed).
    const fdsBefore = await openFds(Deno.pid);
    const silent = await Promise.all(
      Array.from({ length: 100 }, () => Deno.connect({ hostname: "127.0.0.1", port: e.tlsPort })),
    );
    const t0 = Date.now();
    await Promise.all(silent.map((c) => readAll(c, HANDSHAKE_MS + 10_000)));
    assert.ok(Date.now() - t0 >= HANDSHAKE_MS - 200, "closed by the handshake timeout, not before");
    for (const c of silent) {
      try {
        c.close();
      } catch {
        // readAll's stream closed it at end of input
      }
    }
    await waitFor(
      "server-side sockets released",
      async () => ((await openFds(Deno.pid)) <= fdsBefore + 5 ? true : undefined),
      10_000,
      100,
    );
    // TLS miners are still served.
    const m = await StratumMiner.connect(e.tlsPort, {
      dialect: "bighex",
      address: randomDevnetAddress(),
      worker: "after",
      caCerts: [e.ca],
    });
    await fullExchange(m);
    m.close();
  },
);

/** Reads until the peer closes (or resets); throws after `ms`. Returns the text seen. */
async function readAll(conn: Deno.Conn, ms: number): Promise<string> {
  let text = "";
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    conn.close();
  }, ms);
  try {
    for await (const chunk of conn.readable) text += new TextDecoder().decode(chunk);
  } catch {
    // reset by the server (or closed by the timer): the stream is over either way
  } finally {
    clearTimeout(timer);
  }
  if (late) throw new Error(`not closed within ${ms} ms`);
  return text;
}

tlsTest(
  "tls: the kstratum process, under the start task's permissions, serves stratum+ssl too",
  async (e) => {
    const port = freePort();
    const k = new KstratumProcess([
      `--node=${e.kaspad.grpcAddress}`,
      `--listen=127.0.0.1:${port},tls_cert=${e.dir}/cert.pem,tls_key=${e.dir}/key.pem`,
      "--allow-unsynced",
      "--no-vardiff",
      `--start-diff=${SHARE_DIFF}`,
    ]);
    try {
      await k.healthy();
      const m = await StratumMiner.connect(port, {
        dialect: "bitmain",
        address: randomDevnetAddress(),
        worker: "process",
        caCerts: [e.ca],
      });
      await fullExchange(m);
      m.close();
    } finally {
      const status = await k.stop();
      assert.equal(status.code, 0, k.log.slice(-20).join("\n"));
    }
  },
);
/** openssl s_client -msg on the TLS port, fed `input`; what it printed once kstratum closed. */
async function opensslUntilClosed(e: Env, input: string): Promise<string> {
  // -ign_eof: openssl keeps the connection after its input ends, until the server closes it.
  const child = new Deno.Command("openssl", {
    args: [
      "s_client",
      "-connect",
      `127.0.0.1:${e.tlsPort}`,
      "-CAfile",
      `${e.dir}/ca.pem`,
      "-msg",
      "-ign_eof",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const kill = setTimeout(() => child.kill(), 20_000);
  try {
    // openssl exits once the server closes, maybe before taking all of it: a broken pipe is fine.
    const writer = child.stdin.getWriter();
    if (input !== "") await writer.write(new TextEncoder().encode(input)).catch(() => {});
    await writer.close().catch(() => {});
    return new TextDecoder().decode((await child.output()).stdout);
  } finally {
    clearTimeout(kill);
  }
}

const CLOSE_NOTIFY = /<<< TLS [\d.]+, Alert \[length 0002\], warning close_notify/;

tlsTest(
  "tls: a connection kstratum closes ends with a TLS close_notify (openssl sees it)",
  async (e) => {
    // A line past the limit: kstratum answers "Line too long" and closes the connection.
    const overflow = await opensslUntilClosed(e, "x".repeat(100_000) + "\n");
    assert.match(overflow, /Line too long/, "the error reply came first");
    assert.match(overflow, CLOSE_NOTIFY, "close_notify after an oversize line");
    // A TLS client that never subscribes: closed at the handshake timeout.
    const silent = await opensslUntilClosed(e, "");
    assert.match(silent, CLOSE_NOTIFY, "close_notify at the handshake timeout");
    assert.doesNotMatch(silent, /decode_error|unexpected eof/, "and nothing cut short");
  },
);

tlsTest("tls: stop the server and the node, remove the test certificates", async (e) => {
  await e.k.stop();
  await e.kaspad.stop();
  await Deno.remove(e.dir, { recursive: true });
});
