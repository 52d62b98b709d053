// Share difficulty helpers: clamping, power-of-two rounding and the bounds of a usable difficulty.
// Pure: difficulty ↔ target maths lives in pow/target.ts.

/** Nearest power of two to `difficulty` in log scale (ties round up). */
export function roundPow2(difficulty: number): number {
  if (!(difficulty > 0) || !Number.isFinite(difficulty)) return difficulty;
  return 2 ** Math.round(Math.log2(difficulty));
}

/** `difficulty` limited to [min, max]. */
export function clampDifficulty(difficulty: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, difficulty));
}

/**
 * Highest share difficulty kstratum hands out (as the config's `max_diff`): past 2^53 a difficulty
 * has no exact JSON number for set_difficulty, and power-of-two rounding must stay below that.
 */
export const MAX_DIFFICULTY = 2 ** 52;

/** Whether `value` is a usable share difficulty (positive, finite, at most MAX_DIFFICULTY). */
export function isDifficulty(value: number): boolean {
  return Number.isFinite(value) && value > 0 && value <= MAX_DIFFICULTY;
}
