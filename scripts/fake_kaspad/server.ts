// The fake kaspad's gRPC side: kaspad's MessageStream (lib/node/grpc codec), new-template events
// at a fixed rate, getBlockTemplate for any address, submitBlock with a PoW check, counters per event.

import { prePowHash } from "../../lib/kaspa/mod.ts";
import { decodeBlockHeader } from "../../lib/node/grpc/block.ts";
import {
  decode,
  type Encodable,
  encode,
  type MessageName,
  PAYLOAD,
} from "../../lib/node/grpc/messages.ts";
import { GrpcStreamServer, type ServerStream } from "../../lib/grpcfront/mod.ts";
import {
  decodeEnvelope,
  encodeEnvelope,
  MESSAGE_STREAM_PATH,
} from "../../lib/node/grpc/transport.ts";
import { WireWriter } from "../../lib/node/grpc/wire.ts";
import { compactToTarget, createPowState } from "../../lib/pow/mod.ts";
import { type TemplateEvent, TemplateFactory } from "./templates.ts";

/** How the fake kaspad listens and behaves. */
export interface FakeKaspadOptions {
  /** Listen host; loopback only. Default "127.0.0.1". */
  host?: string;
  /** Listen port; 0 picks a free one. Default 0. */
  port?: number;
  /** New-template events per second; 0 fires none (call fire()). Default 10. */
  rate?: number;
  /** Compact target bits of every template. Default: the devnet fixture's. */
  bits?: number;
  /** Network reported by getBlockDagInfo ("kaspa-<network>") and getServerInfo. Default "devnet". */
  network?: string;
  /** Check the PoW of submitted blocks against their bits. Default true. */
  checkPow?: boolean;
  /** Events remembered for the report; older ones are dropped. Default 100000. */
  maxEvents?: number;
}

/** What happened during one new-template event. */
export interface EventRecord {
  seq: number;
  /** Template timestamp (ms): miners see it in their notify, so it names the event. */
  timestamp: number;
  /** When the notification was written, ms since the epoch (sub-ms precision). */
  notifiedAt: number;
  /** getBlockTemplate calls answered with this event's template. */
  gbtCalls: number;
  /** Distinct payout addresses among those calls. */
  addresses: number;
  /** First and last getBlockTemplate answer of this event, ms since the epoch. */
  firstServedAt: number | undefined;
  lastServedAt: number | undefined;
}

/** Totals since start. */
export interface FakeKaspadStats {
  events: number;
  gbtCalls: number;
  submits: number;
  blocksValid: number;
  blocksInvalid: number;
  colorCalls: number;
  streams: number;
  /** Requests answered with an error because the fake does not serve them, by payload field. */
  unserved: Record<string, number>;
}

/** Wall time with sub-millisecond precision, ms since the epoch. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

interface Live {
  record: EventRecord;
  addresses: Set<string>;
}

/**
 * A stand-in for kaspad that can emit templates at 10/s on demand, which a real devnet node
 * cannot. Correctness of kstratum against the real kaspad is proven by the kaspad integration tests.
 */
