// Human-readable numbers for stats: hashrate, difficulty, durations.
// Pure and self-contained: the dashboard ships these same functions to the browser via toString(),
// so each one uses only its parameters, locals and JS built-ins (no imports, no module constants).

/**
 * Hashes per second with an SI unit, 3 significant digits.
 *
 * @example
 * ```ts
 * import { formatHashrate } from "./format.ts";
 * if (formatHashrate(43_360_000_000) !== "43.4 GH/s") throw new Error();
 * ```
 */
export function formatHashrate(hps: number): string {
  const units = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s", "EH/s"];
  if (!(hps > 0) || !Number.isFinite(hps)) return "0 H/s";
  let i = 0;
  let v = hps;
  while (v >= 999.5 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}

/**
 * A difficulty compactly: 8192 → "8192", 1.5e9 → "1.5G", 0.125 → "0.125".
 *
 * @example
 * ```ts
 * import { formatDifficulty } from "./format.ts";
 * if (formatDifficulty(1_500_000_000) !== "1.5G") throw new Error();
 * ```
 */
export function formatDifficulty(d: number | null): string {
  if (d === null || !Number.isFinite(d)) return "-";
  const units = ["", "k", "M", "G", "T", "P", "E"];
  if (d > 0 && d < 0.001) return d.toPrecision(3); // devnet CPU difficulties, e.g. 0.0000153
  if (d < 100_000) return String(Math.round(d * 1000) / 1000);
  let i = 0;
  let v = d;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Math.round(v * 10) / 10}${units[i]}`;
}

/**
 * A duration in ms as "3d4h", "2h5m", "53m18s" or "7s".
 *
 * @example
 * ```ts
 * import { formatDuration } from "./format.ts";
 * if (formatDuration(3_198_000) !== "53m18s") throw new Error();
 * ```
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}
