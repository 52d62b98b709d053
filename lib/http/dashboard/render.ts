// The dashboard's views: API JSON in, escaped HTML fragments out; plus the refresh loop.
// Pure and self-contained: client.ts ships these functions to the browser via toString(), so each
// uses only its parameters, JS built-ins and the other shipped functions, called by their own names.

import { formatDifficulty, formatDuration, formatHashrate } from "../../stats/format.ts";
import type { BlocksJson, StatusJson, WorkersJson } from "../api.ts";

/** Escapes text for HTML element content and double-quoted attributes. */
export function esc(s: unknown): string {
  return String(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A decimal integer string with thin separators: "81234567" → "81,234,567". */
export function groupDigits(s: string): string {
  return /^\d+$/.test(s) ? s.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : s;
}

/** A long address shortened for display: "kaspa:qzk3t…le5". */
export function shortAddress(a: string): string {
  const colon = a.indexOf(":");
  const body = a.slice(colon + 1);
  return body.length <= 14 ? a : `${a.slice(0, colon + 1)}${body.slice(0, 5)}…${body.slice(-4)}`;
}

/** "12s ago" from two server times in ms; "never" for null. */
export function ago(now: number, at: number | null): string {
  return at === null ? "never" : `${formatDuration(now - at)} ago`;
}

/** The summary cards: hashrate, workers, shares, blocks, uptime. */
export function renderSummary(s: StatusJson): string {
  const t = s.totals;
  const sh = t.shares;
  const card = (label: string, value: string, sub: string) =>
    `<div class="card"><div class="label">${esc(label)}</div><div class="value">${
      esc(value)
    }</div><div class="sub">${sub}</div></div>`;
  return [
    card(
      "Hashrate (1m)",
      formatHashrate(s.hashrate.m1),
      `15m ${esc(formatHashrate(s.hashrate.m15))} · 1h ${esc(formatHashrate(s.hashrate.h1))}`,
    ),
    card("Workers", String(s.workers.tracked), `${s.connections.total} connections`),
    card(
      "Shares accepted",
      String(sh.valid),
      `stale ${sh.stale} · dup ${sh.duplicate} · low ${sh.weak} · inv ${sh.invalid}`,
    ),
    card(
      "Blocks found",
      String(t.blocks.found),
      `<span class="blue">${t.blocks.blue} blue</span> · <span class="red">${t.blocks.red} red</span>` +
        ` · ${t.blocks.rejected + t.blocks.unreachable} not accepted`,
    ),
    card("Uptime", formatDuration(s.uptimeMs), `version ${esc(s.version)}`),
  ].join("");
}

/** The node panel: network, sync, DAA score, network hashrate and difficulty, template age. */
export function renderNode(s: StatusJson): string {
  const n = s.node;
  if (n === null) return `<p class="muted">No node status yet.</p>`;
  const row = (k: string, v: string) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`;
  const yes = (ok: boolean, y: string, no: string) =>
    `<span class="${ok ? "ok" : "bad"}">${esc(ok ? y : no)}</span>`;
  return `<dl class="kv">${
    [
      row("Network", esc(n.network || "?")),
      row("Link", yes(n.connected, "connected", "disconnected")),
      row("Synced", yes(n.synced, "yes", "no")),
      row("DAA score", esc(groupDigits(n.daaScore))),
      row("Network hashrate", esc(formatHashrate(Number(n.networkHashrate)))),
      row("Difficulty", esc(formatDifficulty(n.difficulty))),
      row("Template age", n.templateAgeMs === null ? "-" : esc(formatDuration(n.templateAgeMs))),
      row(
        "Node RPC",
        n.rpcLatencyMs === null ? "-" : `${esc(Math.round(n.rpcLatencyMs * 10) / 10)} ms`,
      ),
    ].join("")
  }</dl>`;
}

/** The workers table (cards on narrow screens). */
export function renderWorkers(w: WorkersJson): string {
  if (w.workers.length === 0) return `<p class="muted">No workers yet.</p>`;
  const more = w.total - w.workers.length;
  const note = more > 0
    ? `<p class="muted">The first ${groupDigits(String(w.workers.length))} of ${
      groupDigits(String(w.total))
    } workers by wallet and name; /api/workers lists them all.</p>`
    : "";
  const heads = [
    "Worker",
    "1m",
    "15m",
    "1h",
    "Accepted",
    "Stale",
    "Dup",
    "Low diff",
    "Invalid",
    "Diff",
    "Last share",
  ];
  const rows = w.workers.map((x) => {
    const cells = [
      formatHashrate(x.hashrate.m1),
      formatHashrate(x.hashrate.m15),
      formatHashrate(x.hashrate.h1),
      String(x.shares.valid),
      String(x.shares.stale),
      String(x.shares.duplicate),
      String(x.shares.weak),
      String(x.shares.invalid),
      formatDifficulty(x.difficulty),
      ago(w.now, x.lastShareAt),
    ];
    const who = `<td class="who" data-label="Worker"><b>${esc(x.name)}</b><small title="${
      esc(x.wallet)
    }">${esc(x.miner)} · ${esc(x.ip)} · ${esc(shortAddress(x.wallet))}${
      x.connections > 0 ? "" : " · offline"
    }</small></td>`;
    return `<tr${x.connections > 0 ? "" : ' class="off"'}>${who}${
      cells.map((c, i) => `<td data-label="${esc(heads[i + 1])}">${esc(c)}</td>`).join("")
    }</tr>`;
  });
  return `${note}<table class="grid workers"><thead><tr>${
    heads.map((h) => `<th>${esc(h)}</th>`).join("")
  }</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The blocks table: newest first, with the node's verdict and the block's color. */
export function renderBlocks(b: BlocksJson): string {
  if (b.blocks.length === 0) return `<p class="muted">No blocks found yet.</p>`;
  const heads = ["Found", "Hash", "Worker", "DAA score", "Node verdict", "Color"];
  const rows = b.blocks.map((x) => {
    const accepted = x.verdict === "accepted";
    const cells = [
      `<span title="${esc(new Date(x.at).toISOString())}">${esc(ago(b.now, x.at))}</span>`,
      `<code title="${esc(x.hash)}">${esc(x.hash.slice(0, 16))}…</code>`,
      esc(x.worker),
      esc(groupDigits(x.daaScore)),
      `<span class="badge ${accepted ? "ok" : "bad"}" title="${esc(x.reason ?? "")}">${
        esc(x.verdict)
      }</span>`,
      accepted
        ? `<span class="badge ${esc(x.color)}">${esc(x.color)}</span>`
        : `<span class="muted">—</span>`,
    ];
    return `<tr>${
      cells.map((c, i) => `<td data-label="${esc(heads[i])}">${c}</td>`).join("")
    }</tr>`;
  });
  return `<table class="grid blocks"><thead><tr>${
    heads.map((h) => `<th>${esc(h)}</th>`).join("")
  }</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** What the refresh loop needs from the page; the browser glue in client.ts provides it. */
export interface ClientEnv {
  fetchJson(path: string): Promise<unknown>;
  setHtml(id: string, html: string): void;
  setText(id: string, text: string): void;
  setClass(id: string, className: string): void;
  later(ms: number, fn: () => void): void;
}

/**
 * Fetches the three API documents and redraws, every `refreshMs` ms, forever. The worker table
 * shows at most `maxRows` workers: a 10,000-miner farm's full list is 6.4 MB of JSON and a table
 * no browser redraws every few seconds.
 */
export function dashboardMain(env: ClientEnv, refreshMs: number, maxRows = 500): void {
  const tick = async (): Promise<void> => {
    try {
      const [s, w, b] = (await Promise.all([
        env.fetchJson("/api/status"),
        env.fetchJson(`/api/workers?limit=${maxRows}`),
        env.fetchJson("/api/blocks"),
      ])) as [StatusJson, WorkersJson, BlocksJson];
      env.setText("version", s.version);
      env.setText("health", s.health.ok ? "healthy" : s.health.reason);
      env.setClass("health", s.health.ok ? "pill ok" : "pill bad");
      env.setHtml("summary", renderSummary(s));
      env.setHtml("node", renderNode(s));
      env.setText("worker-count", groupDigits(String(w.total)));
      env.setHtml("workers", renderWorkers(w));
      env.setText("block-count", String(b.blocks.length));
      env.setHtml("blocks", renderBlocks(b));
      env.setText("updated", `updated ${new Date(s.now).toLocaleTimeString()}`);
    } catch (_e) {
      env.setText("health", "no answer from kstratum");
      env.setClass("health", "pill bad");
    }
    env.later(refreshMs, () => void tick());
  };
  void tick(); // never rejects: tick catches everything and reschedules itself
}
