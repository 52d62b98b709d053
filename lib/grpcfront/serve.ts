// The server side of a bidirectional gRPC stream over Deno.serve (HTTP/2 cleartext with prior
// knowledge; hyper inside, not node:http2): accepts calls on one path and frames messages both ways.

import { ResilientServe } from "../runtime/mod.ts";
import { FrameError, frameMessage, FrameReader, gunzipMessage } from "../node/grpc/frames.ts";

/** gRPC status codes this server answers with. */
export const GRPC_STATUS = {
  ok: 0,
  invalidArgument: 3,
  resourceExhausted: 8,
  unimplemented: 12,
  internal: 13,
} as const;

/** One accepted call: read messages through onMessage, write with send(). */
export interface ServerStream {
  /** The peer as "host:port". */
  readonly peer: string;
  /** The peer's IP address. */
  readonly peerHost: string;
  /** Bytes queued to the peer and not yet taken by the connection. */
  readonly backlogBytes: number;
  /** Sends one message; false (and nothing sent) once the stream has ended. */
  send(message: Uint8Array): boolean;
  /** Ends the call from the server side. */
  end(): void;
}

/** What the server does with a call. */
export interface StreamHandler {
  /** One message from the peer. */
  onMessage(message: Uint8Array): void;
  /** The call ended (either side, or the connection broke). Called once. */
  onEnd(reason: string): void;
}

/** Where to listen, the one method path served, limits and the call hook. */
export interface GrpcStreamServerOptions {
  /** Listen address. */
  hostname: string;
  /** Listen port; 0 picks a free one. */
  port: number;
  /** The only method path served, e.g. "/protowire.RPC/MessageStream". */
  path: string;
  /** Largest message accepted from a peer, bytes; checked from its length prefix. */
  maxMessageBytes: number;
  /** Bytes queued to one peer past which its stream counts as backlogged. */
  backlogBytes: number;
  /**
   * A new call. Return a handler to accept it, or a string to refuse it with
   * RESOURCE_EXHAUSTED and that message.
   */
  accept(stream: ServerStream): StreamHandler | string;
  /** Told about errors the server survived (for logs). */
  onError?(error: unknown): void;
  /** The listener failed (e.g. out of file descriptors) and is being rebound. */
  onDown?(error: unknown): void;
  /** The listener is bound again after `downMs`. */
  onUp?(downMs: number): void;
}

/** How long close() lets open HTTP/2 streams finish before it cuts their connections, ms. */
const SHUTDOWN_GRACE_MS = 250;

/** A trailers-only gRPC answer: the status in the response headers and no body. */
function statusOnly(status: number, message: string): Response {
  return new Response(null, {
    status: 200,
    headers: {
      "content-type": "application/grpc",
      "grpc-status": String(status),
      "grpc-message": encodeURIComponent(message),
    },
  });
}

class Call implements ServerStream {
  #out: ReadableStreamDefaultController<Uint8Array> | undefined;
  #ended = false;
  handler: StreamHandler | undefined;
  /** Stops reading the peer's side: HTTP/2 then resets the stream, so it ends on both sides. */
  stopReading: () => void = () => {};
  readonly body: ReadableStream<Uint8Array>;

