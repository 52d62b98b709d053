// The main thread's side of `threads: N`: starts N Stratum threads (Deno Workers) that listen on
// the same ports, feeds them jobs once per template, submits their blocks and replays their events.

import type { Job } from "../kaspa/mod.ts";
import type { Logger, LogLevel } from "../log/mod.ts";
import type { ListenerInfo, ListenerOptions, ServerOptions } from "../net/mod.ts";
import type { BlockSubmitter, JobSource, MinerEvents } from "../session/mod.ts";
import { EventUnpacker, type FromThread, type ToThread } from "./wire.ts";

/** What the threads need from the main thread. */
export interface ThreadsDeps {
  /** Job streams per payout address (the template service). */
  jobs: JobSource;
  /** Block submission (the template service's submitter). */
  submitter: BlockSubmitter;
  /** The main thread's job with this pre-PoW hash (hex), if still held. */
  findJob(workKey: string): Job | undefined;
  /** The node's network, once known. */
  network(): string | undefined;
  /** Where the threads' miner events are replayed (stats, history, block log). */
  events: MinerEvents;
  /** Where the threads' log lines are written. */
  log: Logger;
  /** Least severe level the threads send over. */
  logLevel: LogLevel;
  /**
   * The descriptor reserve's shared state (runtime FdReserve.shared): each thread's accept loops
   * refuse new miners while it is short, as the main thread's would.
   */
  reserve?: SharedArrayBuffer;
}

/** One running Stratum thread and what the main thread keeps for it. */
interface Thread {
  index: number;
  worker: Worker;
  unpacker: EventUnpacker;
  /** Job subscriptions held for it, by payout address. */
  subs: Map<string, () => void>;
  accepting: boolean;
  ready: Promise<void>;
  stopped: Promise<void>;
  onReady: () => void;
  onStopped: () => void;
  listens: Map<number, { resolve: (i: ListenerInfo) => void; reject: (e: Error) => void }>;
}

/** Raised when the threads cannot start or a listener cannot bind in one. `code` is stable. */
export class ThreadsError extends Error {
  /** Error name. */
  override readonly name = "ThreadsError";
  /** Stable code. */
  readonly code = "threads";
}

/** How long a thread has to start, ms. */
const START_TIMEOUT_MS = 30_000;
/** How often the node's network is checked for the threads' address checks, ms. */
const NETWORK_CHECK_MS = 1000;

/** The error a thread's failed listen stands for, as the Deno error class when there is one. */
function listenError(name: string, message: string): Error {
  const classes = Deno.errors as unknown as Record<string, new (m: string) => Error>;
  const Class = classes[name];
  return Class === undefined ? new ThreadsError(`${name}: ${message}`) : new Class(message);
}

/**
 * N Stratum threads behind one face: the same surface as one StratumServer (listen, listeners,
 * accepting, shutdown). Each thread owns its connections; the main thread keeps one job
 * subscription per address per thread, so a template crosses to each thread once.
 */
export class StratumThreads {
  readonly #count: number;
  readonly #server: Partial<ServerOptions>;
  readonly #deps: ThreadsDeps;
  readonly #threads: Thread[] = [];
  readonly #listeners: ListenerInfo[] = [];
  /** Every listen so far, with its bound port, for a thread started again after a failure. */
  readonly #listenOptions: ListenerOptions[] = [];
  #nextId = 1;
  #network: string | undefined;
  #networkTimer: ReturnType<typeof setInterval> | undefined;
  #stopping = false;

  /**
   * `count` threads (2 or more) with `server` settings. Limits that count across the server
   * (connections, payout addresses) are split evenly between the threads, rounded up.
   */
  constructor(count: number, server: Partial<ServerOptions>, deps: ThreadsDeps) {
    this.#count = count;
    this.#server = splitLimits(server, count);
    this.#deps = deps;
  }

