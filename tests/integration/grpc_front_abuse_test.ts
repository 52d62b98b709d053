// The kstratum process's kaspad-compatible gRPC mining port (--grpc-listen) under hostile HTTP/2 clients,
// through the wire only: every misbehaviour in tests/helpers/grpc_abuse.ts many times over, with an
// honest miner served throughout and idle connections GOAWAY'd at the end (denoland/deno#36788 kills a
// node:http2 process while it handles a GOAWAY, below JavaScript). The process must never die, must
// keep answering getInfo and getBlockTemplate, must log no uncaught error, and SIGTERM must stop it
// while a miner still holds its stream open.
// Nothing of the front's code is imported, so the test holds whatever serves the port.
//
// KSTRATUM_GRPC_ABUSE_REPEAT=N repeats the storm and the burst N times (about 3,600 connections and
// 40 s each): the node:http2 front died about once in 10,000 to 30,000 abusive connections, so the
// default run is a guard (it caught that crash in 1 of 13 runs), and a long one hunts a rare crash.

import assert from "node:assert/strict";
import { freePort } from "../../scripts/kaspad_process.ts";
import { Rng } from "../helpers/fuzz.ts";
import {
  type AbuseContext,
  type AbuseOutcome,
  ABUSES,
  fetchGetInfo,
  HonestMiner,
  infoRequest,
} from "../helpers/grpc_abuse.ts";
import { H2_ERROR, H2Client } from "../helpers/h2_raw.ts";
import { kaspadTest, randomDevnetAddress, startKaspad } from "../helpers/kaspad.ts";
import { KstratumProcess } from "../helpers/kstratum.ts";

/** The storm: every pattern this many times, shuffled, CONCURRENCY connections at a time. */
const PER_PATTERN = 60;
const CONCURRENCY = 8;
/**
 * The burst: five patterns that were in flight at every SIGSEGV of the node:http2 front, 16 at a
 * time. The crash is rare: 2 in 20,000 runs of this mix, 4 in about 140,000 abusive connections in
 * all, each a SIGSEGV inside nghttp2 (nghttp2_session_get_stream on a corrupt stream map).
 */
const BURST = [
  "empty-message-flood",
  "goaway-zero-in-flight",
  "goaway-after-13-calls",
  "rst-cancel-in-flight",
  "goaway-odd-codes",
];
const BURST_RUNS = 2000;
const BURST_CONCURRENCY = 16;
/** Storm-and-burst repetitions (KSTRATUM_GRPC_ABUSE_REPEAT, default 1). */
const REPEAT = repeatFromEnv();
/** Connections that make 13 calls, then idle through the storm, then get a GOAWAY or vanish. */
const IDLE_CONNECTIONS = 24;
/** Lines that mean an error escaped every handler (Deno's "error: Uncaught", a Rust panic, an abort). */
const UNCAUGHT = /uncaught|panicked|assertion|segmentation|core dumped|^error:/i;

function repeatFromEnv(): number {
  const text = Deno.env.get("KSTRATUM_GRPC_ABUSE_REPEAT") ?? "1";
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new RangeError(`KSTRATUM_GRPC_ABUSE_REPEAT must be an integer in [1, 1000], got ${text}`);
  }
  return n;
}

