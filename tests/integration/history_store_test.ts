// The history store on real SQLite files in a temporary directory: schema upgrade from v1, batched
// writes, pruning, restart, and every storage fault (corrupt, locked, read-only, full, two owners).

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createLogger } from "../../lib/log/mod.ts";
import {
  DB_FILE,
  describeStorageError,
  HistoryLockedError,
  HistoryStore,
  migrate,
  MIGRATIONS,
  SCHEMA_VERSION,
  schemaVersion,
  type StoredBlock,
} from "../../lib/history/mod.ts";

function memLog() {
  const lines: string[] = [];
  const log = createLogger({ level: "info", format: "text", write: (l) => lines.push(l) });
  return { lines, log };
}

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ks-history-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const block = (hash: string, at: number, extra: Partial<StoredBlock> = {}): StoredBlock => ({
  hash,
  foundAt: at,
  worker: "rig1",
  wallet: "kaspadev:qwallet",
  daaScore: 1234n,
  verdict: "accepted",
  color: null,
  confirmations: null,
  mergingHash: null,
  rewardSompi: null,
  final: false,
  ...extra,
});

const sample = (hashrate: number, accepted = 1) => ({ hashrate, accepted, stale: 0, invalid: 0 });

Deno.test("a v1 database from an older kstratum opens, upgrades to the current schema and keeps its rows", async () => {
  await withDir((dir) => {
    const db = new DatabaseSync(`${dir}/${DB_FILE}`);
    migrate(db, 1);
    assert.equal(schemaVersion(db), 1);
    db.prepare(
      "INSERT INTO blocks (hash, found_at, worker, wallet, daa_score, verdict, color, reward_sompi) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ).run("aa", 1000, "old", "kaspadev:qold", 7, "accepted", "blue", 5000);
    db.prepare(
      "INSERT INTO blocks (hash, found_at, worker, wallet, daa_score, verdict) VALUES (?, ?, ?, ?, ?, ?)",
    ).run("bb", 2000, "old", "kaspadev:qold", 8, "accepted");
    db.prepare(
      "INSERT INTO farm (res, ts, hs_sum, n, accepted, stale, invalid) VALUES (60, 60, 500, 1, 3, 0, 0)",
    ).run();
    db.close();

    const { log } = memLog();
    const store = HistoryStore.open({ dataDir: dir, log, now: () => 120_000 });
    assert.equal(store.status.on, true);
    const check = new DatabaseSync(`${dir}/${DB_FILE}`);
    assert.equal(schemaVersion(check), SCHEMA_VERSION);
    assert.ok(SCHEMA_VERSION >= 2 && MIGRATIONS.length === SCHEMA_VERSION);
    check.close();
    const blocks = store.blocks({ limit: 10 });
    assert.deepEqual(blocks.map((b) => b.hash), ["bb", "aa"]);
    assert.equal(blocks[1]!.rewardSompi, 5000n);
    assert.equal(blocks[1]!.color, "blue");
    // The v2 step marks nothing final that still needs following: bb is open, aa (blue, v1) too.
    assert.deepEqual(store.openBlocks().map((b) => b.hash).sort(), ["aa", "bb"]);
    assert.deepEqual(store.farmSeries(60, 0, 120), [
      { t: 60, hashrate: 500, accepted: 3, stale: 0, invalid: 0 },
    ]);
    store.close();
  });
});

Deno.test("writes are batched: nothing reaches the file before flush, one flush writes all", async () => {
  await withDir((dir) => {
    const { log } = memLog();
    let now = 1_700_000_000_000;
    const store = HistoryStore.open({ dataDir: dir, log, now: () => now, flushMs: 3_600_000 });
    for (let i = 0; i < 5; i++) {
      store.recordSamples(sample(1000 * (i + 1)), [
        { key: "w/a", name: "a", wallet: "w", sample: sample(100 * (i + 1)) },
      ], now);
      now += 60_000;
    }
    store.putBlock(block("cc", now));
    const peek = new DatabaseSync(`${dir}/${DB_FILE}`, { readOnly: true });
    const count = (t: string) =>
      (peek.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    assert.equal(count("farm"), 0);
    assert.equal(count("blocks"), 0);
    // A pending block is visible to reads already.
    assert.equal(store.blocks({ limit: 5 })[0]!.hash, "cc");
    store.flush();
    assert.equal(count("blocks"), 1);
    assert.ok(count("farm") >= 5 + 1 + 1); // 5 minutes, their 5-minute and hourly buckets
    peek.close();
    const startS = Math.floor(1_700_000_000);
    const minutes = store.farmSeries(60, startS - 60, startS + 600);
    assert.deepEqual(minutes.map((p) => p.hashrate), [1000, 2000, 3000, 4000, 5000]);
    const worker = store.workerSeries("w/a", 300, startS - 600, startS + 600);
    const total = worker.reduce((s, p) => s + p.accepted, 0);
    assert.equal(total, 5);
    store.close();
  });
});

Deno.test("rows from two runs add up; old rows are pruned past their retention", async () => {
  await withDir((dir) => {
    const { log } = memLog();
    const t0 = 1_700_000_000_000;
    let now = t0;
    const first = HistoryStore.open({ dataDir: dir, log, now: () => now, pruneEveryMs: 1e15 });
    first.recordSamples(
      sample(100),
      [{ key: "k", name: "n", wallet: "w", sample: sample(10) }],
      now,
    );
    first.close();
    const second = HistoryStore.open({ dataDir: dir, log, now: () => now, pruneEveryMs: 0 });
    second.recordSamples(
      sample(300),
      [{ key: "k", name: "n", wallet: "w", sample: sample(30) }],
      now,
    );
    second.flush();
    const s = Math.floor(t0 / 1000);
    const [p] = second.farmSeries(60, s - 60, s);
    assert.equal(p!.hashrate, 200); // mean of both runs' samples
    assert.equal(p!.accepted, 2);
    // 3 days later: 1-minute farm rows (48 h) are gone, 5-minute and hourly ones kept.
    now = t0 + 3 * 86_400_000;
    second.recordSamples(sample(1), [], now);
    second.flush();
    assert.equal(second.farmSeries(60, s - 60, s).length, 0, "1-minute rows go after 48 h");
    assert.equal(second.farmSeries(300, s - 600, s).length, 1, "5-minute rows stay 7 days");
    assert.equal(second.workerSeries("k", 300, s - 600, s).length, 1);
    now = t0 + 8 * 86_400_000;
    second.flush();
    assert.equal(second.farmSeries(300, s - 600, s).length, 0, "5-minute rows go after 7 days");
    assert.equal(second.workerSeries("k", 300, s - 600, s).length, 0);
    assert.equal(second.workerSeries("k", 3600, s - 3600, s).length, 1, "hourly rows stay 90 days");
    now = t0 + 91 * 86_400_000;
    second.flush();
    assert.equal(
      second.workerSeries("k", 3600, s - 3600, s).length,
      0,
      "hourly rows go after 90 days",
    );
    assert.deepEqual(second.workers(), [], "a worker without rows is forgotten");
    second.close();
  });
});

Deno.test("a second store on the same data_dir refuses with HistoryLockedError, the first keeps working", async () => {
  await withDir((dir) => {
    const { log } = memLog();
    const first = HistoryStore.open({ dataDir: dir, log, now: Date.now });
    // The lock is an OS file lock (flock): the same process opening the file again is refused too.
    assert.throws(
      () => HistoryStore.open({ dataDir: dir, log, now: Date.now }),
      (e) =>
        e instanceof HistoryLockedError &&
        /another kstratum is already using data_dir/.test(e.message),
    );
    assert.equal(first.status.on, true);
    first.close();
    const again = HistoryStore.open({ dataDir: dir, log, now: Date.now });
    assert.equal(again.status.on, true, "closing releases the directory");
    again.close();
  });
});

Deno.test("handover: a second store waits without history and takes data_dir over once the first closes", async () => {
  await withDir(async (dir) => {
    const { log } = memLog();
    const first = HistoryStore.open({ dataDir: dir, log, now: Date.now });
    first.putBlock(block("aa", 1));
    first.flush();
    const second = HistoryStore.open({
      dataDir: dir,
      log,
      now: Date.now,
      handover: true,
      handoverPollMs: 20,
    });
    assert.equal(second.status.on, false);
    assert.match(second.status.reason!, /waiting for the kstratum that holds data_dir/);
    second.putBlock(block("bb", 2)); // dropped while waiting, never a throw
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(second.status.on, false, "still held by the first");
    first.close();
    for (let i = 0; i < 100 && !second.status.on; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(second.status.on, true, "taken over after the first released it");
    assert.deepEqual(second.blocks({ limit: 5 }).map((b) => b.hash), ["aa"]);
    second.close();
  });
});

Deno.test("a corrupt database file: history off, one line saying so and what to do", async () => {
  await withDir((dir) => {
    Deno.writeTextFileSync(`${dir}/${DB_FILE}`, "this is not sqlite ".repeat(300));
    const { lines, log } = memLog();
    const store = HistoryStore.open({ dataDir: dir, log, now: Date.now });
    assert.equal(store.status.on, false);
    assert.match(store.status.reason!, /corrupt or not a SQLite database.*move it away/);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /history off: .*mining and the live dashboard go on without it/);
    // Every call is then a no-op, never a throw.
    store.recordSamples(sample(1), [], Date.now());
    store.putBlock(block("dd", 1));
    store.flush();
    assert.deepEqual(store.blocks({ limit: 5 }), []);
    store.close();
    assert.equal(lines.length, 1);
  });
});

Deno.test("a database another program holds locked: the write fails after the busy timeout, history off", async () => {
  await withDir((dir) => {
    const { lines, log } = memLog();
    const store = HistoryStore.open({ dataDir: dir, log, now: Date.now, busyTimeoutMs: 200 });
    // The sqlite3 shell or a backup tool holding a write lock looks like this.
    const other = new DatabaseSync(`${dir}/${DB_FILE}`);
    other.exec("BEGIN EXCLUSIVE");
    store.putBlock(block("ee", 1));
    store.flush();
    assert.equal(store.status.on, false);
    assert.match(store.status.reason!, /locked by another program/);
    assert.equal(lines.filter((l) => /history off/.test(l)).length, 1);
    other.exec("ROLLBACK");
    other.close();
    store.close();
  });
});

/** Mounts a tmpfs of `size` at a new directory (root only); undefined when not permitted. */
async function tmpfs(size: string, ro = false): Promise<string | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "ks-tmpfs-" });
  const r = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}${ro ? ",ro" : ""}`, "tmpfs", dir],
    stderr: "null",
    stdout: "null",
  }).output().catch(() => undefined);
  if (r?.success !== true) {
    await Deno.remove(dir);
    return undefined;
  }
  return dir;
}
async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir] }).output();
  await Deno.remove(dir, { recursive: true });
}
const canMount = Deno.uid?.() === 0;

Deno.test({
  name: "a full disk (a 256 KB tmpfs): history off with one line, later calls do nothing",
  ignore: !canMount, // mounting needs root; as root a chmod cannot make a directory read-only
  fn: async () => {
    const dir = await tmpfs("256k");
    assert.ok(dir !== undefined, "mount -t tmpfs failed although running as root");
    try {
      const { lines, log } = memLog();
      let now = 1_700_000_000_000;
      const store = HistoryStore.open({ dataDir: dir, log, now: () => now });
      assert.equal(store.status.on, true);
      const workers = Array.from({ length: 200 }, (_, i) => ({
        key: `w/worker-${i}-${"x".repeat(40)}`,
        name: `worker-${i}`,
        wallet: "w",
        sample: sample(i),
      }));
      for (let i = 0; i < 400 && store.status.on; i++) {
        store.recordSamples(sample(i), workers, now);
        now += 300_000;
        store.flush();
      }
      assert.equal(store.status.on, false, "a 256 KB disk must fill up");
      assert.match(store.status.reason!, /is full/);
      assert.equal(lines.filter((l) => /history off/.test(l)).length, 1);
      store.close();
    } finally {
      await unmount(dir);
    }
  },
});

Deno.test({
  name: "a read-only data_dir (a read-only mount): history off with one line, not a crash",
  ignore: !canMount,
  fn: async () => {
    const dir = await tmpfs("1m", true);
    assert.ok(dir !== undefined);
    try {
      const { lines, log } = memLog();
      const store = HistoryStore.open({ dataDir: dir, log, now: Date.now });
      assert.equal(store.status.on, false);
      assert.match(store.status.reason!, /cannot be written: read-only/);
      assert.equal(lines.length, 1);
      store.close();
    } finally {
      await unmount(dir);
    }
  },
});

Deno.test("a data_dir outside the write permission: the line says which flag to add", () => {
  const e = new Deno.errors.NotCapable(
    'Requires write access to "/srv/ks", run again with the --allow-write flag',
  );
  assert.match(
    describeStorageError(e, "/srv/ks"),
    /may not write to \/srv\/ks: .*add --allow-write=\/srv\/ks to the deno run command/,
  );
  assert.match(describeStorageError(e, "/srv/ks/history.sqlite"), /--allow-write=\/srv\/ks to/);
});
