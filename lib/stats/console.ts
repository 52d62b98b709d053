// Console views of stats: the periodic per-worker table and the one-line block-found notice.
// Pure: returns lines; the composition root decides when and where to print them.

import type { BlockEvent } from "../session/events.ts";
import { formatDifficulty, formatDuration, formatHashrate } from "./format.ts";
import type { StatsSnapshot } from "./types.ts";

/** How the stats table is labelled and bounded. */
export interface TableOptions {
  /** Shown in the footer, e.g. "0.1.0". */
  version: string;
  /** Most worker rows printed; the rest are summed in a "+N more" row. Default 50. */
  maxRows?: number;
}

const COLUMNS: Array<[string, number]> = [
  ["worker", 18],
  ["1m", 11],
  ["15m", 11],
  ["1h", 11],
  ["acc/stl/dup/low/inv", 22],
  ["diff", 7],
  ["blk", 4],
  ["last share", 10],
];

/**
 * The periodic stats table, one string per line (no trailing newlines).
 *
 * @example
 * ```ts
 * import { formatStatsTable } from "./console.ts";
 * import { Stats } from "./stats.ts";
 * const lines = formatStatsTable(new Stats({ now: () => 0 }).snapshot(), { version: "0.1.0" });
 * if (!lines.some((l) => l.includes("kstratum 0.1.0"))) throw new Error();
 * ```
 */
export function formatStatsTable(snap: StatsSnapshot, opts: TableOptions): string[] {
  const maxRows = opts.maxRows ?? 50;
  const width = COLUMNS.reduce((s, [, w]) => s + w + 3, -3);
  const rule = "-".repeat(width);
  const lines = [row(COLUMNS.map(([h]) => h)), rule];
  for (const w of snap.workers.slice(0, maxRows)) {
    const s = w.shares;
    lines.push(row([
      w.name,
      formatHashrate(w.hashrate.m1),
      formatHashrate(w.hashrate.m15),
      formatHashrate(w.hashrate.h1),
      `${s.valid}/${s.stale}/${s.duplicate}/${s.weak}/${s.invalid}`,
      formatDifficulty(w.difficulty),
      String(w.blocks.found),
      w.lastShareAt === null ? "never" : `${formatDuration(snap.now - w.lastShareAt)} ago`,
    ]));
  }
  const hidden = snap.workers.length - maxRows;
  if (hidden > 0) lines.push(` +${hidden} more workers`);
  const t = snap.totals.shares;
  lines.push(rule);
  lines.push(row([
    `${snap.workers.length} workers`,
    formatHashrate(snap.hashrate.m1),
    formatHashrate(snap.hashrate.m15),
    formatHashrate(snap.hashrate.h1),
    `${t.valid}/${t.stale}/${t.duplicate}/${t.weak}/${t.invalid}`,
    "",
    String(snap.totals.blocks.found),
    "",
  ]));
  const footer = ` kstratum ${opts.version} · up ${formatDuration(snap.now - snap.startedAt)} `;
  lines.push(footer.padStart(width, "="));
  return lines;
}

/**
 * One line announcing a found block and the node's verdict.
 *
 * @example
 * ```ts
 * import { formatBlockFound } from "./console.ts";
 * const who = { worker: "rig1", wallet: "kaspa:qz", miner: "m", ip: "1.2.3.4", dialect: "array" };
 * const line = formatBlockFound({ who, hash: "ab", daaScore: 7n, verdict: "accepted", at: 0 });
 * if (line !== `block ab found by "rig1" (kaspa:qz) at DAA score 7: accepted by the node`) {
 *   throw new Error(line);
 * }
 * ```
 */
export function formatBlockFound(event: BlockEvent): string {
  // The worker name is the miner's choice: quoted (JSON), so it cannot pose as the rest of the line.
  const name = event.who.worker === "" ? event.who.ip : JSON.stringify(event.who.worker);
  const head =
    `block ${event.hash} found by ${name} (${event.who.wallet}) at DAA score ${event.daaScore.toString()}`;
  switch (event.verdict) {
    case "accepted":
      return `${head}: accepted by the node`;
    case "rejected":
      return `${head}: REJECTED by the node${event.reason ? ` (${event.reason})` : ""}`;
    case "unreachable":
      return `${head}: NOT SUBMITTED, node unreachable${event.reason ? ` (${event.reason})` : ""}`;
  }
}

function row(cells: string[]): string {
  return cells
    .map((c, i) => {
      const w = COLUMNS[i]?.[1] ?? 10;
      const text = c.length > w ? `${c.slice(0, w - 1)}…` : c;
      return i === 0 ? text.padEnd(w) : text.padStart(w);
    })
    .join(" | ");
}
