// The dashboard's script, assembled from the typed, tested functions in render.ts and format.ts.
// Pure: a string built once at load; served as /app.js (works offline and under `deno compile`).

import { formatDifficulty, formatDuration, formatHashrate } from "../../stats/format.ts";
import {
  ago,
  dashboardMain,
  esc,
  groupDigits,
  renderBlocks,
  renderNode,
  renderSummary,
  renderWorkers,
  shortAddress,
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
  renderSummary,
  renderNode,
  renderWorkers,
  renderBlocks,
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
