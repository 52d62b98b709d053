// Public face of http/: the read-only HTTP server (metrics, JSON API, health, dashboard).
// I/O lives in server.ts; everything else here is plain Request → Response or pure views.

export { type AppOptions, createHandler, type StatsSource } from "./app.ts";
export { type HttpOptions, type HttpServer, startHttp } from "./server.ts";
export { type HealthReason, type HealthState, type HealthVerdict, judgeHealth } from "./health.ts";
export type {
  BalancesJson,
  BlockJson,
  BlocksJson,
  NodeJson,
  StatusJson,
  WorkerJson,
  WorkersJson,
} from "./api.ts";
export type { HistorySource } from "./history_api.ts";
