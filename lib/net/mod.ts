// Public face of net: the Stratum server the composition root starts, and its options and deps.
// The only folder that opens listen sockets and reads or writes miners' sockets.

export { ListenerConfigError, startListener, StratumServer } from "./server.ts";
export { SERVER_DEFAULTS } from "./types.ts";
export type {
  DescriptorGate,
  ListenerInfo,
  ListenerOptions,
  ServerOptions,
  StratumDeps,
} from "./types.ts";
export { WriteQueue, WriteQueueFullError } from "./write_queue.ts";
export { TlsConfigError } from "./tls.ts";
export type { ByteConn } from "./socket_conn.ts";
export type { ByteWriter, LineTag } from "./write_queue.ts";
