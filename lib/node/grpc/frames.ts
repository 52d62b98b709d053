// gRPC's length-prefixed message framing (1 flag byte, u32 big-endian length, message) over an
// HTTP/2 body. Pure: shared by the kaspad client transport and the gRPC mining front's server.

import { concatBytes } from "../../framing/mod.ts";

/** Bytes of the prefix before every gRPC message. */
export const FRAME_PREFIX_BYTES = 5;

/** Why a body could not be split into messages. `code` is stable. */
export class FrameError extends Error {
  override readonly name = "FrameError";

  /** An error with a stable code ("too-large" | "compressed"). */
  constructor(readonly code: "too-large" | "compressed", message: string) {
    super(message);
  }
}

/** One message with its 5-byte prefix, ready to write to an HTTP/2 body. */
export function frameMessage(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_PREFIX_BYTES + message.byteLength);
  new DataView(out.buffer).setUint32(1, message.byteLength);
  out.set(message, FRAME_PREFIX_BYTES);
  return out;
}

/**
 * Splits a stream of body chunks into whole messages. A declared length over `maxMessageBytes` is
 * refused from its prefix, before any of the message is buffered.
 */
export class FrameReader {
  #buffer = new Uint8Array(0);
  #used = 0;

  /** A reader that refuses messages over `maxMessageBytes` bytes. */
  constructor(readonly maxMessageBytes: number) {}

  /** Bytes received but not yet returned as a whole message. */
  get pendingBytes(): number {
    return this.#used;
  }

  /**
   * Adds `chunk` and returns every message it completes (views valid until the next push).
   * Throws FrameError on a compressed message (kaspad never compresses) or one over the limit.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    return this.pushFlagged(chunk).map((m) => {
      if (m.compressed) {
        throw new FrameError("compressed", "compressed gRPC messages are not accepted");
      }
      return m.message;
    });
  }

  /**
   * As push(), with each message's compressed flag: a server that accepts `grpc-encoding: gzip`
   * inflates those with gunzipMessage(). The limit applies to the compressed length here.
   */
  pushFlagged(chunk: Uint8Array): { message: Uint8Array; compressed: boolean }[] {
    this.#append(chunk);
    const messages: { message: Uint8Array; compressed: boolean }[] = [];
    let at = 0;
    while (this.#used - at >= FRAME_PREFIX_BYTES) {
      const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset + at);
      const flag = view.getUint8(0);
      const length = view.getUint32(1);
      if (length > this.maxMessageBytes) {
        throw new FrameError(
          "too-large",
          `gRPC message of ${length} bytes is over the ${this.maxMessageBytes}-byte limit`,
        );
      }
      if (this.#used - at < FRAME_PREFIX_BYTES + length) break;
      const start = at + FRAME_PREFIX_BYTES;
      messages.push({ message: this.#buffer.slice(start, start + length), compressed: flag !== 0 });
      at = start + length;
    }
    if (at > 0) {
      this.#buffer.copyWithin(0, at, this.#used);
      this.#used -= at;
    }
    return messages;
  }

  #append(chunk: Uint8Array): void {
    const need = this.#used + chunk.byteLength;
    if (need > this.#buffer.byteLength) {
      const grown = new Uint8Array(Math.max(need, this.#buffer.byteLength * 2, 4096));
      grown.set(this.#buffer.subarray(0, this.#used));
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#used);
    this.#used = need;
  }
}

/**
 * Inflates one gzip-compressed gRPC message (`grpc-encoding: gzip`, which kaspad's own clients
 * send), stopping with FrameError("too-large") as soon as the output passes `maxBytes`: a small
 * message that inflates without bound (a gzip bomb) costs at most `maxBytes` of memory.
 * Throws FrameError("compressed") when the bytes are not gzip.
 */
export async function gunzipMessage(compressed: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const reader = new Blob([compressed as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  )
    .getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        throw new FrameError(
          "too-large",
          `gzip gRPC message inflates past the ${maxBytes}-byte limit`,
        );
      }
      parts.push(value);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e instanceof FrameError) throw e;
    throw new FrameError(
      "compressed",
      `bad gzip gRPC message: ${e instanceof Error ? e.message : e}`,
    );
  }
  return concatBytes(parts, size);
}
