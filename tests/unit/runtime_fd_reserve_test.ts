// The descriptor reserve (lib/runtime/fd_reserve.ts) against a fake descriptor table. Unit tests run
// with no permissions, and opening a real file (the production opener) needs --allow-read; the
// fake also makes "the process is out of descriptors" a number the test sets, not a prlimit run
// (tests/integration/hostile_fds_test.ts runs the real process under one).

import assert from "node:assert/strict";
import { FdReserve, isOutOfDescriptors, SharedReserveGate } from "../../lib/runtime/mod.ts";
import { ManualClock } from "../helpers/manual_clock.ts";

/** A process descriptor table with a limit: open() throws EMFILE past it. */
class FakeTable {
  open = 0;
  constructor(public limit: number) {}

  opener = () => {
    if (this.open >= this.limit) {
      throw Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
    }
    this.open++;
    let closed = false;
    return {
      close: () => {
        if (closed) throw new Error("closed twice");
        closed = true;
        this.open--;
      },
    };
  };

  /** A descriptor taken by someone else (a miner's socket); returns its release. */
  take(): () => void {
    const h = this.opener();
    return () => h.close();
  }
}

function reserveOn(table: FakeTable, clock = new ManualClock(), size = 4) {
  const seen: string[] = [];
  const reserve = new FdReserve({
    size,
    open: table.opener,
    clock,
    retryMs: 100,
    events: {
      short: (held, n) => seen.push(`short ${held}/${n}`),
      restored: (ms) => seen.push(`restored after ${ms}`),
      off: (e) => seen.push(`off ${e}`),
    },
  });
  return { reserve, seen, clock };
}

Deno.test("fd reserve: fills to its size and holds the descriptors", () => {
  const table = new FakeTable(100);
  const { reserve, seen } = reserveOn(table);
  assert.equal(reserve.fill(), true);
  assert.equal(reserve.held, 4);
  assert.equal(table.open, 4);
  assert.equal(reserve.admit(), true);
  reserve.close();
  assert.equal(table.open, 0);
  assert.deepEqual(seen, []);
});

Deno.test("fd reserve: lent to a connect that needs a descriptor while the table is full", async () => {
  const table = new FakeTable(10);
  const { reserve } = reserveOn(table);
  reserve.fill();
  const miners = Array.from({ length: 6 }, () => table.take());
  assert.throws(() => table.take(), (e) => isOutOfDescriptors(e), "the process is out");
  let connected = false;
  await reserve.lend(() => {
    assert.equal(reserve.lent, true);
    assert.equal(reserve.held, 0);
    table.take(); // the node link's socket
    connected = true;
    return Promise.resolve();
  });
  assert.ok(connected);
  assert.equal(reserve.held, 3, "refilled with what is left");
  assert.equal(reserve.full, false);
  for (const release of miners) release();
});

Deno.test("fd reserve: a short reserve refuses new connections, and takes a refused one's descriptor", async () => {
  const table = new FakeTable(10);
  const { reserve, seen, clock } = reserveOn(table);
  reserve.fill();
  const held = Array.from({ length: 6 }, () => table.take());
  await reserve.lend(() => Promise.resolve(void table.take())); // the link takes one
  assert.equal(reserve.held, 3);
  assert.deepEqual(seen, ["short 3/4"]);
  // A miner leaves; the accept loop takes a new connection on that descriptor at once.
  held.pop()!();
  const accepted = table.take();
  assert.equal(reserve.admit(), false, "refused: the reserve is short and cannot refill");
  accepted(); // the server closes it...
  assert.equal(reserve.fill(), true, "...and its descriptor refills the reserve first");
  assert.equal(reserve.admit(), true);
  assert.deepEqual(seen, ["short 3/4", "restored after 0"]);
  assert.equal(clock.pending, 1, "the retry timer is still armed; it finds the reserve full");
  await clock.advance(100);
  assert.equal(clock.pending, 0);
});

Deno.test("fd reserve: while short, a timer refills it once descriptors free up", async () => {
  const table = new FakeTable(6);
  const { reserve, seen, clock } = reserveOn(table);
  const others = [table.take(), table.take(), table.take(), table.take()];
  assert.equal(reserve.fill(), false);
  assert.equal(reserve.held, 2);
  await clock.advance(500);
  assert.equal(reserve.held, 2, "nothing freed yet");
  others.pop()!();
  others.pop()!();
  await clock.advance(100);
  assert.equal(reserve.held, 4);
  assert.deepEqual(seen, ["short 2/4", "restored after 600"]);
  assert.equal(clock.pending, 0, "no timer once full");
  reserve.close();
});