  constructor(readonly peer: string, readonly peerHost: string, readonly limit: number) {
    this.body = new ReadableStream<Uint8Array>(
      { start: (c) => void (this.#out = c), cancel: () => this.finish("peer went away") },
      new ByteLengthQueuingStrategy({ highWaterMark: limit }),
    );
  }

  get backlogBytes(): number {
    return this.#ended ? 0 : Math.max(0, this.limit - (this.#out?.desiredSize ?? this.limit));
  }

  send(message: Uint8Array): boolean {
    if (this.#ended || this.#out === undefined) return false;
    this.#out.enqueue(frameMessage(message));
    return true;
  }

  end(reason = "ended by server"): void {
    if (this.#ended) return;
    try {
      this.#out?.close();
    } catch { /* the peer cancelled first */ }
    this.stopReading();
    this.finish(reason);
  }

  finish(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    const handler = this.handler;
    this.handler = undefined;
    handler?.onEnd(reason);
  }

  get ended(): boolean {
    return this.#ended;
  }
}

/** A gRPC server for one bidirectional streaming method. */
export class GrpcStreamServer {
  #server: ResilientServe | undefined;
  #calls = new Set<Call>();
  #pumps = new Set<Promise<void>>();

  /** A server that is not listening yet; call listen(). */
  constructor(readonly options: GrpcStreamServerOptions) {}

  /** Starts listening; returns the bound port. Throws when the address cannot be bound. */
  listen(): number {
    const { hostname, port } = this.options;
    // Rebinds after an accept failure (Deno.serve closes its listener on EMFILE for good).
    this.#server = new ResilientServe({
      hostname,
      port,
      onError: (e) => {
        this.options.onError?.(e);
        return statusOnly(GRPC_STATUS.internal, "internal error");
      },
      handler: (req, info) => this.#handle(req, info),
      ...(this.options.onDown ? { onDown: (e) => this.options.onDown?.(e) } : {}),
      ...(this.options.onUp ? { onUp: (ms) => this.options.onUp?.(ms) } : {}),
    });
    return this.#server.addr.port;
  }

  /** Whether the listener accepts (false while it is rebound after a failure). */
  get accepting(): boolean {
    return this.#server?.accepting ?? false;
  }

  /** Calls in progress. */
  get calls(): number {
    return this.#calls.size;
  }

  #handle(req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Response {
    if (req.method !== "POST" || new URL(req.url).pathname !== this.options.path) {
      return statusOnly(GRPC_STATUS.unimplemented, "method not served");
    }
    if (!(req.headers.get("content-type") ?? "").startsWith("application/grpc")) {
      return new Response("gRPC only\n", { status: 415 });
    }
    const { hostname, port } = info.remoteAddr;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    const call = new Call(`${host}:${port}`, hostname, this.options.backlogBytes);
    const accepted = this.options.accept(call);
    if (typeof accepted === "string") return statusOnly(GRPC_STATUS.resourceExhausted, accepted);
    call.handler = accepted;
    this.#calls.add(call);
    const pump = this.#pump(req, call).catch((e) => this.options.onError?.(e));
    this.#pumps.add(pump);
    pump.finally(() => this.#pumps.delete(pump));
    return new Response(call.body, {
      headers: { "content-type": "application/grpc", "grpc-accept-encoding": "gzip,identity" },
    });
  }

  /** Reads the peer's messages until the call ends; a framing error ends the call. */
  async #pump(req: Request, call: Call): Promise<void> {
    const max = this.options.maxMessageBytes;
    const frames = new FrameReader(max);
    // kaspad's own gRPC clients (rusty-kaspa's, as in its stratum-bridge) send gzip messages.
    const gzip = (req.headers.get("grpc-encoding") ?? "identity") === "gzip";
    let reason = "peer ended the call";
    const reader = req.body?.getReader();
    call.stopReading = () => void reader?.cancel().catch(() => {});
    try {
      for (;;) {
        if (reader === undefined || call.ended) return;
        const { done, value } = await reader.read();
        if (done || call.ended) return;
        for (const { message, compressed } of frames.pushFlagged(value)) {
          if (compressed && !gzip) {
            throw new FrameError("compressed", "compressed message without grpc-encoding: gzip");
          }
          call.handler?.onMessage(compressed ? await gunzipMessage(message, max) : message);
          if (call.ended) return;
        }
      }
    } catch (e) {
      reason = e instanceof FrameError ? e.message : "connection broke";
    } finally {
      this.#calls.delete(call);
      call.end(reason);
    }
  }

  /** Ends every call and stops listening. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    const pumps = [...this.#pumps];
    for (const call of [...this.#calls]) call.end();
    // Ended calls flush their last frames; a peer that never closes its side of a stream would
    // hold a graceful shutdown() forever, so after a short grace the connections are cut.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled(pumps),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS))),
    ]);
    clearTimeout(timer);
    await server.abort();
  }
}
