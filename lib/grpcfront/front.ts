// The kaspad-compatible gRPC mining port: kaspa-miner (and other MessageStream miners) connect as if
// to kaspad. Its work goes down the Stratum share path: the same jobs, share check, block submitter and events.

import { type Logger, silentLogger } from "../log/mod.ts";
import { MESSAGE_STREAM_PATH } from "../node/grpc/transport.ts";
import { MinerStream } from "./miner.ts";
import { GrpcStreamServer, type ServerStream, type StreamHandler } from "./serve.ts";
import type { GrpcFrontDeps } from "./types.ts";

/** Listening address and limits of the front. */
export interface GrpcFrontOptions {
  /** Listen address. Default "127.0.0.1". */
  host?: string;
  /** Listen port; 0 picks a free one. Default 0. */
  port?: number;
  /** Reported as serverVersion in getInfo. */
  serverVersion?: string;
  /** How long a getBlockTemplate waits for the first job of a new address, ms. Default 10000. */
  templateWaitMs?: number;
  /** Distinct payout addresses one connection may ask for. Default 4. */
  maxAddressesPerConnection?: number;
  /** Simultaneous miner connections. Default 256. */
  maxConnections?: number;
  /** Simultaneous miner connections from one IP address. Default 16. */
  maxConnectionsPerIp?: number;
}

/** Bytes queued to a miner past which a new-template notification is skipped. */
const NOTIFY_BACKLOG_BYTES = 1 << 20;
/**
 * Largest request a miner may send, bytes, refused from its length prefix before it is buffered: a
 * header-only submitBlock is under 1 KB and a full block under 1 MB.
 */
export const MAX_REQUEST_BYTES = 1 << 20;

/** The gRPC mining front server. */
export class GrpcMiningFront {
  #server: GrpcStreamServer | undefined;
  #port = 0;
  #miners = new Set<MinerStream>();
  #perIp = new Map<string, number>();
  readonly #log: Logger;

  /** A front that is not listening yet; call listen(). */
  constructor(readonly options: GrpcFrontOptions, readonly deps: GrpcFrontDeps) {
    this.#log = deps.log ?? silentLogger;
  }

  /** Starts listening; resolves with the bound port. Rejects when the address cannot be bound. */
  listen(): Promise<number> {
    const host = this.options.host ?? "127.0.0.1";
    const server = new GrpcStreamServer({
      hostname: host,
      port: this.options.port ?? 0,
      path: MESSAGE_STREAM_PATH,
      maxMessageBytes: MAX_REQUEST_BYTES,
      backlogBytes: NOTIFY_BACKLOG_BYTES,
      accept: (stream) => this.#accept(stream),
      onError: (e) => this.#log.warn("gRPC front error", { error: String(e) }),
      onDown: (e) =>
        this.#log.error("gRPC front cannot accept; retrying", {
          port: this.#port,
          error: String(e),
        }),
      onUp: (downMs) => this.#log.info("gRPC front accepting again", { port: this.#port, downMs }),
    });
    try {
      this.#port = server.listen();
    } catch (e) {
      return Promise.reject(e);
    }
    this.#server = server;
    this.#log.info("gRPC mining front listening", { host, port: this.#port });
    return Promise.resolve(this.#port);
  }

  /** Bound port (after listen()). */
  get port(): number {
    return this.#port;
  }

  /** Open miner connections. */
  get connections(): number {
    return this.#miners.size;
  }

  /** Whether the listener accepts (false while it is rebound after a failure). */
  get accepting(): boolean {
    return this.#server?.accepting ?? false;
  }

  #accept(stream: ServerStream): StreamHandler | string {
    if (this.#miners.size >= (this.options.maxConnections ?? 256)) return "too many miners";
    const ip = stream.peerHost;
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= (this.options.maxConnectionsPerIp ?? 16)) {
      this.#log.warn("gRPC stream refused", { ip, reason: "per-IP limit" });
      return "too many streams from this address";
    }
    this.#perIp.set(ip, fromIp + 1);
    const miner = new MinerStream(stream, {
      deps: this.deps,
      log: this.#log.child({ peer: stream.peer }),
      serverVersion: this.options.serverVersion ?? "kstratum",
      templateWaitMs: this.options.templateWaitMs ?? 10_000,
      maxAddresses: this.options.maxAddressesPerConnection ?? 4,
      notifyBacklogBytes: NOTIFY_BACKLOG_BYTES,
      onGone: () => {
        this.#miners.delete(miner);
        const left = (this.#perIp.get(ip) ?? 1) - 1;
        if (left <= 0) this.#perIp.delete(ip);
        else this.#perIp.set(ip, left);
      },
    });
    this.#miners.add(miner);
    return miner;
  }

  /** Stops accepting and ends every miner connection. */
  async close(): Promise<void> {
    for (const m of [...this.#miners]) m.close();
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }
}