/** An honest miner doing round trips every 200 ms until stopped; failures are kept. */
function honestLoop(port: number, address: string) {
  const stats = { ok: 0, maxMs: 0, failures: [] as string[] };
  let running = true;
  const done = (async () => {
    const miner = await HonestMiner.connect(port);
    while (running) {
      try {
        // Generous: a flood of empty requests has held an answer back for 6 s on a loaded host.
        const ms = await miner.roundTrip(address, 30_000);
        stats.ok++;
        stats.maxMs = Math.max(stats.maxMs, ms);
      } catch (e) {
        stats.failures.push(String(e));
        if (stats.failures.length >= 3) return miner;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return miner;
  })();
  return {
    stats,
    /** Stops the loop; resolves with the miner, its stream still open. */
    stop: () => {
      running = false;
      return done;
    },
  };
}

/** Opens connections that make 13 getInfo calls each; most keep one stream open; half ignore PING. */
async function idleConnections(port: number, n: number) {
  const held: Array<{ client: H2Client; open: number | undefined }> = [];
  for (let i = 0; i < n; i++) {
    const client = await H2Client.connect({ port, answerPings: i % 2 === 0 });
    await client.handshakeDone();
    for (let call = 0; call < 13; call++) {
      const s = await client.openStream();
      await client.send(s, infoRequest(), true);
      await client.nextMessage(s);
    }
    let open: number | undefined;
    if (i % 3 !== 2) {
      open = await client.openStream();
      await client.send(open, infoRequest());
      await client.nextMessage(open);
    }
    held.push({ client, open });
  }
  return held;
}

/** Ends the idle connections six ways: GOAWAYs (with and without a last stream id), garbage, vanishing. */
async function goawayIdle(held: Array<{ client: H2Client; open: number | undefined }>) {
  await Promise.all(held.map(async ({ client, open }, i) => {
    switch (i % 6) {
      case 0:
        await client.goaway(225, H2_ERROR.NO_ERROR);
        break;
      case 1:
        await client.goaway(0, H2_ERROR.PROTOCOL_ERROR);
        break;
      case 2: {
        await client.goaway(open ?? 25, H2_ERROR.NO_ERROR);
        const s = await client.openStream();
        await client.send(s, infoRequest());
        break;
      }
      case 3:
        await client.write(new Rng(i).bytes(64)); // the server answers with its own GOAWAY
        break;
      case 4:
        if (open !== undefined) await client.reset(open, H2_ERROR.CANCEL);
        await client.goaway(225, H2_ERROR.CANCEL);
        break;
      case 5:
        break; // gone without a word
    }
    await client.waitClosed(i % 6 === 5 ? 0 : 500);
    client.abort();
    await client.closed;
  }));
}

/** What happened to one pattern's runs. */
interface Tally {
  runs: number;
  goaways: number;
  closed: number;
}

/**
 * Runs `queue` (pattern names, consumed) on `concurrency` connections at a time until it is empty or
 * `dead()`; `inFlight` names the patterns running. A pattern throws only when the server is gone.
 */
async function storm(options: {
  queue: string[];
  concurrency: number;
  seed: number;
  ctx: Omit<AbuseContext, "rng">;
  tallies: Map<string, Tally>;
  inFlight: Map<number, string>;
  dead: () => boolean;
}): Promise<void> {
  const { queue, tallies, inFlight } = options;
  let task = 0;
  await Promise.all(Array.from({ length: options.concurrency }, async (_, w) => {
    const rng = new Rng(options.seed * 1000 + w);
    for (let name = queue.pop(); name !== undefined && !options.dead(); name = queue.pop()) {
      const id = options.seed * 1e6 + task++;
      inFlight.set(id, name);
      let outcome: AbuseOutcome | undefined;
      try {
        outcome = await ABUSES[name]!({ ...options.ctx, rng });
      } catch (e) {
        if (!options.dead()) throw e;
      } finally {
        inFlight.delete(id);
      }
      const t = tallies.get(name) ?? { runs: 0, goaways: 0, closed: 0 };
      tallies.set(name, t);
      t.runs++;
      if (outcome?.goaway !== undefined) t.goaways++;
      if (outcome?.serverClosed) t.closed++;
    }
  }));
}

/** `names`, each `times` times, in an order shuffled by `seed`. */
function shuffled(names: readonly string[], times: number, seed: number): string[] {
  const rng = new Rng(seed);
  const queue = names.flatMap((n) => Array<string>(times).fill(n));
  for (let i = queue.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [queue[i], queue[j]] = [queue[j]!, queue[i]!];
  }
  return queue;
}

function deathReport(k: KstratumProcess, status: Deno.CommandStatus, inFlight: string[]): string {
  return `kstratum DIED (exit ${status.code}, signal ${status.signal}) while its gRPC front was ` +
    `being abused; patterns in flight: ${inFlight.join(", ") || "none"}; last log lines:\n` +
    k.log.slice(-15).join("\n");
}

kaspadTest(
  "gRPC front: the kstratum process survives GOAWAYs, resets, abrupt closes and bad frames from hundreds of connections and still serves an honest miner",
  async () => {
    const kaspad = await startKaspad();
    const frontPort = freePort();
    const k = new KstratumProcess([
      `--node=${kaspad.grpcAddress}`,
      `--grpc-listen=127.0.0.1:${frontPort}`,
      "--allow-unsynced",
      "--log-level=warn",
      // Every client here is 127.0.0.1: the per-IP cap (16 calls) would refuse most of the abuse
      // before it reached the front's handler. The cap of 256 calls in all still holds.
      "--grpc-streams-per-ip=256",
    ]);
    const inFlight = new Map<number, string>();
    let death: string | undefined;
    k.exited.then((status) => {
      death ??= deathReport(k, status, [...inFlight.values()]);
    });
    try {
      await k.healthy();
      const address = randomDevnetAddress();
      const rssBefore = await k.rssBytes();
      const honest = honestLoop(frontPort, address);
      const idle = await idleConnections(frontPort, IDLE_CONNECTIONS);

      const names = Object.keys(ABUSES);
      const tallies = new Map<string, Tally>();
      const base = {
        ctx: { port: frontPort, address, freshAddress: randomDevnetAddress },
        tallies,
        inFlight,
        dead: () => death !== undefined,
      };
      const burstTallies = new Map<string, Tally>();
      let stormS = 0;
      let burstS = 0;
      for (let rep = 0; rep < REPEAT && death === undefined; rep++) {
        const started = performance.now();
        await storm({
          ...base,
          queue: shuffled(names, PER_PATTERN, 2 * rep + 1),
          concurrency: CONCURRENCY,
          seed: 2 * rep + 1,
        });
        const between = performance.now();
        stormS += (between - started) / 1000;
        await storm({
          ...base,
          tallies: burstTallies,
          queue: shuffled(BURST, BURST_RUNS / BURST.length, 2 * rep + 2),
          concurrency: BURST_CONCURRENCY,
          seed: 2 * rep + 2,
        });
        burstS += (performance.now() - between) / 1000;
      }
      await goawayIdle(idle);
      await new Promise((r) => setTimeout(r, 500)); // a death right after the last frame shows now
      if (death !== undefined) assert.fail(death);

      const miner = await honest.stop();
      const runs = [...tallies.values()].reduce((a, t) => a + t.runs, 0);
      const burstRuns = [...burstTallies.values()].reduce((a, t) => a + t.runs, 0);
      const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
      console.log(
        `storm: ${runs} abusive connections (${names.length} patterns × ${PER_PATTERN * REPEAT}, ` +
          `${CONCURRENCY} at a time) in ${stormS.toFixed(1)} s; burst: ${burstRuns} ` +
          `(${BURST.length} patterns, ${BURST_CONCURRENCY} at a time) in ${burstS.toFixed(1)} s; ` +
          `${IDLE_CONNECTIONS} idle connections GOAWAY'd; honest round trips ${honest.stats.ok}, ` +
          `slowest ${honest.stats.maxMs.toFixed(0)} ms; RSS ${mb(rssBefore)} → ` +
          `${mb(await k.rssBytes())}`,
      );
      for (const name of names) {
        assert.equal(
          tallies.get(name)?.runs,
          PER_PATTERN * REPEAT,
          `every run of ${name} happened`,
        );
      }
      assert.equal(burstRuns, BURST_RUNS * REPEAT, "every run of the burst happened");
      assert.deepEqual(honest.stats.failures, [], "the honest miner was served all along");
      assert.ok(honest.stats.ok > 0, "the honest miner made round trips during the storm");

      // Served after it all: the long-lived stream, a new connection, and a second client stack.
      await miner.roundTrip(address);
      const fresh = await HonestMiner.connect(frontPort);
      await fresh.roundTrip(randomDevnetAddress());
      await fetchGetInfo(frontPort);
      await fresh.close();

      const uncaught = k.log.filter((l) => UNCAUGHT.test(l));
      assert.deepEqual(uncaught, [], "no uncaught error in kstratum's log");
      if (death !== undefined) assert.fail(death);
      // The miner keeps its stream open, as a live miner does: shutdown must not wait on it (the
      // node:http2 front waited forever for such a stream and needed SIGKILL).
      const status = await k.stop();
      miner.client.abort();
      assert.deepEqual(
        { code: status.code, signal: status.signal },
        { code: 0, signal: null },
        "SIGTERM stops kstratum cleanly while a miner still holds its stream open",
      );
    } finally {
      if (k.alive) await k.stop();
      await kaspad.stop();
    }
  },
);
