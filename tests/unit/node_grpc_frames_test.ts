// gRPC message framing and kaspad address parsing for the fetch transport: pure, on byte literals.

import assert from "node:assert/strict";
import {
  FrameError,
  frameMessage,
  FrameReader,
  gunzipMessage,
} from "../../lib/node/grpc/frames.ts";
import { tcpTarget } from "../../lib/node/grpc/transport.ts";

Deno.test("frameMessage prefixes a flag byte and the big-endian length", () => {
  assert.deepEqual([...frameMessage(new Uint8Array([7, 8, 9]))], [0, 0, 0, 0, 3, 7, 8, 9]);
  assert.deepEqual([...frameMessage(new Uint8Array(0))], [0, 0, 0, 0, 0]);
});

Deno.test("FrameReader returns messages split across chunks at every byte boundary", () => {
  const wire = new Uint8Array([
    ...frameMessage(new Uint8Array([1, 2, 3])),
    ...frameMessage(new Uint8Array(0)),
    ...frameMessage(new Uint8Array(300).fill(5)),
  ]);
  for (let cut = 0; cut <= wire.length; cut++) {
    const reader = new FrameReader(1024);
    const got = [...reader.push(wire.subarray(0, cut)), ...reader.push(wire.subarray(cut))];
    assert.deepEqual(got.map((m) => m.length), [3, 0, 300], `cut at ${cut}`);
    assert.deepEqual([...got[0]!], [1, 2, 3]);
    assert.equal(reader.pendingBytes, 0);
  }
});

Deno.test("FrameReader messages stay intact after later pushes reuse its buffer", () => {
  const reader = new FrameReader(64);
  const [first] = reader.push(frameMessage(new Uint8Array([1, 1, 1])));
  reader.push(frameMessage(new Uint8Array([2, 2, 2])));
  assert.deepEqual([...first!], [1, 1, 1]);
});

Deno.test("FrameReader refuses an over-limit length from its prefix, before buffering the body", () => {
  const reader = new FrameReader(1000);
  const prefix = new Uint8Array([0, 0x04, 0, 0, 0]); // declares 64 MiB
  assert.throws(
    () => reader.push(prefix),
    (e) => e instanceof FrameError && e.code === "too-large",
  );
  assert.throws(
    () => new FrameReader(10).push(new Uint8Array([1, 0, 0, 0, 1, 0])),
    (e) => e instanceof FrameError && e.code === "compressed",
  );
});

Deno.test("tcpTarget splits host:port and keeps IPv6 brackets; junk is a NodeError", () => {
  assert.deepEqual(tcpTarget("127.0.0.1:16110"), { hostname: "127.0.0.1", port: 16110 });
  assert.deepEqual(tcpTarget("node.lan:16610"), { hostname: "node.lan", port: 16610 });
  assert.deepEqual(tcpTarget("[::1]:16210"), { hostname: "[::1]", port: 16210 });
  for (const bad of ["::1:16110", "host", "host:99999", "[::1]", "a:b"]) {
    assert.throws(() => tcpTarget(bad), { name: "NodeError", code: "disconnected" }, bad);
  }
});

/** `bytes` gzip-compressed with the platform's CompressionStream. */
async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const out = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(out).arrayBuffer());
}

Deno.test("gzip gRPC messages (rusty-kaspa's clients send them): flagged, inflated, bounded", async () => {
  const message = new TextEncoder().encode("getServerInfoRequest ".repeat(50));
  const packed = await gzip(message);
  const framed = frameMessage(packed);
  framed[0] = 1; // the compressed flag
  const reader = new FrameReader(1024);
  const [one] = reader.pushFlagged(framed);
  assert.equal(one!.compressed, true);
  assert.deepEqual(await gunzipMessage(one!.message, 2048), message);
  // The client-side push() still refuses them: kaspad never compresses its answers.
  assert.throws(() => new FrameReader(1024).push(framed), FrameError);
  // A gzip bomb: 16 MB of zeros in a few KB stops at the limit, not at 16 MB.
  const bomb = await gzip(new Uint8Array(16 * 2 ** 20));
  assert.ok(bomb.byteLength < 64 * 1024);
  await assert.rejects(
    () => gunzipMessage(bomb, 2 ** 20),
    (e) => e instanceof FrameError && e.code === "too-large",
  );
  await assert.rejects(
    () => gunzipMessage(new Uint8Array([1, 2, 3, 4, 5]), 2 ** 20),
    (e) => e instanceof FrameError && e.code === "compressed",
  );
});
