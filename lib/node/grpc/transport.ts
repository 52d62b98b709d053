// One long-lived `/protowire.RPC/MessageStream` call to kaspad over Deno's fetch (HTTP/2 cleartext,
// hyper inside; not node:http2): requests matched to responses by id, timeouts, keepalive, notifications.

import { badResponse, NodeError } from "../errors.ts";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "./envelope.ts";
import { frameMessage, FrameReader } from "./frames.ts";
import { PAYLOAD } from "./messages.ts";

export { decodeEnvelope, encodeEnvelope, type Envelope };

/** gRPC method path of kaspad's single streaming RPC. */
export const MESSAGE_STREAM_PATH = "/protowire.RPC/MessageStream";

/** Headers of a gRPC call (HTTP/2 request or response). */
export const GRPC_HEADERS = { "content-type": "application/grpc", "te": "trailers" } as const;

export interface MessageStreamOptions {
  /** "host:port" of kaspad's gRPC listener ("[v6]:port" for IPv6). */
  address: string;
  /** How long open() waits for kaspad's response headers, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Largest message accepted, bytes; checked from the length prefix. Default 256 MiB. */
  maxMessageBytes?: number;
  /**
   * After this long without a byte from kaspad, a ping is sent; no answer within
   * `keepaliveTimeoutMs` ends the stream as disconnected. ms. Default 30000.
   */
  keepaliveMs?: number;
  /** How long a keepalive ping may wait, ms. Default 10000. */
  keepaliveTimeoutMs?: number;
  /** Receives notifications (envelopes with id 0). */
  onNotification: (payload: number, body: Uint8Array) => void;
  /** Called once when the stream ends for any reason other than close(). */
  onClosed: (error: NodeError) => void;
}

interface Pending {
  resolve: (e: Envelope) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** "host:port" or "[v6]:port" as fetch's direct-TCP transport takes it (v6 keeps its brackets). */
export function tcpTarget(address: string): { hostname: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(address);
  const port = Number(m?.[2]);
  if (m === null || port > 65535) {
    throw new NodeError("disconnected", `kaspad gRPC address "${address}" is not host:port`);
  }
  return { hostname: m[1]!, port };
}

/** The gRPC status a response carries in its headers (a trailers-only answer), if any. */
function headerStatus(res: Response): string | undefined {
  const status = res.headers.get("grpc-status");
  if (status === null || status === "0") return undefined;
  const message = decodeURIComponent(res.headers.get("grpc-message") ?? "");
  return `gRPC status ${status}${message === "" ? "" : `: ${message}`}`;
}

/** A single MessageStream call on its own HTTP/2 connection; make a new one to reconnect. */
export class MessageStream {
  #http: Deno.HttpClient | undefined;
  #abort = new AbortController();
  #body: ReadableStreamDefaultController<Uint8Array> | undefined;
  #pending = new Map<bigint, Pending>();
  #nextId = 1n;
  #state: "idle" | "open" | "closed" = "idle";
  #lastHeardMs = 0;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #probing = false;

  /** A stream that is not connected yet; call open(). */
  constructor(readonly options: MessageStreamOptions) {}

  /** Connects and opens the stream. Rejects with NodeError("disconnected") if unreachable. */
  async open(): Promise<void> {
    const { address, connectTimeoutMs = 5000 } = this.options;
    // The connection goes to kaspad's own socket: an http_proxy in the environment must not
    // capture it (fetch would otherwise honour one), and HTTP/2 is spoken from the first byte.
    const http = Deno.createHttpClient({
      http1: false,
      http2: true,
      proxy: { transport: "tcp", ...tcpTarget(address) },
    });
    this.#http = http;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (this.#body = c) });
    const timer = setTimeout(
      () => this.#abort.abort(new Error(`no answer within ${connectTimeoutMs} ms`)),
      connectTimeoutMs,
    );
    let res: Response;
    try {
      res = await fetch(
        `http://${address}${MESSAGE_STREAM_PATH}`,
        {
          method: "POST",
          headers: GRPC_HEADERS,
          body,
          client: http,
          signal: this.#abort.signal,
          duplex: "half",
        } as RequestInit & { duplex: "half" },
      );
      const refused = res.status !== 200 ? `HTTP status ${res.status}` : headerStatus(res);
      if (refused !== undefined) {
        await res.body?.cancel();
        throw new Error(refused);
      }
    } catch (e) {
      this.#teardown(new NodeError("closed", "open failed"));
      const detail = e instanceof Error ? e.message : String(e);
      throw new NodeError("disconnected", `kaspad gRPC ${address} unreachable: ${detail}`, {
        cause: e,
      });
    } finally {
      clearTimeout(timer);
    }
    this.#state = "open";
    this.#lastHeardMs = Date.now();
    this.#startKeepalive();
    this.#read(res).catch((e) =>
      this.#fail(new NodeError("disconnected", `kaspad gRPC stream failed: ${e}`, { cause: e }))
    );
  }

