// The Stratum server: listeners (TCP or TLS) with their accept loops, connection caps, the shared
// extranonce pools and job encodings, and graceful shutdown. The only code calling Deno.listen*.

import { isDialectId } from "../dialects/mod.ts";
import { ExtranoncePools, JobEncodings, Session, type SessionOptions } from "../session/mod.ts";
import { Connection } from "./connection.ts";
import { serverTls, tlsContext } from "./tls.ts";
import type { SecureContext } from "node:tls";
import {
  type ListenerInfo,
  type ListenerOptions,
  type NetLog,
  SERVER_DEFAULTS,
  type ServerOptions,
  type StratumDeps,
} from "./types.ts";

interface Bound {
  info: ListenerInfo;
  listener: Deno.Listener;
  /** TLS settings when the listener speaks Stratum over TLS (see tls.ts for why not listenTls). */
  tls: SecureContext | undefined;
  session: SessionOptions;
  accepting: Promise<void>;
}

/** Raised for listener settings that cannot work (bad port, bad difficulty). `code` is stable. */
export class ListenerConfigError extends Error {
  /** Error name. */
  override readonly name = "ListenerConfigError";
  /** Stable code. */
  readonly code = "listener-config";
}

function checkListener(options: ListenerOptions): void {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new ListenerConfigError(`port must be 0-65535, got ${options.port}`);
  }
  const d = options.difficulty;
  const values = d.kind === "fixed" ? [d.difficulty] : [d.initial, d.min, d.max];
  if (!values.every((v) => Number.isFinite(v) && v > 0)) {
    throw new ListenerConfigError("difficulties must be positive and finite");
  }
  if (d.kind === "vardiff" && !(d.min <= d.initial && d.initial <= d.max)) {
    throw new ListenerConfigError("vardiff needs min <= initial <= max");
  }
  if (options.dialect !== undefined && !isDialectId(options.dialect)) {
    throw new ListenerConfigError(`unknown dialect ${options.dialect}`);
  }
}

/**
 * Several listeners with different settings in one process, sharing extranonce pools (unique
 * per size across listeners), the job encoding cache and the connection caps.
 *
 * @example
 * ```ts ignore
 * const server = new StratumServer({ defaultAddress }, deps);
 * server.listen({ port: 5555, difficulty: { kind: "vardiff", initial: 4096, min: 64, max: 2 ** 40 } });
 * server.listen({ port: 5556, dialect: "C", difficulty: { kind: "fixed", difficulty: 16384 } });
 * // on SIGTERM:
 * await server.shutdown();
 * ```
 */
export class StratumServer {
  /** Effective server options (defaults filled in). */
  readonly options: Readonly<ServerOptions>;
  readonly #deps: StratumDeps;
  readonly #extranonces = new ExtranoncePools();
  readonly #encodings = new JobEncodings();
  readonly #bound: Bound[] = [];
  readonly #connections = new Set<Connection>();
  readonly #serving = new Set<Promise<void>>();
  readonly #perIp = new Map<string, number>();
  #stopping = false;

  /** A server with no listener yet; see {@linkcode StratumServer.listen}. */
  constructor(options: Partial<ServerOptions>, deps: StratumDeps) {
    this.options = { ...SERVER_DEFAULTS, ...options };
    this.#deps = deps;
  }

  /** Open connections. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Where each listener listens. */
  get listeners(): ListenerInfo[] {
    return this.#bound.map((b) => b.info);
  }