Deno.test("fd reserve: while lent, a connection is admitted only when the attempt keeps its descriptors", async () => {
  const table = new FakeTable(20);
  const { reserve } = reserveOn(table);
  reserve.fill();
  let plenty = false;
  let tight = true;
  await reserve.lend(() => {
    // 20 free (4 of them lent): a probe of 4 succeeds, the attempt keeps 4 beside the miner.
    plenty = reserve.admit();
    const fill = Array.from({ length: 17 }, () => table.take());
    // 3 free: fewer than the 4 the connect was lent; a miner would eat into them.
    tight = reserve.admit();
    for (const f of fill) f();
    return Promise.resolve();
  });
  assert.equal(plenty, true);
  assert.equal(tight, false);
  assert.equal(table.open, 4, "probes closed; the reserve refilled after the attempt");
  reserve.close();
});

Deno.test("fd reserve: overlapping attempts refill after the last one", async () => {
  const table = new FakeTable(50);
  const { reserve } = reserveOn(table);
  reserve.fill();
  let release!: () => void;
  const first = reserve.lend(() => new Promise<void>((r) => (release = r)));
  await reserve.lend(() => Promise.resolve());
  assert.equal(reserve.held, 0, "still lent to the first");
  assert.equal(reserve.fill(), false, "no refill while lent");
  release();
  await first;
  assert.equal(reserve.held, 4);
  reserve.close();
});

Deno.test("fd reserve: a failed attempt still refills, and its error reaches the caller", async () => {
  const table = new FakeTable(50);
  const { reserve } = reserveOn(table);
  reserve.fill();
  await assert.rejects(reserve.lend(() => Promise.reject(new Error("refused"))), /refused/);
  assert.equal(reserve.held, 4);
  reserve.close();
});

Deno.test("fd reserve: an opener that fails for another reason turns it off; it then admits all", async () => {
  const clock = new ManualClock();
  const seen: string[] = [];
  const reserve = new FdReserve({
    size: 4,
    open: () => {
      throw new Deno.errors.PermissionDenied("no read permission");
    },
    clock,
    events: { off: (e) => seen.push(String(e)) },
  });
  assert.equal(reserve.fill(), true, "off counts as full: nothing is refused for it");
  assert.equal(reserve.off, true);
  assert.equal(reserve.admit(), true);
  assert.equal(await reserve.lend(() => Promise.resolve(7)), 7);
  assert.equal(clock.pending, 0);
  assert.equal(seen.length, 1);
  assert.match(seen[0]!, /PermissionDenied/);
});

Deno.test("fd reserve: size must be a positive integer", () => {
  const clock = new ManualClock();
  const open = () => ({ close() {} });
  assert.throws(() => new FdReserve({ size: 0, open, clock }), RangeError);
  assert.throws(() => new FdReserve({ size: 1.5, open, clock }), RangeError);
});

Deno.test("fd reserve: a Stratum thread's gate reads the main thread's state from shared memory", async () => {
  const table = new FakeTable(10);
  const { reserve } = reserveOn(table);
  const gate = new SharedReserveGate(reserve.shared, table.opener);
  reserve.fill();
  assert.equal(gate.admit(), true, "full");
  assert.deepEqual([gate.held, gate.size], [4, 4]);
  const others = Array.from({ length: 6 }, () => table.take());
  let whileLent = true;
  await reserve.lend(() => {
    // Lent: the thread probes as the main thread would. A miner accepted now took one of the 4
    // lent descriptors: refused.
    const miner = table.take();
    whileLent = gate.admit();
    miner();
    table.take(); // the link's socket
    return Promise.resolve();
  });
  assert.equal(whileLent, false);
  assert.equal(table.open, 10, "the probe's descriptors were closed");
  assert.equal(gate.admit(), false, "short: refused");
  assert.equal(gate.fill(), false, "a thread cannot refill; the main thread's timer does");
  assert.equal(gate.held, 3);
  others.pop()!();
  assert.equal(reserve.fill(), true);
  assert.equal(gate.admit(), true, "full again");
  reserve.close();
  assert.equal(gate.admit(), true, "closed (or off): nobody is refused for it");
});
