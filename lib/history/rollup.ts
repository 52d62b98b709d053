// The time arithmetic of history: bucket boundaries, retention cutoffs per resolution, additive
// bucket rows and the choice of a resolution for a query. Pure: no I/O, no clock.

/** A stored resolution, in seconds per bucket. */
export type Resolution = 60 | 300 | 3600;

/** Resolution names as the API spells them. */
export const RESOLUTION_NAMES: Readonly<Record<string, Resolution>> = {
  "1m": 60,
  "5m": 300,
  "1h": 3600,
};

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/** How long each resolution of the farm series is kept, seconds. */
export const FARM_RETENTION_S: ReadonlyMap<Resolution, number> = new Map<Resolution, number>([
  [60, 48 * HOUR_S],
  [300, 7 * DAY_S],
  [3600, 90 * DAY_S],
]);

/** How long each resolution of a worker's series is kept, seconds (no 1-minute rows per worker). */
export const WORKER_RETENTION_S: ReadonlyMap<Resolution, number> = new Map<Resolution, number>([
  [300, 7 * DAY_S],
  [3600, 90 * DAY_S],
]);

/** Start of the bucket of resolution `res` holding time `tS` (seconds since the epoch). */
export function bucketStart(tS: number, res: Resolution): number {
  return Math.floor(tS / res) * res;
}

/**
 * Oldest bucket start (seconds) still kept at `nowS` for a series kept `retentionS` seconds:
 * rows with a smaller bucket start are pruned.
 */
export function pruneCutoff(nowS: number, res: Resolution, retentionS: number): number {
  return bucketStart(nowS - retentionS, res) + res;
}

/** One sample of a series: a hashrate reading and the shares counted since the previous one. */
export interface Sample {
  /** Hashes per second at the sample. */
  hashrate: number;
  /** Accepted shares since the previous sample. */
  accepted: number;
  /** Stale shares since the previous sample. */
  stale: number;
  /** Invalid shares since the previous sample. */
  invalid: number;
}

/**
 * One bucket as stored: sums, so rows from two writers (or two runs of kstratum) add up. The
 * bucket's hashrate is `hsSum / n`.
 */
export interface BucketRow {
  /** Bucket start, seconds since the epoch. */
  ts: number;
  /** Sum of the hashrate samples, H/s. */
  hsSum: number;
  /** Number of hashrate samples. */
  n: number;
  /** Accepted shares in the bucket. */
  accepted: number;
  /** Stale shares in the bucket. */
  stale: number;
  /** Invalid shares in the bucket. */
  invalid: number;
}

/** Adds `sample` into `row` (in place) and returns it. */
export function addSample(row: BucketRow, sample: Sample): BucketRow {
  row.hsSum += sample.hashrate;
  row.n += 1;
  row.accepted += sample.accepted;
  row.stale += sample.stale;
  row.invalid += sample.invalid;
  return row;
}

/** Merges bucket `b` into `a` (same bucket start), as the store's upsert does. */
export function mergeRows(a: BucketRow, b: BucketRow): BucketRow {
  return {
    ts: a.ts,
    hsSum: a.hsSum + b.hsSum,
    n: a.n + b.n,
    accepted: a.accepted + b.accepted,
    stale: a.stale + b.stale,
    invalid: a.invalid + b.invalid,
  };
}

/**
 * Re-buckets rows of a fine resolution into coarser buckets of `res` (rows need not be sorted;
 * the result is sorted by bucket start). Sums add; the coarse hashrate is the mean of all samples.
 */
export function downsample(rows: readonly BucketRow[], res: Resolution): BucketRow[] {
  const out = new Map<number, BucketRow>();
  for (const r of rows) {
    const ts = bucketStart(r.ts, res);
    const prev = out.get(ts);
    out.set(ts, prev === undefined ? { ...r, ts } : mergeRows(prev, { ...r, ts }));
  }
  return [...out.values()].sort((x, y) => x.ts - y.ts);
}

/**
 * Share-count delta between two cumulative readings: a counter that went down was reset (a worker
 * forgotten and seen again), so everything counted since is new.
 */
export function counterDelta(previous: number | undefined, current: number): number {
  if (previous === undefined || current < previous) return current;
  return current - previous;
}

/**
 * The resolution a query over [fromS, toS] at `nowS` is answered at: the one asked for if given,
 * else the finest whose retention still reaches `fromS` and whose bucket count stays within
 * `maxPoints`. Undefined when even the coarsest would return more than `maxPoints` points.
 */
export function chooseResolution(
  retention: ReadonlyMap<Resolution, number>,
  fromS: number,
  toS: number,
  nowS: number,
  maxPoints: number,
  asked?: Resolution,
): Resolution | undefined {
  const points = (res: Resolution) => Math.floor(toS / res) - Math.floor(fromS / res) + 1;
  const candidates = [...retention.keys()].sort((a, b) => a - b);
  if (asked !== undefined) {
    if (!retention.has(asked)) return undefined;
    return points(asked) <= maxPoints ? asked : undefined;
  }
  for (const res of candidates) {
    if (fromS < nowS - retention.get(res)! && res !== candidates[candidates.length - 1]) continue;
    if (points(res) <= maxPoints) return res;
  }
  return undefined;
}

/** Rows one worker adds per day across its resolutions (288 five-minute + 24 hourly). */
export function workerRowsPerDay(): number {
  let rows = 0;
  for (const res of WORKER_RETENTION_S.keys()) rows += DAY_S / res;
  return rows;
}

/** Rows one worker holds once every resolution is full (what the 90-day steady state costs). */
export function workerRowsAtSteadyState(): number {
  let rows = 0;
  for (const [res, keep] of WORKER_RETENTION_S) rows += keep / res;
  return rows;
}
