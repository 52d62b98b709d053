// The PROXY protocol step of a proxy_protocol listener: trust check on the peer, then the header
// read with a byte budget and a timeout, before any session exists; and the rate-limited log of
// rejections (one line per source per minute).

import { type Cidr, cidrContains, parseProxyHeader } from "../framing/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ProxyRejectReason } from "../session/mod.ts";
import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import type { ByteConn } from "./socket_conn.ts";

/** What the header step decided. */
export type ProxyAccept =
  | { ok: true; ip: string; conn: ByteConn }
  | { ok: false; reason: ProxyRejectReason; detail: string };

/**
 * Reads the PROXY header from `conn` (peer `peer`). A peer outside `trusted` is refused before a
 * byte is read. At most `maxBytes` are read for the header, each read no longer than what is still
 * allowed, and the whole step ends after `timeoutMs`. On success the returned ByteConn replays the
 * bytes read past the header first; `ip` is the header's client address (the peer's own address
 * for a LOCAL or UNKNOWN header, e.g. a balancer's health check).
 */
export async function acceptProxy(
  conn: ByteConn,
  peer: string,
  trusted: readonly Cidr[],
  opts: { maxBytes: number; timeoutMs: number },
): Promise<ProxyAccept> {
  if (!trusted.some((c) => cidrContains(c, peer))) {
    return { ok: false, reason: "untrusted", detail: "source is not in trusted_proxies" };
  }
  const buf = new Uint8Array(opts.maxBytes);
  let have = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), opts.timeoutMs);
  });
  try {
    while (true) {
      const parsed = parseProxyHeader(buf.subarray(0, have), opts.maxBytes);
      if (parsed.kind === "header") {
        const rest = buf.slice(parsed.bytes, have);
        return {
          ok: true,
          ip: parsed.source?.ip ?? peer,
          conn: rest.length === 0 ? conn : new PrefixConn(conn, rest),
        };
      }
      if (parsed.kind === "invalid") {
        return { ok: false, reason: "malformed", detail: parsed.reason };
      }
      if (have >= opts.maxBytes) {
        return { ok: false, reason: "malformed", detail: "header over the byte budget" };
      }
      // Read a v1 line a few bytes at a time is wasteful; read what is allowed, keep the rest.
      const n = await Promise.race([conn.read(buf.subarray(have)), timedOut]);
      if (n === "timeout") {
        return { ok: false, reason: "timeout", detail: "no PROXY header in time" };
      }
      if (n === null) return { ok: false, reason: "malformed", detail: "closed before a header" };
      have += n;
    }
  } catch (e) {
    return { ok: false, reason: "malformed", detail: `read failed: ${String(e)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** A ByteConn that hands out `prefix` before reading from `inner`. */
class PrefixConn implements ByteConn {
  readonly #inner: ByteConn;
  #prefix: Uint8Array;

  constructor(inner: ByteConn, prefix: Uint8Array) {
    this.#inner = inner;
    this.#prefix = prefix;
  }

  read(p: Uint8Array): Promise<number | null> {
    if (this.#prefix.length === 0) return this.#inner.read(p);
    const n = Math.min(p.length, this.#prefix.length);
    p.set(this.#prefix.subarray(0, n));
    this.#prefix = this.#prefix.subarray(n);
    return Promise.resolve(n);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#inner.write(p);
  }

  close(): void {
    this.#inner.close();
  }
}

/** Sources remembered for the log rate limit; past this the oldest are forgotten. */
const MAX_SOURCES = 4096;

/**
 * Logs a rejected PROXY connection at most once per source per `everyMs`, with the count of
 * rejections from that source since the last line; the number of sources remembered is bounded.
 */
export class RejectLog {
  readonly #log: Logger;
  readonly #everyMs: number;
  readonly #now: () => number;
  readonly #seen = new Map<string, { at: number; suppressed: number }>();

  /** `everyMs`: shortest gap between two lines about one source, ms. */
  constructor(log: Logger, now: () => number, everyMs = 60_000) {
    this.#log = log;
    this.#now = now;
    this.#everyMs = everyMs;
  }

  /** Records a rejection from `peer` on `listener`; logs unless this source was logged lately. */
  reject(listener: string, peer: string, reason: ProxyRejectReason, detail: string): void {
    const now = this.#now();
    const seen = this.#seen.get(peer);
    if (seen !== undefined && now - seen.at < this.#everyMs) {
      seen.suppressed++;
      return;
    }
    this.#seen.delete(peer);
    if (this.#seen.size >= MAX_SOURCES) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(peer, { at: now, suppressed: 0 });
    this.#log.warn("PROXY protocol connection closed", {
      listener,
      peer,
      reason,
      detail,
      ...(seen !== undefined && seen.suppressed > 0
        ? { more_since_last_line: seen.suppressed }
        : {}),
    });
  }
}

/**
 * A node Duplex reading from `conn` (the bytes after a PROXY header, then the socket's) and
 * writing to `socket`: what TLS runs over on a proxy_protocol TLS listener. (Bytes unshifted
 * back into a socket never reach a TLSSocket wrapped around it.)
 */
export function duplexAfterHeader(conn: ByteConn, socket: Socket): Duplex {
  let reading = false;
  return new Duplex({
    read(this: Duplex): void {
      if (reading) return;
      reading = true;
      const buf = new Uint8Array(16 * 1024);
      conn.read(buf).then((n) => {
        reading = false;
        this.push(n === null ? null : Buffer.from(buf.buffer, 0, n));
      }, (e) => this.destroy(e instanceof Error ? e : new Error(String(e))));
    },
    write(chunk: Buffer, _encoding: string, done: (e?: Error | null) => void): void {
      socket.write(chunk, done);
    },
    final(done: (e?: Error | null) => void): void {
      socket.end(() => done());
    },
    destroy(e: Error | null, done: (e?: Error | null) => void): void {
      conn.close();
      socket.destroy();
      done(e);
    },
  });
}
