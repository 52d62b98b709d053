// A kaspad-compatible gRPC mining front: kaspa-miner (and other MessageStream miners) connect here as if
// to kaspad. Templates come from the TemplateService (one per address), solved blocks go to the node through it.

import { jobBlockHash, prePowHash, toHex } from "../../kaspa/mod.ts";
import type { Job, SubmitVerdict } from "../../kaspa/mod.ts";
import { type LogFn, silentLog } from "../../log/mod.ts";
import { decodeBlockHeader, encodeHeaderOnlyBlock } from "./block.ts";
import { decode, type Encodable, encode, ENUMS, PAYLOAD } from "./messages.ts";
import { GrpcStreamServer, type ServerStream, type StreamHandler } from "./serve.ts";
import { decodeEnvelope, encodeEnvelope, MESSAGE_STREAM_PATH } from "./transport.ts";
import { submitResponse } from "./verdict.ts";
import { WireWriter } from "./wire.ts";

/** What the front needs from the template service (TemplateService implements it). */
export interface MiningFrontService {
  /** Throws when `address` is malformed or of another network. */
  checkAddress(address: string): void;
  /** Jobs for `address`; returns the unsubscribe function. */
  subscribe(address: string, listener: (job: Job) => void): () => void;
  /** Latest job for `address`. */
  currentJob(address: string): Job | undefined;
  /** A recent job by pre-PoW hash hex. */
  jobByPrePowHash(hex: string): Job | undefined;
  /** Submits a solved job to the node. */
  submitBlock(job: Job, nonce: bigint): Promise<SubmitVerdict>;
  /** Whether work is handed out and the node is synced. */
  status(): { serving: boolean; synced: boolean };
}

/** A block a miner found through the front, with the node's verdict. */
export interface FrontBlockEvent {
  /** Payout address of the block. */
  address: string;
  /** Block hash, hex. */
  hash: string;
  /** The job the block solves. */
  job: Job;
  /** The node's answer. */
  verdict: SubmitVerdict;
  /** Miner's address as gRPC reports it. */
  peer: string;
}

/** Listening address, limits and hooks of the mining front. */
export interface GrpcMiningFrontOptions {
  /** Source of jobs and sink of blocks (the TemplateService). */
  service: MiningFrontService;
  /** Listen address. Default "127.0.0.1". */
  host?: string;
  /** Listen port; 0 picks a free one. Default 0. */
  port?: number;
  /** Reported as serverVersion in getInfo. */
  serverVersion?: string;
  /** How long a getBlockTemplate waits for the first job of a new address, ms. Default 10000. */
  templateWaitMs?: number;
  /** Distinct payout addresses one connection may ask for. Default 4. */
  maxAddressesPerConnection?: number;
  /** Simultaneous miner connections. Default 256. */
  maxConnections?: number;
  /** Told about every block a miner submits, with the verdict. */
  onBlock?: (event: FrontBlockEvent) => void;
  /** Structured log sink. Default silent. */
  log?: LogFn;
}

const NOTIFY_BACKLOG_BYTES = 1 << 20;
/** Largest request a miner may send, bytes: a submitBlock with a full block fits many times over. */
const MAX_REQUEST_BYTES = 4 << 20;

/** Response payload field for a request payload field (kaspad numbers them request + 1). */
const responseOf = (requestField: number): number => requestField + 1;

/** Counters since the front started. */
export interface FrontStats {
  /** Open miner connections. */
  connections: number;
  /** getBlockTemplate requests answered. */
  templateRequests: number;
  /** Blocks that passed the PoW check and went to the node. */
  blocksSubmitted: number;
  /** Blocks the node accepted. */
  blocksAccepted: number;
}

type Counters = Omit<FrontStats, "connections">;

/** The gRPC mining front server. */
export class GrpcMiningFront {
  #counters: Counters = { templateRequests: 0, blocksSubmitted: 0, blocksAccepted: 0 };
  #server: GrpcStreamServer | undefined;
  #port = 0;
  #connections = new Set<Connection>();
  readonly #log: LogFn;

