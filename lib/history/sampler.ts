// Turns stats snapshots into history samples: the farm's and each worker's hashrate and the shares
// counted since the previous snapshot. Pure apart from the state it keeps between samples.

import type { ShareCounts, StatsSnapshot } from "../stats/mod.ts";
import { counterDelta, type Sample } from "./rollup.ts";
import type { WorkerSample } from "./store.ts";

interface Counts {
  accepted: number;
  stale: number;
  invalid: number;
}

/** Keeps the last cumulative share counts so each sample carries only what is new. */
export class Sampler {
  #farm: Counts | undefined;
  #workers = new Map<string, Counts>();

  /** The farm's and every worker's sample from `snap`. */
  sample(snap: StatsSnapshot): { farm: Sample; workers: WorkerSample[] } {
    const t = counts(snap.totals.shares);
    const farm = this.#delta(this.#farm, t, snap.hashrate.m1);
    this.#farm = { accepted: t.accepted, stale: t.stale, invalid: t.invalid };
    const seen = new Map<string, Counts>();
    const workers: WorkerSample[] = [];
    for (const w of snap.workers) {
      const s = counts(w.shares);
      workers.push({
        key: w.key,
        name: w.name,
        wallet: w.wallet,
        sample: this.#delta(this.#workers.get(w.key), s, w.hashrate.m1),
      });
      seen.set(w.key, { accepted: s.accepted, stale: s.stale, invalid: s.invalid });
    }
    this.#workers = seen;
    return { farm, workers };
  }

  #delta(prev: Counts | undefined, now: Counts, hashrate: number): Sample {
    return {
      hashrate,
      accepted: counterDelta(prev?.accepted, now.accepted),
      stale: counterDelta(prev?.stale, now.stale),
      invalid: counterDelta(prev?.invalid, now.invalid),
    };
  }
}

/** Valid shares are accepted; duplicate, weak and invalid ones all count as invalid. */
function counts(s: ShareCounts): Counts {
  return { accepted: s.valid, stale: s.stale, invalid: s.duplicate + s.weak + s.invalid };
}
