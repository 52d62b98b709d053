// The dashboard's script, assembled from the typed, tested functions in render.ts and format.ts.
// Pure: a string built once at load; served as /app.js (works offline and under `deno compile`).

import { formatDifficulty, formatDuration, formatHashrate } from "../../stats/format.ts";
import { dayBars, lineChart, niceCeil, sparkline, timeLabel } from "./charts.ts";
import {
  ago,
  dashboardMain,
  esc,
  groupDigits,
  renderBlocks,
  renderDaily,
  renderHashrateChart,
  renderHistoryBlocks,
  renderNode,
  renderRanges,
  renderRejectChart,
  renderSummary,
  renderWalletOptions,
  renderWorkers,
  shortAddress,
  stepOf,
} from "./render.ts";

/** How often the page refreshes, ms. */
export const REFRESH_MS = 5000;

// Every function the browser needs. Each one's source (type annotations already stripped by
// Deno's transpiler) is declared under its own name, so their calls to one another resolve.
const SHIPPED: ReadonlyArray<(...args: never[]) => unknown> = [
  formatHashrate,
  formatDifficulty,
  formatDuration,
  esc,
  groupDigits,
  shortAddress,
  ago,
  niceCeil,
  timeLabel,
  lineChart,
  sparkline,
  dayBars,
  stepOf,
  renderSummary,
  renderNode,
  renderWorkers,
  renderBlocks,
  renderHashrateChart,
  renderRejectChart,
  renderDaily,
  renderHistoryBlocks,
  renderRanges,
  renderWalletOptions,
  dashboardMain,
];

// The only code that touches the DOM: it hands dashboardMain what it needs.
const GLUE = `
const byId = (id) => document.getElementById(id);
dashboardMain({
  fetchJson: (path) =>
    fetch(path, { cache: "no-store" }).then((r) => {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }),
  setHtml: (id, html) => { const e = byId(id); if (e && e.innerHTML !== html) e.innerHTML = html; },
  setText: (id, text) => { const e = byId(id); if (e) e.textContent = text; },
  setClass: (id, cls) => { const e = byId(id); if (e) e.className = cls; },
  later: (ms, fn) => { setTimeout(fn, ms); },
  setHidden: (id, hidden) => { const e = byId(id); if (e) e.hidden = hidden; },
  onAction: (fn) => {
    document.addEventListener("click", (ev) => {
      const el = ev.target instanceof Element ? ev.target.closest("[data-act]") : null;
      if (el) fn(el.getAttribute("data-act"), el.getAttribute("data-arg") || "");
    });
    const sel = byId("wallet");
    if (sel) sel.addEventListener("change", () => fn("wallet", sel.value));
  },
  rendered: (ms) => {
    document.body.setAttribute("data-rendered", String(Number(document.body.getAttribute("data-rendered") || 0) + 1));
    document.body.setAttribute("data-render-ms", ms.toFixed(1));
  },
}, ${REFRESH_MS});
`;

/**
 * Builds the dashboard script: the shipped functions' sources and the DOM glue in one strict IIFE.
 * Throws if a function's source does not declare it under its own name (e.g. if it were minified).
 */
export function buildClientScript(): string {
  const parts = SHIPPED.map((fn) => {
    const src = fn.toString();
    if (!src.startsWith(`function ${fn.name}(`) && !src.startsWith(`async function ${fn.name}(`)) {
      throw new Error(`dashboard: cannot ship ${fn.name}: its source is not a named declaration`);
    }
    return src;
  });
  return `"use strict";\n(() => {\n${parts.join("\n")}\n${GLUE}})();\n`;
}

/** The script served as /app.js. */
export const CLIENT_JS: string = buildClientScript();
