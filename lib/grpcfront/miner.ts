// One miner's MessageStream on the gRPC mining port: kaspad's requests answered from the Stratum job
// streams; a submitted block is judged by shares/validateShare and sent by the sessions' BlockSubmitter.

import { type Job, prePowHash, toHex } from "../kaspa/mod.ts";
import type { Logger } from "../log/mod.ts";
import { decodeBlockHeader, encodeHeaderOnlyBlock } from "../node/grpc/block.ts";
import { decodeEnvelope, encodeEnvelope } from "../node/grpc/envelope.ts";
import { decode, encode, ENUMS, PAYLOAD } from "../node/grpc/messages.ts";
import { submitResponse } from "../node/grpc/verdict.ts";
import { WireWriter } from "../node/grpc/wire.ts";
import { targetToDifficulty } from "../pow/mod.ts";
import type { ShareOutcome, WorkerRef } from "../session/mod.ts";
import { JobRing, validateShare } from "../shares/mod.ts";
import type { GrpcFrontDeps } from "./types.ts";
import type { ServerStream, StreamHandler } from "./serve.ts";

/** Settings one miner stream runs with. */
export interface MinerStreamOptions {
  /** The parts shared with Stratum sessions. */
  deps: GrpcFrontDeps;
  /** This miner's log. */
  log: Logger;
  /** Reported as serverVersion in getInfo. */
  serverVersion: string;
  /** How long a getBlockTemplate waits for the first job of a new address, ms. */
  templateWaitMs: number;
  /** Distinct payout addresses this connection may ask for. */
  maxAddresses: number;
  /** Queued bytes past which a new-template notification is skipped. */
  notifyBacklogBytes: number;
  /** Called once when the stream is gone. */
  onGone(): void;
}

/** Jobs a miner stream keeps for late submissions: kaspa-miner asks again on every notification. */
const RING_CAPACITY = 64;
/** Requests one stream may send per second before it is closed. */
export const REQUESTS_PER_SECOND = 200;
/** Longest miner software name kept from a getBlockTemplate's extraData, characters. */
const MAX_MINER_NAME = 64;

/** The share difficulty a gRPC miner's work is judged at: the network's (it submits blocks only). */
const networkDifficulty = (job: Job): number => targetToDifficulty(job.networkTarget);

/** A worker on this port: unnamed (shown by its IP, as an unnamed Stratum worker is), one per address. */
function workerRef(address: string, ip: string, extraData: string): WorkerRef {
  const software = extraData.replace(/[^\x20-\x7e]/g, "").slice(0, MAX_MINER_NAME);
  return {
    worker: "",
    wallet: address,
    miner: software || "gRPC miner",
    ip,
    dialect: "grpc",
  };
}

/** One miner's MessageStream. */
export class MinerStream implements StreamHandler {
  #notify = false;
  #subs = new Map<string, () => void>();
  #workers = new Map<string, WorkerRef>();
  #ring = new JobRing({ capacity: RING_CAPACITY });
  #closed = false;
  #windowStart = 0;
  #windowRequests = 0;

  /** Counts the connection; requests arrive through onMessage. */
  constructor(readonly call: ServerStream, readonly options: MinerStreamOptions) {
    options.deps.events.connected(call.peerHost, "grpc");
    options.log.info("miner connected to gRPC front");
  }

  /** The call ended from the miner's side or the connection broke. */
  onEnd(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#subs.values()) off();
    this.#subs.clear();
    const who = this.#workers.values().next().value;
    this.options.deps.events.disconnected(who, this.call.peerHost, reason);
    this.options.onGone();
    this.options.log.info("miner left gRPC front", { reason });
  }

  /** Ends the miner's call from kstratum's side. */
  close(): void {
    this.call.end();
  }

