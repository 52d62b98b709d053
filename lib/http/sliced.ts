// A large response body made in slices: text chunks from a generator, encoded and sent with a
// timer turn of the event loop between slices, so miners' sockets are served while it is written.

/** Work done between two timer turns, ms. */
const SLICE_MS = 8;

/**
 * A byte stream of `chunks`, pulled in slices of about `sliceMs` ms (at least one chunk each)
 * with a timer turn between them. Why a timer, not a microtask or a stream pull alone: Deno polls
 * its sockets only when its loop sleeps, so without it a 28 MB /metrics document at 10,000
 * workers held every share reply and job for 300-500 ms. Keep chunks small (under V8's 128 KB
 * large-object size): large strings live until a full GC. Cancelling the stream stops the
 * generator.
 */
export function slicedStream(
  chunks: Generator<string>,
  sliceMs: number = SLICE_MS,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!first) await new Promise((resolve) => setTimeout(resolve, 0));
      first = false;
      const until = performance.now() + sliceMs;
      do {
        const next = chunks.next();
        if (next.done) return controller.close();
        controller.enqueue(encoder.encode(next.value));
      } while (performance.now() < until);
    },
    cancel() {
      chunks.return(undefined);
    },
  }, { highWaterMark: 0 });
}
