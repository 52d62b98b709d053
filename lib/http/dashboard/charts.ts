// The dashboard's charts as inline SVG strings: a time series with axes, a sparkline and daily
// bars. Pure and self-contained like render.ts: shipped to the browser through toString().

import { formatHashrate } from "../../stats/format.ts";

/** One point of a chart: time in seconds since the epoch, value. */
export interface ChartPoint {
  /** Seconds since the epoch. */
  t: number;
  /** The value (H/s for hashrate charts). */
  v: number;
}

/** A "nice" axis top at or above `max`: 1, 2 or 5 times a power of ten. */
export function niceCeil(max: number): number {
  if (!(max > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** A time label for an axis: "14:05" within a day, else "Mar 3". */
export function timeLabel(tS: number, spanS: number): string {
  const d = new Date(tS * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  if (spanS <= 2 * 86_400) return `${two(d.getHours())}:${two(d.getMinutes())}`;
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  return `${months[d.getMonth()]} ${d.getDate()}`;
}

/**
 * A chart over [fromS, toS] as SVG (viewBox 800×200): filled line, three value gridlines labelled
 * as hashrate (H/s) or percent, five time labels. Gaps longer than three steps break the line.
 */
export function lineChart(
  points: ChartPoint[],
  fromS: number,
  toS: number,
  stepS: number,
  unit: "hashrate" | "percent" = "hashrate",
): string {
  const W = 800, H = 200, L = 64, R = 8, T = 10, B = 24;
  const span = Math.max(1, toS - fromS);
  const top = unit === "percent"
    ? Math.min(100, niceCeil(points.reduce((m, p) => Math.max(m, p.v), 0)))
    : niceCeil(points.reduce((m, p) => Math.max(m, p.v), 0));
  const x = (t: number) => L + ((t - fromS) / span) * (W - L - R);
  const y = (v: number) => T + (1 - v / top) * (H - T - B);
  const f = (n: number) => n.toFixed(1);
  let grid = "";
  for (let i = 0; i <= 2; i++) {
    const v = (top * i) / 2;
    grid += `<line class="gl" x1="${L}" x2="${W - R}" y1="${f(y(v))}" y2="${f(y(v))}"/>` +
      `<text class="yl" x="${L - 6}" y="${f(y(v) + 4)}" text-anchor="end">${
        unit === "percent" ? `${Math.round(v * 10) / 10}%` : formatHashrate(v)
      }</text>`;
  }
  for (let i = 0; i <= 4; i++) {
    const t = fromS + (span * i) / 4;
    const anchor = i === 0 ? "start" : i === 4 ? "end" : "middle";
    grid += `<text class="xl" x="${f(x(t))}" y="${H - 6}" text-anchor="${anchor}">${
      timeLabel(t, span)
    }</text>`;
  }
  const runs: ChartPoint[][] = [];
  for (const p of points) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (run === undefined || last === undefined || p.t - last.t > 3 * stepS) runs.push([p]);
    else run.push(p);
  }
  let paths = "";
  for (const run of runs) {
    const line = run.map((p, i) => `${i === 0 ? "M" : "L"}${f(x(p.t))},${f(y(p.v))}`).join("");
    const base = f(y(0));
    paths += `<path class="area" d="${line}L${f(x(run[run.length - 1]!.t))},${base}L${
      f(x(run[0]!.t))
    },${base}Z"/><path class="line" d="${line}"/>`;
    if (run.length === 1) {
      paths += `<circle class="dot" cx="${f(x(run[0]!.t))}" cy="${f(y(run[0]!.v))}" r="3"/>`;
    }
  }
  const empty = points.length === 0
    ? `<text class="yl" x="${W / 2}" y="${H / 2}" text-anchor="middle">no data in this range</text>`
    : "";
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="hashrate chart">${grid}${paths}${empty}</svg>`;
}

/** A 100×24 sparkline of `values` (oldest first); empty values give a flat dashed line. */
export function sparkline(values: number[]): string {
  const W = 100, H = 24;
  if (values.length === 0) {
    return `<svg class="spark" viewBox="0 0 ${W} ${H}"><line class="none" x1="0" x2="${W}" y1="${
      H - 2
    }" y2="${H - 2}"/></svg>`;
  }
  const top = Math.max(...values) || 1;
  const n = Math.max(1, values.length - 1);
  const pts = values.map((v, i) =>
    `${((i / n) * W).toFixed(1)},${(H - 2 - (v / top) * (H - 4)).toFixed(1)}`
  );
  // One point so far: a level line across, its dot at the right (the newest) end.
  if (pts.length === 1) {
    const level = pts[0]!.split(",")[1];
    pts.splice(0, 1, `0,${level}`, `${W},${level}`);
  }
  const [lx, ly] = pts[pts.length - 1]!.split(",");
  return `<svg class="spark" viewBox="0 0 ${W} ${H}"><polyline points="${
    pts.join(" ")
  }"/><circle cx="${Math.min(Number(lx), W - 2)}" cy="${ly}" r="2"/></svg>`;
}

/** One day of the blocks chart. */
export interface DayBar {
  /** "YYYY-MM-DD". */
  day: string;
  /** Blue blocks. */
  blue: number;
  /** Red blocks. */
  red: number;
  /** Other blocks (not accepted, or colour unknown). */
  other: number;
  /** KAS earned that day, as text. */
  kas: string;
}

/** Blocks per day as stacked bars (blue, red, other) with the KAS earned above each bar. */
export function dayBars(days: DayBar[]): string {
  const W = 800, H = 180, T = 22, B = 22;
  if (days.length === 0) {
    return `<svg class="chart" viewBox="0 0 ${W} 60"><text class="yl" x="${
      W / 2
    }" y="34" text-anchor="middle">no blocks in this range</text></svg>`;
  }
  const top = niceCeil(days.reduce((m, d) => Math.max(m, d.blue + d.red + d.other), 0));
  const slot = W / days.length;
  const bw = Math.max(2, Math.min(48, slot * 0.7));
  const h = (n: number) => (n / top) * (H - T - B);
  let out = "";
  days.forEach((d, i) => {
    const cx = slot * i + slot / 2;
    let yb = H - B;
    for (const [cls, n] of [["blue", d.blue], ["red", d.red], ["other", d.other]] as const) {
      if (n <= 0) continue;
      out += `<rect class="${cls}" x="${(cx - bw / 2).toFixed(1)}" y="${
        (yb - h(n)).toFixed(1)
      }" width="${bw.toFixed(1)}" height="${
        h(n).toFixed(1)
      }"><title>${d.day}: ${n} ${cls}</title></rect>`;
      yb -= h(n);
    }
    if (days.length <= 31) {
      const label = d.kas === "0" ? "" : `${d.kas} KAS`;
      out +=
        `<text class="xl" x="${cx.toFixed(1)}" y="${
          (yb - 5).toFixed(1)
        }" text-anchor="middle">${label}</text>` +
        `<text class="xl" x="${cx.toFixed(1)}" y="${H - 6}" text-anchor="middle">${
          d.day.slice(5)
        }</text>`;
    }
  });
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="blocks per day">${out}</svg>`;
}