  /** Where each listener listens. */
  get listeners(): ListenerInfo[] {
    return [...this.#listeners];
  }

  /** Whether every listener of every thread accepts. */
  get accepting(): boolean {
    return this.#threads.length > 0 && this.#threads.every((t) => t.accepting);
  }

  /** Starts the threads; resolves when each is ready. Throws ThreadsError after START_TIMEOUT_MS. */
  async start(): Promise<void> {
    this.#network = this.#deps.network();
    for (let i = 0; i < this.#count; i++) this.#threads.push(this.#spawn(i));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) =>
      timer = setTimeout(
        () => reject(new ThreadsError(`Stratum threads did not start in ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      )
    );
    try {
      await Promise.race([Promise.all(this.#threads.map((t) => t.ready)), late]);
    } finally {
      clearTimeout(timer);
    }
    this.#networkTimer = setInterval(() => this.#checkNetwork(), NETWORK_CHECK_MS);
  }

  /**
   * Listens on every thread: the first binds (port 0 picks one), the others bind the same port
   * with SO_REUSEPORT and the kernel spreads connections. A TLS listener, or one without
   * reusePort, is served by the first thread alone. Rejects as StratumServer.listen does.
   */
  async listen(options: ListenerOptions): Promise<ListenerInfo> {
    const first = this.#threads[0];
    if (first === undefined) throw new ThreadsError("threads not started");
    const info = await this.#listenOn(first, options);
    const shared = options.tls === undefined && options.reusePort !== false;
    const bound: ListenerOptions = { ...options, port: info.port, reusePort: true };
    this.#listenOptions.push(shared ? bound : { ...options, port: info.port });
    if (shared) await Promise.all(this.#threads.slice(1).map((t) => this.#listenOn(t, bound)));
    else {
      this.#deps.log.info("listener served by one thread", {
        listener: info.name,
        why: options.tls !== undefined ? "tls" : "reuse_port off",
      });
    }
    this.#listeners.push(info);
    return info;
  }

  /**
   * Drains every thread (as StratumServer.shutdown, in parallel) and waits until each has sent
   * its last events; then ends them.
   */
  async shutdown(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#networkTimer);
    const grace = (this.#server.shutdownGraceMs ?? 10_000) + 5_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((r) => timer = setTimeout(r, grace));
    for (const t of this.#threads) this.#post(t, { t: "shutdown" });
    await Promise.race([Promise.all(this.#threads.map((t) => t.stopped)), late]);
    clearTimeout(timer);
    for (const t of this.#threads) this.#end(t);
  }

  #post(t: Thread, m: ToThread): void {
    try {
      t.worker.postMessage(m);
    } catch (err) {
      this.#deps.log.error("cannot reach a Stratum thread", {
        thread: t.index,
        error: String(err),
      });
    }
  }

  #end(t: Thread): void {
    for (const off of t.subs.values()) off();
    t.subs.clear();
    t.worker.terminate();
  }

  #listenOn(t: Thread, options: ListenerOptions): Promise<ListenerInfo> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      t.listens.set(id, { resolve, reject });
      this.#post(t, { t: "listen", id, options });
    });
  }

  #checkNetwork(): void {
    const network = this.#deps.network();
    if (network === undefined || network === this.#network) return;
    this.#network = network;
    for (const t of this.#threads) this.#post(t, { t: "network", network });
  }

  #spawn(index: number): Thread {
    const worker = new Worker(new URL("./thread_main.ts", import.meta.url).href, {
      type: "module",
      name: `stratum-${index}`,
    });
    let onReady!: () => void;
    let onStopped!: () => void;
    const ready = new Promise<void>((r) => onReady = r);
    const stopped = new Promise<void>((r) => onStopped = r);
    const t: Thread = {
      index,
      worker,
      unpacker: new EventUnpacker(Date.now),
      subs: new Map(),
      accepting: true,
      ready,
      stopped,
      onReady,
      onStopped,
      listens: new Map(),
    };
    worker.onmessage = (e: MessageEvent<FromThread>) => this.#receive(t, e.data);
    worker.onerror = (e: ErrorEvent) => {
      // An uncaught error inside a thread ends that thread, never the process: its miners
      // lose their connections and are served again by a new thread on the same ports.
      e.preventDefault();
      this.#failed(t, e.message);
    };
    return t;
  }

  #failed(t: Thread, message: string): void {
    if (this.#threads[t.index] !== t) return;
    this.#deps.log.error("a Stratum thread failed; starting it again", {
      thread: t.index,
      error: message,
    });
    this.#end(t);
    for (const l of t.listens.values()) l.reject(new ThreadsError(`thread failed: ${message}`));
    t.onStopped();
    if (this.#stopping) return;
    const fresh = this.#spawn(t.index);
    this.#threads[t.index] = fresh;
    fresh.ready.then(async () => {
      for (const options of this.#listenOptions) {
        try {
          await this.#listenOn(fresh, options);
        } catch (err) {
          this.#deps.log.error("a restarted Stratum thread cannot listen", {
            thread: t.index,
            port: options.port,
            error: String(err),
          });
        }
      }
    });
  }

  #receive(t: Thread, m: FromThread): void {
    const deps = this.#deps;
    switch (m.t) {
      case "loaded":
        // Only now: a message sent while the thread's modules still load (top-level await in
        // the WASM import) found no listener and was lost.
        this.#post(t, {
          t: "init",
          index: t.index,
          count: this.#count,
          server: this.#server,
          logLevel: this.#deps.logLevel,
          network: this.#network,
          ...(this.#deps.reserve === undefined ? {} : { reserve: this.#deps.reserve }),
        });
        break;
      case "ready":
        t.onReady();
        break;
      case "listening":
        t.listens.get(m.id)?.resolve(m.info);
        t.listens.delete(m.id);
        break;
      case "listenFailed":
        t.listens.get(m.id)?.reject(listenError(m.name, m.message));
        t.listens.delete(m.id);
        break;
      case "subscribe": {
        if (t.subs.has(m.address) || this.#stopping) break;
        const address = m.address;
        try {
          t.subs.set(
            address,
            deps.jobs.subscribe(address, (job) =>
              this.#post(t, {
                t: "job",
                address,
                header: job.template.header,
                payAddress: job.template.payAddress,
                isSynced: job.template.isSynced,
                createdAt: job.createdAt,
              })),
          );
        } catch (err) {
          deps.log.warn("no jobs for a thread's payout address", {
            thread: t.index,
            address,
            error: err instanceof Error ? err.message : String(err),
          });
        }
        break;
      }
      case "unsubscribe":
        t.subs.get(m.address)?.();
        t.subs.delete(m.address);
        break;
      case "submit": {
        const job = deps.findJob(m.workKey);
        if (job === undefined) {
          this.#post(t, {
            t: "submitted",
            id: m.id,
            result: {
              verdict: {
                kind: "rejected",
                reason: "other",
                message: "stale template: no longer held by kstratum",
              },
              hash: "",
            },
          });
          break;
        }
        deps.submitter.submit(job, m.nonce, m.who).then((result) =>
          this.#post(t, { t: "submitted", id: m.id, result })
        );
        break;
      }
      case "events":
        try {
          t.unpacker.replay(m.batch, deps.events);
        } catch (err) {
          deps.log.error("bad event batch from a Stratum thread", {
            thread: t.index,
            error: String(err),
          });
        }
        break;
      case "log":
        deps.log[m.level](m.msg, m.fields);
        break;
      case "accepting":
        t.accepting = m.ok;
        break;
      case "stopped":
        t.onStopped();
        break;
    }
  }
}

/** Server-wide limits divided between `count` threads (rounded up, at least 1). */
export function splitLimits(server: Partial<ServerOptions>, count: number): Partial<ServerOptions> {
  const out: Partial<ServerOptions> = { ...server };
  const split = (v: number | undefined) =>
    v === undefined ? undefined : Math.max(1, Math.ceil(v / count));
  for (
    const key of [
      "maxConnections",
      "maxConnectionsPerIp",
      "maxAddresses",
      "maxAddressesPerIp",
    ] as const
  ) {
    const v = split(server[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
