// Misbehaving and honest kaspad-gRPC miners for a MessageStream server (kstratum's --grpc-listen), over
// h2_raw: each abuse pattern is one scripted connection, bounded in time; the honest miner checks answers.

import { decodeEnvelope, encodeEnvelope } from "../../lib/node/grpc/envelope.ts";
import { decode, encode, PAYLOAD } from "../../lib/node/grpc/messages.ts";
import type { Rng } from "./fuzz.ts";
import {
  CLIENT_PREFACE,
  encodeFrame,
  FLAG,
  FRAME,
  grpcMessage,
  GrpcMessageReader,
  grpcRequestHeaders,
  H2_ERROR,
  H2Client,
  hpackLiteral,
  INITIAL_WINDOW_BYTES,
  MESSAGE_STREAM_PATH,
  SETTING,
  settingsPayload,
  u32Payload,
} from "./h2_raw.ts";

/** What an abuse pattern is given. */
export interface AbuseContext {
  /** Port of the gRPC server on 127.0.0.1. */
  port: number;
  /** Seeded randomness: the same seed replays the same abuse. */
  rng: Rng;
  /** A valid pay address for the server's network (getBlockTemplate). */
  address: string;
  /** A fresh valid pay address (the server fetches a first template for it). */
  freshAddress: () => string;
}

/** How the server reacted to one abuse. */
export interface AbuseOutcome {
  /** Error code of the first GOAWAY the server sent, if any. */
  goaway?: number;
  /** Whether the server closed the connection within the pattern's wait. */
  serverClosed: boolean;
}

/** One scripted misbehaviour on its own connection. */
export type AbusePattern = (ctx: AbuseContext) => Promise<AbuseOutcome>;

let requestId = 1n;
const EMPTY = new Uint8Array(0);

/** A getInfoRequest envelope with a fresh id. */
export function infoRequest(): Uint8Array {
  return encodeEnvelope({ id: requestId++, payload: PAYLOAD.getInfoRequest, body: EMPTY });
}

