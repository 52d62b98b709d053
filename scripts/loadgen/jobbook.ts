// Job receipt accounting: per-miner logs of (template timestamp, receipt time) and, per template,
// how long until each miner held that template or a newer one. Pure: times are passed in.

import { percentile, Samples, summarize, type Summary } from "./stats.ts";

/** Per template (named by its timestamp T, ms): when miners held it or newer work. */
export interface TemplateReach {
  /** Template timestamp, ms since the epoch (the node's event time). */
  timestamp: number;
  /** Miners that received exactly this template. */
  received: number;
  /** Miners that held this template or a newer one before the end. */
  reached: number;
  /** Time from T until a miner held T-or-newer: median, 99th percentile and last miner, ms. */
  p50: number;
  p99: number;
  max: number;
  /** When the last miner got there, ms since the epoch. */
  lastAt: number;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** Records notify receipts of every miner. */
export class JobBook {
  #ts: Samples[] = [];
  #at: Samples[] = [];
  /** Notifies received. */
  received = 0;
  /** Notifies received while `open` (the measured window). */
  inWindow = 0;
  open = false;

  /** Miner `miner` received a job for template `timestamp` at `at` (ms since the epoch). */
  record(miner: number, timestamp: number, at: number): void {
    this.received++;
    if (this.open) this.inWindow++;
    let ts = this.#ts[miner];
    let when = this.#at[miner];
    if (ts === undefined || when === undefined) {
      ts = this.#ts[miner] = new Samples(100_000, 16);
      when = this.#at[miner] = new Samples(100_000, 16);
    }
    ts.push(timestamp);
    when.push(at);
  }

  /**
   * Reach of every template first received in [from, to] (ms since the epoch) by the miners in
   * `miners`, plus every miner's individual reach time pooled over those templates (ms).
   */
  reach(miners: readonly number[], from: number, to: number): {
    templates: TemplateReach[];
    perMiner: Summary;
  } {
    const seen = new Map<number, number>();
    for (const m of miners) {
      const ts = this.#ts[m]?.values() ?? new Float64Array();
      const at = this.#at[m]?.values() ?? new Float64Array();
      for (let i = 0; i < ts.length; i++) {
        if (at[i]! >= from && at[i]! <= to) seen.set(ts[i]!, (seen.get(ts[i]!) ?? 0) + 1);
      }
    }
    const targets = [...seen.keys()].sort((a, b) => a - b);
    const delays = targets.map(() => new Samples(miners.length + 1, 64));
    const lastAt = targets.map(() => 0);
    const pooled = new Samples();
    for (const m of miners) {
      const ts = this.#ts[m]?.values() ?? new Float64Array();
      const at = this.#at[m]?.values() ?? new Float64Array();
      // Newest template held so far, walking receipts in time order against ascending targets.
      let held = -Infinity;
      let k = 0;
      for (let i = 0; i < ts.length && k < targets.length; i++) {
        held = Math.max(held, ts[i]!);
        while (k < targets.length && targets[k]! <= held) {
          const delay = at[i]! - targets[k]!;
          delays[k]!.push(delay);
          pooled.push(delay);
          lastAt[k] = Math.max(lastAt[k]!, at[i]!);
          k++;
        }
      }
    }
    const templates = targets.map((timestamp, k) => {
      const d = delays[k]!.values().slice().sort();
      return {
        timestamp,
        received: seen.get(timestamp) ?? 0,
        reached: d.length,
        p50: r3(percentile(d, 0.5)),
        p99: r3(percentile(d, 0.99)),
        max: r3(d.length === 0 ? 0 : d[d.length - 1]!),
        lastAt: r3(lastAt[k]!),
      };
    });
    return { templates, perMiner: summarize(pooled.values()) };
  }
}
