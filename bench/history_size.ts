// Measures the history database's size for a farm of N workers (default 1,000): one day of
// samples written through HistoryStore (bytes per worker per day), then every resolution filled to
// its retention (the steady state after 90 days), checked against the 200 MB bound.
//
//   deno run --allow-read --allow-write bench/history_size.ts [workers]

import { DatabaseSync } from "node:sqlite";
import { createLogger } from "../lib/log/mod.ts";
import {
  DB_FILE,
  HistoryStore,
  WORKER_RETENTION_S,
  workerRowsAtSteadyState,
  workerRowsPerDay,
} from "../lib/history/mod.ts";

/** Bytes of the database file after a checkpoint and VACUUM-free settle. */
function fileBytes(dir: string): number {
  const db = new DatabaseSync(`${dir}/${DB_FILE}`);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return Deno.statSync(`${dir}/${DB_FILE}`).size;
}

/** Size of one day and of the steady state for `workers` workers, bytes. */
export function measure(workers: number): {
  dayBytes: number;
  bytesPerWorkerDay: number;
  steadyBytes: number;
} {
  const dir = Deno.makeTempDirSync({ prefix: "ks-size-" });
  try {
    const log = createLogger({ level: "error", format: "text", write: () => {} });
    const t0 = Date.UTC(2026, 0, 1);
    let now = t0;
    const store = HistoryStore.open({ dataDir: dir, log, now: () => now, flushMs: 1e9 });
    const names = Array.from({ length: workers }, (_, i) => ({
      key: `kaspa:qz${"0".repeat(58)}${i}/rig-${i}`,
      name: `rig-${i}`,
      wallet: `kaspa:qz${"0".repeat(58)}${i % 10}`,
    }));
    const before = fileBytes(dir);
    // One sample per minute for a day (1,440 samples), flushed every 5 minutes as kstratum does
    // (every 5 s in reality, which writes the same rows).
    for (let minute = 0; minute < 1440; minute++) {
      now = t0 + minute * 60_000;
      const jitter = (i: number) => 1e12 * (1 + ((i * 7919 + minute) % 97) / 97);
      store.recordSamples(
        { hashrate: jitter(0) * workers, accepted: 20 * workers, stale: 1, invalid: 0 },
        names.map((n, i) => ({
          ...n,
          sample: { hashrate: jitter(i), accepted: 20, stale: 0, invalid: i % 3 },
        })),
        now,
      );
      if (minute % 5 === 4) store.flush();
    }
    store.close();
    const dayBytes = fileBytes(dir) - before;

    // Steady state: every worker's 5-minute rows for 7 days and hourly rows for 90 days.
    const db = new DatabaseSync(`${dir}/${DB_FILE}`);
    db.exec("BEGIN");
    const ins = db.prepare(
      "INSERT OR IGNORE INTO worker_series (res, worker_id, ts, hs_sum, n, accepted, stale, invalid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const ids = (db.prepare("SELECT id FROM workers").all() as { id: number }[]).map((r) => r.id);
    const endS = Math.floor(t0 / 1000);
    for (const [res, keep] of WORKER_RETENTION_S) {
      const n = res === 300 ? 5 : 60;
      for (const id of ids) {
        for (let ts = endS - keep; ts < endS; ts += res) {
          ins.run(res, id, ts, 1e12 * n * (1 + (ts % 97) / 97), n, 20 * n, ts % 2, ts % 3);
        }
      }
    }
    db.exec("COMMIT");
    db.close();
    return { dayBytes, bytesPerWorkerDay: dayBytes / workers, steadyBytes: fileBytes(dir) };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const workers = Number(Deno.args[0] ?? 1000);
  const started = performance.now();
  const r = measure(workers);
  const mb = (b: number) => (b / 1e6).toFixed(1);
  console.log(`workers: ${workers}`);
  console.log(
    `one day: ${mb(r.dayBytes)} MB, ${Math.round(r.bytesPerWorkerDay)} bytes per worker per day ` +
      `(${workerRowsPerDay()} rows, ${
        Math.round(r.bytesPerWorkerDay / workerRowsPerDay())
      } bytes per row)`,
  );
  console.log(
    `steady state (7 d of 5-minute + 90 d of hourly rows, ${workerRowsAtSteadyState()} per worker): ` +
      `${mb(r.steadyBytes)} MB (${Math.round(r.steadyBytes / workers)} bytes per worker)`,
  );
  console.log(`took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (r.steadyBytes >= 200e6) {
    console.error("over the 200 MB bound");
    Deno.exit(1);
  }
}
