// Hostile miners against the real server (production wiring, real kaspad devnet, real sockets on
// 127.0.0.1): malformed and mistyped requests, huge numbers, garbage, 10 MB lines, half-open and
// slowloris connections, submit floods, reconnect storms. Each gets a clear error or a clean close;
// nothing escapes; memory stays bounded over repeated rounds.

import assert from "node:assert/strict";
import { parseJson } from "../../lib/protocol/mod.ts";
import { type InProcess, startInProcess } from "../helpers/kstratum.ts";
import { Rng } from "../helpers/fuzz.ts";
import {
  type KaspadProcess,
  kaspadTest,
  randomDevnetAddress,
  startKaspad,
  waitFor,
} from "../helpers/kaspad.ts";
import { StratumMiner } from "../../scripts/stratum_miner.ts";
import { shareReplyMs } from "../helpers/share_latency.ts";

const HANDSHAKE_MS = 1500;
const IDLE_MS = 3000;
const ADDRESS = randomDevnetAddress();

interface Env {
  kaspad: KaspadProcess;
  k: InProcess;
}
let shared: Promise<Env> | undefined;

/** One kaspad and one server for the whole file (started by the first test that needs them). */
function env(): Promise<Env> {
  return shared ??= (async () => {
    const kaspad = await startKaspad();
    const k = await startInProcess([
      `--node=${kaspad.grpcAddress}`,
      "--listen=127.0.0.1:0",
      "--allow-unsynced",
      "--no-vardiff",
      `--start-diff=${2 ** -16}`,
      `--handshake-timeout-ms=${HANDSHAKE_MS}`,
      `--idle-timeout-ms=${IDLE_MS}`,
      "--log-level=info",
      // These tests read the log for each refusal; hostile_process_test.ts holds the default
      // per-IP log budget to account.
      "--log-lines-per-ip=1000000",
    ]);
    await k.running.service.whenReady();
    return { kaspad, k };
  })();
}

/** A test on the file's shared kaspad and kstratum (started by the first test that runs). */
function hostileTest(name: string, fn: (e: Env) => Promise<void>): void {
  kaspadTest(name, async () => fn(await env()));
}

/** A raw client: exact bytes out, lines in (bounded waits), EOF seen as null. */
class Raw {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";
  #eof = false;
  private constructor(readonly conn: Deno.TcpConn) {
    this.#reader = conn.readable.getReader();
  }
  static async open(port: number): Promise<Raw> {
    return new Raw(await Deno.connect({ hostname: "127.0.0.1", port }));
  }
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (let at = 0; at < bytes.length;) at += await this.conn.write(bytes.subarray(at));
  }
  /** Next line, or null at end of stream (or reset); throws after `ms` without either. */
  async line(ms = 10_000): Promise<string | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const nl = this.#buffer.indexOf("\n");
      if (nl !== -1) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        return line;
      }
      if (this.#eof) return null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((r) =>
        timer = setTimeout(() => r("late"), Math.max(0, deadline - Date.now()))
      );
      const read = await Promise.race([this.#reader.read().catch(() => ({ done: true })), late]);
      clearTimeout(timer);
      if (read === "late") throw new Error(`no line within ${ms} ms`);
      if (read.done || !("value" in read) || read.value === undefined) this.#eof = true;
      else this.#buffer += this.#decoder.decode(read.value, { stream: true });
    }
  }
  /** Reads until end of stream; returns the lines seen on the way. Throws after `ms`. */
  async untilEof(ms = 10_000): Promise<string[]> {
    const lines: string[] = [];
    for (let l = await this.line(ms); l !== null; l = await this.line(ms)) lines.push(l);
    return lines;
  }
  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** The error code of a reply line, or null for success. */
function codeOf(line: string | null): number | null {
  assert.ok(line !== null, "a reply, not the end of the stream");
  const msg = parseJson(line) as { error: unknown[] | null };
  return msg.error === null ? null : Number(msg.error[0]);
}

/** A miner through handshake and first job. */
async function goodMiner(port: number, worker: string): Promise<StratumMiner> {
  const m = await StratumMiner.connect(port, { dialect: "array", address: ADDRESS, worker });
  await m.handshake();
  assert.ok(await m.nextJob(undefined, 30_000), "a job arrives");
  return m;
}

const mb = (n: number) => Math.round(n / 1024 / 1024);

