// The Stratum server: listeners (TCP or TLS) with their accept handlers, connection caps, the shared
// extranonce pools and job encodings, and graceful shutdown. The only code opening listen sockets.

import type { LogFields, Logger, LogLevel } from "../log/mod.ts";
import { isDialectId } from "../dialects/mod.ts";
import {
  AddressBudget,
  ExtranoncePools,
  JobEncodings,
  Session,
  type SessionOptions,
} from "../session/mod.ts";
import { Connection } from "./connection.ts";
import { serverTls, tlsContext } from "./tls.ts";
import { type ByteConn, peerIp } from "./socket_conn.ts";
import { WakeWheel } from "./wake_wheel.ts";
import { acceptProxy, duplexAfterHeader, RejectLog } from "./proxy_accept.ts";
import { SocketConn } from "./socket_conn.ts";
import type { Cidr } from "../framing/mod.ts";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import {
  type ListenerInfo,
  type ListenerOptions,
  SERVER_DEFAULTS,
  type ServerOptions,
  type StratumDeps,
} from "./types.ts";

interface Bound {
  info: ListenerInfo;
  /**
   * Plain TCP: a Deno listener and its accept loop (Deno.Conn for each miner). TLS: a node:net
   * server, because node:tls on a node:net socket ends a connection with close_notify, where over
   * a Deno.Conn it did not (and Deno.listenTls held silent sockets forever; see tls.ts).
   */
  listener: { kind: "tcp"; deno: Deno.Listener; accepting: Promise<void> } | {
    kind: "tls";
    node: Server;
  };
  session: SessionOptions;
  /** Set on a proxy_protocol listener: who may send PROXY headers. */
  proxy: { trusted: Cidr[] } | undefined;
  /** Since when (epoch ms) accept has been failing; undefined while it works. */
  acceptFailing?: number | undefined;
}

/** How often a TLS listener is checked to still accept, ms (see #watchTls). */
const TLS_PROBE_MS = 5000;

