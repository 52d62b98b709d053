// One Stratum thread (a Deno Worker): its own StratumServer with sessions, share checks and job
// fan-out, fed jobs by the main thread and handing it blocks, events and log lines.

import { checkAddressNetwork, decodeAddress, type Job, makeJob } from "../kaspa/mod.ts";
import { LEVELS, type LogFields, type Logger, type LogLevel } from "../log/mod.ts";
import { type ListenerOptions, StratumServer } from "../net/mod.ts";
import type {
  BlockSubmission,
  BlockSubmitter,
  JobSource,
  ValidateAddress,
  WorkerRef,
} from "../session/mod.ts";
import { Broadcast, type JobListener } from "../templates/mod.ts";
import { openExecutable, SharedReserveGate } from "../runtime/mod.ts";
import { EventPacker, type FromThread, type ToThread } from "./wire.ts";

/** Both ends of a message channel as the thread sees them (the Worker global, or a test port). */
export interface ThreadPort {
  /** Sends one message to the main thread (structured clone). */
  post(message: FromThread): void;
  /** Receives every message from the main thread. */
  listen(handler: (message: ToThread) => void): void;
  /** Ends the thread once it is drained. */
  close(): void;
}

/** How long events wait in a batch before they cross to the main thread, ms. */
export const EVENT_FLUSH_MS = 5;
/** A block the main thread has not answered in this long is reported unreachable, ms. */
const SUBMIT_TIMEOUT_MS = 120_000;
/** How often the thread reports whether its listeners accept, ms. */
const ACCEPT_CHECK_MS = 500;

/** Job streams per payout address, fed by "job" messages; one subscription per address. */
class ThreadJobs implements JobSource {
  readonly #entries = new Map<string, { broadcast: Broadcast; current: Job | undefined }>();
  readonly #post: (m: FromThread) => void;
  readonly #log: Logger;
  readonly #halted: () => boolean;

  constructor(post: (m: FromThread) => void, log: Logger, halted: () => boolean) {
    this.#post = post;
    this.#log = log;
    this.#halted = halted;
  }

  subscribe(address: string, onJob: JobListener): () => void {
    let entry = this.#entries.get(address);
    if (entry === undefined) {
      entry = { broadcast: new Broadcast(this.#log, this.#halted), current: undefined };
      this.#entries.set(address, entry);
      this.#post({ t: "subscribe", address });
    }
    const e = entry;
    const remove = e.broadcast.add(onJob);
    if (e.current !== undefined) e.broadcast.deliver(onJob, e.current);
    return () => {
      remove();
      if (e.broadcast.size > 0 || this.#entries.get(address) !== e) return;
      this.#entries.delete(address);
      this.#post({ t: "unsubscribe", address });
    };
  }

  currentJob(address: string): Job | undefined {
    return this.#entries.get(address)?.current;
  }

  /** A job from the main thread: hashed here once, then fanned out to this thread's miners. */
  publish(m: Extract<ToThread, { t: "job" }>): void {
    const entry = this.#entries.get(m.address);
    if (entry === undefined) return; // unsubscribed meanwhile
    const job = makeJob(
      { header: m.header, raw: null, payAddress: m.payAddress, isSynced: m.isSynced },
      m.createdAt,
    );
    entry.current = job;
    entry.broadcast.publish(job);
  }
}

/** Blocks go to the main thread, which holds the node link; the answer comes back by id. */
class ThreadSubmitter implements BlockSubmitter {
  readonly #pending = new Map<number, (r: BlockSubmission) => void>();
  readonly #post: (m: FromThread) => void;
  #next = 1;

  constructor(post: (m: FromThread) => void) {
    this.#post = post;
  }

  submit(job: Job, nonce: bigint, who: WorkerRef): Promise<BlockSubmission> {
    const id = this.#next++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve({
          verdict: { kind: "unreachable", message: "the main thread did not answer" },
          hash: "",
        });
      }, SUBMIT_TIMEOUT_MS);
      this.#pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#post({ t: "submit", id, workKey: job.workKey, nonce, who });
    });
  }

  settle(id: number, result: BlockSubmission): void {
    const done = this.#pending.get(id);
    this.#pending.delete(id);
    done?.(result);
  }
}