/** Runs `round` `rounds + 1` times; the growth after the warm-up round must stay under the bounds. */
async function bounded(
  what: string,
  rounds: number,
  limits: { heapMb: number; rssMb: number },
  round: (i: number) => Promise<void>,
): Promise<void> {
  await round(0);
  const before = Deno.memoryUsage();
  for (let i = 1; i <= rounds; i++) await round(i);
  const after = Deno.memoryUsage();
  const heap = after.heapUsed - before.heapUsed;
  const rss = after.rss - before.rss;
  console.log(
    `${what}: heapUsed ${mb(before.heapUsed)}→${mb(after.heapUsed)} MB, rss ${mb(before.rss)}→${
      mb(after.rss)
    } MB`,
  );
  assert.ok(
    heap < limits.heapMb * 2 ** 20,
    `${what}: heap grew ${mb(heap)} MB over ${rounds} rounds`,
  );
  assert.ok(rss < limits.rssMb * 2 ** 20, `${what}: rss grew ${mb(rss)} MB over ${rounds} rounds`);
}

hostileTest(
  "hostile: malformed JSON, wrong types, huge numbers, unknown methods and garbage each get an error; the connection stays usable",
  async ({ k }) => {
    const rng = new Rng(7);
    const garbage = Uint8Array.from({ length: 512 }, () => 0x80 + rng.int(128));
    const cases: [string | Uint8Array, number, string][] = [
      ["{not json", -32700, "null"],
      ['{"id":1,"method":"mining.subscribe","params":["a"]', -32700, "null"],
      ["[1,2]", -32600, "null"],
      ['"mining.subscribe"', -32600, "null"],
      ['{"id":{"a":1},"method":"mining.subscribe","params":[]}', -32600, "null"],
      ['{"id":1e300,"method":"mining.subscribe","params":[]}', -32600, "null"],
      ['{"id":2,"method":42,"params":[]}', -32600, "2"],
      ['{"id":3,"method":"mining.subscribe","params":{"agent":"x"}}', -32602, "3"],
      ['{"id":4,"method":"mining.subscribe","params":[42]}', -32602, "4"],
      ['{"id":5,"method":"mining.authorize","params":[12345678901234567890123,null]}', -32602, "5"],
      ['{"id":6,"method":"mining.teleport","params":[]}', -32601, "6"],
      [`{"id":7,"method":"${"m".repeat(20_000)}","params":[]}`, -32601, "7"],
      [
        '{"id":18446744073709551616,"method":"mining.submit","params":["w",1e400,"00"]}',
        -32602,
        "18446744073709551616",
      ],
      ['{"id":"x","method":"mining.submit","params":["w","1","00"]}', 25, '"x"'],
      [garbage, -32700, "null"],
    ];
    const c = await Raw.open(k.port);
    try {
      for (const [input, code, id] of cases) {
        const bytes = typeof input === "string" ? new TextEncoder().encode(input + "\n") : input;
        await c.write(typeof input === "string" ? bytes : Uint8Array.from([...input, 0x0a]));
        const line = await c.line();
        assert.equal(codeOf(line), code, `${String(input).slice(0, 80)} → ${line}`);
        assert.ok(line!.startsWith(`{"id":${id},`), `id echoed: ${line}`);
      }
      // A line of NULs and tabs is blank once cleaned: no reply, and the next request is answered.
      await c.write("\0\0\t\0\r\n");
      await c.write(`{"id":8,"method":"mining.subscribe","params":["lolMiner 1.88"]}\n`);
      assert.equal(codeOf(await c.line()), null);
      await c.write(`{"id":9,"method":"mining.authorize","params":["${ADDRESS}.rig","x"]}\n`);
      assert.equal(codeOf(await c.line()), null);
      // Wait for job 1, so the submits below are judged on their params, not a missing job.
      for (let line = await c.line(30_000); !line?.includes('"mining.notify"');) {
        assert.ok(line !== null, "a job arrives");
        line = await c.line(30_000);
      }
      // Authorized: mistyped and out-of-range submits.
      const submits: [string, number][] = [
        [`["${ADDRESS}.rig","99999999999999999999","0000000000000001"]`, 21],
        [`["${ADDRESS}.rig","1","zz"]`, -32602],
        [`["${ADDRESS}.rig","1",18446744073709551616]`, -32602],
        [`["${ADDRESS}.rig",{},"00"]`, -32602],
        [`[]`, -32602],
      ];
      let id = 100;
      for (const [params, code] of submits) {
        await c.write(`{"id":${++id},"method":"mining.submit","params":${params}}\n`);
        for (let line = await c.line();; line = await c.line()) {
          if (line !== null && line.includes('"method"')) continue; // extranonce, difficulty, jobs
          assert.equal(codeOf(line), code, `${params} → ${line}`);
          break;
        }
      }
    } finally {
      c.close();
    }
  },
);

