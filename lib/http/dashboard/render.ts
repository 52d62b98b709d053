// The dashboard's views: API JSON in, escaped HTML fragments out; plus the refresh loop.
// Pure and self-contained: client.ts ships these functions to the browser via toString(), so each
// uses only its parameters, JS built-ins and the other shipped functions, called by their own names.

import { formatDifficulty, formatDuration, formatHashrate } from "../../stats/format.ts";
import type { BlocksJson, StatusJson, WorkersJson } from "../api.ts";
import { type DayBar, dayBars, lineChart, sparkline } from "./charts.ts";

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

/**
 * The workers table (cards on narrow screens), with each worker's 1-hour hashrate sparkline from
 * `sparks` (worker key → values) and its name a button opening the worker's detail view.
 */
export function renderWorkers(
  w: WorkersJson,
  sparks: Record<string, number[]> | null = null,
  wallet = "",
): string {
  if (wallet !== "") w = { ...w, workers: w.workers.filter((x) => x.wallet === wallet) };
  if (w.workers.length === 0) return `<p class="muted">No workers yet.</p>`;
  const more = w.total - w.workers.length;
  const note = more > 0
    ? `<p class="muted">The first ${groupDigits(String(w.workers.length))} of ${
      groupDigits(String(w.total))
    } workers by wallet and name; /api/workers lists them all.</p>`
    : "";
  const heads = [
    "Worker",
    ...(sparks === null ? [] : ["Last hour"]),
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
    const spark = sparks === null
      ? ""
      : `<td class="sp" data-label="Last hour">${sparkline(sparks[x.key] ?? [])}</td>`;
    const off = sparks === null ? 1 : 2;
    const who =
      `<td class="who" data-label="Worker"><b><button class="link" data-act="worker" data-arg="${
        esc(x.key)
      }">${esc(x.name)}</button></b><small title="${esc(x.wallet)}">${esc(x.miner)} · ${
        esc(x.ip)
      } · ${esc(shortAddress(x.wallet))}${x.connections > 0 ? "" : " · offline"}</small></td>`;
    return `<tr${x.connections > 0 ? "" : ' class="off"'}>${who}${spark}${
      cells.map((c, i) => `<td data-label="${esc(heads[i + off])}">${esc(c)}</td>`).join("")
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

/** /api/history/hashrate as the dashboard reads it. */
export interface HistorySeriesJson {
  from: number;
  to: number;
  res: "1m" | "5m" | "1h";
  points: { t: number; hashrate: number; accepted: number; stale: number; invalid: number }[];
}

/** /api/history/blocks as the dashboard reads it. */
export interface HistoryBlocksJson {
  blocks: {
    hash: string;
    foundAt: number;
    worker: string;
    wallet: string;
    daaScore: string;
    verdict: string;
    color: string | null;
    confirmations: number | null;
    rewardKas: string | null;
    final: boolean;
  }[];
}

/** /api/history/blocks/daily as the dashboard reads it. */
export interface DailyJson {
  days: {
    day: string;
    found: number;
    accepted: number;
    blue: number;
    red: number;
    rewardKas: string;
  }[];
}

/** Seconds per step of an API resolution name. */
export function stepOf(res: string): number {
  return res === "1m" ? 60 : res === "5m" ? 300 : 3600;
}

/** The farm (or one worker's) hashrate chart from a history series. */
export function renderHashrateChart(h: HistorySeriesJson): string {
  return lineChart(
    h.points.map((p) => ({ t: p.t, v: p.hashrate })),
    h.from,
    h.to,
    stepOf(h.res),
  );
}

/** A worker's reject rate (stale + invalid over all shares, %) over time. */
export function renderRejectChart(h: HistorySeriesJson): string {
  return lineChart(
    h.points.map((p) => {
      const bad = p.stale + p.invalid;
      const all = bad + p.accepted;
      return { t: p.t, v: all === 0 ? 0 : (100 * bad) / all };
    }),
    h.from,
    h.to,
    stepOf(h.res),
    "percent",
  );
}

/** Blocks per day, stacked by colour, with the KAS earned. */
export function renderDaily(d: DailyJson): string {
  const bars: DayBar[] = d.days.map((x) => ({
    day: x.day,
    blue: x.blue,
    red: x.red,
    other: Math.max(0, x.found - x.blue - x.red),
    kas: x.rewardKas,
  }));
  return dayBars(bars);
}

/** Stored blocks with their colour, confirmations and reward (KAS), newest first. */
export function renderHistoryBlocks(b: HistoryBlocksJson, nowMs: number): string {
  if (b.blocks.length === 0) return `<p class="muted">No blocks found yet.</p>`;
  const heads = [
    "Found",
    "Hash",
    "Worker",
    "DAA score",
    "Node verdict",
    "Color",
    "Confirmations",
    "Reward",
  ];
  const rows = b.blocks.map((x) => {
    const accepted = x.verdict === "accepted";
    const color = x.color ?? (x.final ? "unknown" : "pending");
    const cells = [
      `<span title="${esc(new Date(x.foundAt).toISOString())}">${
        esc(ago(nowMs, x.foundAt))
      }</span>`,
      `<code title="${esc(x.hash)}">${esc(x.hash.slice(0, 16))}…</code>`,
      esc(x.worker),
      esc(groupDigits(x.daaScore)),
      `<span class="badge ${accepted ? "ok" : "bad"}">${esc(x.verdict)}</span>`,
      accepted
        ? `<span class="badge ${esc(color)}">${esc(color)}</span>`
        : `<span class="muted">—</span>`,
      // Followed until final: the count the node gave when the reward was known.
      x.confirmations === null
        ? "—"
        : `<span title="when the node reported the reward">${
          esc(groupDigits(String(x.confirmations)))
        }${x.final ? "" : "…"}</span>`,
      x.rewardKas === null ? `<span class="muted">—</span>` : `${esc(x.rewardKas)} KAS`,
    ];
    return `<tr>${
      cells.map((c, i) => `<td data-label="${esc(heads[i])}">${c}</td>`).join("")
    }</tr>`;
  });
  return `<table class="grid blocks"><thead><tr>${
    heads.map((h) => `<th>${esc(h)}</th>`).join("")
  }</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The range buttons, the active one marked. */
export function renderRanges(active: string): string {
  return ["1h", "24h", "7d", "30d"].map((r) =>
    `<button class="tab${r === active ? " on" : ""}" data-act="range" data-arg="${r}">${r}</button>`
  ).join("");
}

/** The wallet filter's options: every wallet seen, the chosen one selected. */
export function renderWalletOptions(wallets: string[], chosen: string): string {
  return `<option value="">all wallets</option>` +
    wallets.map((w) =>
      `<option value="${esc(w)}"${w === chosen ? " selected" : ""}>${esc(shortAddress(w))}</option>`
    ).join("");
}

/** What the refresh loop needs from the page; the browser glue in client.ts provides it. */
export interface ClientEnv {
  fetchJson(path: string): Promise<unknown>;
  setHtml(id: string, html: string): void;
  setText(id: string, text: string): void;
  setClass(id: string, className: string): void;
  later(ms: number, fn: () => void): void;
  /** Hands `fn` every click on a `data-act` element and every wallet filter change. */
  onAction(fn: (act: string, arg: string) => void): void;
  /** Shows or hides an element. */
  setHidden(id: string, hidden: boolean): void;
  /** Marks a finished render (ms since page start), for the render-time measurement. */
  rendered(ms: number): void;
}

/**
 * Fetches the API documents and redraws, every `refreshMs` ms, forever; history (charts, stored
 * blocks, sparklines) every sixth refresh or at once when the range, wallet or worker changes. The
 * worker table shows at most `maxRows` workers: a 10,000-miner farm's full list is 6.4 MB of JSON
 * and a table no browser redraws every few seconds.
 */
export function dashboardMain(env: ClientEnv, refreshMs: number, maxRows = 500): void {
  const state = { range: "24h", wallet: "", worker: "", n: 0, dirty: true };
  const cache: {
    sparks: Record<string, number[]> | null;
    blocks: HistoryBlocksJson | null;
  } = { sparks: null, blocks: null };
  const q = (wallet: string) => (wallet === "" ? "" : `&wallet=${encodeURIComponent(wallet)}`);
  const tick = async (): Promise<void> => {
    const started = performance.now();
    try {
      const [s, w, b] = (await Promise.all([
        env.fetchJson("/api/status"),
        env.fetchJson(`/api/workers?limit=${maxRows}`),
        env.fetchJson("/api/blocks"),
      ])) as [
        StatusJson & { history?: { on: boolean; reason?: string; rewards: string } },
        WorkersJson,
        BlocksJson,
      ];
      env.setText("version", s.version);
      env.setText("health", s.health.ok ? "healthy" : s.health.reason);
      env.setClass("health", s.health.ok ? "pill ok" : "pill bad");
      env.setHtml("summary", renderSummary(s));
      env.setHtml("node", renderNode(s));
      const h = s.history;
      const on = h !== undefined && h.on;
      env.setHidden("history", !on);
      env.setHidden("daily-panel", !on);
      env.setText(
        "history-note",
        on
          ? h!.rewards === "unsupported"
            ? "kaspad has no GetBlockRewardInfo: colours without reward amounts"
            : ""
          : `History off: ${h?.reason ?? "data_dir is off"}`,
      );
      if (on && (state.dirty || state.n % 6 === 0)) {
        state.dirty = false;
        const days = state.range === "30d" ? 30 : state.range === "7d" ? 7 : 1;
        const [farm, spark, hb, daily] = (await Promise.all([
          env.fetchJson(`/api/history/hashrate?range=${state.range}${q(state.wallet)}`),
          env.fetchJson(`/api/history/sparklines?range=1h${q(state.wallet)}`),
          env.fetchJson(`/api/history/blocks?limit=100${q(state.wallet)}`),
          env.fetchJson(`/api/history/blocks/daily?days=${Math.max(7, days)}${q(state.wallet)}`),
        ])) as [
          HistorySeriesJson,
          { workers: { key: string; hashrate: number[] }[] },
          HistoryBlocksJson,
          DailyJson,
        ];
        env.setHtml("ranges", renderRanges(state.range));
        env.setText(
          "chart-title",
          state.wallet === "" ? "Farm hashrate" : `Hashrate of ${shortAddress(state.wallet)}`,
        );
        env.setHtml("chart", renderHashrateChart(farm));
        env.setHtml("daily", renderDaily(daily));
        const sparks: Record<string, number[]> = {};
        for (const x of spark.workers) sparks[x.key] = x.hashrate;
        cache.sparks = sparks;
        cache.blocks = hb;
        if (state.worker !== "") {
          const enc = encodeURIComponent(state.worker);
          const ws = (await env.fetchJson(
            `/api/history/hashrate?range=${state.range}&worker=${enc}`,
          )) as HistorySeriesJson;
          const name = state.worker.slice(state.worker.lastIndexOf("/") + 1).replace(/^@/, "");
          env.setText("worker-name", name);
          env.setHtml("worker-chart", renderHashrateChart(ws));
          env.setHtml("worker-rejects", renderRejectChart(ws));
          const mine = (await env.fetchJson(
            `/api/history/blocks?limit=100&worker=${encodeURIComponent(name)}`,
          )) as HistoryBlocksJson;
          env.setHtml("worker-blocks", renderHistoryBlocks(mine, s.now));
        }
        env.setHidden("worker-panel", state.worker === "");
      }
      const wallets = [...new Set(w.workers.map((x) => x.wallet))].sort();
      env.setHtml("wallet", renderWalletOptions(wallets, state.wallet));
      env.setText("worker-count", groupDigits(String(w.total)));
      env.setHtml("workers", renderWorkers(w, on ? cache.sparks : null, state.wallet));
      if (on && cache.blocks !== null) {
        env.setText("block-count", String(cache.blocks.blocks.length));
        env.setHtml("blocks", renderHistoryBlocks(cache.blocks, s.now));
      } else {
        env.setText("block-count", String(b.blocks.length));
        env.setHtml("blocks", renderBlocks(b));
      }
      env.setText("updated", `updated ${new Date(s.now).toLocaleTimeString()}`);
      env.rendered(performance.now() - started);
    } catch (_e) {
      env.setText("health", "no answer from kstratum");
      env.setClass("health", "pill bad");
    }
  };
  const loop = async (): Promise<void> => {
    await tick();
    state.n++;
    env.later(refreshMs, () => void loop());
  };
  env.onAction((act, arg) => {
    if (act === "range") state.range = arg;
    else if (act === "wallet") state.wallet = arg;
    else if (act === "worker") state.worker = arg;
    else if (act === "close") state.worker = "";
    else return;
    state.dirty = true;
    void tick();
  });
  void loop(); // never rejects: tick catches everything and the loop reschedules itself
}