/** A getBlockTemplateRequest envelope for `address`, with a fresh id. */
export function templateRequest(address: string): Uint8Array {
  const body = encode("GetBlockTemplateRequestMessage", {
    payAddress: address,
    extraData: "h2raw",
  });
  return encodeEnvelope({ id: requestId++, payload: PAYLOAD.getBlockTemplateRequest, body });
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Connects (with the HTTP/2 handshake unless `handshake` is false) and waits for SETTINGS ACK. */
async function connect(ctx: AbuseContext, handshake = true): Promise<H2Client> {
  const c = await H2Client.connect({ port: ctx.port, handshake });
  if (handshake) await c.handshakeDone().catch(() => {});
  return c;
}

/** Waits up to `ms` for the server to close, then closes our side; reports what the server did. */
async function finish(c: H2Client, ms: number): Promise<AbuseOutcome> {
  const serverClosed = ms > 0 ? await c.waitClosed(ms) : c.serverClosed;
  c.abort();
  await c.closed;
  const first = c.goaways[0];
  return first === undefined ? { serverClosed } : { serverClosed, goaway: first.code };
}

/** Invalid frames an HTTP/2 server must reject (RFC 9113 §4-§6), with what each breaks. */
function badFrame(rng: Rng): Uint8Array {
  const f = (type: number, flags: number, streamId: number, payload?: Uint8Array) =>
    encodeFrame({ type, flags, streamId, ...(payload === undefined ? {} : { payload }) });
  const headers = hpackLiteral(grpcRequestHeaders("127.0.0.1"));
  const variants: Array<() => Uint8Array> = [
    () => f(FRAME.DATA, 0, 0, rng.bytes(10)), // DATA on stream 0
    () => f(FRAME.HEADERS, FLAG.END_HEADERS, 2, headers), // even (server) stream id
    () => f(FRAME.SETTINGS, 0, 0, rng.bytes(5)), // length not a multiple of 6
    () => f(FRAME.SETTINGS, 0, 1, EMPTY), // SETTINGS on a stream
    () => f(FRAME.SETTINGS, FLAG.ACK, 0, rng.bytes(6)), // ACK with a payload
    () => f(FRAME.PING, 0, 0, rng.bytes(3)), // PING not 8 bytes
    () => f(FRAME.WINDOW_UPDATE, 0, 0, u32Payload(0)), // zero increment
    () => f(FRAME.WINDOW_UPDATE, 0, 0, u32Payload(0x7fffffff)), // window past 2^31-1
    () => f(FRAME.CONTINUATION, FLAG.END_HEADERS, 1, headers), // CONTINUATION without HEADERS
    () => f(FRAME.RST_STREAM, 0, 99, u32Payload(H2_ERROR.CANCEL)), // reset of an idle stream
    () => f(FRAME.RST_STREAM, 0, 0, u32Payload(H2_ERROR.CANCEL)), // reset of stream 0
    () => f(FRAME.PRIORITY, 0, 1, Uint8Array.of(0, 0, 0, 1, 16)), // depends on itself
    () => f(FRAME.HEADERS, FLAG.END_HEADERS, 1, rng.bytes(40).map((b) => b | 0x80)), // bad HPACK
    () => f(FRAME.HEADERS, FLAG.END_HEADERS, 1, hpackLiteral([["x", "y"]])), // no pseudo-headers
    () => f(FRAME.PUSH_PROMISE, FLAG.END_HEADERS, 1, rng.bytes(8)), // clients never push
    () => f(FRAME.SETTINGS, 0, 0, settingsPayload([[SETTING.INITIAL_WINDOW_SIZE, 0x80000000]])),
    () => f(FRAME.SETTINGS, 0, 0, settingsPayload([[SETTING.ENABLE_PUSH, 2]])),
    () => f(FRAME.SETTINGS, 0, 0, settingsPayload([[SETTING.MAX_FRAME_SIZE, 100]])),
    () => f(0xfa, 0xff, 1, rng.bytes(rng.int(64))), // unknown type: must be ignored
    () => encodeFrame({ type: FRAME.DATA, flags: 0, streamId: 1, payload: rng.bytes(20_000) }), // > 16 KiB default max
    () => encodeFrame({ type: FRAME.PING, flags: 0, streamId: 0, declaredLength: 8 }), // truncated
  ];
  return rng.pick(variants)();
}

/** Every abuse pattern, by name. Each opens one connection (or a few) and ends within about a second. */
export const ABUSES: Record<string, AbusePattern> = {
  /** A GOAWAY after one answered request, naming that stream as the last. */
  async "goaway-after-reply"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, infoRequest());
    await c.nextMessage(s, 2000).catch(() => {});
    await c.goaway(s, H2_ERROR.NO_ERROR);
    return await finish(c, 300);
  },
  /** GOAWAY(last stream 0, PROTOCOL_ERROR) while a request is in flight. */
  async "goaway-zero-in-flight"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, templateRequest(ctx.address));
    await c.goaway(0, H2_ERROR.PROTOCOL_ERROR, "bye");
    return await finish(c, 300);
  },
  /** denoland/deno#36788's shape from the client's side: 13 calls, then GOAWAY(225, NO_ERROR). */
  async "goaway-after-13-calls"(ctx) {
    const c = await connect(ctx);
    for (let i = 0; i < 13; i++) {
      const s = await c.openStream();
      await c.send(s, infoRequest(), true);
      await c.nextMessage(s, 2000).catch(() => {});
    }
    await c.goaway(225, H2_ERROR.NO_ERROR);
    return await finish(c, 300);
  },
  /** A new stream after our own GOAWAY, then a second GOAWAY with a smaller last id. */
  async "goaway-then-new-stream"(ctx) {
    const c = await connect(ctx);
    const s1 = await c.openStream();
    await c.send(s1, infoRequest());
    await c.goaway(s1, H2_ERROR.NO_ERROR);
    const s2 = await c.openStream();
    await c.send(s2, templateRequest(ctx.address));
    await c.goaway(0, H2_ERROR.ENHANCE_YOUR_CALM);
    return await finish(c, 300);
  },
  /** GOAWAYs with an unknown error code, a random last id and 1000 bytes of debug data. */
  async "goaway-odd-codes"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, infoRequest());
    await c.goaway(ctx.rng.int(0x7fffffff), 0xdead0000 + ctx.rng.int(0xffff), "x".repeat(1000));
    await c.goaway(ctx.rng.int(8), H2_ERROR.INTERNAL_ERROR);
    return await finish(c, 300);
  },
  /** GOAWAY while the server awaits a first template for a new address, then gone at once. */
  async "goaway-then-vanish"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, templateRequest(ctx.freshAddress()));
    await c.goaway(s, ctx.rng.pick([H2_ERROR.NO_ERROR, H2_ERROR.CANCEL, H2_ERROR.INTERNAL_ERROR]));
    return await finish(c, 0);
  },
  /** RST_STREAM(CANCEL) with requests in flight, then a second stream on the same connection. */
  async "rst-cancel-in-flight"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, infoRequest());
    await c.send(s, templateRequest(ctx.address));
    await c.reset(s, H2_ERROR.CANCEL);
    const s2 = await c.openStream();
    await c.send(s2, infoRequest());
    await c.nextMessage(s2, 2000).catch(() => {});
    return await finish(c, 0);
  },
  /** RST_STREAM(CANCEL) while the server awaits a first template for a new address. */
  async "rst-cancel-awaiting-template"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, templateRequest(ctx.freshAddress()));
    await sleep(ctx.rng.int(150));
    await c.reset(s, H2_ERROR.CANCEL);
    return await finish(c, 100);
  },
  /** Rapid reset (CVE-2023-44487): 100 streams opened and cancelled back to back. */
  async "rapid-reset"(ctx) {
    const c = await connect(ctx);
    for (let i = 0; i < 100 && !c.serverClosed; i++) {
      const s = await c.openStream();
      if (ctx.rng.chance(0.5)) await c.send(s, infoRequest());
      await c.reset(s, H2_ERROR.CANCEL);
    }
    return await finish(c, 200);
  },
  /** Connected, then closed before a byte. */
  async "close-before-preface"(ctx) {
    return await finish(await connect(ctx, false), 0);
  },
  /** Closed halfway through the connection preface. */
  async "close-mid-preface"(ctx) {
    const c = await connect(ctx, false);
    await c.write(CLIENT_PREFACE.subarray(0, 1 + ctx.rng.int(CLIENT_PREFACE.length - 1)));
    return await finish(c, 0);
  },
  /** Closed right after a stream's HEADERS. */
  async "close-after-headers"(ctx) {
    const c = await connect(ctx);
    await c.openStream();
    return await finish(c, 0);
  },
  /** Closed in the middle of a DATA frame (its header promised more bytes). */
  async "close-mid-frame"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    const msg = grpcMessage(infoRequest());
    await c.write(
      encodeFrame({ type: FRAME.DATA, flags: 0, streamId: s, payload: msg, declaredLength: 200 }),
    );
    return await finish(c, 0);
  },
  /** Closed in the middle of a gRPC message (the frame is whole, the message is not). */
  async "close-mid-message"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    const body = templateRequest(ctx.address);
    await c.frame({
      type: FRAME.DATA,
      flags: 0,
      streamId: s,
      payload: grpcMessage(body.subarray(0, body.length >> 1), body.length),
    });
    return await finish(c, ctx.rng.chance(0.5) ? 0 : 50);
  },
  /** A request with END_STREAM, then the socket closed without reading the answer. */
  async "half-close-then-vanish"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, templateRequest(ctx.address), true);
    return await finish(c, 0);
  },
  /** A request, END_STREAM and a TCP FIN; the server may still answer into the half-open socket. */
  async "half-close-tcp"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, infoRequest(), true);
    await c.closeWrite();
    return await finish(c, 500);
  },
  /** Random bytes after a good preface and SETTINGS. */
  async "garbage-after-preface"(ctx) {
    const c = await connect(ctx);
    await c.write(ctx.rng.bytes(1 + ctx.rng.int(2000)));
    return await finish(c, 300);
  },
  /** HTTP/1.1 or random bytes where the preface belongs. */
  async "garbage-instead-of-preface"(ctx) {
    const c = await connect(ctx, false);
    const http1 = "POST /protowire.RPC/MessageStream HTTP/1.1\r\nHost: x\r\n" +
      "Content-Type: application/grpc\r\nTE: trailers\r\n\r\n";
    await c.write(
      ctx.rng.chance(0.5) ? new TextEncoder().encode(http1) : ctx.rng.bytes(1 + ctx.rng.int(500)),
    );
    return await finish(c, 300);
  },
  /** One frame that breaks the protocol (see badFrame), on an open stream's connection. */
  async "bad-frame"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, infoRequest());
    await c.write(badFrame(ctx.rng));
    return await finish(c, 300);
  },
  /** A gRPC message that declares 64 MiB + 1, 2 GiB or 4 GiB - 1 bytes and sends a few KB. */
  async "huge-declared-length"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    const declared = ctx.rng.pick([64 * 1024 * 1024 + 1, 0x80000000, 0xffffffff]);
    await c.frame({
      type: FRAME.DATA,
      flags: 0,
      streamId: s,
      payload: grpcMessage(ctx.rng.bytes(4000), declared),
    });
    for (let i = 0; i < 3; i++) {
      await c.frame({ type: FRAME.DATA, flags: 0, streamId: s, payload: ctx.rng.bytes(8000) });
    }
    return await finish(c, 300);
  },
  /** 96 KB of one message in a single write: past the 64 KiB stream window (FLOW_CONTROL_ERROR). */
  async "flow-control-overrun"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    const chunk = 16_000;
    const frames = Math.ceil((INITIAL_WINDOW_BYTES + chunk) / chunk);
    const body = grpcMessage(ctx.rng.bytes(chunk * frames - 5), chunk * frames - 5);
    const all: Uint8Array[] = [];
    for (let i = 0; i < frames; i++) {
      const payload = body.subarray(i * chunk, (i + 1) * chunk);
      all.push(encodeFrame({ type: FRAME.DATA, flags: 0, streamId: s, payload }));
    }
    await c.write(concatAll(all));
    return await finish(c, 300);
  },
  /**
   * 96 KB of zeros on a stream, in six DATA frames: 19,200 empty gRPC messages, each a request the
   * server answers, from a peer that reads nothing; then gone.
   */
  async "empty-message-flood"(ctx) {
    const c = await H2Client.connect({ port: ctx.port, read: false });
    const s = await c.openStream();
    for (let i = 0; i < 6; i++) {
      await c.frame({ type: FRAME.DATA, flags: 0, streamId: s, payload: new Uint8Array(16_000) });
    }
    return await finish(c, 300);
  },
  /** 100 streams, each with a request, none read; then gone. */
  async "many-streams"(ctx) {
    const c = await connect(ctx);
    for (let i = 0; i < 100 && !c.serverClosed; i++) {
      const s = await c.openStream();
      await c.send(
        s,
        ctx.rng.chance(0.3) ? templateRequest(ctx.address) : infoRequest(),
        ctx.rng.chance(0.5),
      );
    }
    if (ctx.rng.chance(0.5)) await c.goaway(0, H2_ERROR.NO_ERROR);
    return await finish(c, 100);
  },
  /** A header block that never ends: HEADERS without END_HEADERS and 300 CONTINUATION frames. */
  async "continuation-flood"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream({ endHeaders: false });
    const junk = hpackLiteral([["x-junk", "j".repeat(100)]]);
    for (let i = 0; i < 300 && !c.serverClosed; i++) {
      await c.frame({ type: FRAME.CONTINUATION, flags: 0, streamId: s, payload: junk });
    }
    return await finish(c, 300);
  },
  /** 1000 PINGs and 200 SETTINGS frames back to back. */
  async "control-flood"(ctx) {
    const c = await connect(ctx);
    for (let i = 0; i < 1000 && !c.serverClosed; i++) await c.ping(ctx.rng.bytes(8));
    for (let i = 0; i < 200 && !c.serverClosed; i++) {
      await c.frame({ type: FRAME.SETTINGS, flags: 0, streamId: 0, payload: EMPTY });
    }
    return await finish(c, 300);
  },
  /** Valid HTTP/2 and gRPC framing around protobuf garbage. */
  async "malformed-envelope"(ctx) {
    const c = await connect(ctx);
    const s = await c.openStream();
    await c.send(s, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, ...ctx.rng.bytes(ctx.rng.int(64))));
    await c.send(s, infoRequest());
    return await finish(c, 300);
  },
  /** An unknown method, and a compressed message without grpc-encoding. */
  async "wrong-method-and-compression"(ctx) {
    const c = await connect(ctx);
    const s1 = await c.openStream({ path: "/protowire.RPC/NoSuchMethod" });
    await c.send(s1, infoRequest(), true);
    const s2 = await c.openStream();
    const msg = grpcMessage(infoRequest());
    msg[0] = 1; // compressed flag
    await c.frame({ type: FRAME.DATA, flags: 0, streamId: s2, payload: msg });
    return await finish(c, 300);
  },
};

