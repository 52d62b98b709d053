// A hostile HTTP/2 client for gRPC servers on a raw Deno.connect socket (no node:http2, no library):
// the frame codec, a minimal HPACK encoder, gRPC message framing, and the misbehaviours tests need.

/** HTTP/2 frame types (RFC 9113 §6). */
export const FRAME = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Frame flags (RFC 9113 §6); ACK shares END_STREAM's bit on SETTINGS and PING. */
export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 };

/** HTTP/2 error codes (RFC 9113 §7). */
export const H2_ERROR = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  ENHANCE_YOUR_CALM: 0xb,
} as const;

/** SETTINGS identifiers (RFC 9113 §6.5.2). */
export const SETTING = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
} as const;

/** The client connection preface (RFC 9113 §3.4). */
export const CLIENT_PREFACE: Uint8Array = new TextEncoder().encode(
  "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
);

/** gRPC path of kaspad's one streaming method. */
export const MESSAGE_STREAM_PATH = "/protowire.RPC/MessageStream";

/** Unread messages one stream keeps; a client that never reads must not grow without bound. */
const MAX_INBOX = 10_000;
/** Largest frame payload HTTP/2 can declare (2^24 - 1 bytes); the reader's budget. */
const MAX_FRAME_BYTES = 0xffffff;
/** The window every peer starts with (RFC 9113 §6.9.2), bytes: sending past it is a FLOW_CONTROL_ERROR. */
export const INITIAL_WINDOW_BYTES = 65_535;

/** One frame: its 9-byte header fields and payload. */
export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Uint8Array;
}

/** Encodes one frame. `declaredLength` overrides the length field (to lie about the payload). */
export function encodeFrame(
  frame: Omit<Frame, "payload"> & { payload?: Uint8Array; declaredLength?: number },
): Uint8Array {
  const payload = frame.payload ?? new Uint8Array(0);
  const length = frame.declaredLength ?? payload.length;
  const out = new Uint8Array(9 + payload.length);
  out[0] = (length >>> 16) & 0xff;
  out[1] = (length >>> 8) & 0xff;
  out[2] = length & 0xff;
  out[3] = frame.type;
  out[4] = frame.flags;
  new DataView(out.buffer).setUint32(5, frame.streamId & 0x7fffffff);
  out.set(payload, 9);
  return out;
}

/** A SETTINGS payload from identifier/value pairs. */
export function settingsPayload(settings: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const out = new Uint8Array(6 * settings.length);
  const view = new DataView(out.buffer);
  settings.forEach(([id, value], i) => {
    view.setUint16(6 * i, id);
    view.setUint32(6 * i + 2, value);
  });
  return out;
}

/** A GOAWAY payload: last stream id, error code, optional debug text. */
export function goawayPayload(lastStreamId: number, code: number, debug = ""): Uint8Array {
  const text = new TextEncoder().encode(debug);
  const out = new Uint8Array(8 + text.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, lastStreamId & 0x7fffffff);
  view.setUint32(4, code >>> 0);
  out.set(text, 8);
  return out;
}

