// The per-connection session engine: requests and events in, replies and effects out.
// Pure: one engine for every dialect; it never touches a socket, a timer or a clock.

import {
  detectDialect,
  type Dialect,
  DIALECTS,
  isSubscribe,
  provisionalDialect,
  subscribeAgent,
} from "../dialects/mod.ts";
import { ErrorCode, parseRequest, type RpcRequest } from "../protocol/mod.ts";
import type { Job } from "../kaspa/types.ts";
import { flushPending, offerJob, pendingDueAt, resendLatest } from "./delivery.ts";
import { authorize, subscribe } from "./handshake.ts";
import { type Core, fail, type Phase, reply, type SessionDeps } from "./state.ts";
import { blockResult, submit } from "./submit.ts";
import type { BlockSubmission, BlockTicket, Effect, SessionOptions, Step } from "./types.ts";
import { vardiffNextCheck, vardiffOnTick } from "./vardiff.ts";

/** `core.out` between steps: frozen, since every step starts with its own array. */
const NO_EFFECTS = Object.freeze([]) as unknown as Effect[];

/** What a draining server sends miners whose dialect takes it (one line, no id). */
const RECONNECT_LINE = '{"id":null,"method":"client.reconnect","params":[]}';

/**
 * One miner connection's state machine. Feed it lines, jobs, timer ticks and block outcomes
 * with the current time (ms); run the returned effects in order.
 *
 * @example
 * ```ts ignore
 * const step = session.handleLine('{"id":1,"method":"mining.subscribe","params":["lolMiner"]}', Date.now());
 * for (const effect of step.effects) run(effect);
 * ```
 */
export class Session {
  readonly #core: Core;

