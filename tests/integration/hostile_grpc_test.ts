// The gRPC mining port of the real kstratum process (main.ts, real kaspad devnet) under hostile
// clients (issue 18 holes 2 and 5): a 3 MB and a 60 MB message are refused from their length prefix
// with no reply, and one IP cannot take more than its share of streams. An honest Stratum miner's
// share replies are timed during each attack against a baseline.

import assert from "node:assert/strict";
import { encode, PAYLOAD } from "../../lib/node/grpc/messages.ts";
import { frameMessage, FrameReader } from "../../lib/node/grpc/frames.ts";
import { GRPC_HEADERS, MESSAGE_STREAM_PATH } from "../../lib/node/grpc/transport.ts";
import { WireWriter } from "../../lib/node/grpc/wire.ts";
import { KstratumProcess } from "../helpers/kstratum.ts";
import { kaspadTest, randomDevnetAddress, startKaspad } from "../helpers/kaspad.ts";
import { freePort } from "../../scripts/kaspad_process.ts";
import { connectHonest, shareReplyMs } from "../helpers/share_latency.ts";

const SHARE_DIFF = 2 ** -16;

/** One MessageStream call on `client`: its grpc-status header (null when accepted) and body. */
async function openStream(client: Deno.HttpClient, port: number) {
  let out!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (out = c) });
  const abort = new AbortController();
  const res = await fetch(
    `http://127.0.0.1:${port}${MESSAGE_STREAM_PATH}`,
    {
      method: "POST",
      headers: GRPC_HEADERS,
      body,
      client,
      signal: abort.signal,
      duplex: "half",
    } as RequestInit & { duplex: "half" },
  );
  return { status: res.headers.get("grpc-status"), res, out, abort };
}

/** getBlockTemplate whose pay address makes the message `bytes` long (about). */
function bigTemplateRequest(bytes: number): Uint8Array {
  const body = encode("GetBlockTemplateRequestMessage", {
    payAddress: "kaspadev:" + "q".repeat(bytes),
    extraData: "",
  });
  return new WireWriter().bytes(PAYLOAD.getBlockTemplateRequest, body).finish();
}

const max = (xs: number[]) => Math.max(...xs);

kaspadTest(
  "hostile: the gRPC port refuses oversized messages from the prefix and caps streams per IP",
  async () => {
    const kaspad = await startKaspad();
    const address = randomDevnetAddress();
    const grpcPort = freePort();
    const k = new KstratumProcess([
      `--node=${kaspad.grpcAddress}`,
      "--allow-unsynced",
      "--no-vardiff",
      `--start-diff=${SHARE_DIFF}`,
      `--grpc-listen=:${grpcPort}`,
    ]);
    const client = Deno.createHttpClient({ http1: false, http2: true });
    try {
      await k.healthy();
      const honest = await connectHonest(k.stratumPort, address);
      const baseline = await shareReplyMs(honest, 4);
      const rss0 = await k.rssBytes();

      // Oversized messages: the stream ends without a reply; memory does not follow the size.
      for (const size of [3 << 20, 60 << 20]) {
        const s = await openStream(client, grpcPort);
        assert.equal(s.status, null, "the call is accepted");
        const frame = frameMessage(bigTemplateRequest(size));
        const writing = (async () => {
          for (let at = 0; at < frame.length; at += 1 << 20) {
            s.out.enqueue(frame.subarray(at, at + (1 << 20)));
            await new Promise((r) => setTimeout(r, 0));
          }
        })();
        const replies: Uint8Array[] = [];
        const during = shareReplyMs(honest, 2);
        const frames = new FrameReader(1 << 26);
        const t0 = performance.now();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), 15_000)));
        const read = (async () => {
          try {
            for await (const chunk of s.res.body!) replies.push(...frames.push(chunk));
          } catch {
            // reset by the server: what a refused stream looks like
          }
          return "ended" as const;
        })();
        const outcome = await Promise.race([read, late]);
        clearTimeout(timer);
        const ended = performance.now() - t0;
        await writing.catch(() => {});
        s.abort.abort();
        const lat = await during;
        const rss = await k.rssBytes();
        console.log(
          `gRPC ${size >> 20} MB message: stream ended after ${ended.toFixed(0)} ms with ` +
            `${replies.length} replies; RSS ${rss0 >> 20} -> ${rss >> 20} MB; honest share ` +
            `reply max ${max(lat).toFixed(1)} ms (baseline ${max(baseline).toFixed(1)})`,
        );
        assert.equal(outcome, "ended", `${size} bytes: the server ended the stream`);
        assert.equal(replies.length, 0, `${size} bytes: no reply, the stream ended`);
        assert.ok(rss - rss0 < 64 << 20, `${size} bytes: RSS grew < 64 MB`);
        assert.ok(max(lat) < max(baseline) + 1000, "the honest miner's replies stay prompt");
      }

      // Streams per IP: 16 accepted, the rest refused with RESOURCE_EXHAUSTED (8).
      const streams = [];
      for (let i = 0; i < 24; i++) streams.push(await openStream(client, grpcPort));
      const statuses = streams.map((s) => s.status);
      const during = await shareReplyMs(honest, 2);
      console.log(
        `gRPC streams from one IP: ${statuses.filter((s) => s === null).length} accepted, ` +
          `${statuses.filter((s) => s === "8").length} refused; honest share reply max ` +
          `${max(during).toFixed(1)} ms`,
      );
      assert.equal(statuses.filter((s) => s === null).length, 16);
      assert.equal(statuses.filter((s) => s === "8").length, 8);
      for (const s of streams) s.abort.abort();
      honest.close();
      assert.ok(k.log.some((l) => /gRPC stream refused/.test(l)), "the refusals are logged");
      assert.ok(
        k.log.some((l) => /gRPC mining front listening.*127\.0\.0\.1/.test(l)),
        `--grpc-listen=:port binds loopback\n${k.log.filter((l) => /gRPC/.test(l)).join("\n")}`,
      );
    } finally {
      client.close();
      const status = await k.stop();
      await kaspad.stop();
      assert.equal(status.code, 0, `SIGTERM exits 0\n${k.log.slice(-20).join("\n")}`);
    }
  },
);
