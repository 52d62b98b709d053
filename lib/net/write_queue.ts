// Bounded per-connection write queue: one pump per socket, so a slow reader delays only itself.
// Policy: a newer job supersedes a queued older one; over the bound, queued jobs go first;
// still over it, the push fails and the caller closes the connection. No Deno APIs: the writer is injected.

import { concatBytes } from "../framing/mod.ts";

/** Writes some prefix of `bytes`, resolving with how many were written (Deno.Conn.write). */
export type ByteWriter = (bytes: Uint8Array) => Promise<number>;

/** How a line may be treated while queued. */
export interface LineTag {
  /** Superseding key (a channel id): a newer droppable line drops queued ones with the same key. */
  channel: number;
  /** Whether the line may be dropped (a plain job notify, not a state change). */
  droppable: boolean;
}

interface Item {
  bytes: Uint8Array;
  tag: LineTag | undefined;
}

/** Raised when a push would exceed the bound even after dropping stale jobs. `code` is stable. */
export class WriteQueueFullError extends Error {
  /** Error name. */
  override readonly name = "WriteQueueFullError";
  /** Stable code. */
  readonly code = "write-queue-full";
}

const encoder = new TextEncoder();

/**
 * Queues lines for one socket and writes them in order from a single pump. Bounded by
 * `maxBytes` of unsent data.
 */
export class WriteQueue {
  readonly #write: ByteWriter;
  readonly #maxBytes: number;
  #items: Item[] = [];
  #queued = 0;
  #pumping: Promise<void> | undefined;
  #closed = false;
  #failure: unknown;
  #dropped = 0;

  readonly #onError: (error: unknown) => void;

  /** `onError` is called once if a write fails (the queue is closed by then). */
  constructor(write: ByteWriter, maxBytes: number, onError: (error: unknown) => void = () => {}) {
    this.#write = write;
    this.#maxBytes = maxBytes;
    this.#onError = onError;
  }

  /** Bytes queued and not yet handed to the socket. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Job lines dropped because a newer one superseded them or the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The write error that stopped the pump, if any. */
  get failure(): unknown {
    return this.#failure;
  }

  /**
   * Queues `line` (a newline is added). Throws WriteQueueFullError when even after dropping
   * every queued droppable job the bound would be exceeded; does nothing once closed.
   */
  push(line: string, tag?: LineTag): void {
    if (this.#closed) return;
    const bytes = encoder.encode(line + "\n");
    if (tag?.droppable) {
      this.#drop((i) => i.tag?.droppable === true && i.tag.channel === tag.channel);
    }
    if (this.#queued + bytes.length > this.#maxBytes) this.#drop((i) => i.tag?.droppable === true);
    if (this.#queued + bytes.length > this.#maxBytes) {
      throw new WriteQueueFullError(`write queue over ${this.#maxBytes} bytes: slow reader`);
    }
    this.#items.push({ bytes, tag });
    this.#queued += bytes.length;
    this.#pumping ??= this.#pump();
  }

  /** Resolves when everything queued so far was written (or the queue failed or closed). */
  async flushed(): Promise<void> {
    while (this.#pumping !== undefined) await this.#pumping;
  }

  /** Stops writing; queued lines are discarded. */
  close(): void {
    this.#closed = true;
    this.#items = [];
    this.#queued = 0;
  }

  #drop(match: (item: Item) => boolean): void {
    if (this.#items.length === 0) return; // the usual case on a broadcast: nothing waits
    const kept = this.#items.filter((i) => !match(i));
    for (const i of this.#items) if (match(i)) this.#queued -= i.bytes.length;
    this.#dropped += this.#items.length - kept.length;
    this.#items = kept;
  }

  async #pump(): Promise<void> {
    try {
      while (this.#items.length > 0 && !this.#closed) {
        // Everything queued now goes out in one write; lines pushed meanwhile wait (and may be superseded).
        const batch = this.#items;
        this.#items = [];
        const size = batch.reduce((n, i) => n + i.bytes.length, 0);
        const buf = batch.length === 1
          ? batch[0]!.bytes
          : concatBytes(batch.map((i) => i.bytes), size);
        let at = 0;
        while (at < buf.length && !this.#closed) at += await this.#write(buf.subarray(at));
        if (!this.#closed) this.#queued -= size;
      }
    } catch (e) {
      this.#failure = e;
      this.close();
      this.#onError(e);
    } finally {
      this.#pumping = undefined;
    }
  }
}