  /** Whether the stream is open. */
  get isOpen(): boolean {
    return this.#state === "open";
  }

  /** Sends a request and resolves with the response envelope carrying the same id. */
  request(payload: number, body: Uint8Array, timeoutMs: number): Promise<Envelope> {
    const writer = this.#body;
    if (this.#state !== "open" || writer === undefined) {
      return Promise.reject(new NodeError("disconnected", "gRPC stream is not open"));
    }
    const id = this.#nextId++;
    return new Promise<Envelope>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new NodeError("timeout", `no answer to request ${payload} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      writer.enqueue(frameMessage(encodeEnvelope({ id, payload, body })));
    });
  }

  async #read(res: Response): Promise<void> {
    const frames = new FrameReader(this.options.maxMessageBytes ?? 256 * 1024 * 1024);
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (this.#ended) return;
      if (done) break;
      this.#lastHeardMs = Date.now();
      for (const message of frames.push(value)) {
        this.#onMessage(message);
        if (this.#ended) return;
      }
    }
    this.#fail(new NodeError("disconnected", "kaspad ended the stream"));
  }

  /** Whether the stream has ended (a getter, so checks after awaits are not narrowed away). */
  get #ended(): boolean {
    return this.#state === "closed";
  }

  #onMessage(bytes: Uint8Array): void {
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes);
    } catch (e) {
      this.#fail(badResponse("kaspad envelope", e));
      return;
    }
    if (envelope.id === 0n) {
      this.options.onNotification(envelope.payload, envelope.body);
      return;
    }
    const pending = this.#pending.get(envelope.id);
    if (pending === undefined) return; // answer to a call that already timed out
    this.#pending.delete(envelope.id);
    clearTimeout(pending.timer);
    pending.resolve(envelope);
  }

  /** A ping when kaspad has been silent for keepaliveMs; no answer ends the stream. */
  #startKeepalive(): void {
    const idleMs = this.options.keepaliveMs ?? 30_000;
    const waitMs = this.options.keepaliveTimeoutMs ?? 10_000;
    this.#keepalive = setInterval(() => {
      if (this.#probing || Date.now() - this.#lastHeardMs < idleMs) return;
      this.#probing = true;
      this.request(PAYLOAD.pingRequest, new Uint8Array(0), waitMs).then(
        () => void (this.#probing = false),
        (e) => {
          this.#probing = false;
          if (e instanceof NodeError && e.code === "timeout") {
            this.#fail(new NodeError("disconnected", `kaspad silent: ${e.message}`));
          }
        },
      );
    }, Math.max(50, Math.min(idleMs, waitMs) / 2));
  }

  #fail(error: NodeError): void {
    if (this.#state === "closed") return;
    this.#teardown(error);
    this.options.onClosed(error);
  }

  #teardown(error: NodeError): void {
    this.#state = "closed";
    clearInterval(this.#keepalive);
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.#pending.clear();
    try {
      this.#body?.close(); // END_STREAM: kaspad sees the call end cleanly
    } catch { /* already closed or cancelled */ }
    this.#body = undefined;
    this.#abort.abort(error);
    this.#http?.close();
    this.#http = undefined;
  }

  /** Ends the stream; pending calls reject with NodeError("closed"). onClosed is not called. */
  close(): void {
    if (this.#state === "closed") return;
    this.#teardown(new NodeError("closed", "gRPC stream closed"));
  }
}