/** Shortest gap between two log lines about connections refused for lack of descriptors, ms. */
const SHORT_LOG_MS = 10_000;

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
 * server.listen({ port: 5556, dialect: "bitmain", difficulty: { kind: "fixed", difficulty: 16384 } });
 * // on SIGTERM:
 * await server.shutdown();
 * ```
 */
export class StratumServer {
  /** Effective server options (defaults filled in). */
  readonly options: Readonly<ServerOptions>;
  readonly #deps: StratumDeps;
  readonly #extranonces: ExtranoncePools;
  readonly #encodings = new JobEncodings();
  readonly #addresses: AddressBudget;
  readonly #wakes: WakeWheel;
  readonly #bound: Bound[] = [];
  readonly #connections = new Set<Connection>();
  readonly #serving = new Set<Promise<void>>();
  readonly #perIp = new Map<string, number>();
  /** Connections still sending their PROXY header (no session yet). */
  readonly #headerPending = new Set<{ close(): void }>();
  readonly #rejectLog: RejectLog;
  /** Local ports of our own TLS probe connections not yet seen by the listener. */
  readonly #probes = new Set<number>();
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  /** Connections refused for lack of descriptors since the last line about them, and its time. */
  #shortRefused = { count: 0, loggedAt: -Infinity };
  #stopping = false;

  /** A server with no listener yet; see {@linkcode StratumServer.listen}. */
  constructor(options: Partial<ServerOptions>, deps: StratumDeps) {
    this.options = { ...SERVER_DEFAULTS, ...options };
    this.#deps = deps;
    this.#extranonces = new ExtranoncePools(this.options.extranonceSlice);
    this.#addresses = new AddressBudget({
      perConnection: this.options.maxAddressesPerConnection,
      perIp: this.options.maxAddressesPerIp,
      total: this.options.maxAddresses,
    });
    this.#wakes = new WakeWheel(() => deps.clock.now());
    this.#rejectLog = new RejectLog(deps.log, () => deps.clock.now());
  }

  /** Open connections. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Where each listener listens. */
  get listeners(): ListenerInfo[] {
    return this.#bound.map((b) => b.info);
  }

  /**
   * Starts listening. Throws ListenerConfigError at once for bad settings; rejects with the OS
   * error as a Deno error class (Deno.errors.AddrInUse for a port in use) when binding fails.
   */
  async listen(options: ListenerOptions): Promise<ListenerInfo> {
    if (this.#stopping) throw new ListenerConfigError("server is shutting down");
    checkListener(options);
    const hostname = options.hostname ?? "0.0.0.0";
    const tls = options.tls === undefined
      ? undefined
      : tlsContext(options.tls.cert, options.tls.key);
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
    let bound: Bound;
    const proxy = options.proxy;
    if (tls === undefined) {
      const deno = this.#listenTcp(hostname, options.port, options.reusePort ?? true);
      const addr = deno.addr as Deno.NetAddr;
      const tcp = { kind: "tcp" as const, deno, accepting: Promise.resolve() };
      bound = { info: infoOf(options, addr.hostname, addr.port), listener: tcp, session, proxy };
      tcp.accepting = this.#accept(bound, deno);
    } else {
      const node = await listenNode(hostname, options.port);
      const addr = node.address() as AddressInfo;
      const tlsBound: Bound = {
        info: infoOf(options, addr.address, addr.port),
        listener: { kind: "tls", node },
        session,
        proxy,
      };
      this.#serveTls(tlsBound, node, tls);
      this.#watchTls(tlsBound, hostname, tls);
      bound = tlsBound;
    }
    const info = bound.info;
    this.#bound.push(bound);
    this.#deps.log.info("stratum listening", {
      listener: info.name,
      port: info.port,
      tls: info.tls,
    });
    return info;
  }

  /**
   * A TCP listen socket, with SO_REUSEPORT on Linux when `reusePort`. Deno 2.9 has it behind
   * `unstable: ["net"]` (deno.json) and exits the process (status 70) when it is asked for
   * without; so it is asked for only when an unstable net API is present.
   */
  #listenTcp(hostname: string, port: number, reusePort: boolean): Deno.Listener {
    if (reusePort && Deno.build.os === "linux") {
      if (unstableNet()) return Deno.listen({ hostname, port, reusePort: true });
      this.#deps.log.warn("reusePort needs unstable net (deno.json); listening without it", {
        port,
      });
    }
    return Deno.listen({ hostname, port });
  }

  /**
   * Graceful shutdown (drain): stop accepting; with reconnectSettleMs, tell miners whose dialect
   * takes it to reconnect and keep serving their shares until they leave or the settle time
   * ends; then stop reading requests, wait for in-flight block submissions and for replies to be
   * written (all within shutdownGraceMs), and close every connection.
   */
  async shutdown(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const deadline = Date.now() + this.options.shutdownGraceMs;
    for (const t of this.#timers) clearInterval(t);
    for (const b of this.#bound) {
      if (b.listener.kind === "tcp") closeQuietly(b.listener.deno);
      else b.listener.node.close();
    }
    for (const tcp of this.#headerPending) closeQuietly(tcp);
    const settleMs = Math.min(this.options.reconnectSettleMs, this.options.shutdownGraceMs);
    if (settleMs > 0) {
      const asked = [...this.#connections].filter((c) => c.askReconnect());
      if (asked.length > 0) {
        this.#deps.log.info("draining: asked miners to reconnect", { count: asked.length });
        await untilOrLate(() => asked.every((c) => c.closed), settleMs);
      }
    }
    const conns = [...this.#connections];
    for (const c of conns) c.drain();
    const inflight = conns.flatMap((c) => c.inflight === undefined ? [] : [c.inflight]);
    if (inflight.length > 0) {
      this.#deps.log.info("waiting for block submissions", { count: inflight.length });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) =>
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))
      );
      await Promise.race([Promise.allSettled(inflight), grace]);
      clearTimeout(timer);
    }
    // Share replies (and the block replies just settled) reach the miner before the close.
    const flushMs = Math.max(0, Math.min(deadline - Date.now(), this.options.closeFlushMs));
    await Promise.all(conns.map((c) => c.flushWithin(flushMs)));
    for (const c of conns) c.close("shutdown");
    const accepting = this.#bound.flatMap((b) =>
      b.listener.kind === "tcp" ? [b.listener.accepting] : []
    );
    await Promise.allSettled([...accepting, ...this.#serving]);
    this.#wakes.clear();
    this.#deps.log.info("stratum stopped", {});
  }

  /** Whether every listener accepts; false while one is failing (e.g. out of file descriptors). */
  get accepting(): boolean {
    return this.#bound.length > 0 && this.#bound.every((b) => b.acceptFailing === undefined);
  }

  /**
   * Accepts until shutdown. An accept error (EMFILE: out of file descriptors) never ends the loop:
   * the listener is marked failing (so /health reports it), and accept is retried with backoff
   * from 10 ms to 1 s; the listen queue keeps the miners that wait meanwhile.
   */
  async #accept(bound: Bound, listener: Deno.Listener): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (this.#stopping || e instanceof Deno.errors.BadResource) return;
        failures++;
        if (bound.acceptFailing === undefined) {
          bound.acceptFailing = Date.now();
          this.#deps.log.error("cannot accept miners; retrying", {
            listener: bound.info.name,
            error: String(e),
          });
        }
        await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** Math.min(failures, 7))));
        continue;
      }
      if (bound.acceptFailing !== undefined) {
        this.#deps.log.warn("accepting miners again", {
          listener: bound.info.name,
          downMs: Date.now() - bound.acceptFailing,
          failedAccepts: failures,
        });
        bound.acceptFailing = undefined;
      }
      failures = 0;
      const tcp = conn as Deno.TcpConn;
      const ip = (tcp.remoteAddr as Deno.NetAddr).hostname;
      if (!this.#reserved(bound, ip, () => closeQuietly(tcp))) continue;
      if (bound.proxy !== undefined) {
        tcp.setNoDelay(true);
        this.#proxied(bound, bound.proxy.trusted, tcp, ip, (conn) => conn);
        continue;
      }
      this.#adopt(
        () => {
          tcp.setNoDelay(true);
          return tcp;
        },
        ip,
        () => closeQuietly(tcp),
        bound,
      );
    }
  }

  /**
   * A connection on a proxy_protocol listener: reads its PROXY header (trust first, then budget
   * and timeout, see proxy_accept.ts), then adopts it under the client address the header names,
   * `open` turning the bytes after the header into the miner's stream (TLS runs there).
   * Header reads in progress count against max_connections.
   */
  #proxied(
    bound: Bound,
    trusted: Cidr[],
    tcp: ByteConn,
    peer: string,
    open: (afterHeader: ByteConn) => ByteConn,
  ): void {
    if (
      this.#stopping ||
      this.#connections.size + this.#headerPending.size >= this.options.maxConnections
    ) {
      closeQuietly(tcp);
      return;
    }
    this.#headerPending.add(tcp);
    const step = acceptProxy(tcp, peer, trusted, {
      maxBytes: this.options.proxyHeaderMaxBytes,
      timeoutMs: this.options.proxyHeaderTimeoutMs,
    }).then((r) => {
      this.#headerPending.delete(tcp);
      if (!r.ok) {
        this.#deps.events.proxyRejected?.(r.reason);
        this.#rejectLog.reject(bound.info.name, peer, r.reason, r.detail);
        closeQuietly(tcp);
        return;
      }
      if (this.#stopping) {
        closeQuietly(tcp);
        return;
      }
      this.#adopt(() => open(r.conn), r.ip, () => r.conn.close(), bound);
    }).catch((e) => {
      closeQuietly(tcp);
      this.#deps.log.error("PROXY header step failed", { peer, error: String(e) });
    }).finally(() => this.#serving.delete(step));
    this.#serving.add(step);
  }

  /** Adopts the TLS listener's connections; probe connections from #watchTls are dropped. */
  #serveTls(bound: Bound, node: Server, tls: ReturnType<typeof tlsContext>): void {
    node.on("connection", (socket: Socket) => {
      bound.acceptFailing = undefined;
      // Errors reach the connection through its reads; one before then is not fatal.
      socket.on("error", () => {});
      if (this.#probes.delete(socket.remotePort ?? -1)) {
        socket.destroy();
        return;
      }
      if (!this.#reserved(bound, peerIp(socket), () => socket.destroy())) return;
      socket.setNoDelay(true);
      const proxy = bound.proxy;
      if (proxy === undefined) {
        this.#adopt(() => serverTls(socket, tls), peerIp(socket), () => socket.destroy(), bound);
        return;
      }
      // The PROXY header comes before the TLS handshake: read it from the raw socket, then run
      // TLS over what follows.
      const raw = new SocketConn(socket, () => socket.destroy());
      this.#proxied(
        bound,
        proxy.trusted,
        raw,
        peerIp(socket),
        (conn) => serverTls(duplexAfterHeader(conn, socket), tls),
      );
    });
    node.on("error", (e) => {
      if (this.#stopping) return;
      bound.acceptFailing ??= Date.now();
      this.#deps.log.error("accept failed", { listener: bound.info.name, error: String(e) });
    });
  }

  /**
   * node:net in Deno 2.9.6 stops accepting for good after an accept error such as EMFILE, with no
   * error event. Every TLS_PROBE_MS a loopback connection checks that the listener still accepts;
   * when it does not, the listener is marked failing (for /health) and bound again until it can.
   */
  #watchTls(bound: Bound, hostname: string, tls: ReturnType<typeof tlsContext>): void {
    const probeHost = hostname === "0.0.0.0" ? "127.0.0.1" : hostname === "::" ? "::1" : hostname;
    const check = async (): Promise<void> => {
      if (this.#stopping || bound.listener.kind !== "tls") return;
      const accepted = await this.#probe(probeHost, bound.info.port);
      if (this.#stopping || accepted) {
        if (accepted && bound.acceptFailing !== undefined) {
          this.#deps.log.warn("accepting miners again", {
            listener: bound.info.name,
            downMs: Date.now() - bound.acceptFailing,
          });
          bound.acceptFailing = undefined;
        }
        return;
      }
      if (bound.acceptFailing === undefined) {
        bound.acceptFailing = Date.now();
        this.#deps.log.error("cannot accept miners; rebinding", { listener: bound.info.name });
      }
      try {
        bound.listener.node.close();
        const node = await listenNode(hostname, bound.info.port);
        bound.listener = { kind: "tls", node };
        this.#serveTls(bound, node, tls);
      } catch {
        // Still out of descriptors: the next check tries again.
      }
    };
    const timer = setInterval(() => void check().catch(() => {}), TLS_PROBE_MS);
    this.#timers.push(timer);
  }

  /** Whether a loopback connection to `port` reaches the TLS listener within 2 s. */
  async #probe(host: string, port: number): Promise<boolean> {
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: host, port });
    } catch {
      return false; // out of descriptors here too, or the listener is closed
    }
    const local = (conn.localAddr as Deno.NetAddr).port;
    this.#probes.add(local);
    try {
      for (let waited = 0; waited < 2000 && this.#probes.has(local); waited += 50) {
        await new Promise((r) => setTimeout(r, 50));
      }
      return !this.#probes.has(local);
    } finally {
      this.#probes.delete(local);
      closeQuietly(conn);
    }
  }

  /**
   * Whether a connection just accepted may stay as far as descriptors go: with a reserve kept, only
   * while it is full (or can be refilled). Otherwise the connection is closed at once and its
   * descriptor goes to the reserve, so the reserve is restored before new miners take descriptors;
   * counted (`ks_refused_total{reason="descriptors"}`) and logged at most every 10 s.
   */
  #reserved(bound: Bound, ip: string, close: () => void): boolean {
    const reserve = this.#deps.reserve;
    if (reserve === undefined || reserve.admit()) return true;
    close();
    reserve.fill();
    this.#deps.events.refused?.("descriptors");
    const tally = this.#shortRefused;
    tally.count++;
    const now = this.#deps.clock.now();
    if (now - tally.loggedAt >= SHORT_LOG_MS) {
      this.#deps.log.warn(
        "connection refused: out of file descriptors (reserve kept for the node)",
        {
          listener: bound.info.name,
          ip,
          refusedSinceLastLine: tally.count,
          reserveHeld: reserve.held,
          reserveSize: reserve.size,
        },
      );
      tally.count = 0;
      tally.loggedAt = now;
    }
    return false;
  }

  /** Takes an accepted connection from `ip` (made by `open`), or refuses it with `refuse`. */
  #adopt(open: () => ByteConn, ip: string, refuse: () => void, bound: Bound): void {
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
      refuse();
      return;
    }
    const log = new FieldsLog(this.#deps.log, { ip, listener: bound.info.name });
    const session = new Session(bound.session, {
      validateAddress: this.#deps.validateAddress,
      events: this.#deps.events,
      extranonces: this.#extranonces,
      encodings: this.#encodings,
      addresses: this.#addresses,
      ip,
    });
    const connection = new Connection({
      conn: open(),
      ip,
      session,
      deps: this.#deps,
      options: this.options,
      log,
      wakes: this.#wakes,
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

/**
 * `log` with `fields` added to every record: one small object per connection with its methods
 * shared (createLogger's child makes closures of its own for each).
 */
class FieldsLog implements Logger {
  readonly #log: Logger;
  readonly #fields: LogFields;

  constructor(log: Logger, fields: LogFields) {
    this.#log = log;
    this.#fields = fields;
  }

  child(fields: LogFields): Logger {
    return new FieldsLog(this, fields);
  }

  enabled(level: LogLevel): boolean {
    return this.#log.enabled(level);
  }

  debug(message: string, fields?: LogFields): void {
    this.#log.debug(message, { ...this.#fields, ...fields });
  }

  info(message: string, fields?: LogFields): void {
    this.#log.info(message, { ...this.#fields, ...fields });
  }

  warn(message: string, fields?: LogFields): void {
    this.#log.warn(message, { ...this.#fields, ...fields });
  }

  error(message: string, fields?: LogFields): void {
    this.#log.error(message, { ...this.#fields, ...fields });
  }
}

/** Name and address of a listener that is bound. */
function infoOf(options: ListenerOptions, hostname: string, port: number): ListenerInfo {
  return {
    name: options.name ?? `${hostname}:${port}`,
    hostname,
    port,
    tls: options.tls !== undefined,
  };
}

/** A node:net server bound to `hostname:port` (TLS listeners). */
async function listenNode(hostname: string, port: number): Promise<Server> {
  const server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) => reject(denoError(e)));
    server.listen({ host: hostname, port }, () => resolve());
  });
  server.removeAllListeners("error");
  return server;
}

/** Resolves once `done()` holds (polled every 20 ms) or after `ms`. */
async function untilOrLate(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/** Whether Deno runs with unstable net APIs (deno.json `unstable: ["net"]`, --unstable-net). */
function unstableNet(): boolean {
  return typeof (Deno as unknown as { listenDatagram?: unknown }).listenDatagram === "function";
}

function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // Already closed.
  }
}

/** A node:net listen error as the Deno error class callers know (AddrInUse, PermissionDenied). */
function denoError(e: unknown): unknown {
  const code = (e as { code?: unknown })?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === "EADDRINUSE") return new Deno.errors.AddrInUse(message);
  if (code === "EADDRNOTAVAIL") return new Deno.errors.AddrNotAvailable(message);
  if (code === "EACCES" || code === "EPERM") return new Deno.errors.PermissionDenied(message);
  return e;
}

/** A server with one listener: the shortest way to serve one port. */
export async function startListener(
  options: ListenerOptions & { server?: Partial<ServerOptions> },
  deps: StratumDeps,
): Promise<StratumServer> {
  const { server: serverOptions, ...listener } = options;
  const server = new StratumServer(serverOptions ?? {}, deps);
  await server.listen(listener);
  return server;
}
