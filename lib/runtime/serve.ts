// Deno.serve that never stays down: when its listener fails (EMFILE: out of file descriptors),
// Deno closes the socket and rejects `finished`; this binds the same address again with backoff.

import { type Backoff, exponentialBackoff } from "./backoff.ts";

/** What to serve and whom to tell when the listener goes down or comes back. */
export interface ResilientServeOptions {
  /** Address to bind. */
  hostname: string;
  /** Port; 0 picks a free one, and every rebind then asks for that same port. */
  port: number;
  /** The request handler. */
  handler: Deno.ServeHandler<Deno.NetAddr>;
  /** Answer for a handler that threw. */
  onError?: (error: unknown) => Response | Promise<Response>;
  /** The listener failed (for logs and /health); `error` is what Deno.serve rejected with. */
  onDown?: (error: unknown) => void;
  /** The listener is bound again after `downMs` without one. */
  onUp?: (downMs: number) => void;
  /** Delay before rebind attempt n (0-based), ms. Default 50 ms doubling to 2 s. */
  backoff?: Backoff;
  /** SO_REUSEPORT (Linux; Deno keeps it behind unstable net). */
  reusePort?: boolean;
}

/**
 * A Deno.serve server that rebinds after its listener fails, forever, until shutdown(). The first
 * bind happens in the constructor and throws as Deno.serve does (Deno.errors.AddrInUse).
 *
 * @example
 * ```ts ignore
 * const s = new ResilientServe({ hostname: "127.0.0.1", port: 0, handler: () => new Response("ok") });
 * s.accepting; // false while the listener is down and being rebound
 * await s.shutdown();
 * ```
 */
export class ResilientServe {
  /** The bound address (its port is kept across rebinds). */
  readonly addr: Deno.NetAddr;
  /** Resolves once shutdown() has closed the server. */
  readonly finished: Promise<void>;
  readonly #options: ResilientServeOptions;
  readonly #backoff: Backoff;
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #abort = new AbortController();
  #stopping = false;
  #downSince: number | undefined;
  #wake: (() => void) | undefined;
  #done!: () => void;

  /** Binds at once; see the class comment. */
  constructor(options: ResilientServeOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? exponentialBackoff({ baseMs: 50, maxMs: 2000 });
    this.finished = new Promise<void>((resolve) => (this.#done = resolve));
    const server = this.#bind(options.port);
    this.addr = server.addr;
    this.#watch(server);
  }

  /** Whether the listener is bound and accepting. */
  get accepting(): boolean {
    return this.#downSince === undefined && !this.#stopping;
  }

  /** Stops accepting, lets in-flight requests finish, resolves when closed. */
  shutdown(): Promise<void> {
    return this.#stop((server) => server.shutdown());
  }

  /**
   * Stops at once through the serve signal: open connections are cut, where shutdown() would wait
   * for streaming responses (long-lived gRPC calls) that may never end.
   */
  abort(): Promise<void> {
    return this.#stop((server) => {
      this.#abort.abort();
      return server.finished;
    });
  }

  async #stop(how: (server: Deno.HttpServer<Deno.NetAddr>) => Promise<void>): Promise<void> {
    if (this.#stopping) return await this.finished;
    this.#stopping = true;
    this.#wake?.();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await how(server).catch(() => {});
    this.#done();
  }

  #bind(port: number): Deno.HttpServer<Deno.NetAddr> {
    const server = Deno.serve({
      hostname: this.#options.hostname,
      port,
      signal: this.#abort.signal,
      ...(this.#options.reusePort ? { reusePort: true } : {}),
      onListen: () => {},
      ...(this.#options.onError === undefined ? {} : { onError: this.#options.onError }),
    }, this.#options.handler);
    this.#server = server;
    return server;
  }

  #watch(server: Deno.HttpServer<Deno.NetAddr>): void {
    server.finished.then(
      () => this.#lost(server, new Error("listener closed")),
      (e) => this.#lost(server, e),
    );
  }

  #lost(server: Deno.HttpServer<Deno.NetAddr>, error: unknown): void {
    if (this.#stopping || this.#server !== server) return;
    this.#server = undefined;
    this.#downSince = Date.now();
    this.#options.onDown?.(error);
    void this.#rebind();
  }

  async #rebind(): Promise<void> {
    for (let attempt = 0; !this.#stopping; attempt++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#backoff(attempt));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      if (this.#stopping) return;
      try {
        const server = this.#bind(this.addr.port);
        const downMs = Date.now() - (this.#downSince ?? Date.now());
        this.#downSince = undefined;
        this.#watch(server);
        this.#options.onUp?.(downMs);
        return;
      } catch {
        // Still out of descriptors (or the port is taken meanwhile): try again later.
      }
    }
  }
}
