// Server-side TLS for Stratum listeners: node:tls over an accepted Deno TCP connection.
// Not Deno.listenTls: Deno keeps a TLS socket open until its handshake ends whatever close() says,
// so a peer that never started the handshake held a file descriptor forever, past every timeout and
// connection cap. Here closing a connection closes its TCP socket, handshake or not.

import type { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import { createSecureContext, type SecureContext, TLSSocket } from "node:tls";

/** What a Stratum connection needs from its transport; a Deno.Conn fits. */
export type ByteConn = Pick<Deno.Conn, "read" | "write" | "close" | "remoteAddr">;

/** Raised for a certificate or key that TLS cannot use. `code` is stable. */
export class TlsConfigError extends Error {
  /** Error name. */
  override readonly name = "TlsConfigError";
  /** Stable code. */
  readonly code = "tls-config";
}

/** The TLS settings of a listener from PEM text; throws TlsConfigError when they cannot serve. */
export function tlsContext(certPem: string, keyPem: string): SecureContext {
  try {
    return createSecureContext({ cert: certPem, key: keyPem });
  } catch (e) {
    throw new TlsConfigError(
      `TLS certificate or key unusable: ${e instanceof Error ? e.message : e}`,
    );
  }
}

/** Longest wait for the peer to take our close_notify before the socket is closed anyway, ms. */
const CLOSE_NOTIFY_MS = 1000;

/** Unread decrypted bytes kept per connection before reading from the socket pauses, bytes. */
const HIGH_WATER = 64 * 1024;

/** Speaks TLS (server side) over `tcp`; the result reads and writes plaintext. */
export function serverTls(tcp: Deno.TcpConn, context: SecureContext): ByteConn {
  return new TlsConn(tcp, context);
}

class TlsConn implements ByteConn {
  readonly remoteAddr: Deno.Addr;
  readonly #tcp: Deno.TcpConn;
  readonly #tls: TLSSocket;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  #secure = false;
  #closed = false;

  constructor(tcp: Deno.TcpConn, context: SecureContext) {
    this.#tcp = tcp;
    this.remoteAddr = tcp.remoteAddr;
    this.#tls = new TLSSocket(duplexOf(tcp), { isServer: true, secureContext: context });
    this.#tls.on("secure", () => (this.#secure = true));
    this.#tls.on("data", (chunk: Buffer) => {
      this.#chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#queued += chunk.byteLength;
      if (this.#queued > HIGH_WATER) this.#tls.pause();
      this.#notify();
    });
    this.#tls.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    this.#tls.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
    this.#tls.on("error", (e: unknown) => {
      this.#error ??= e;
      this.#notify();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Plaintext into `p`; null at end of stream; rejects on a TLS or socket error. */
  async read(p: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended || this.#closed) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const take = Math.min(chunk.length, p.length - n);
      p.set(chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#queued -= n;
    if (this.#queued <= HIGH_WATER / 2 && this.#tls.isPaused()) this.#tls.resume();
    return n;
  }

  /** Encrypts and sends `p`; resolves with its length once handed to the socket. */
  write(p: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("connection closed"));
    return new Promise((resolve, reject) =>
      this.#tls.write(p, (e?: Error | null) => (e ? reject(e) : resolve(p.length)))
    );
  }

  /**
   * Closes the connection: after a finished handshake with close_notify (bounded by
   * CLOSE_NOTIFY_MS), before it at once; either way the TCP socket is closed.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#notify();
    if (!this.#secure) return this.#destroy();
    const timer = setTimeout(() => this.#destroy(), CLOSE_NOTIFY_MS);
    this.#tls.end(() => {
      clearTimeout(timer);
      this.#destroy();
    });
  }

  #destroy(): void {
    this.#tls.destroy();
    try {
      this.#tcp.close();
    } catch {
      // already closed
    }
  }
}

/** A node Duplex over a Deno TCP connection (the TLS record layer's transport). */
function duplexOf(tcp: Deno.TcpConn): Duplex {
  return new Duplex({
    read() {
      const buf = new Uint8Array(16 * 1024);
      tcp.read(buf).then(
        (n) => this.push(n === null ? null : buf.subarray(0, n)),
        (e) => this.destroy(e),
      );
    },
    write(chunk: Uint8Array, _encoding, callback) {
      writeAll(tcp, chunk).then(() => callback(), callback);
    },
    final(callback) {
      tcp.closeWrite().then(() => callback(), () => callback());
    },
    destroy(error, callback) {
      try {
        tcp.close();
      } catch {
        // already closed
      }
      callback(error);
    },
  });
}

async function writeAll(tcp: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await tcp.write(bytes.subarray(at));
}