hostileTest(
  "hostile: 10 MB lines are answered 'Line too long' and closed while a good miner carries on; memory stays bounded",
  async ({ k }) => {
    const good = await goodMiner(k.port, "steady");
    try {
      const big = new Uint8Array(10 * 1024 * 1024).fill(0x41);
      await bounded("10 MB lines", 3, { heapMb: 64, rssMb: 256 }, async () => {
        const c = await Raw.open(k.port);
        const writing = c.write(big).catch(() => {}); // the server stops reading and closes
        const lines = await c.untilEof(20_000);
        await writing;
        c.close();
        assert.deepEqual(lines, [
          '{"id":null,"result":null,"error":[-32600,"Line too long",null]}',
        ]);
        const r = await good.submit(good.job!, 1n);
        assert.ok(r.error !== null || r.result === true, "the good miner is still answered");
      });
      assert.ok(!good.closed, "the good miner stayed connected");
    } finally {
      good.close();
    }
  },
);

hostileTest(
  "hostile: half-open connections get their reply or a clean close; silent ones close at the handshake timeout",
  async ({ k }) => {
    // A request, then FIN: the reply still arrives, then the server closes.
    const a = await Raw.open(k.port);
    await a.write('{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88"]}\n');
    await a.conn.closeWrite();
    assert.deepEqual(await a.untilEof(), [
      '{"id":1,"result":[true,"EthereumStratum/1.0.0"],"error":null}',
    ]);
    a.close();
    // The last line without its newline, then FIN: answered like any line.
    const b = await Raw.open(k.port);
    await b.write('{"id":2,"method":"mining.subscribe","params":["lolMiner 1.88"]}');
    await b.conn.closeWrite();
    assert.deepEqual(await b.untilEof(), [
      '{"id":2,"result":[true,"EthereumStratum/1.0.0"],"error":null}',
    ]);
    b.close();
    // Connected, never a byte: closed once the handshake time is over.
    const silent = await Raw.open(k.port);
    const t0 = Date.now();
    assert.deepEqual(await silent.untilEof(HANDSHAKE_MS + 10_000), []);
    assert.ok(Date.now() - t0 >= HANDSHAKE_MS - 100, "not before the handshake timeout");
    silent.close();
  },
);

