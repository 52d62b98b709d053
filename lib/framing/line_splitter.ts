// Splits a byte stream into newline-terminated text lines, each capped in length.
// Pure: no I/O; net/ feeds it socket bytes and answers or closes on what it returns.

/** Default cap on one line, bytes (64 KiB), as real bridges use after unbounded-buffer bugs. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** What the splitter saw: a complete line, or a line that grew past the cap. */
export type SplitEvent =
  | { kind: "line"; text: string }
  | { kind: "overflow"; bytes: number };

/** Options for {@linkcode LineSplitter}. */
export interface LineSplitterOptions {
  /** Longest accepted line in bytes, without its terminator. Default 64 KiB. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
// C0 controls and DEL. Tabs and CR are JSON whitespace, the others never belong in a request:
// Goldshell firmware sends them between tokens, so they are removed rather than rejected.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * Cuts bytes into lines on `\n`, across any chunk boundary. Each line is decoded as UTF-8,
 * stripped of control characters (tabs, CR, NUL...) and trimmed; empty lines are skipped.
 * A line longer than the cap yields one `overflow` event and is discarded up to its newline.
 *
 * @example
 * ```ts
 * const s = new LineSplitter();
 * const te = new TextEncoder();
 * s.push(te.encode('{"id":1,'));
 * const events = s.push(te.encode('"method":"x"}\r\n'));
 * // events = [{ kind: "line", text: '{"id":1,"method":"x"}' }]
 * ```
 */
export class LineSplitter {
  readonly #max: number;
  readonly #decoder = new TextDecoder();
  #parts: Uint8Array[] = [];
  #pending = 0;
  #discarding = false;

  /** A splitter with the given cap (default 64 KiB). */
  constructor(options: LineSplitterOptions = {}) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxLineBytes must be >= 1: ${max}`);
    }
    this.#max = max;
  }

  /** The cap on one line, bytes. */
  get maxLineBytes(): number {
    return this.#max;
  }

  /** Bytes held for the unfinished line. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** Feeds one chunk; returns the events it completed, in order. */
  push(chunk: Uint8Array): SplitEvent[] {
    const events: SplitEvent[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      this.#take(chunk.subarray(start, end), events);
      if (nl === -1) break;
      this.#endLine(events);
      start = nl + 1;
    }
    return events;
  }

  /** Ends the stream: a last line without terminator is returned too. */
  finish(): SplitEvent[] {
    const events: SplitEvent[] = [];
    this.#endLine(events);
    return events;
  }

  #take(piece: Uint8Array, events: SplitEvent[]): void {
    if (piece.length === 0 || this.#discarding) return;
    if (this.#pending + piece.length > this.#max) {
      events.push({ kind: "overflow", bytes: this.#pending + piece.length });
      this.#parts = [];
      this.#pending = 0;
      this.#discarding = true;
      return;
    }
    // Copy: the caller may reuse its read buffer.
    this.#parts.push(piece.slice());
    this.#pending += piece.length;
  }

  #endLine(events: SplitEvent[]): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#pending === 0) return;
    const bytes = this.#parts.length === 1
      ? this.#parts[0]!
      : concatBytes(this.#parts, this.#pending);
    this.#parts = [];
    this.#pending = 0;
    const text = this.#decoder.decode(bytes).replace(CONTROL, "").trim();
    if (text.length > 0) events.push({ kind: "line", text });
  }
}

/** `parts` joined into one array; `total` is their summed length in bytes when already known. */
export function concatBytes(
  parts: readonly Uint8Array[],
  total = parts.reduce((n, p) => n + p.length, 0),
): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
