// One long-lived `/protowire.RPC/MessageStream` call over @grpc/grpc-js: requests matched to responses
// by envelope id, per-call timeouts, notifications (id 0). The only place the gRPC client library is used.

import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { badResponse, NodeError } from "../errors.ts";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "./envelope.ts";

export { decodeEnvelope, encodeEnvelope, type Envelope };

/** gRPC method path of kaspad's single streaming RPC. */
export const MESSAGE_STREAM_PATH = "/protowire.RPC/MessageStream";

const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const fromBuffer = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** Service definition for a raw-bytes MessageStream (shared by client and the mining front). */
export const messageStreamService: grpc.ServiceDefinition = {
  MessageStream: {
    path: MESSAGE_STREAM_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: toBuffer,
    requestDeserialize: fromBuffer,
    responseSerialize: toBuffer,
    responseDeserialize: fromBuffer,
  },
};

/** Channel options: kaspad accepts messages up to 1 GB; keepalive notices a dead peer. */
export function channelOptions(maxMessageBytes: number): grpc.ChannelOptions {
  return {
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
  };
}

export interface MessageStreamOptions {
  /** "host:port" of kaspad's gRPC listener. */
  address: string;
  /** How long open() waits for the channel, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Largest message accepted or sent, bytes. Default 256 MiB. */
  maxMessageBytes?: number;
  /** Receives notifications (envelopes with id 0). */
  onNotification: (payload: number, body: Uint8Array) => void;
  /** Called once when the stream ends for any reason other than close(). */
  onClosed: (error: NodeError) => void;
}

interface Pending {
  resolve: (e: Envelope) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Resolves when the channel is READY; rejects at `deadline` (ms since the epoch) or as soon as a
 * connection attempt fails. (grpc-js's waitForReady keeps retrying a refused port until the deadline,
 * so a dead first endpoint cost the whole connect timeout before failover tried the next one.)
 */
function untilReady(
  channel: ReturnType<grpc.Client["getChannel"]>,
  deadline: number,
): Promise<void> {
  const { READY, TRANSIENT_FAILURE, SHUTDOWN } = grpc.connectivityState;
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      const state = channel.getConnectivityState(true);
      if (state === READY) return resolve();
      if (state === TRANSIENT_FAILURE || state === SHUTDOWN) {
        return reject(new Error(`connection failed (${grpc.connectivityState[state]})`));
      }
      channel.watchConnectivityState(state, deadline, (e) => (e ? reject(e) : check()));
    };
    check();
  });
}

/** A single MessageStream call; make a new one to reconnect. */
export class MessageStream {
  #client: grpc.Client | undefined;
  #call: grpc.ClientDuplexStream<Uint8Array, Uint8Array> | undefined;
  #pending = new Map<bigint, Pending>();
  #nextId = 1n;
  #state: "idle" | "open" | "closed" = "idle";

  constructor(readonly options: MessageStreamOptions) {}

  /** Connects and opens the stream. Rejects with NodeError("disconnected") if unreachable. */
  async open(): Promise<void> {
    const { address, connectTimeoutMs = 5000, maxMessageBytes = 256 * 1024 * 1024 } = this.options;
    const client = new grpc.Client(
      address,
      grpc.credentials.createInsecure(),
      channelOptions(maxMessageBytes),
    );
    this.#client = client;
    try {
      await untilReady(client.getChannel(), Date.now() + connectTimeoutMs);
    } catch (e) {
      client.close();
      this.#state = "closed";
      throw new NodeError("disconnected", `kaspad gRPC ${address} unreachable`, { cause: e });
    }
    const call = client.makeBidiStreamRequest<Uint8Array, Uint8Array>(
      MESSAGE_STREAM_PATH,
      toBuffer,
      fromBuffer,
    );
    this.#call = call;
    this.#state = "open";
    call.on("data", (bytes: Uint8Array) => this.#onData(bytes));
    call.on(
      "error",
      (e: Error) => this.#fail(new NodeError("disconnected", e.message, { cause: e })),
    );
    call.on("end", () => this.#fail(new NodeError("disconnected", "kaspad ended the stream")));
  }

  get isOpen(): boolean {
    return this.#state === "open";
  }

  /** Sends a request and resolves with the response envelope carrying the same id. */
  request(payload: number, body: Uint8Array, timeoutMs: number): Promise<Envelope> {
    const call = this.#call;
    if (this.#state !== "open" || call === undefined) {
      return Promise.reject(new NodeError("disconnected", "gRPC stream is not open"));
    }
    const id = this.#nextId++;
    return new Promise<Envelope>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new NodeError("timeout", `no answer to request ${payload} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      call.write(encodeEnvelope({ id, payload, body }));
    });
  }

  #onData(bytes: Uint8Array): void {
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes);
    } catch (e) {
      this.#fail(badResponse("kaspad envelope", e));
      return;
    }
    if (envelope.id === 0n) {
      this.options.onNotification(envelope.payload, envelope.body);
      return;
    }
    const pending = this.#pending.get(envelope.id);
    if (pending === undefined) return; // answer to a call that already timed out
    this.#pending.delete(envelope.id);
    clearTimeout(pending.timer);
    pending.resolve(envelope);
  }

  #fail(error: NodeError): void {
    if (this.#state === "closed") return;
    this.#teardown(error);
    this.options.onClosed(error);
  }

  #teardown(error: NodeError): void {
    this.#state = "closed";
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.#pending.clear();
    const call = this.#call;
    this.#call = undefined;
    if (call !== undefined) {
      call.removeAllListeners();
      call.on("error", () => {}); // a cancelled call reports CANCELLED; nothing to do
      call.cancel();
    }
    this.#client?.close();
    this.#client = undefined;
  }

  /** Ends the stream; pending calls reject with NodeError("closed"). onClosed is not called. */
  close(): void {
    if (this.#state === "closed") return;
    this.#teardown(new NodeError("closed", "gRPC stream closed"));
  }
}