/** A well-behaved miner on one long-lived MessageStream: getInfo and getBlockTemplate with ids. */
export class HonestMiner {
  private constructor(readonly client: H2Client, readonly stream: number) {}

  /** Connects and opens the stream. */
  static async connect(port: number): Promise<HonestMiner> {
    const client = await H2Client.connect({ port });
    await client.handshakeDone();
    return new HonestMiner(client, await client.openStream());
  }

  /**
   * One getInfo and one getBlockTemplate round trip; throws unless both come back with their ids,
   * getInfo's fields set and a template block for `address`. Resolves with the time taken, ms.
   */
  async roundTrip(address: string, timeoutMs = 10_000): Promise<number> {
    const started = performance.now();
    const info = infoRequest();
    const infoId = decodeEnvelope(info).id;
    await this.client.send(this.stream, info);
    const a = decodeEnvelope(await this.client.nextMessage(this.stream, timeoutMs));
    if (a.payload !== PAYLOAD.getInfoResponse || a.id !== infoId) {
      throw new Error(`getInfo answered with payload ${a.payload} id ${a.id}`);
    }
    const i = decode("GetInfoResponseMessage", a.body);
    if (i.error !== undefined || !i.hasMessageId || i.serverVersion === "") {
      throw new Error(
        `getInfo answer ${JSON.stringify(i, (_, v) => typeof v === "bigint" ? `${v}` : v)}`,
      );
    }
    const tpl = templateRequest(address);
    const tplId = decodeEnvelope(tpl).id;
    await this.client.send(this.stream, tpl);
    const b = decodeEnvelope(await this.nextNonNotification(timeoutMs));
    if (b.payload !== PAYLOAD.getBlockTemplateResponse || b.id !== tplId) {
      throw new Error(`getBlockTemplate answered with payload ${b.payload} id ${b.id}`);
    }
    const t = decode("GetBlockTemplateResponseMessage", b.body);
    if (t.error !== undefined) throw new Error(`getBlockTemplate error: ${t.error.message}`);
    if (t.block === undefined || t.block.length === 0) {
      throw new Error("getBlockTemplate: no block");
    }
    return performance.now() - started;
  }