export class FakeKaspad {
  readonly templates: TemplateFactory;
  readonly #opts: FakeKaspadOptions;
  #server: GrpcStreamServer | undefined;
  #port = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #streams = new Set<ServerStream>();
  #subscribed = new Set<ServerStream>();
  #events: EventRecord[] = [];
  #live: Live | undefined;
  #stats: FakeKaspadStats = {
    events: 0,
    gbtCalls: 0,
    submits: 0,
    blocksValid: 0,
    blocksInvalid: 0,
    colorCalls: 0,
    streams: 0,
    unserved: {},
  };

  /** A fake that is not listening yet. */
  constructor(options: FakeKaspadOptions = {}) {
    this.#opts = options;
    this.templates = new TemplateFactory(options.bits === undefined ? {} : { bits: options.bits });
  }

  /** Starts listening and (when rate > 0) firing events; resolves with the bound port. */
  listen(): Promise<number> {
    // The same HTTP/2 stream server as kstratum's mining front (Deno.serve; not node:http2, whose
    // GOAWAY handling crashes: denoland/deno#36788). Response headers go out at once, as kaspad's do.
    const server = new GrpcStreamServer({
      hostname: this.#opts.host ?? "127.0.0.1",
      port: this.#opts.port ?? 0,
      path: MESSAGE_STREAM_PATH,
      maxMessageBytes: 64 * 1024 * 1024,
      backlogBytes: 64 * 1024 * 1024,
      accept: (call) => this.#accept(call),
    });
    this.#port = server.listen();
    this.#server = server;
    this.fire();
    const rate = this.#opts.rate ?? 10;
    if (rate > 0) this.#timer = setInterval(() => this.fire(), 1000 / rate);
    return Promise.resolve(this.#port);
  }

  /** Bound port. */
  get port(): number {
    return this.#port;
  }

  /** Starts a new template event now and notifies every subscribed stream. */
  fire(): TemplateEvent {
    const now = epochNow();
    const event = this.templates.nextEvent(now);
    const record: EventRecord = {
      seq: event.seq,
      timestamp: Number(event.timestamp),
      notifiedAt: now,
      gbtCalls: 0,
      addresses: 0,
      firstServedAt: undefined,
      lastServedAt: undefined,
    };
    this.#live = { record, addresses: new Set() };
    this.#events.push(record);
    if (this.#events.length > (this.#opts.maxEvents ?? 100_000)) this.#events.shift();
    this.#stats.events++;
    const note = encodeEnvelope({
      id: 0n,
      payload: PAYLOAD.newBlockTemplateNotification,
      body: new Uint8Array(0),
    });
    for (const call of this.#subscribed) call.send(note);
    return event;
  }

  /** Events so far (oldest dropped past maxEvents). */
  events(): EventRecord[] {
    return this.#events.map((e) => ({ ...e }));
  }

  /** Totals since start. */
  stats(): FakeKaspadStats {
    return { ...this.#stats, streams: this.#streams.size, unserved: { ...this.#stats.unserved } };
  }

  /** Stops events, ends every stream and the server. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#streams.clear();
    this.#subscribed.clear();
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }

  #accept(call: ServerStream): { onMessage(m: Uint8Array): void; onEnd(): void } {
    this.#streams.add(call);
    return {
      onMessage: (bytes) => this.#onData(call, bytes),
      onEnd: () => {
        this.#streams.delete(call);
        this.#subscribed.delete(call);
      },
    };
  }

  #onData(call: ServerStream, bytes: Uint8Array): void {
    let env;
    try {
      env = decodeEnvelope(bytes);
    } catch {
      call.end();
      return;
    }
    const body = this.#answer(call, env.payload, env.body);
    if (this.#streams.has(call)) {
      call.send(encodeEnvelope({ id: env.id, payload: env.payload + 1, body }));
    }
  }

  /** The response body to a request; kaspad numbers every response field request + 1. */
  #answer(
    call: ServerStream,
    field: number,
    body: Uint8Array,
  ): Uint8Array {
    const network = this.#opts.network ?? "devnet";
    switch (field) {
      case PAYLOAD.getBlockTemplateRequest:
        return this.#template(body);
      case PAYLOAD.submitBlockRequest:
        return this.#submit(body);
      case PAYLOAD.notifyNewBlockTemplateRequest: {
        const { command } = decode("NotifyNewBlockTemplateRequestMessage", body);
        if (command === 0) this.#subscribed.add(call);
        else this.#subscribed.delete(call);
        return new Uint8Array(0);
      }
      case PAYLOAD.getInfoRequest:
        return msg("GetInfoResponseMessage", {
          p2pId: "fake-kaspad",
          serverVersion: "2.1.0",
          isUtxoIndexed: false,
          isSynced: true,
          hasNotifyCommand: true,
          hasMessageId: true,
        });
      case PAYLOAD.getServerInfoRequest:
        return msg("GetServerInfoResponseMessage", {
          rpcApiVersion: 1,
          serverVersion: "2.1.0",
          networkId: network,
          hasUtxoIndex: false,
          isSynced: true,
          virtualDaaScore: this.templates.current?.daaScore ?? 0n,
        });
      case PAYLOAD.getBlockDagInfoRequest:
        return this.#dagInfo(network);
      case PAYLOAD.getSyncStatusRequest:
        return msg("GetSyncStatusResponseMessage", { isSynced: true });
      case PAYLOAD.getCurrentBlockColorRequest:
        this.#stats.colorCalls++;
        return msg("GetCurrentBlockColorResponseMessage", { blue: true });
      case PAYLOAD.estimateNetworkHashesPerSecondRequest:
        return msg("EstimateNetworkHashesPerSecondResponseMessage", {
          networkHashesPerSecond: 1_000_000n,
        });
      case PAYLOAD.pingRequest:
        return new Uint8Array(0);
      default: {
        const key = String(field);
        this.#stats.unserved[key] = (this.#stats.unserved[key] ?? 0) + 1;
        return rpcError(`request ${field} is not served by the fake kaspad`);
      }
    }
  }

  #dagInfo(network: string): Uint8Array {
    const event = this.templates.current;
    return msg("GetBlockDagInfoResponseMessage", {
      networkName: `kaspa-${network}`,
      blockCount: BigInt(event?.seq ?? 0),
      headerCount: BigInt(event?.seq ?? 0),
      tipHashes: event === undefined ? [] : [event.parent],
      difficulty: 1,
      pastMedianTime: event?.timestamp ?? 0n,
      virtualParentHashes: event === undefined ? [] : [event.parent],
      pruningPointHash: this.templates.pruningPoint,
      virtualDaaScore: event?.daaScore ?? 0n,
      sink: event?.parent ?? "",
    });
  }

  #template(body: Uint8Array): Uint8Array {
    const { payAddress, extraData } = decode("GetBlockTemplateRequestMessage", body);
    let response: Uint8Array;
    try {
      response = this.templates.response(payAddress, extraData);
    } catch (e) {
      return rpcError(`Could not decode address ${payAddress}: ${String(e)}`);
    }
    this.#stats.gbtCalls++;
    const live = this.#live;
    if (live !== undefined) {
      const now = epochNow();
      const r = live.record;
      r.gbtCalls++;
      r.firstServedAt ??= now;
      r.lastServedAt = now;
      if (!live.addresses.has(payAddress)) {
        live.addresses.add(payAddress);
        r.addresses = live.addresses.size;
      }
    }
    return response;
  }

  #submit(body: Uint8Array): Uint8Array {
    this.#stats.submits++;
    const { block } = decode("SubmitBlockRequestMessage", body);
    let valid = block !== undefined;
    if (valid && this.#opts.checkPow !== false) {
      try {
        const h = decodeBlockHeader(block!);
        valid = createPowState(prePowHash(h), h.timestamp).meets(h.nonce, compactToTarget(h.bits));
      } catch {
        valid = false;
      }
    }
    if (valid) this.#stats.blocksValid++;
    else this.#stats.blocksInvalid++;
    return valid
      ? new Uint8Array(0)
      : msg("SubmitBlockResponseMessage", { rejectReason: 1, error: { message: "invalid PoW" } });
  }
}

function msg<N extends MessageName>(name: N, value: Encodable<N>): Uint8Array {
  return encode(name, value);
}

/** A response body carrying only RPCError (field 1000 in every kaspad response). */
function rpcError(message: string): Uint8Array {
  return new WireWriter().bytes(1000, encode("RPCError", { message })).finish();
}
