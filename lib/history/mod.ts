// Public face of history: the SQLite store under data_dir, its schema migrations, the sampler that
// feeds it from stats, the reward follower, and the pure bucket arithmetic.

export {
  type BlockDay,
  DB_FILE,
  describeStorageError,
  HistoryLockedError,
  type HistoryStatus,
  HistoryStore,
  type HistoryStoreOptions,
  LOCK_FILE,
  type SeriesPoint,
  type StoredBlock,
  type StoredColor,
  type StoredVerdict,
  type StoredWorker,
  type WorkerSample,
} from "./store.ts";
export { migrate, MIGRATIONS, SCHEMA_VERSION, SchemaTooNewError, schemaVersion } from "./schema.ts";
export {
  addSample,
  type BucketRow,
  bucketStart,
  chooseResolution,
  counterDelta,
  downsample,
  FARM_RETENTION_S,
  mergeRows,
  pruneCutoff,
  type Resolution,
  RESOLUTION_NAMES,
  type Sample,
  WORKER_RETENTION_S,
  workerRowsAtSteadyState,
  workerRowsPerDay,
} from "./rollup.ts";
export { Sampler } from "./sampler.ts";
export {
  applyRewardInfo,
  FINAL_CONFIRMATIONS,
  RewardFollower,
  type RewardFollowerOptions,
  type RewardNode,
} from "./rewards.ts";
