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
 * Queues lines for one socket and writes them in order, one write in flight at a time. Bounded
 * by `maxBytes` of unsent data.
 *
 * Allocation: a line pushed while nothing is queued or in flight goes straight to the writer,
 * the usual case on a broadcast. Each write's completion runs two handlers made once per queue,
 * not an async pump per write: at 10k miners a round's pump frames and item records lived until
 * their writes completed, past young-generation GC, and were promoted garbage.
 */
export class WriteQueue {
  readonly #write: ByteWriter;
  readonly #maxBytes: number;
  /** Lines waiting behind the write in flight. */
  #items: Item[] = [];
  #queued = 0;
  /** The write in flight: its whole buffer and how much of it is written. */
  #buf: Uint8Array | undefined;
  #at = 0;
  #idle: Array<() => void> | undefined;
  #closed = false;
  #failure: unknown;
  #dropped = 0;
  /** While corked, pushes wait so that one write carries them all (see cork()). */
  #corked = false;
  readonly #onWritten = (n: number): void => this.#written(n);
  readonly #onFailed = (e: unknown): void => this.#failed(e);

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

  /** The write error that stopped the queue, if any. */
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
    this.#queued += bytes.length;
    if (this.#buf === undefined && !this.#corked) this.#start(bytes);
    else this.#items.push({ bytes, tag });
  }

  /**
   * Holds the lines pushed until uncork(), then writes them with one socket write: a session
   * step that answers with several lines (set_difficulty and notify; the handshake's replies)
   * costs one write operation instead of one per line.
   */
  cork(): void {
    this.#corked = true;
  }

  /** Ends cork(): what was pushed meanwhile goes out in one write (if none is in flight). */
  uncork(): void {
    this.#corked = false;
    if (this.#buf === undefined && this.#items.length > 0 && !this.#closed) this.#startItems();
  }

  /** Resolves when everything queued so far was written (or the queue failed or closed). */
  flushed(): Promise<void> {
    if (this.#buf === undefined && this.#items.length === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#idle ??= []).push(resolve));
  }

  /** Stops writing; queued lines are discarded (a write in flight completes). */
  close(): void {
    this.#closed = true;
    this.#items = [];
    this.#queued = 0;
    if (this.#buf === undefined) this.#finish(); // waiters on corked lines
  }

  #drop(match: (item: Item) => boolean): void {
    if (this.#items.length === 0) return; // the usual case on a broadcast: nothing waits
    const kept = this.#items.filter((i) => !match(i));
    for (const i of this.#items) if (match(i)) this.#queued -= i.bytes.length;
    this.#dropped += this.#items.length - kept.length;
    this.#items = kept;
  }

  #start(buf: Uint8Array): void {
    this.#buf = buf;
    this.#at = 0;
    this.#writeSome(buf);
  }

  /** One write of `bytes` (the rest of #buf); its completion comes back to #written. */
  #writeSome(bytes: Uint8Array): void {
    try {
      this.#write(bytes).then(this.#onWritten, this.#onFailed);
    } catch (e) {
      this.#failed(e);
    }
  }

  #written(n: number): void {
    const buf = this.#buf!;
    this.#at += n;
    if (this.#closed) return this.#finish();
    if (this.#at < buf.length) return this.#writeSome(buf.subarray(this.#at));
    this.#queued -= buf.length;
    if (this.#items.length === 0) return this.#finish();
    this.#startItems();
  }

  /** Everything queued goes out in one write; lines pushed during it wait (and may be superseded). */
  #startItems(): void {
    const batch = this.#items;
    this.#items = [];
    const size = batch.reduce((sum, i) => sum + i.bytes.length, 0);
    this.#start(
      batch.length === 1 ? batch[0]!.bytes : concatBytes(batch.map((i) => i.bytes), size),
    );
  }

  #failed(e: unknown): void {
    this.#failure = e;
    this.close();
    this.#finish();
    this.#onError(e);
  }

  #finish(): void {
    this.#buf = undefined;
    const idle = this.#idle;
    this.#idle = undefined;
    for (const resolve of idle ?? []) resolve();
  }
}