/** A 4-byte payload holding one u32 (RST_STREAM's error code, WINDOW_UPDATE's increment). */
export function u32Payload(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

/** An HPACK integer (RFC 7541 §5.1) with a `prefixBits`-bit prefix under the first byte's `high` bits. */
function hpackInt(value: number, prefixBits: number, high: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [high | value];
  const out = [high | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/**
 * A header block of literal fields without indexing, new names, no Huffman (RFC 7541 §6.2.2): every
 * HPACK decoder must accept it and it leaves the server's dynamic table untouched.
 */
export function hpackLiteral(headers: ReadonlyArray<readonly [string, string]>): Uint8Array {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (const [name, value] of headers) {
    bytes.push(0x00);
    for (const text of [name, value]) {
      const raw = enc.encode(text);
      bytes.push(...hpackInt(raw.length, 7, 0x00), ...raw);
    }
  }
  return Uint8Array.from(bytes);
}

/** The request headers of a gRPC call on `path` (a POST with content-type application/grpc). */
export function grpcRequestHeaders(
  authority: string,
  path = MESSAGE_STREAM_PATH,
): Array<[string, string]> {
  return [
    [":method", "POST"],
    [":scheme", "http"],
    [":path", path],
    [":authority", authority],
    ["content-type", "application/grpc"],
    ["te", "trailers"],
  ];
}

/**
 * A gRPC length-prefixed message: flag byte 0 (uncompressed), u32 big-endian length, body.
 * `declaredLength` lies about the length (a huge one, or one longer than the bytes that follow).
 */
export function grpcMessage(
  body: Uint8Array,
  declaredLength = body.length,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(5 + body.length);
  new DataView(out.buffer).setUint32(1, declaredLength >>> 0);
  out.set(body, 5);
  return out;
}

/** Splits a byte stream into frames. Pure; throws on a frame longer than HTTP/2 allows. */
export class FrameReader {
  #buf: Uint8Array = new Uint8Array(0);

  /** Adds received bytes (copied: the caller may reuse `chunk`); returns every frame now complete. */
  push(chunk: Uint8Array): Frame[] {
    this.#buf = this.#buf.length === 0 ? chunk.slice() : concat(this.#buf, chunk);
    const frames: Frame[] = [];
    for (;;) {
      if (this.#buf.length < 9) return frames;
      const length = (this.#buf[0]! << 16) | (this.#buf[1]! << 8) | this.#buf[2]!;
      if (length > MAX_FRAME_BYTES) throw new RangeError(`frame of ${length} bytes`);
      if (this.#buf.length < 9 + length) return frames;
      const view = new DataView(this.#buf.buffer, this.#buf.byteOffset);
      frames.push({
        type: this.#buf[3]!,
        flags: this.#buf[4]!,
        streamId: view.getUint32(5) & 0x7fffffff,
        payload: this.#buf.slice(9, 9 + length),
      });
      this.#buf = this.#buf.subarray(9 + length);
    }
  }
}

/** Reassembles gRPC messages from a stream's DATA payloads. Pure. */
export class GrpcMessageReader {
  #buf: Uint8Array = new Uint8Array(0);

  /** Adds DATA bytes; returns the message bodies now complete, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.#buf = concat(this.#buf, chunk);
    const out: Uint8Array[] = [];
    while (this.#buf.length >= 5) {
      const length = new DataView(this.#buf.buffer, this.#buf.byteOffset).getUint32(1);
      if (this.#buf.length < 5 + length) break;
      out.push(this.#buf.slice(5, 5 + length));
      this.#buf = this.#buf.subarray(5 + length);
    }
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** What the server did to one stream. */
export interface StreamState {
  /** gRPC messages received and not yet taken by nextMessage(), at most MAX_INBOX. */
  inbox: Uint8Array[];
  /** Messages dropped because the inbox was full (nobody was reading them). */
  dropped: number;
  /** HEADERS frames received (response headers, then trailers). */
  headers: number;
  /** The server ended the stream (END_STREAM) or reset it. */
  ended: boolean;
  /** RST_STREAM error code, when the server reset the stream. */
  reset?: number;
  reader: GrpcMessageReader;
}

/** A GOAWAY the server sent. */
export interface Goaway {
  lastStreamId: number;
  code: number;
  debug: string;
}

/** How an H2Client connects and behaves. */
export interface H2ClientOptions {
  port: number;
  /** Default "127.0.0.1". */
  hostname?: string;
  /** Answer the server's PINGs, as a live client does. Default true; false plays a frozen peer. */
  answerPings?: boolean;
  /** Send the preface and an empty SETTINGS on connect. Default true. */
  handshake?: boolean;
  /**
   * Read what the server sends. Default true; false plays a peer that never reads: nothing is
   * answered (not even SETTINGS), the server's writes pile up, and `closed` waits for abort().
   */
  read?: boolean;
}

/**
 * One HTTP/2 connection that does what it is told, including what a client must never do. It
 * answers SETTINGS and (unless told not to) PING, returns flow-control credit for every DATA frame,
 * and records what the server sends. Writes never throw: a write to a closed socket returns false.
 */
export class H2Client {
  /** Streams by id, as the server answered them. */
  readonly streams: Map<number, StreamState> = new Map();
  /** GOAWAY frames the server sent, in order. */
  readonly goaways: Goaway[] = [];
  /** The server's SETTINGS, identifier → value, as last announced. */
  readonly peerSettings: Map<number, number> = new Map();
  /** PINGs the server sent (keepalives). */
  pingsReceived = 0;
  /** Frames received in all. */
  framesReceived = 0;
  /** Resolves when the server's end of the connection closes (EOF or error). */
  readonly closed: Promise<void>;
  #serverClosed = false;
  #settingsAckSeen = false;
  #aborted = Promise.withResolvers<void>();
  /** DATA bytes read and not yet returned with WINDOW_UPDATE, by stream (0: the connection). */
  #credit = new Map<number, number>();
  #selfClosed = false;
  #nextStream = 1;
  #wakers: Array<() => void> = [];
  #writing: Promise<unknown> = Promise.resolve();
  readonly #conn: Deno.TcpConn;
  readonly #options: H2ClientOptions;

  private constructor(conn: Deno.TcpConn, options: H2ClientOptions) {
    this.#conn = conn;
    this.#options = options;
    this.closed = options.read === false ? this.#aborted.promise : this.#readLoop();
  }

  /** Connects; with `handshake` (default) sends the preface and SETTINGS without waiting. */
  static async connect(options: H2ClientOptions): Promise<H2Client> {
    const conn = await Deno.connect({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port,
    });
    conn.setNoDelay(true); // one frame per write: Nagle would hold each for the peer's delayed ACK
    const client = new H2Client(conn, options);
    if (options.handshake ?? true) {
      // Queued before the read loop can queue a SETTINGS ACK: the preface must go first.
      await Promise.all([
        client.write(CLIENT_PREFACE),
        client.frame({ type: FRAME.SETTINGS, flags: 0, streamId: 0 }),
      ]);
    }
    return client;
  }

  /** "host:port" for :authority. */
  get authority(): string {
    return `${this.#options.hostname ?? "127.0.0.1"}:${this.#options.port}`;
  }

  /** Whether the server has closed the connection. */
  get serverClosed(): boolean {
    return this.#serverClosed;
  }

  /** Resolves when the server acknowledges our SETTINGS; rejects after `timeoutMs` or on close. */
  async handshakeDone(timeoutMs = 5000): Promise<void> {
    await this.#until(() => this.#settingsAckSeen || undefined, timeoutMs, "SETTINGS ACK");
  }

  /** Writes raw bytes; false when the socket is gone. */
  write(bytes: Uint8Array): Promise<boolean> {
    const done = this.#writing.then(async () => {
      if (this.#selfClosed) return false;
      try {
        for (let off = 0; off < bytes.length;) off += await this.#conn.write(bytes.subarray(off));
        return true;
      } catch {
        return false;
      }
    });
    this.#writing = done;
    return done;
  }

  /** Writes one frame (see encodeFrame). */
  frame(frame: Parameters<typeof encodeFrame>[0]): Promise<boolean> {
    return this.write(encodeFrame(frame));
  }

  /**
   * Opens a stream with a HEADERS frame of gRPC request headers for `path`; returns its id.
   * `endHeaders: false` leaves the header block open (CONTINUATION must follow).
   */
  async openStream(
    options: { path?: string; endStream?: boolean; endHeaders?: boolean } = {},
  ): Promise<number> {
    const id = this.#nextStream;
    this.#nextStream += 2;
    this.#stream(id);
    const flags = (options.endHeaders === false ? 0 : FLAG.END_HEADERS) |
      (options.endStream ? FLAG.END_STREAM : 0);
    await this.frame({
      type: FRAME.HEADERS,
      flags,
      streamId: id,
      payload: hpackLiteral(grpcRequestHeaders(this.authority, options.path)),
    });
    return id;
  }

  /** Sends one gRPC message on `stream` in one DATA frame (END_STREAM with `endStream`). */
  send(stream: number, body: Uint8Array, endStream = false): Promise<boolean> {
    return this.frame({
      type: FRAME.DATA,
      flags: endStream ? FLAG.END_STREAM : 0,
      streamId: stream,
      payload: grpcMessage(body),
    });
  }

  /** GOAWAY with `lastStreamId`, error `code` and optional debug text. */
  goaway(lastStreamId: number, code: number, debug = ""): Promise<boolean> {
    return this.frame({
      type: FRAME.GOAWAY,
      flags: 0,
      streamId: 0,
      payload: goawayPayload(lastStreamId, code, debug),
    });
  }

  /** RST_STREAM of `stream` with error `code`. */
  reset(stream: number, code: number): Promise<boolean> {
    return this.frame({
      type: FRAME.RST_STREAM,
      flags: 0,
      streamId: stream,
      payload: u32Payload(code),
    });
  }

  /** A PING with 8 bytes of opaque data. */
  ping(opaque: Uint8Array = new Uint8Array(8)): Promise<boolean> {
    return this.frame({ type: FRAME.PING, flags: 0, streamId: 0, payload: opaque });
  }

  /** The next gRPC message on `stream`; throws if the stream or connection ends first, or after `timeoutMs`. */
  async nextMessage(stream: number, timeoutMs = 5000): Promise<Uint8Array> {
    const s = this.#stream(stream);
    return await this.#until(
      () => {
        const m = s.inbox.shift();
        if (m !== undefined) return m;
        if (s.ended || this.#serverClosed) {
          throw new Error(
            `stream ${stream} ended without a message` +
              (s.reset === undefined ? "" : ` (RST_STREAM ${s.reset})`) +
              (this.#serverClosed ? " (connection closed)" : ""),
          );
        }
      },
      timeoutMs,
      `a message on stream ${stream}`,
    );
  }

  /** Waits until the server closes the connection, at most `timeoutMs`; true if it did. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const done = await Promise.race([this.closed.then(() => true), late]);
    clearTimeout(timer);
    return done;
  }

  /** TCP half-close: no more bytes from us, the server can still answer. */
  async closeWrite(): Promise<void> {
    await this.#writing;
    await this.#conn.closeWrite().catch(() => {});
  }

  /** Closes the socket now, whatever is in flight (pending writes are dropped). */
  abort(): void {
    if (this.#selfClosed) return;
    this.#selfClosed = true;
    this.#aborted.resolve();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  #stream(id: number): StreamState {
    let s = this.streams.get(id);
    if (s === undefined) {
      s = { inbox: [], dropped: 0, headers: 0, ended: false, reader: new GrpcMessageReader() };
      this.streams.set(id, s);
    }
    return s;
  }

  async #until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (this.#serverClosed) throw new Error(`connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wakers.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    for (const w of this.#wakers.splice(0)) w();
  }

  async #readLoop(): Promise<void> {
    const reader = new FrameReader();
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.#conn.read(buf);
        if (n === null) break;
        for (const f of reader.push(buf.subarray(0, n))) this.#onFrame(f);
        this.#returnCredit();
        this.#wake();
      }
    } catch {
      // reset by the server, or closed by abort()
    } finally {
      this.#serverClosed = true;
      this.#wake();
      if (!this.#selfClosed) this.abort();
    }
  }

  #onFrame(f: Frame): void {
    this.framesReceived++;
    switch (f.type) {
      case FRAME.SETTINGS: {
        if (f.flags & FLAG.ACK) {
          this.#settingsAckSeen = true;
          return;
        }
        const view = new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.byteLength);
        for (let off = 0; off + 6 <= f.payload.length; off += 6) {
          this.peerSettings.set(view.getUint16(off), view.getUint32(off + 2));
        }
        void this.frame({ type: FRAME.SETTINGS, flags: FLAG.ACK, streamId: 0 });
        return;
      }
      case FRAME.PING:
        if (f.flags & FLAG.ACK) return;
        this.pingsReceived++;
        if (this.#options.answerPings ?? true) {
          void this.frame({ type: FRAME.PING, flags: FLAG.ACK, streamId: 0, payload: f.payload });
        }
        return;
      case FRAME.GOAWAY: {
        const view = new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.byteLength);
        this.goaways.push({
          lastStreamId: f.payload.length >= 4 ? view.getUint32(0) & 0x7fffffff : -1,
          code: f.payload.length >= 8 ? view.getUint32(4) : -1,
          debug: new TextDecoder().decode(f.payload.subarray(8)),
        });
        return;
      }
      case FRAME.RST_STREAM: {
        const s = this.#stream(f.streamId);
        s.ended = true;
        s.reset = f.payload.length >= 4
          ? new DataView(f.payload.buffer, f.payload.byteOffset).getUint32(0)
          : -1;
        return;
      }
      case FRAME.HEADERS: {
        const s = this.#stream(f.streamId);
        s.headers++;
        if (f.flags & FLAG.END_STREAM) s.ended = true;
        return;
      }
      case FRAME.DATA: {
        const s = this.#stream(f.streamId);
        for (const m of s.reader.push(dataBytes(f))) {
          if (s.inbox.length < MAX_INBOX) s.inbox.push(m);
          else s.dropped++;
        }
        if (f.flags & FLAG.END_STREAM) s.ended = true;
        if (f.payload.length > 0) {
          this.#credit.set(0, (this.#credit.get(0) ?? 0) + f.payload.length);
          if (!s.ended) {
            this.#credit.set(f.streamId, (this.#credit.get(f.streamId) ?? 0) + f.payload.length);
          }
        }
        return;
      }
    }
  }

  /**
   * Returns the flow-control credit of the DATA just read, one WINDOW_UPDATE per stream in one write,
   * so a long-lived stream never stalls on our window and a flood of answers costs one write a read.
   */
  #returnCredit(): void {
    if (this.#credit.size === 0) return;
    const frames = [...this.#credit].map(([streamId, bytes]) =>
      encodeFrame({ type: FRAME.WINDOW_UPDATE, flags: 0, streamId, payload: u32Payload(bytes) })
    );
    this.#credit.clear();
    void this.write(frames.reduce(concat));
  }
}

/** A DATA frame's data, without padding. */
function dataBytes(f: Frame): Uint8Array {
  if (!(f.flags & FLAG.PADDED) || f.payload.length === 0) return f.payload;
  const pad = f.payload[0]!;
  return f.payload.subarray(1, Math.max(1, f.payload.length - pad));
}