  /** A front that is not listening yet; call listen(). */
  constructor(readonly options: GrpcMiningFrontOptions) {
    this.#log = options.log ?? silentLog;
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    const host = this.options.host ?? "127.0.0.1";
    const server = new GrpcStreamServer({
      hostname: host,
      port: this.options.port ?? 0,
      path: MESSAGE_STREAM_PATH,
      maxMessageBytes: MAX_REQUEST_BYTES,
      backlogBytes: NOTIFY_BACKLOG_BYTES,
      accept: (stream) => this.#accept(stream),
      onError: (e) => this.#log("warn", "gRPC front error", { error: String(e) }),
    });
    try {
      this.#port = server.listen();
    } catch (e) {
      return Promise.reject(e);
    }
    this.#server = server;
    this.#log("info", "gRPC mining front listening", { host, port: this.#port });
    return Promise.resolve(this.#port);
  }

  /** Bound port (after listen()). */
  get port(): number {
    return this.#port;
  }

  /** Open miner connections. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Counters since start. */
  stats(): FrontStats {
    return { connections: this.#connections.size, ...this.#counters };
  }

  #accept(stream: ServerStream): StreamHandler | string {
    if (this.#connections.size >= (this.options.maxConnections ?? 256)) return "too many miners";
    const conn = new Connection(
      stream,
      this.options,
      this.#log,
      this.#counters,
      () => this.#connections.delete(conn),
    );
    this.#connections.add(conn);
    return conn;
  }

  /** Stops accepting and ends every miner connection. */
  async close(): Promise<void> {
    for (const c of [...this.#connections]) c.close();
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }
}

/** One miner's MessageStream. */
class Connection implements StreamHandler {
  #notify = false;
  #subs = new Map<string, () => void>();
  #closed = false;
  readonly #peer: string;

  constructor(
    readonly call: ServerStream,
    readonly options: GrpcMiningFrontOptions,
    readonly log: LogFn,
    readonly counters: Counters,
    readonly onGone: () => void,
  ) {
    this.#peer = call.peer;
    log("info", "miner connected to gRPC front", { peer: this.#peer });
  }

  /** The call ended from the miner's side or the connection broke. */
  onEnd(reason: string): void {
    this.#release(reason);
  }

  /** Ends the miner's call from kstratum's side. */
  close(): void {
    this.call.end();
  }

  #release(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#subs.values()) off();
    this.#subs.clear();
    this.onGone();
    this.log("info", "miner left gRPC front", { peer: this.#peer, reason });
  }

  #send(id: bigint, payload: number, body: Uint8Array): void {
    if (!this.#closed) this.call.send(encodeEnvelope({ id, payload, body }));
  }

  #error(id: bigint, requestField: number, message: string): void {
    const body = new WireWriter().bytes(1000, encode("RPCError", { message })).finish();
    this.#send(id, responseOf(requestField), body);
  }

  /** One request from the miner. */
  onMessage(bytes: Uint8Array): void {
    let env;
    try {
      env = decodeEnvelope(bytes);
    } catch {
      this.log("warn", "miner sent a malformed message", { peer: this.#peer });
      this.close();
      return;
    }
    this.#handle(env.id, env.payload, env.body).catch((e) => {
      this.log("error", "gRPC front request failed", { peer: this.#peer, error: String(e) });
      this.#error(env.id, env.payload, "internal error");
    });
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
      case PAYLOAD.getBlockTemplateRequest:
        return await this.#template(id, decode("GetBlockTemplateRequestMessage", body).payAddress);
      case PAYLOAD.submitBlockRequest: {
        const { block } = decode("SubmitBlockRequestMessage", body);
        return await this.#submit(id, block);
      }
      default:
        return this.#error(id, field, `request ${field} is not served by kstratum's mining front`);
    }
  }

  #info(): Uint8Array {
    const status = this.options.service.status();
    return encode("GetInfoResponseMessage", {
      p2pId: "kstratum",
      serverVersion: this.options.serverVersion ?? "kstratum",
      isSynced: status.synced,
      hasNotifyCommand: true,
      hasMessageId: true,
    });
  }

  #onJob(address: string): void {
    // A notification only says "ask again"; skip it if the miner is not reading.
    if (this.#notify && this.call.backlogBytes < NOTIFY_BACKLOG_BYTES) {
      this.#send(0n, PAYLOAD.newBlockTemplateNotification, new Uint8Array(0));
    }
    this.log("debug", "job for gRPC miner", { peer: this.#peer, address });
  }

  async #template(id: bigint, address: string): Promise<void> {
    const { service } = this.options;
    this.counters.templateRequests++;
    try {
      service.checkAddress(address);
    } catch (e) {
      return this.#error(
        id,
        PAYLOAD.getBlockTemplateRequest,
        e instanceof Error ? e.message : String(e),
      );
    }
    if (!this.#subs.has(address)) {
      if (this.#subs.size >= (this.options.maxAddressesPerConnection ?? 4)) {
        return this.#error(id, PAYLOAD.getBlockTemplateRequest, "too many payout addresses");
      }
      this.#subs.set(address, service.subscribe(address, () => this.#onJob(address)));
    }
    const job = service.currentJob(address) ?? await this.#firstJob(address);
    if (job === undefined) {
      return this.#error(id, PAYLOAD.getBlockTemplateRequest, "no block template available yet");
    }
    const response: Encodable<"GetBlockTemplateResponseMessage"> = {
      block: encodeHeaderOnlyBlock(job.template.header),
      isSynced: job.template.isSynced,
    };
    this.#send(
      id,
      PAYLOAD.getBlockTemplateResponse,
      encode("GetBlockTemplateResponseMessage", response),
    );
  }

  #firstJob(address: string): Promise<Job | undefined> {
    const waitMs = this.options.templateWaitMs ?? 10_000;
    return new Promise((resolve) => {
      let off = () => {};
      const timer = setTimeout(() => {
        off();
        resolve(undefined);
      }, waitMs);
      off = this.options.service.subscribe(address, (job) => {
        clearTimeout(timer);
        queueMicrotask(() => off());
        resolve(job);
      });
    });
  }

  async #submit(id: bigint, block: Uint8Array | undefined): Promise<void> {
    const reply = (v: SubmitVerdict | "stale" | "low") =>
      this.#send(
        id,
        PAYLOAD.submitBlockResponse,
        encode("SubmitBlockResponseMessage", submitResponse(v)),
      );
    if (block === undefined) return reply("stale");
    const header = decodeBlockHeader(block);
    const job = this.options.service.jobByPrePowHash(toHex(prePowHash(header)));
    if (job === undefined || job.timestamp !== header.timestamp) return reply("stale");
    if (!job.pow().meets(header.nonce, job.networkTarget)) return reply("low");
    this.counters.blocksSubmitted++;
    const verdict = await this.options.service.submitBlock(job, header.nonce);
    if (verdict.kind === "accepted") this.counters.blocksAccepted++;
    reply(verdict);
    this.options.onBlock?.({
      address: job.template.payAddress,
      hash: jobBlockHash(job, header.nonce),
      job,
      verdict,
      peer: this.#peer,
    });
  }
}
