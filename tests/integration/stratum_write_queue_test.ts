// Tests of lib/net/write_queue.ts with an injected writer: ordering, partial writes, superseded
// jobs, the byte bound and write failures. Pure: needs no permissions.

import assert from "node:assert/strict";
import { WriteQueue, WriteQueueFullError } from "../../lib/net/mod.ts";

/** A writer the test drives: each write waits until released, and may accept only some bytes. */
class ManualWriter {
  readonly chunks: string[] = [];
  #release: (() => void)[] = [];
  maxPerWrite = Infinity;
  fail: Error | undefined;
  write = async (bytes: Uint8Array): Promise<number> => {
    await new Promise<void>((r) => this.#release.push(r));
    if (this.fail !== undefined) throw this.fail;
    const n = Math.min(bytes.length, this.maxPerWrite);
    this.chunks.push(new TextDecoder().decode(bytes.subarray(0, n)));
    return n;
  };
  /** Lets pending writes complete, `rounds` times. */
  async release(rounds = 1): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      while (this.#release.length === 0) await new Promise((r) => setTimeout(r, 0));
      this.#release.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  get text(): string {
    return this.chunks.join("");
  }
}

Deno.test("write queue writes lines in order, newline-terminated, across partial writes", async () => {
  const w = new ManualWriter();
  w.maxPerWrite = 3;
  const q = new WriteQueue(w.write, 1024);
  q.push("hello");
  q.push("world");
  const done = q.flushed();
  while (w.text !== "hello\nworld\n") await w.release();
  await done;
  assert.equal(q.queuedBytes, 0);
});

Deno.test("write queue drops a queued job superseded by a newer one for the same channel", async () => {
  const w = new ManualWriter();
  const q = new WriteQueue(w.write, 1024);
  q.push("reply-1"); // in flight: the pump took it
  q.push("job-A", { channel: 0, droppable: true });
  q.push("job-X", { channel: 1, droppable: true });
  q.push("diff", undefined);
  q.push("job-B", { channel: 0, droppable: true });
  await w.release(2);
  assert.equal(w.text, "reply-1\njob-X\ndiff\njob-B\n");
  assert.equal(q.dropped, 1);
});

Deno.test("write queue keeps jobs that carry state (not droppable)", async () => {
  const w = new ManualWriter();
  const q = new WriteQueue(w.write, 1024);
  q.push("first");
  q.push("notify-with-diff", { channel: 0, droppable: false });
  q.push("notify-plain", { channel: 0, droppable: true });
  await w.release(2);
  assert.equal(w.text, "first\nnotify-with-diff\nnotify-plain\n");
});

Deno.test("write queue sheds stale jobs first, then refuses past its bound", () => {
  const w = new ManualWriter();
  const q = new WriteQueue(w.write, 40);
  q.push("0123456789"); // 11 bytes in flight
  q.push("job-0123456789", { channel: 0, droppable: true }); // 15 queued, 26 total
  q.push("reply-012345"); // 13 more would be 39: fits
  assert.equal(q.queuedBytes, 39);
  q.push("r2"); // 3 more: over 40, so the queued job goes
  assert.equal(q.dropped, 1);
  assert.equal(q.queuedBytes, 27);
  assert.throws(() => q.push("x".repeat(20)), WriteQueueFullError);
  q.close();
});

Deno.test("write queue reports a failed write once and stops", async () => {
  const w = new ManualWriter();
  const errors: unknown[] = [];
  const q = new WriteQueue(w.write, 1024, (e) => errors.push(e));
  q.push("a");
  w.fail = new Error("reset by peer");
  await w.release();
  await q.flushed();
  assert.deepEqual(errors.map(String), ["Error: reset by peer"]);
  q.push("ignored after failure");
  assert.equal(q.queuedBytes, 0);
});

Deno.test("write queue: lines pushed while corked leave in one write; flushed waits for them", async () => {
  const w = new ManualWriter();
  const q = new WriteQueue(w.write, 1024);
  q.cork();
  q.push('{"method":"mining.set_difficulty"}');
  q.push('{"method":"mining.notify"}', { channel: 1, droppable: true });
  const done = q.flushed();
  let flushed = false;
  done.then(() => flushed = true);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(flushed, false, "corked lines are not written yet, so not flushed");
  q.uncork();
  await w.release();
  await done;
  assert.deepEqual(w.chunks, [
    '{"method":"mining.set_difficulty"}\n{"method":"mining.notify"}\n',
  ]);
  // Uncorked, a line on an idle queue goes straight out (one write each, as before).
  q.push("a");
  await w.release();
  assert.deepEqual(w.chunks.at(-1), "a\n");
  // Closed while corked: nothing is written and waiters are released.
  q.cork();
  q.push("never");
  const late = q.flushed();
  q.close();
  await late;
  q.uncork();
  assert.ok(!w.chunks.join("").includes("never"));
});
