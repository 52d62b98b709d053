// gRPC's length-prefixed message framing (1 flag byte, u32 big-endian length, message) over an
// HTTP/2 body. Pure: shared by the kaspad client transport and the gRPC mining front's server.

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
    this.#append(chunk);
    const messages: Uint8Array[] = [];
    let at = 0;
    while (this.#used - at >= FRAME_PREFIX_BYTES) {
      const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset + at);
      const flag = view.getUint8(0);
      const length = view.getUint32(1);
      if (flag !== 0) {
        throw new FrameError("compressed", "compressed gRPC messages are not accepted");
      }
      if (length > this.maxMessageBytes) {
        throw new FrameError(
          "too-large",
          `gRPC message of ${length} bytes is over the ${this.maxMessageBytes}-byte limit`,
        );
      }
      if (this.#used - at < FRAME_PREFIX_BYTES + length) break;
      const start = at + FRAME_PREFIX_BYTES;
      messages.push(this.#buffer.slice(start, start + length));
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