  /** A fresh session in phase `connected`. */
  constructor(options: SessionOptions, deps: SessionDeps) {
    this.#core = {
      options,
      deps,
      phase: { kind: "connected" },
      connectionExtranonce: undefined,
      reportedConnected: false,
      nextWorkerId: 0,
      delivery: {
        latest: undefined,
        pending: undefined,
        lastSentAt: -Infinity,
        lastSentCreatedAt: -Infinity,
      },
      pendingBlocks: new Map(),
      addresses: new Set(),
      nextTicket: 1,
      out: NO_EFFECTS,
      now: 0,
    };
  }

  /** The current phase (read-only view). */
  get phase(): Readonly<Phase> {
    return this.#core.phase;
  }

  /** Whether a worker is authorized (net/ uses it for the handshake timeout). */
  get authorized(): boolean {
    return this.#core.phase.kind === "authorized";
  }

  /** Block submissions awaiting their outcome. */
  get pendingBlocks(): number {
    return this.#core.pendingBlocks.size;
  }

  /** One line from the miner. Every request is answered (or, for a block, answered later). */
  handleLine(line: string, now: number): Step {
    return this.#step(now, (core) => {
      if (core.phase.kind === "closed") return;
      const parsed = parseRequest(line);
      if (!parsed.ok) {
        const { id, code, message } = parsed.error;
        return fail(core, this.#replyDialect(undefined), { id, code, message });
      }
      this.#dispatch(core, parsed.request);
    });
  }

  /** A new job for the connection's payout address. */
  onJob(job: Job, now: number): Step {
    return this.#step(now, (core) => offerJob(core, job));
  }

  /** Timer callback at or after the step's `wakeAt`: throttled jobs and vardiff decreases. */
  onTick(now: number): Step {
    return this.#step(now, (core) => {
      if (core.phase.kind !== "authorized") return;
      flushPending(core);
      let changed = false;
      for (const channel of core.phase.channels) {
        const c = channel.control;
        if (c.kind === "vardiff" && vardiffOnTick(c.state, c.options, now) !== undefined) {
          changed = true;
        }
      }
      if (changed) resendLatest(core);
    });
  }

  /** The outcome of a `submitBlock` effect: reports the block and answers the share. */
  onBlockResult(ticket: BlockTicket, submission: BlockSubmission, now: number): Step {
    return this.#step(
      now,
      (core) => blockResult(core, this.#replyDialect(undefined), ticket.seq, submission),
    );
  }

  /** The miner sent a line past the cap: answer with an error, then close. */
  onOversize(now: number): Step {
    return this.#step(now, (core) => {
      if (core.phase.kind === "closed") return;
      fail(core, this.#replyDialect(undefined), {
        id: null,
        code: ErrorCode.InvalidRequest,
        message: "Line too long",
      });
      core.out.push({ kind: "close", reason: "line too long" });
    });
  }

  /** The connection ended: releases extranonces and reports the disconnect. Idempotent. */
  close(reason: string, now: number): Step {
    return this.#step(now, (core) => {
      const phase = core.phase;
      if (phase.kind === "closed") return;
      const pools = core.deps.extranonces;
      if (core.connectionExtranonce !== undefined) {
        pools.pool(core.connectionExtranonce.size).release(core.connectionExtranonce);
      }
      let who = undefined;
      if (phase.kind === "authorized") {
        for (const c of phase.channels) {
          if (c.ownsExtranonce && c.extranonce !== undefined) {
            pools.pool(c.extranonce.size).release(c.extranonce);
          }
        }
        who = phase.channels[0]?.primary;
        core.out.push({ kind: "unsubscribeJobs" });
      }
      for (const a of core.addresses) core.deps.addresses?.release(core.deps.ip, a);
      core.addresses.clear();
      core.phase = { kind: "closed", reason };
      if (core.reportedConnected) core.deps.events.disconnected(who, core.deps.ip, reason);
    });
  }

  #dispatch(core: Core, request: RpcRequest): void {
    const dialect = this.#replyDialect(request);
    const decoded = dialect.decode(request);
    switch (decoded.kind) {
      case "invalid":
        return fail(core, dialect, {
          id: request.id,
          code: decoded.code,
          message: decoded.message,
        });
      case "subscribe":
        return subscribe(core, dialect, request.id, decoded);
      case "authorize":
        return authorize(core, dialect, request.id, decoded);
      case "submit":
        return submit(core, dialect, request.id, decoded);
      case "extranonceSubscribe":
        return reply(core, request.id, true);
    }
  }

  /**
   * The `client.reconnect` notification to send when the server drains, or undefined when the
   * miner has not subscribed or its dialect does not take one (dialect `reconnect`). No params:
   * the miner reconnects to the address it dialled, that is, through the balancer.
   */
  reconnectLine(): string | undefined {
    const phase = this.#core.phase;
    if (phase.kind !== "subscribed" && phase.kind !== "authorized") return undefined;
    return phase.dialect.reconnect ? RECONNECT_LINE : undefined;
  }

  /** The session's dialect; before subscribe: the forced one, else detection (or a guess for errors). */
  #replyDialect(request: RpcRequest | undefined): Dialect {
    const phase = this.#core.phase;
    if (phase.kind === "subscribed" || phase.kind === "authorized") return phase.dialect;
    const forced = this.#core.options.dialect;
    if (forced !== undefined) return DIALECTS[forced];
    if (request === undefined) return DIALECTS.array;
    if (isSubscribe(request.method)) {
      return DIALECTS[
        detectDialect(request.method, subscribeAgent(request.method, request.params))
      ];
    }
    return DIALECTS[provisionalDialect(request.method)];
  }

  #step(now: number, body: (core: Core) => void): Step {
    const core = this.#core;
    core.now = now;
    core.out = [];
    body(core);
    const effects = core.out;
    // Not a fresh []: the core keeps this between steps, often past a young-generation GC.
    core.out = NO_EFFECTS;
    const wakeAt = this.#wakeAt();
    return wakeAt === undefined ? { effects } : { effects, wakeAt };
  }

  #wakeAt(): number | undefined {
    const core = this.#core;
    if (core.phase.kind !== "authorized") return undefined;
    let at = pendingDueAt(core);
    for (const channel of core.phase.channels) {
      const c = channel.control;
      const check = c.kind === "vardiff" ? vardiffNextCheck(c.state) : undefined;
      if (check !== undefined && (at === undefined || check < at)) at = check;
    }
    return at;
  }
}
