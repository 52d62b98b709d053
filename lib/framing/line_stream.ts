// TransformStream from socket bytes to capped, cleaned text lines.
// Pure: a thin wrapper over LineSplitter; the socket side lives in net/.

import { LineSplitter, type LineSplitterOptions } from "./line_splitter.ts";

/** Raised (as the stream's error) when a line exceeds the cap. `code` is stable. */
export class LineTooLongError extends Error {
  /** Error name. */
  override readonly name = "LineTooLongError";
  /** Stable code. */
  readonly code = "line-too-long";
  /** Bytes seen in the line when it crossed the cap. */
  readonly bytes: number;
  /** The cap, bytes. */
  readonly maxLineBytes: number;
  /** An error for a line of at least `bytes` bytes against a cap of `maxLineBytes`. */
  constructor(bytes: number, maxLineBytes: number) {
    super(`line of at least ${bytes} bytes exceeds the cap of ${maxLineBytes} bytes`);
    this.bytes = bytes;
    this.maxLineBytes = maxLineBytes;
  }
}

/**
 * Newline-delimited lines out of a byte stream. A line past the cap errors the stream with
 * {@linkcode LineTooLongError}: the peer is misbehaving and the caller should close it. Lines that
 * arrived in the same chunk before the oversize one are lost with it (an errored stream drops its
 * queue); code that must answer every line before closing uses {@linkcode LineSplitter} directly.
 *
 * @example
 * ```ts
 * const lines = new Blob(['{"id":1}\n{"id', '":2}\n']).stream().pipeThrough(new LineStream());
 * for await (const line of lines) console.log(line); // {"id":1} then {"id":2}
 * ```
 */
export class LineStream extends TransformStream<Uint8Array, string> {
  /** A line stream with the given cap (default 64 KiB). */
  constructor(options: LineSplitterOptions = {}) {
    const splitter = new LineSplitter(options);
    super({
      transform(chunk, controller) {
        for (const event of splitter.push(chunk)) {
          if (event.kind === "line") {
            controller.enqueue(event.text);
          } else {
            controller.error(new LineTooLongError(event.bytes, splitter.maxLineBytes));
            return;
          }
        }
      },
      flush(controller) {
        for (const event of splitter.finish()) {
          if (event.kind === "line") controller.enqueue(event.text);
        }
      },
    });
  }
}