/** A Logger whose records cross to the main thread, which writes them (rate limits included). */
function threadLogger(post: (m: FromThread) => void, level: LogLevel, base: LogFields): Logger {
  const min = LEVELS.indexOf(level);
  const write = (l: LogLevel, msg: string, fields?: LogFields): void => {
    if (LEVELS.indexOf(l) < min) return;
    const all = fields === undefined ? { ...base } : { ...base, ...fields };
    try {
      post({ t: "log", level: l, msg, fields: all });
    } catch {
      // A field that does not clone (a function, a class instance) crosses as text.
      const text: LogFields = {};
      for (const [k, v] of Object.entries(all)) text[k] = String(v);
      post({ t: "log", level: l, msg, fields: text });
    }
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (fields) => threadLogger(post, level, { ...base, ...fields }),
    enabled: (l) => LEVELS.indexOf(l) >= min,
  };
}

/**
 * Runs one Stratum thread on `port` until the main thread says shutdown: waits for "init", then
 * listens where told, serves miners, and reports as FromThread messages.
 */
export function serveStratumThread(port: ThreadPort): void {
  let network: string | undefined;
  let stopping = false;
  let server: StratumServer | undefined;
  let jobs: ThreadJobs | undefined;
  let submitter: ThreadSubmitter | undefined;
  let packer: EventPacker | undefined;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let acceptTimer: ReturnType<typeof setInterval> | undefined;
  let log: Logger | undefined;
  let fullQueued = false;
  const post = (m: FromThread): void => port.post(m);
  const flush = (): void => {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (packer !== undefined && packer.pending > 0) post({ t: "events", batch: packer.flush() });
  };
  const validateAddress: ValidateAddress = (address) => {
    try {
      if (network === undefined) decodeAddress(address);
      else checkAddressNetwork(address, network);
      return { ok: true, address: address.toLowerCase() };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  };
  const listen = async (id: number, options: ListenerOptions): Promise<void> => {
    try {
      const info = await server!.listen(options);
      post({ t: "listening", id, info });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      post({ t: "listenFailed", id, name: e.name, message: e.message });
    }
  };
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (acceptTimer !== undefined) clearInterval(acceptTimer);
    try {
      await server?.shutdown();
    } catch (err) {
      log?.warn("error while draining", { error: String(err) });
    }
    flush();
    post({ t: "stopped" });
    port.close();
  };
  port.listen((m) => {
    switch (m.t) {
      case "init": {
        network = m.network;
        log = threadLogger(post, m.logLevel, { thread: m.index });
        const halted = () => stopping;
        jobs = new ThreadJobs(post, log, halted);
        submitter = new ThreadSubmitter(post);
        packer = new EventPacker(Date.now, () => {
          flushTimer = setTimeout(flush, EVENT_FLUSH_MS);
        }, () => {
          if (fullQueued) return;
          fullQueued = true;
          queueMicrotask(() => {
            fullQueued = false;
            flush();
          });
        });
        server = new StratumServer(
          { ...m.server, extranonceSlice: { index: m.index, count: m.count } },
          {
            jobs,
            submitter,
            events: packer,
            validateAddress,
            clock: { now: Date.now },
            log,
            ...(m.reserve === undefined
              ? {}
              : { reserve: new SharedReserveGate(m.reserve, openExecutable) }),
          },
        );
        const s = server;
        let ok = true;
        acceptTimer = setInterval(() => {
          const now = s.listeners.length === 0 || s.accepting;
          if (now !== ok) post({ t: "accepting", ok: ok = now });
        }, ACCEPT_CHECK_MS);
        post({ t: "ready" });
        break;
      }
      case "listen":
        listen(m.id, m.options);
        break;
      case "job":
        jobs?.publish(m);
        break;
      case "network":
        network = m.network;
        break;
      case "submitted":
        submitter?.settle(m.id, m.result);
        break;
      case "shutdown":
        shutdown();
        break;
    }
  });
  post({ t: "loaded" });
}
