// The history database's schema as numbered migrations, and the one function that brings any older
// database up to date. The version lives in SQLite's `PRAGMA user_version`.

import type { DatabaseSync } from "node:sqlite";

/**
 * Schema steps, in order: step i brings a database from version i to i + 1. Never edit a step
 * that shipped; add one.
 */
export const MIGRATIONS: readonly string[] = [
  // v1: found blocks and the farm-wide series.
  `CREATE TABLE blocks (
     hash TEXT PRIMARY KEY,
     found_at INTEGER NOT NULL,
     worker TEXT NOT NULL,
     wallet TEXT NOT NULL,
     daa_score INTEGER NOT NULL,
     verdict TEXT NOT NULL,
     color TEXT,
     confirmations INTEGER,
     reward_sompi INTEGER
   );
   CREATE INDEX blocks_found_at ON blocks(found_at);
   CREATE TABLE farm (
     res INTEGER NOT NULL,
     ts INTEGER NOT NULL,
     hs_sum REAL NOT NULL,
     n INTEGER NOT NULL,
     accepted INTEGER NOT NULL,
     stale INTEGER NOT NULL,
     invalid INTEGER NOT NULL,
     PRIMARY KEY (res, ts)
   ) WITHOUT ROWID;`,
  // v2: per-worker series, and what following a block's reward needs.
  `CREATE TABLE workers (
     id INTEGER PRIMARY KEY,
     key TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     wallet TEXT NOT NULL
   );
   CREATE TABLE worker_series (
     res INTEGER NOT NULL,
     worker_id INTEGER NOT NULL,
     ts INTEGER NOT NULL,
     hs_sum REAL NOT NULL,
     n INTEGER NOT NULL,
     accepted INTEGER NOT NULL,
     stale INTEGER NOT NULL,
     invalid INTEGER NOT NULL,
     PRIMARY KEY (res, worker_id, ts)
   ) WITHOUT ROWID;
   ALTER TABLE blocks ADD COLUMN merging_hash TEXT;
   ALTER TABLE blocks ADD COLUMN final INTEGER NOT NULL DEFAULT 0;
   UPDATE blocks SET final = 1 WHERE verdict != 'accepted' OR color = 'red';
   CREATE INDEX blocks_open ON blocks(final) WHERE final = 0;`,
];

/** The schema version this kstratum writes. */
export const SCHEMA_VERSION: number = MIGRATIONS.length;

/** A database written by a newer kstratum than this one. */
export class SchemaTooNewError extends Error {
  /** `found` is the database's version. */
  constructor(readonly found: number) {
    super(
      `the history database has schema version ${found}, newer than this kstratum's ` +
        `${SCHEMA_VERSION}: run the newer kstratum or point data_dir elsewhere`,
    );
    this.name = "SchemaTooNewError";
  }
}

/** The database's schema version (0: empty). */
export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

/**
 * Applies every migration the database lacks, each in its own transaction with its version bump.
 * Returns the version found before. Throws SchemaTooNewError for a newer database.
 */
export function migrate(db: DatabaseSync, upTo: number = SCHEMA_VERSION): number {
  const found = schemaVersion(db);
  if (found > SCHEMA_VERSION) throw new SchemaTooNewError(found);
  for (let v = found; v < upTo; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  }
  return found;
}
