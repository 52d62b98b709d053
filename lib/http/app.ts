// The HTTP app as a plain Request → Response function: routes, headers, read-only.
// No sockets here (server.ts binds it); tests call the handler in memory.

import { EXPOSITION_CONTENT_TYPE, formatExpositionChunks, metricFamilies } from "../metrics/mod.ts";
import type { StatsSnapshot } from "../stats/mod.ts";
import { blocksJson, statusJson, workersJsonChunks } from "./api.ts";
import { CLIENT_JS } from "./dashboard/client.ts";
import { INDEX_HTML, STYLE_CSS } from "./dashboard/page.ts";
import { type HealthState, judgeHealth } from "./health.ts";
import {
  BadQuery,
  dailyJson,
  hashrateJson,
  historyBlocksJson,
  type HistorySource,
  historyStatusJson,
  sparklinesJson,
} from "./history_api.ts";
import { slicedStream } from "./sliced.ts";

/** Anything that can produce a stats snapshot (Stats does). */
export interface StatsSource {
  /** Everything known now; `workers: false` leaves out the per-worker list. */
  snapshot(opts?: { workers?: boolean }): StatsSnapshot;
}

/** What the HTTP app reads; it never writes to any of it. */
export interface AppOptions {
  /** Source of every number served. */
  stats: StatsSource;
  /** Read on every /health and /api/status request. */
  health: () => HealthState;
  /** kstratum version, shown on the dashboard and in ks_build_info. */
  version: string;
  /** Value of an `instance` label on every /metrics series; none when absent. */
  metricsInstance?: string;
  /** Process uptime, ms. Default: performance.now(). */
  uptimeMs?: () => number;
  /** Resident set size, bytes. Default: Deno.memoryUsage().rss. */
  rssBytes?: () => number;
  /** The history store, when data_dir is set; /api/history/... answer 503 without it. */
  history?: HistorySource | undefined;
  /** Wall clock for history ranges, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** Told about a route that threw (the client gets a 500). Default: ignore. */
  onError?: (error: unknown, path: string) => void;
}

type Route = (url: URL) => Response;

/** Most workers /api/workers?limit= may ask for; larger values are refused. */
const MAX_LIMIT = 1_000_000;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
};

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Builds the request handler: GET/HEAD on /, /app.js, /style.css, /metrics, /api/status,
 * /api/workers, /api/blocks, /api/history/{status,hashrate,sparklines,blocks,blocks/daily} and
 * /health; 404 for other paths, 405 for other methods.
 *
 * @example
 * ```ts
 * import { createHandler } from "./app.ts";
 * import { Stats } from "../stats/stats.ts";
 * const handle = createHandler({
 *   stats: new Stats(),
 *   health: () => ({ nodeConnected: true, nodeSynced: true, listening: true }),
 *   version: "0.1.0",
 * });
 * const res = handle(new Request("http://localhost/health"));
 * if (res.status !== 200) throw new Error();
 * ```
 */
export function createHandler(opts: AppOptions): (req: Request) => Response {
  const uptimeMs = opts.uptimeMs ?? (() => performance.now());
  const rssBytes = opts.rssBytes ?? (() => Deno.memoryUsage().rss);
  const health = () => {
    try {
      return judgeHealth(opts.health());
    } catch {
      return judgeHealth(undefined);
    }
  };
  const now = opts.now ?? Date.now;
  const historyRoute = (
    build: (h: HistorySource, url: URL, nowS: number) => unknown,
  ): Route =>
  (url) => {
    const h = opts.history;
    if (h === undefined || !h.store.status.on) {
      return json({ error: "history-off", history: historyStatusJson(h) }, 503);
    }
    try {
      return json(build(h, url, Math.floor(now() / 1000)));
    } catch (e) {
      if (e instanceof BadQuery) return json({ error: "bad-query", detail: e.message }, 400);
      throw e;
    }
  };
  const routes: Record<string, Route> = {
    "/": () =>
      response(INDEX_HTML, "text/html; charset=utf-8", { "content-security-policy": PAGE_CSP }),
    "/app.js": () => response(CLIENT_JS, "text/javascript; charset=utf-8"),
    "/style.css": () => response(STYLE_CSS, "text/css; charset=utf-8"),
    "/metrics": () =>
      response(
        slicedStream(formatExpositionChunks(metricFamilies(opts.stats.snapshot(), {
          version: opts.version,
          uptimeMs: uptimeMs(),
          rssBytes: rssBytes(),
          ...(opts.metricsInstance === undefined ? {} : { instance: opts.metricsInstance }),
        }))),
        EXPOSITION_CONTENT_TYPE,
        { "cache-control": "no-store" },
      ),
    "/api/status": () =>
      json({
        ...statusJson(opts.stats.snapshot({ workers: false }), {
          version: opts.version,
          uptimeMs: uptimeMs(),
          health: health(),
        }),
        history: historyStatusJson(opts.history),
      }),
    "/api/history/status": () => json(historyStatusJson(opts.history)),
    "/api/history/hashrate": historyRoute(hashrateJson),
    "/api/history/sparklines": historyRoute(sparklinesJson),
    "/api/history/blocks": historyRoute(historyBlocksJson),
    "/api/history/blocks/daily": historyRoute(dailyJson),
    "/api/workers": (url) => {
      const asked = url.searchParams.get("limit");
      const limit = asked === null ? Infinity : Number(asked);
      if (asked !== null && !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT)) {
        return json({ error: "bad-limit", detail: `limit must be 1-${MAX_LIMIT}` }, 400);
      }
      return response(slicedStream(workersJsonChunks(opts.stats.snapshot(), limit)), JSON_TYPE, {
        "cache-control": "no-store",
      });
    },
    "/api/blocks": () => json(blocksJson(opts.stats.snapshot({ workers: false }))),
    "/health": () => {
      const verdict = health();
      return json(
        {
          status: verdict.ok
            ? "ok"
            : verdict.reasons[0] === "draining"
            ? "draining"
            : "unavailable",
          reasons: verdict.reasons,
          reason: verdict.reason,
        },
        verdict.ok ? 200 : 503,
      );
    },
  };
  return (req: Request): Response => {
    const res = respond(req, routes, opts.onError);
    if (req.method !== "HEAD") return res;
    res.body?.cancel().catch(() => {}); // a streamed body (/metrics, /api/workers) is then never made
    return new Response(null, { status: res.status, headers: res.headers });
  };
}

function respond(
  req: Request,
  routes: Record<string, Route>,
  onError: AppOptions["onError"],
): Response {
  const url = new URL(req.url);
  const path = url.pathname;
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (!route) return json({ error: "not-found" }, 404);
  if (req.method !== "GET" && req.method !== "HEAD") {
    return json({ error: "method-not-allowed" }, 405, { allow: "GET, HEAD" });
  }
  try {
    return route(url);
  } catch (e) {
    onError?.(e, path);
    return json({ error: "internal" }, 500);
  }
}

const JSON_TYPE = "application/json; charset=utf-8";

/** A response with the security headers; `body` a string or a streamed one. */
function response(
  body: string | ReadableStream<Uint8Array>,
  type: string,
  extra: Record<string, string> = {},
  status = 200,
): Response {
  return new Response(body, {
    status,
    headers: { "content-type": type, "cache-control": "no-cache", ...SECURITY_HEADERS, ...extra },
  });
}

function json(body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return response(JSON.stringify(body), JSON_TYPE, {
    "cache-control": "no-store",
    ...extra,
  }, status);
}