  /** One request from the miner. */
  onMessage(bytes: Uint8Array): void {
    if (!this.#withinBudget()) return;
    let env;
    try {
      env = decodeEnvelope(bytes);
    } catch {
      this.options.log.warn("miner sent a malformed message");
      this.close();
      return;
    }
    this.#handle(env.id, env.payload, env.body).catch((e) => {
      this.options.log.error("gRPC front request failed", { error: String(e) });
      this.#error(env.id, env.payload, "internal error");
    });
  }

  /**
   * At most REQUESTS_PER_SECOND requests a second per stream (kaspa-miner sends a few per template):
   * past that every request would cost a reply, so the stream is closed instead, once, with a line.
   */
  #withinBudget(): boolean {
    const now = this.options.deps.clock.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#windowRequests = 0;
    }
    if (++this.#windowRequests <= REQUESTS_PER_SECOND) return true;
    if (!this.#closed) {
      this.options.log.warn("miner sent more than its request budget: stream closed", {
        budget: `${REQUESTS_PER_SECOND}/s`,
      });
      this.close();
    }
    return false;
  }

  #send(id: bigint, payload: number, body: Uint8Array): void {
    if (!this.#closed) this.call.send(encodeEnvelope({ id, payload, body }));
  }

  /** An answer carrying only RPCError (field 1000 of every kaspad response; request field + 1). */
  #error(id: bigint, requestField: number, message: string): void {
    const body = new WireWriter().bytes(1000, encode("RPCError", { message })).finish();
    this.#send(id, requestField + 1, body);
  }

  async #handle(id: bigint, field: number, body: Uint8Array): Promise<void> {
    switch (field) {
      case PAYLOAD.getInfoRequest:
        return this.#send(id, PAYLOAD.getInfoResponse, this.#info());
      case PAYLOAD.pingRequest:
        return this.#send(id, PAYLOAD.pingResponse, new Uint8Array(0));
      case PAYLOAD.notifyNewBlockTemplateRequest: {
        const { command } = decode("NotifyNewBlockTemplateRequestMessage", body);
        this.#notify = command === ENUMS.RpcNotifyCommand.NOTIFY_START;
        return this.#send(id, PAYLOAD.notifyNewBlockTemplateResponse, new Uint8Array(0));
      }
      case PAYLOAD.getBlockTemplateRequest: {
        const { payAddress, extraData } = decode("GetBlockTemplateRequestMessage", body);
        return await this.#template(id, payAddress, extraData);
      }
      case PAYLOAD.submitBlockRequest: {
        const { block } = decode("SubmitBlockRequestMessage", body);
        return await this.#submit(id, block);
      }
      default:
        return this.#error(id, field, `request ${field} is not served by kstratum's mining front`);
    }
  }

  #info(): Uint8Array {
    return encode("GetInfoResponseMessage", {
      p2pId: "kstratum",
      serverVersion: this.options.serverVersion,
      isSynced: this.options.deps.synced(),
      hasNotifyCommand: true,
      hasMessageId: true,
    });
  }

  #onJob(): void {
    // A notification only says "ask again"; skip it while the miner is not reading.
    if (this.#notify && this.call.backlogBytes < this.options.notifyBacklogBytes) {
      this.#send(0n, PAYLOAD.newBlockTemplateNotification, new Uint8Array(0));
    }
  }

  /** The worker for `address`, counted as authorized the first time; undefined past the limit. */
  #worker(address: string, extraData: string): WorkerRef | undefined {
    const known = this.#workers.get(address);
    if (known !== undefined) return known;
    if (this.#workers.size >= this.options.maxAddresses) return undefined;
    const who = workerRef(address, this.call.peerHost, extraData);
    this.#workers.set(address, who);
    this.#subs.set(address, this.options.deps.jobs.subscribe(address, () => this.#onJob()));
    this.options.deps.events.authorized(who);
    return who;
  }

  async #template(id: bigint, payAddress: string, extraData: string): Promise<void> {
    const { deps } = this.options;
    const check = deps.validateAddress(payAddress);
    if (!check.ok) return this.#error(id, PAYLOAD.getBlockTemplateRequest, check.reason);
    const who = this.#worker(check.address, extraData);
    if (who === undefined) {
      deps.events.refused?.("address_budget");
      return this.#error(id, PAYLOAD.getBlockTemplateRequest, "too many payout addresses");
    }
    const job = deps.jobs.currentJob(check.address) ?? await this.#firstJob(check.address);
    if (job === undefined) {
      return this.#error(id, PAYLOAD.getBlockTemplateRequest, "no block template available yet");
    }
    if (this.#ring.newest()?.job !== job) this.#ring.add(job, networkDifficulty(job));
    deps.events.jobSent(who);
    this.#send(
      id,
      PAYLOAD.getBlockTemplateResponse,
      encode("GetBlockTemplateResponseMessage", {
        block: encodeHeaderOnlyBlock(job.template.header),
        isSynced: job.template.isSynced,
      }),
    );
  }

  #firstJob(address: string): Promise<Job | undefined> {
    return new Promise((resolve) => {
      let off = () => {};
      const timer = setTimeout(() => {
        off();
        resolve(undefined);
      }, this.options.templateWaitMs);
      off = this.options.deps.jobs.subscribe(address, (job) => {
        clearTimeout(timer);
        queueMicrotask(() => off());
        resolve(job);
      });
    });
  }

  #share(who: WorkerRef | undefined, outcome: ShareOutcome, difficulty: number): void {
    if (who === undefined) return;
    this.options.deps.events.share({
      who,
      outcome,
      difficulty,
      at: this.options.deps.clock.now(),
    });
  }

  /** A solved block: the job the miner was handed, one share check, one submitter. */
  async #submit(id: bigint, block: Uint8Array | undefined): Promise<void> {
    const reply = (v: Parameters<typeof submitResponse>[0]) =>
      this.#send(
        id,
        PAYLOAD.submitBlockResponse,
        encode("SubmitBlockResponseMessage", submitResponse(v)),
      );
    const anyWorker = this.#workers.values().next().value;
    let header;
    try {
      if (block === undefined) throw new Error("no block");
      header = decodeBlockHeader(block);
    } catch {
      this.#share(anyWorker, "invalid", 0);
      return reply("low");
    }
    const entry = this.#ring.sameWork(toHex(prePowHash(header)), RING_CAPACITY)
      .find((e) => e.job.timestamp === header.timestamp);
    if (entry === undefined) {
      this.#share(anyWorker, "stale", 0);
      return reply("stale");
    }
    const job = entry.job;
    const who = this.#workers.get(job.template.payAddress) ?? anyWorker!;
    const difficulty = networkDifficulty(job);
    const verdict = validateShare({
      ring: this.#ring,
      entry,
      nonces: [header.nonce],
      neighbourJobs: 0,
      difficultyOf: () => difficulty,
    });
    if (verdict.kind === "duplicate") {
      this.#share(who, "duplicate", difficulty);
      return reply("duplicate");
    }
    if (verdict.kind === "weak" || !verdict.block) {
      this.#share(who, "weak", difficulty);
      return reply("low");
    }
    this.options.log.info("block candidate", {
      worker: who.worker,
      wallet: who.wallet,
      nonce: header.nonce.toString(16),
    });
    const { verdict: node, hash } = await this.options.deps.submitter.submit(
      job,
      header.nonce,
      who,
    );
    this.options.deps.events.blockFound({
      who,
      hash,
      daaScore: job.template.header.daaScore,
      nonce: header.nonce,
      blueScore: job.template.header.blueScore,
      verdict: node.kind,
      ...(node.kind === "accepted" ? {} : { reason: node.message }),
      at: this.options.deps.clock.now(),
    });
    this.#share(who, "valid", difficulty);
    reply(node);
  }
}