  async nextNonNotification(timeoutMs: number): Promise<Uint8Array> {
    for (;;) {
      const m = await this.client.nextMessage(this.stream, timeoutMs);
      if (decodeEnvelope(m).id !== 0n) return m;
    }
  }

  /** Ends the stream politely (END_STREAM), then closes the connection. */
  async close(): Promise<void> {
    await this.client.frame({ type: FRAME.DATA, flags: FLAG.END_STREAM, streamId: this.stream });
    await this.client.waitClosed(200);
    this.client.abort();
    await this.client.closed;
  }
}

/**
 * getInfo through Deno's fetch (hyper; HTTP/2 with prior knowledge): a second client stack, unlike
 * h2_raw in every line. One request message, END_STREAM, the answer read to the end; throws unless
 * a getInfoResponse with the request's id comes back within `timeoutMs`.
 */
export async function fetchGetInfo(port: number, timeoutMs = 10_000): Promise<void> {
  const client = Deno.createHttpClient({ http1: false, http2: true });
  try {
    const request = infoRequest();
    const res = await fetch(`http://127.0.0.1:${port}${MESSAGE_STREAM_PATH}`, {
      method: "POST",
      client,
      headers: { "content-type": "application/grpc", te: "trailers" },
      body: grpcMessage(request),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const messages = new GrpcMessageReader().push(new Uint8Array(await res.arrayBuffer()));
    const answer = messages.map(decodeEnvelope).find((e) => e.payload === PAYLOAD.getInfoResponse);
    if (res.status !== 200 || answer?.id !== decodeEnvelope(request).id) {
      throw new Error(`fetch getInfo: HTTP ${res.status}, ${messages.length} messages, no answer`);
    }
  } finally {
    client.close();
  }
}
