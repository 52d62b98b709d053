// A miner's transport as Connection sees it (read, write, close; a Deno.Conn fits), and the same
// over a node stream: TLS listeners run node:tls on node:net sockets (see tls.ts for why).

import type { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

/** What a Stratum connection needs from its transport (the read/write/close of a Deno.Conn). */
export interface ByteConn {
  /** Bytes into `p`; null at end of stream; rejects on a socket error. */
  read(p: Uint8Array): Promise<number | null>;
  /** Sends `p`; resolves with its length once handed to the kernel. */
  write(p: Uint8Array): Promise<number>;
  /** Closes at once (idempotent). */
  close(): void;
}

/** Unread bytes kept per connection before reading from the socket pauses, bytes. */
const HIGH_WATER = 64 * 1024;

/**
 * A ByteConn over a node Duplex (a TLSSocket on a net.Socket). Data events are queued and handed
 * out by read(); reading from the socket pauses past HIGH_WATER unread bytes.
 */
export class SocketConn implements ByteConn {
  readonly #stream: Duplex;
  readonly #close: () => void;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  #closed = false;

  /** `close` releases the stream and its socket (TLS: close_notify first, see tls.ts). */
  constructor(stream: Duplex, close: () => void) {
    this.#stream = stream;
    this.#close = close;
    stream.on("data", (chunk: Buffer) => {
      this.#chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#queued += chunk.byteLength;
      if (this.#queued > HIGH_WATER) stream.pause();
      this.#notify();
    });
    const ended = () => {
      this.#ended = true;
      this.#notify();
    };
    stream.on("end", ended);
    stream.on("close", ended);
    stream.on("error", (e: unknown) => {
      this.#error ??= e;
      this.#notify();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Bytes into `p`; null at end of stream; rejects on a socket or TLS error. */
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
    if (this.#queued <= HIGH_WATER / 2 && this.#stream.isPaused()) this.#stream.resume();
    return n;
  }

  /** Sends `p`; resolves with its length once written to the socket. */
  write(p: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("connection closed"));
    return new Promise((resolve, reject) =>
      this.#stream.write(p, (e?: Error | null) => (e ? reject(e) : resolve(p.length)))
    );
  }

  /** Closes the connection (idempotent); a pending read() returns null. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks = [];
    this.#notify();
    this.#close();
  }
}

/** The peer's address of an accepted socket, IPv4-mapped IPv6 written as IPv4. */
export function peerIp(socket: Socket): string {
  const ip = socket.remoteAddress ?? "unknown";
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}
