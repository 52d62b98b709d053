// Variable share difficulty: steer each miner toward a target share rate.
// Pure: time is a parameter (ms); state is a plain object owned by the caller.

import { clampDifficulty } from "../shares/mod.ts";

/** Vardiff settings (stratum.md §4). Rates in shares per minute, difficulties in share units. */
export interface VardiffOptions {
  /** Difficulty a new miner starts at. */
  initial: number;
  /** Lowest difficulty vardiff sets. */
  min: number;
  /** Highest difficulty vardiff sets. */
  max: number;
  /** Target shares per minute; default 20. */
  sharesPerMinute?: number;
  /** Round every difficulty to a power of two (forced for dialects that need it). */
  pow2?: boolean;
}

/** Window and step constants, exported for tests and docs. */
export const VARDIFF = {
  /** A window is judged after at least this long... */
  minWindowMs: 30_000,
  /** ...and at least this many shares. */
  minShares: 3,
  /** Rates within this band of the target leave the difficulty alone. */
  lowRatio: 0.75,
  highRatio: 1.25,
  /** Per-adjustment step limits. */
  maxStepDown: 0.5,
  maxStepUp: 2,
  /** Fewer than minShares in this long lowers the difficulty (no share at all: halves it). */
  noShareMs: 90_000,
  /** A window in the band is restarted after this long, so the estimate keeps tracking. */
  maxWindowMs: 300_000,
  /** Fast start: this many shares arriving at ≥ burstRatio × target adjust at once... */
  burstShares: 10,
  burstRatio: 4,
  /** ...by up to this factor. */
  maxBurstStep: 16,
  /** Changes smaller than this fraction are not worth a set_difficulty. */
  minChange: 0.1,
} as const;

/** One miner's vardiff state. */
export interface VardiffState {
  /** Current share difficulty. */
  difficulty: number;
  /** Start of the current measurement window, ms. */
  windowStart: number;
  /** Shares counted in the window. */
  shares: number;
}

/** A fresh state at the options' initial difficulty. */
export function createVardiff(options: VardiffOptions, now: number): VardiffState {
  const initial = shape(options.initial, options.initial, options);
  return { difficulty: initial, windowStart: now, shares: 0 };
}

/** Clamp to [min, max], then round to a power of two toward the direction of travel. */
function shape(next: number, current: number, options: VardiffOptions): number {
  let d = clampDifficulty(next, options.min, options.max);
  if (options.pow2) {
    const exp = d >= current ? Math.ceil(Math.log2(d)) : Math.floor(Math.log2(d));
    d = 2 ** exp;
    if (d > options.max) d = 2 ** Math.floor(Math.log2(options.max));
    if (d < options.min) d = 2 ** Math.ceil(Math.log2(options.min));
  }
  return d;
}

function apply(
  state: VardiffState,
  factor: number,
  options: VardiffOptions,
  now: number,
): number | undefined {
  const next = shape(state.difficulty * factor, state.difficulty, options);
  if (Math.abs(next - state.difficulty) / state.difficulty < VARDIFF.minChange) return undefined;
  state.difficulty = next;
  state.windowStart = now;
  state.shares = 0;
  return next;
}

/**
 * Counts one accepted share at `now` (ms) and returns the new difficulty when it should change.
 * After ≥ 30 s and ≥ 3 shares, a rate outside 0.75-1.25 × target steps by clamp(√ratio, ½, 2);
 * a burst of ≥ 10 shares at ≥ 4 × target steps at once by up to 16 (fast start).
 */
export function vardiffOnShare(
  state: VardiffState,
  options: VardiffOptions,
  now: number,
): number | undefined {
  state.shares++;
  const elapsed = Math.max(1, now - state.windowStart);
  const target = options.sharesPerMinute ?? 20;
  const ratio = state.shares / (elapsed / 60_000) / target;
  if (state.shares >= VARDIFF.burstShares && ratio >= VARDIFF.burstRatio) {
    return apply(state, Math.min(ratio, VARDIFF.maxBurstStep), options, now);
  }
  if (elapsed < VARDIFF.minWindowMs || state.shares < VARDIFF.minShares) return undefined;
  if (ratio >= VARDIFF.lowRatio && ratio <= VARDIFF.highRatio) {
    if (elapsed >= VARDIFF.maxWindowMs) {
      state.windowStart = now;
      state.shares = 0;
    }
    return undefined;
  }
  const step = Math.min(VARDIFF.maxStepUp, Math.max(VARDIFF.maxStepDown, Math.sqrt(ratio)));
  return apply(state, step, options, now);
}

/**
 * Periodic check at `now` (ms): a window of 90 s with fewer than 3 shares (so a rate well under
 * target) lowers the difficulty by clamp(√ratio, ½, 1), halving it when no share came at all.
 */
export function vardiffOnTick(
  state: VardiffState,
  options: VardiffOptions,
  now: number,
): number | undefined {
  const elapsed = now - state.windowStart;
  if (state.shares >= VARDIFF.minShares || elapsed < VARDIFF.noShareMs) return undefined;
  const ratio = state.shares / (elapsed / 60_000) / (options.sharesPerMinute ?? 20);
  if (ratio >= VARDIFF.lowRatio) return undefined;
  const changed = apply(state, Math.max(VARDIFF.maxStepDown, Math.sqrt(ratio)), options, now);
  if (changed === undefined) {
    // At the floor: measure a fresh window.
    state.windowStart = now;
    state.shares = 0;
  }
  return changed;
}

/** When `vardiffOnTick` may next change something (ms), or undefined while shares drive it. */
export function vardiffNextCheck(state: VardiffState): number | undefined {
  return state.shares < VARDIFF.minShares ? state.windowStart + VARDIFF.noShareMs : undefined;
}
