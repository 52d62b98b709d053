// Public face of net: the Stratum server the composition root starts, and its options and deps.
// The only folder that touches Deno.listen / Deno.Conn.

export { ListenerConfigError, startListener, StratumServer } from "./server.ts";
export { SERVER_DEFAULTS } from "./types.ts";
export type {
  ListenerInfo,
  ListenerOptions,
  NetLog,
  NowClock,
  ServerOptions,
  StratumDeps,
} from "./types.ts";
export { WriteQueue, WriteQueueFullError } from "./write_queue.ts";
export type { ByteWriter, LineTag } from "./write_queue.ts";
