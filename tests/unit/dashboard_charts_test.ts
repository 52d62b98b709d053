// The dashboard's SVG charts: axis tops, gaps, one-point series, and nothing unescaped.

import assert from "node:assert/strict";
import { dayBars, lineChart, niceCeil, sparkline } from "../../lib/http/dashboard/charts.ts";

Deno.test("niceCeil: 1, 2 or 5 times a power of ten at or above the maximum", () => {
  assert.equal(niceCeil(0), 1);
  assert.equal(niceCeil(0.7), 1);
  assert.equal(niceCeil(1.2e12), 2e12);
  assert.equal(niceCeil(215), 500);
  assert.equal(niceCeil(5000), 5000);
});

Deno.test("lineChart: one path per run, a gap over three steps breaks the line, labels in H/s", () => {
  const pts = [0, 60, 120, 600, 660].map((t) => ({ t: 1000 + t, v: 2e12 }));
  const svg = lineChart(pts, 1000, 1700, 60);
  assert.equal(svg.match(/class="line"/g)?.length, 2);
  assert.match(svg, /2\.00 TH\/s/);
  assert.match(lineChart([], 0, 3600, 60), /no data in this range/);
  assert.match(lineChart([{ t: 10, v: 50 }], 0, 60, 60, "percent"), /50%/);
});

Deno.test("sparkline: a single value draws a level line with its dot at the newest end", () => {
  const one = sparkline([5]);
  assert.match(one, /points="0,2\.0 100,2\.0"/);
  assert.match(one, /<circle cx="98"/);
  assert.match(sparkline([]), /class="none"/);
  assert.equal(sparkline([1, 2, 3]).match(/ /g)!.length > 2, true);
});

Deno.test("dayBars: stacked blue, red and other with the KAS earned", () => {
  const svg = dayBars([{ day: "2026-06-01", blue: 3, red: 1, other: 1, kas: "132" }]);
  assert.match(svg, /class="blue"/);
  assert.match(svg, /class="red"/);
  assert.match(svg, /class="other"/);
  assert.match(svg, /132 KAS/);
  assert.match(svg, />06-01</);
});