  /** Starts listening; throws ListenerConfigError or the OS error (e.g. AddrInUse) at once. */
  listen(options: ListenerOptions): ListenerInfo {
    if (this.#stopping) throw new ListenerConfigError("server is shutting down");
    checkListener(options);
    const hostname = options.hostname ?? "0.0.0.0";
    const tls = options.tls === undefined
      ? undefined
      : tlsContext(options.tls.cert, options.tls.key);
    const listener = Deno.listen({ hostname, port: options.port, transport: "tcp" });
    const addr = listener.addr as Deno.NetAddr;
    const info: ListenerInfo = {
      name: options.name ?? `${addr.hostname}:${addr.port}`,
      hostname: addr.hostname,
      port: addr.port,
      tls: options.tls !== undefined,
    };
    const session: SessionOptions = {
      difficulty: options.difficulty,
      extranonceSize: options.extranonceSize ?? this.options.extranonceSize,
      jobIntervalMs: this.options.jobIntervalMs,
      ringCapacity: this.options.ringCapacity,
      maxNonces: this.options.maxNonces,
      maxWorkers: this.options.maxWorkers,
      ...(options.dialect === undefined ? {} : { dialect: options.dialect }),
      ...(this.options.defaultAddress === undefined
        ? {}
        : { defaultAddress: this.options.defaultAddress }),
    };
    const bound: Bound = { info, listener, tls, session, accepting: Promise.resolve() };
    bound.accepting = this.#accept(bound);
    this.#bound.push(bound);
    this.#deps.log.info("stratum listening", {
      listener: info.name,
      port: info.port,
      tls: info.tls,
    });
    return info;
  }

  /**
   * Graceful shutdown: stop accepting, stop reading requests, wait (up to shutdownGraceMs) for
   * in-flight block submissions, then close every connection.
   */
  async shutdown(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const b of this.#bound) closeQuietly(b.listener);
    const conns = [...this.#connections];
    for (const c of conns) c.drain();
    const inflight = conns.flatMap((c) => c.inflight === undefined ? [] : [c.inflight]);
    if (inflight.length > 0) {
      this.#deps.log.info("waiting for block submissions", { count: inflight.length });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) =>
        timer = setTimeout(resolve, this.options.shutdownGraceMs)
      );
      await Promise.race([Promise.allSettled(inflight), grace]);
      clearTimeout(timer);
    }
    for (const c of conns) c.close("shutdown");
    await Promise.allSettled([...this.#bound.map((b) => b.accepting), ...this.#serving]);
    this.#deps.log.info("stratum stopped", {});
  }

  async #accept(bound: Bound): Promise<void> {
    try {
      for await (const conn of bound.listener) this.#adopt(conn, bound);
    } catch (e) {
      if (!this.#stopping) {
        this.#deps.log.error("accept failed", { listener: bound.info.name, error: String(e) });
      }
    }
  }

  #adopt(conn: Deno.Conn, bound: Bound): void {
    const ip = (conn.remoteAddr as Deno.NetAddr).hostname;
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (
      this.#stopping || this.#connections.size >= this.options.maxConnections ||
      fromIp >= this.options.maxConnectionsPerIp
    ) {
      this.#deps.log.warn("connection refused", {
        listener: bound.info.name,
        ip,
        reason: this.#stopping ? "shutting down" : "connection limit",
      });
      closeQuietly(conn);
      return;
    }
    const tcp = conn as Deno.TcpConn;
    tcp.setNoDelay(true);
    const log = withFields(this.#deps.log, { ip, listener: bound.info.name });
    const session = new Session(bound.session, {
      validateAddress: this.#deps.validateAddress,
      events: this.#deps.events,
      extranonces: this.#extranonces,
      encodings: this.#encodings,
      ip,
    });
    const connection = new Connection({
      conn: bound.tls === undefined ? tcp : serverTls(tcp, bound.tls),
      ip,
      session,
      deps: this.#deps,
      options: this.options,
      log,
    });
    this.#connections.add(connection);
    this.#perIp.set(ip, fromIp + 1);
    const serving = connection.serve().catch((e) =>
      log.error("connection failed", { error: String(e) })
    )
      .finally(() => {
        connection.close("ended");
        this.#connections.delete(connection);
        const left = (this.#perIp.get(ip) ?? 1) - 1;
        if (left === 0) this.#perIp.delete(ip);
        else this.#perIp.set(ip, left);
        this.#serving.delete(serving);
      });
    this.#serving.add(serving);
  }
}

/** `log` with `fields` added to every record. */
function withFields(log: NetLog, fields: Record<string, unknown>): NetLog {
  return {
    debug: (msg, f) => log.debug(msg, { ...fields, ...f }),
    info: (msg, f) => log.info(msg, { ...fields, ...f }),
    warn: (msg, f) => log.warn(msg, { ...fields, ...f }),
    error: (msg, f) => log.error(msg, { ...fields, ...f }),
  };
}

function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // Already closed.
  }
}

/** A server with one listener: the shortest way to serve one port. */
export function startListener(
  options: ListenerOptions & { server?: Partial<ServerOptions> },
  deps: StratumDeps,
): StratumServer {
  const { server: serverOptions, ...listener } = options;
  const server = new StratumServer(serverOptions ?? {}, deps);
  server.listen(listener);
  return server;
}
