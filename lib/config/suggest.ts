// "Did you mean" for misspelt setting names: the nearest known name by edit distance.
// Pure.

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known name closest to `name`, or undefined when none is plausibly meant.
 *
 * @example
 * ```ts
 * import { nearest } from "./suggest.ts";
 * console.assert(nearest("shares_per_minute", ["shares_per_min", "node"]) === "shares_per_min");
 * ```
 */
export function nearest(name: string, known: readonly string[]): string | undefined {
  const target = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    let score = editDistance(target, c);
    if (c.length >= 4 && (target.startsWith(c) || c.startsWith(target))) {
      score = Math.min(score, 1.5);
    }
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const limit = Math.max(2, Math.floor(target.length / 3));
  return bestScore <= limit ? best : undefined;
}

/** "; did you mean X?" or "" — ready to append to an error message. */
export function didYouMean(name: string, known: readonly string[]): string {
  const hit = nearest(name, known);
  return hit === undefined ? "" : `; did you mean ${hit}?`;
}