hostileTest(
  "hostile: slowloris connections are closed at the handshake and idle timeouts without starving a real miner",
  async ({ k }) => {
    const trickling = await Promise.all(Array.from({ length: 100 }, () => Raw.open(k.port)));
    // One slowloris that authorizes first, then trickles a line that never ends.
    const authed = await Raw.open(k.port);
    await authed.write('{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88"]}\n');
    await authed.write(`{"id":2,"method":"mining.authorize","params":["${ADDRESS}.slow","x"]}\n`);
    let stop = false;
    const trickle = (async () => {
      for (let i = 0; i < 200 && !stop; i++) {
        await Promise.all([...trickling, authed].map((c) => c.write("{").catch(() => {})));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      const good = await goodMiner(k.port, "amid-slowloris");
      assert.ok(good.job !== undefined, "the real miner got work while 101 connections trickled");
      good.close();
      const closed = await Promise.all(trickling.map((c) => c.untilEof(HANDSHAKE_MS + 15_000)));
      assert.ok(closed.every((lines) => lines.length === 0), "closed without a word");
      const authedLines = await authed.untilEof(IDLE_MS + 15_000);
      assert.ok(authedLines.some((l) => l.includes('"id":2,"result":true')), "it had authorized");
    } finally {
      stop = true;
      await trickle;
      for (const c of [...trickling, authed]) c.close();
    }
  },
);

hostileTest(
  "hostile: a flood of 20,000 submits gets 20,000 replies in order; an unread flood is closed as a slow reader",
  async ({ k }) => {
    await bounded("submit floods", 2, { heapMb: 96, rssMb: 256 }, async (round) => {
      const c = await Raw.open(k.port);
      await c.write('{"id":"s","method":"mining.subscribe","params":["lolMiner 1.88"]}\n');
      await c.write(
        `{"id":"a","method":"mining.authorize","params":["${ADDRESS}.flood${round}","x"]}\n`,
      );
      const lines: string[] = [];
      for (let i = 1; i <= 20_000; i++) {
        const job = i % 3 === 0 ? "1" : String(1_000_000 + i);
        lines.push(
          `{"id":${i},"method":"mining.submit","params":["${ADDRESS}.flood${round}","${job}","${
            i.toString(16).padStart(12, "0")
          }"]}\n`,
        );
      }
      const writing = c.write(lines.join(""));
      let next = 1;
      for (let line = await c.line(); next <= 20_000; line = await c.line()) {
        assert.ok(line !== null, `stream ended after reply ${next - 1}`);
        if (line.includes('"method"') || !/^\{"id":\d+,/.test(line)) continue;
        assert.ok(
          line.startsWith(`{"id":${next},`),
          `reply ${next} in order: ${line.slice(0, 80)}`,
        );
        next++;
      }
      await writing;
      c.close();
    });
    // Never reading: the replies pile up past the write-queue bound and the server lets go.
    const unread = await Raw.open(k.port);
    await unread.write('{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88"]}\n');
    const flood = `{"id":2,"method":"mining.teleport","params":["${"x".repeat(200)}"]}\n`.repeat(
      4096,
    );
    let wrote = 0;
    try {
      for (; wrote < 200; wrote++) await unread.write(flood);
    } catch {
      // the server closed the connection
    }
    unread.close();
    assert.ok(wrote < 200, "the server stopped taking the flood of an unread connection");
    await waitFor(
      "slow reader logged",
      () => k.records(/slow reader/).length > 0 ? true : undefined,
      10_000,
    );
  },
);

hostileTest(
  "hostile: a reconnect storm leaves no connection behind, refuses past the per-IP cap, and memory stays bounded",
  async ({ k }) => {
    const stats = () => k.running.stats.snapshot();
    await bounded("reconnect storms", 3, { heapMb: 64, rssMb: 256 }, async (round) => {
      for (let batch = 0; batch < 5; batch++) {
        await Promise.all(Array.from({ length: 100 }, async (_, i) => {
          const m = await StratumMiner.connect(k.port, {
            dialect: (["array", "bighex", "bitmain", "simple"] as const)[i % 4]!,
            address: ADDRESS,
            worker: `storm${i % 10}`,
          });
          if (i % 2 === 0) await m.handshake().catch(() => {});
          m.close();
        }));
      }
      await waitFor(
        `round ${round}: every storm connection gone`,
        () => stats().connections.total === 0 ? true : undefined,
        15_000,
      );
    });
    // Past max_connections_per_ip (512 by default) connections are refused at once.
    const many = await Promise.all(Array.from({ length: 600 }, () => Raw.open(k.port)));
    try {
      await waitFor(
        "refusals logged",
        () => k.records(/connection refused/).length >= 88 ? true : undefined,
        15_000,
      );
      const good = await Raw.open(k.port).then(async (c) => {
        await c.write('{"id":1,"method":"mining.subscribe","params":["x"]}\n');
        return await c.untilEof(5_000).finally(() => c.close());
      });
      assert.deepEqual(good, [], "a 601st connection is closed at once");
    } finally {
      for (const c of many) c.close();
    }
    await waitFor("all released", () => stats().connections.total === 0 ? true : undefined, 15_000);
    const after = await goodMiner(k.port, "after-storm");
    after.close();
  },
);

hostileTest(
  "hostile: 30 KB user agents and worker names, d=1e-9 on a fixed port and 65 KB addresses hit their budgets (holes 2, 3, 6)",
  async ({ k }) => {
    const honest = await goodMiner(k.port, "budget-honest");
    const baseline = await shareReplyMs(honest, 4);
    const portDiff = 2 ** -16;
    const attack = (async () => {
      const started = performance.now();
      const diffs: number[] = [];
      let refused = 0;
      for (let i = 0; i < 20; i++) {
        const c = await Raw.open(k.port);
        try {
          const agent = `ua${i}`.padEnd(30_000, "u");
          await c.write(`{"id":1,"method":"subscribe","params":["${ADDRESS}","${agent}"]}\n`);
          assert.equal(codeOf(await c.line()), null);
          const worker = `w${i}`.padEnd(30_000, "w");
          await c.write(`{"id":2,"method":"authorize","params":["${worker}","d=0.000000001"]}\n`);
          const auth = parseJson((await c.line())!) as { result: unknown[] };
          diffs.push(Number(auth.result[2]));
        } finally {
          c.close();
        }
        const d = await Raw.open(k.port);
        try {
          await d.write('{"id":1,"method":"mining.subscribe","params":["lolMiner"]}\n');
          assert.equal(codeOf(await d.line()), null);
          const huge = "kaspa:" + "q".repeat(65_000);
          await d.write(`{"id":3,"method":"mining.authorize","params":["${huge}.x","x"]}\n`);
          if (codeOf(await d.line()) === 24) refused++;
        } finally {
          d.close();
        }
      }
      return { diffs, refused, ms: performance.now() - started };
    })();
    const during = await shareReplyMs(honest, 4);
    const { diffs, refused, ms } = await attack;
    const workers = k.running.stats.snapshot().workers;
    const longest = Math.max(...workers.map((w) => Math.max(w.worker.length, w.miner.length)));
    console.log(
      `budgets: 20 connections in ${ms.toFixed(0)} ms; honest share reply max ` +
        `${Math.max(...during).toFixed(1)} ms (baseline ${Math.max(...baseline).toFixed(1)}); ` +
        `longest label ${longest}; d= answered ${[...new Set(diffs)].join(",")}`,
    );
    assert.deepEqual([...new Set(diffs)], [portDiff], "the fixed port's difficulty is kept");
    assert.equal(refused, 20, "every 65 KB address is refused (24)");
    assert.ok(longest <= 64, `worker names and agents are cut (${longest})`);
    assert.ok(
      Math.max(...during) < Math.max(...baseline) + 1000,
      "the honest miner's replies stay prompt",
    );
    honest.close();
  },
);

hostileTest(
  "hostile: re-subscribing with new payout addresses hits the per-connection and per-IP budgets (hole 4)",
  async ({ k }) => {
    const honest = await goodMiner(k.port, "address-honest");
    const baseline = await shareReplyMs(honest, 4);
    const before = k.running.service.status().addresses;
    const held: Raw[] = [];
    const attack = (async () => {
      let accepted = 0;
      let refused = 0;
      const ask = async (c: Raw, id: number, line: string) => {
        await c.write(line + "\n");
        for (let l = await c.line(); l !== null; l = await c.line()) {
          const msg = parseJson(l) as { id?: unknown };
          if (msg.id !== id) continue; // a job or difficulty notification
          return codeOf(l) === null;
        }
        return false;
      };
      for (let conn = 0; conn < 25; conn++) {
        const c = await Raw.open(k.port);
        held.push(c);
        for (let i = 0; i < 8; i++) {
          const a = randomDevnetAddress();
          const ok = await ask(
            c,
            2 * i,
            `{"id":${2 * i},"method":"subscribe","params":["${a}","churn"]}`,
          );
          if (ok) accepted++;
          else refused++;
          if (i === 0) await ask(c, 1, `{"id":1,"method":"authorize","params":["rig","x"]}`);
        }
      }
      return { accepted, refused };
    })();
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, k.running.service.status().addresses);
    }, 5);
    const during = await shareReplyMs(honest, 4);
    const { accepted, refused } = await attack;
    clearInterval(sampler);
    for (const c of held) c.close();
    console.log(
      `address churn: 200 subscribes, ${accepted} accepted, ${refused} refused; addresses in use ` +
        `peaked at ${peak} (${before} before); honest share reply max ` +
        `${Math.max(...during).toFixed(1)} ms (baseline ${Math.max(...baseline).toFixed(1)})`,
    );
    assert.ok(accepted <= 64, `at most max_addresses_per_ip addresses taken (${accepted})`);
    assert.ok(refused >= 200 - 64, `the rest refused (${refused})`);
    assert.ok(peak <= before + 64, `addresses in use stayed bounded (${peak})`);
    assert.ok(k.records(/payout address refused/).length > 0, "refusals are logged");
    assert.ok(
      Math.max(...during) < Math.max(...baseline) + 1000,
      "the honest miner's replies stay prompt",
    );
    honest.close();
  },
);

hostileTest("hostile: the server stops cleanly after all of it", async ({ kaspad, k }) => {
  await k.stop();
  await kaspad.stop();
});
