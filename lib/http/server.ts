// Binds the HTTP app to a TCP address with Deno.serve; loopback unless told otherwise.
// The only file in http/ that opens a socket.

import { ResilientServe } from "../runtime/mod.ts";
import { type AppOptions, createHandler } from "./app.ts";

/** Where to listen, plus what the app reads. */
export interface HttpOptions extends AppOptions {
  /** Address to bind. Default "127.0.0.1": the dashboard is not exposed unless asked. */
  hostname?: string;
  /** TCP port; 0 picks a free one (read it back from `addr`). */
  port: number;
  /** Aborting it shuts the server down, like shutdown(). */
  signal?: AbortSignal;
  /** The listener failed (e.g. out of file descriptors) and is being rebound. */
  onDown?: (error: unknown) => void;
  /** The listener is bound again after `downMs`. */
  onUp?: (downMs: number) => void;
}

/** A running HTTP server. */
export interface HttpServer {
  /** The bound address (port resolved when 0 was asked). */
  readonly addr: Deno.NetAddr;
  /** Stops accepting, lets in-flight requests finish, resolves when closed. */
  shutdown(): Promise<void>;
  /** Resolves when the server has closed, however that happened. */
  readonly finished: Promise<void>;
  /** Whether the listener accepts; false while it is rebound after a failure (out of fds). */
  readonly accepting: boolean;
}

/** Whether Deno runs with unstable net APIs (deno.json `unstable: ["net"]`). */
function unstableNet(): boolean {
  return typeof (Deno as unknown as { listenDatagram?: unknown }).listenDatagram === "function";
}

/**
 * Serves /metrics, /api/*, /health and the dashboard. Resolves once listening; rejects when the
 * address cannot be bound.
 *
 * @example
 * ```ts ignore
 * const http = await startHttp({ port: 0, stats, health: () => state, version: "0.1.0" });
 * console.log(http.addr.port);
 * await http.shutdown();
 * ```
 */
export function startHttp(opts: HttpOptions): Promise<HttpServer> {
  const handler = createHandler(opts);
  try {
    // Deno.serve closes its listener for good on an accept error such as EMFILE and rejects
    // `finished`; ResilientServe watches that rejection (so it never reaches the top level) and
    // binds again until it can.
    const server = new ResilientServe({
      hostname: opts.hostname ?? "127.0.0.1",
      port: opts.port,
      handler,
      // SO_REUSEPORT, so a new kstratum binds this port while the old one drains (upgrades).
      // Deno 2.9 keeps it behind unstable net (deno.json) and exits when asked for it without.
      ...(Deno.build.os === "linux" && unstableNet() ? { reusePort: true } : {}),
      onError: () => new Response(JSON.stringify({ error: "internal" }), { status: 500 }),
      ...(opts.onDown ? { onDown: opts.onDown } : {}),
      ...(opts.onUp ? { onUp: opts.onUp } : {}),
    });
    opts.signal?.addEventListener("abort", () => void server.shutdown(), { once: true });
    return Promise.resolve({
      addr: server.addr,
      shutdown: () => server.shutdown(),
      finished: server.finished,
      get accepting() {
        return server.accepting;
      },
    });
  } catch (e) {
    return Promise.reject(e); // bind errors (e.g. Deno.errors.AddrInUse) arrive as a rejection
  }
}
