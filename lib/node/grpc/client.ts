// NodeClient over kaspad gRPC: typed calls on one MessageStream, lossless templates, classified submits.
// One endpoint, one connection at a time; ReconnectingNodeClient (../reconnect.ts) adds retries and failover.

import type {
  BlockTemplate,
  DagInfo,
  NodeClient,
  NodeInfo,
  SubmitVerdict,
} from "../../kaspa/types.ts";
import { type Logger, silentLogger } from "../../log/mod.ts";
import type { AddressBalance, BalanceReader } from "../balance.ts";
import { type BlockRewardInfo, isUnknownMethod, type RewardReader } from "../reward.ts";
import { badResponse, NodeError } from "../errors.ts";
import { Listeners } from "../listeners.ts";
import { decodeBlockHeader, isGrpcRawBlock, withNonce } from "./block.ts";
import {
  decode,
  type Decoded,
  type Encodable,
  encode,
  ENUMS,
  type MessageName,
  PAYLOAD,
} from "./messages.ts";
import { MessageStream } from "./transport.ts";
import { submitVerdict } from "./verdict.ts";

/** What kaspad's getServerInfo says. */
export interface ServerInfo {
  /** RPC API version. */
  rpcApiVersion: number;
  /** kaspad version, e.g. "2.1.0". */
  serverVersion: string;
  /** e.g. "mainnet", "testnet-10", "devnet". */
  networkId: string;
  /** Whether the node considers itself synced. */
  isSynced: boolean;
  /** Virtual DAA score. */
  virtualDaaScore: bigint;
}

/** Where and how to reach kaspad's gRPC listener. */
export interface GrpcNodeClientOptions {
  /** "host:port" of kaspad's gRPC listener (scheme "grpc://" is accepted and dropped). */
  address: string;
  /** Per-call timeout, ms. Default 10000. */
  callTimeoutMs?: number;
  /** Connection timeout, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Structured logs. Default silent. */
  log?: Logger;
}

type Call = { req: MessageName; res: MessageName; reqField: number; resField: number };
const CALLS = {
  getInfo: {
    req: "GetInfoRequestMessage",
    res: "GetInfoResponseMessage",
    reqField: PAYLOAD.getInfoRequest,
    resField: PAYLOAD.getInfoResponse,
  },
  getServerInfo: {
    req: "GetServerInfoRequestMessage",
    res: "GetServerInfoResponseMessage",
    reqField: PAYLOAD.getServerInfoRequest,
    resField: PAYLOAD.getServerInfoResponse,
  },
  getSyncStatus: {
    req: "GetSyncStatusRequestMessage",
    res: "GetSyncStatusResponseMessage",
    reqField: PAYLOAD.getSyncStatusRequest,
    resField: PAYLOAD.getSyncStatusResponse,
  },
  getDagInfo: {
    req: "GetBlockDagInfoRequestMessage",
    res: "GetBlockDagInfoResponseMessage",
    reqField: PAYLOAD.getBlockDagInfoRequest,
    resField: PAYLOAD.getBlockDagInfoResponse,
  },
  getBlockTemplate: {
    req: "GetBlockTemplateRequestMessage",
    res: "GetBlockTemplateResponseMessage",
    reqField: PAYLOAD.getBlockTemplateRequest,
    resField: PAYLOAD.getBlockTemplateResponse,
  },
  getBlock: {
    req: "GetBlockRequestMessage",
    res: "GetBlockResponseMessage",
    reqField: PAYLOAD.getBlockRequest,
    resField: PAYLOAD.getBlockResponse,
  },
  submitBlock: {
    req: "SubmitBlockRequestMessage",
    res: "SubmitBlockResponseMessage",
    reqField: PAYLOAD.submitBlockRequest,
    resField: PAYLOAD.submitBlockResponse,
  },
  notifyNewBlockTemplate: {
    req: "NotifyNewBlockTemplateRequestMessage",
    res: "NotifyNewBlockTemplateResponseMessage",
    reqField: PAYLOAD.notifyNewBlockTemplateRequest,
    resField: PAYLOAD.notifyNewBlockTemplateResponse,
  },
  getCurrentBlockColor: {
    req: "GetCurrentBlockColorRequestMessage",
    res: "GetCurrentBlockColorResponseMessage",
    reqField: PAYLOAD.getCurrentBlockColorRequest,
    resField: PAYLOAD.getCurrentBlockColorResponse,
  },
  estimateNetworkHashesPerSecond: {
    req: "EstimateNetworkHashesPerSecondRequestMessage",
    res: "EstimateNetworkHashesPerSecondResponseMessage",
    reqField: PAYLOAD.estimateNetworkHashesPerSecondRequest,
    resField: PAYLOAD.estimateNetworkHashesPerSecondResponse,
  },
  getBalancesByAddresses: {
    req: "GetBalancesByAddressesRequestMessage",
    res: "GetBalancesByAddressesResponseMessage",
    reqField: PAYLOAD.getBalancesByAddressesRequest,
    resField: PAYLOAD.getBalancesByAddressesResponse,
  },
  getBlockRewardInfo: {
    req: "GetBlockRewardInfoRequestMessage",
    res: "GetBlockRewardInfoResponseMessage",
    reqField: PAYLOAD.getBlockRewardInfoRequest,
    resField: PAYLOAD.getBlockRewardInfoResponse,
  },
  ping: {
    req: "PingRequestMessage",
    res: "PingResponseMessage",
    reqField: PAYLOAD.pingRequest,
    resField: PAYLOAD.pingResponse,
  },
} as const satisfies Record<string, Call>;
type Calls = typeof CALLS;

/** kaspad over gRPC. */
export class GrpcNodeClient implements NodeClient, BalanceReader, RewardReader {
  /** "host:port", for logs. */
  readonly endpoint: string;
  #stream: MessageStream | undefined;
  #templates = new Listeners<[]>();
  #connection = new Listeners<[boolean]>();
  #log: Logger;

  /** A disconnected client; call connect(). */
  constructor(readonly options: GrpcNodeClientOptions) {
    this.endpoint = options.address.replace(/^grpc:\/\//, "");
    this.#log = options.log ?? silentLogger;
  }

  /** Opens the stream and subscribes to new-template notifications. */
  async connect(): Promise<void> {
    this.#stream?.close();
    const stream = new MessageStream({
      address: this.endpoint,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 5000,
      onNotification: (payload) => {
        if (payload === PAYLOAD.newBlockTemplateNotification) this.#templates.emit();
      },
      onClosed: (error) => {
        if (this.#stream !== stream) return;
        this.#stream = undefined;
        this.#log.warn("kaspad gRPC stream lost", {
          endpoint: this.endpoint,
          error: error.message,
        });
        this.#connection.emit(false);
      },
    });
    await stream.open();
    this.#stream = stream;
    try {
      await this.#call("notifyNewBlockTemplate", { command: ENUMS.RpcNotifyCommand.NOTIFY_START });
    } catch (e) {
      this.#stream = undefined;
      stream.close();
      throw e;
    }
    this.#log.info("kaspad gRPC connected", { endpoint: this.endpoint });
    this.#connection.emit(true);
  }

  /** Ends the stream; calls in flight reject with NodeError("closed"). */
  close(): Promise<void> {
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.close();
    return Promise.resolve();
  }

  /** Whether the stream is open. */
  get connected(): boolean {
    return this.#stream?.isOpen ?? false;
  }

  async #call<K extends keyof Calls>(
    name: K,
    request: Encodable<Calls[K]["req"]>,
  ): Promise<Decoded<Calls[K]["res"]>> {
    const call: Call = CALLS[name];
    const stream = this.#stream;
    if (stream === undefined) {
      throw new NodeError("disconnected", `kaspad ${this.endpoint} not connected`);
    }
    const body = encode(call.req, request as Encodable<typeof call.req>);
    const timeout = this.options.callTimeoutMs ?? 10_000;
    const reply = await stream.request(call.reqField, body, timeout);
    if (reply.payload !== call.resField) {
      throw new NodeError("bad-response", `${name}: answer has payload ${reply.payload}`);
    }
    let decoded: Decoded<Calls[K]["res"]>;
    try {
      decoded = decode(call.res, reply.body) as Decoded<Calls[K]["res"]>;
    } catch (e) {
      throw badResponse(name, e);
    }
    const error = (decoded as { error?: { message: string } }).error;
    if (error !== undefined && name !== "submitBlock") {
      throw new NodeError("rpc", `${name}: ${error.message}`);
    }
    return decoded;
  }

  /** kaspad's getInfo. */
  async getInfo(): Promise<NodeInfo> {
    const r = await this.#call("getInfo", {});
    return { serverVersion: r.serverVersion, isSynced: r.isSynced, isUtxoIndexed: r.isUtxoIndexed };
  }

  /** kaspad's getServerInfo (network id, version). */
  async getServerInfo(): Promise<ServerInfo> {
    const r = await this.#call("getServerInfo", {});
    return {
      rpcApiVersion: r.rpcApiVersion,
      serverVersion: r.serverVersion,
      networkId: r.networkId,
      isSynced: r.isSynced,
      virtualDaaScore: r.virtualDaaScore,
    };
  }

  /** Whether kaspad says it is synced. */
  async getSyncStatus(): Promise<boolean> {
    return (await this.#call("getSyncStatus", {})).isSynced;
  }

  /** kaspad's getBlockDagInfo. */
  async getDagInfo(): Promise<DagInfo> {
    const r = await this.#call("getDagInfo", {});
    return {
      networkName: r.networkName,
      blockCount: r.blockCount,
      difficulty: r.difficulty,
      virtualDaaScore: r.virtualDaaScore,
      tipHashes: r.tipHashes,
    };
  }

  /** A template paying `payAddress`; extraData must be UTF-8 over gRPC. */
  async getBlockTemplate(payAddress: string, extraData: Uint8Array): Promise<BlockTemplate> {
    let extra: string;
    try {
      extra = new TextDecoder("utf-8", { fatal: true }).decode(extraData);
    } catch {
      throw new RangeError("gRPC carries extraData as a string: it must be valid UTF-8");
    }
    const r = await this.#call("getBlockTemplate", { payAddress, extraData: extra });
    if (r.block === undefined) throw new NodeError("bad-response", "template without a block");
    return {
      header: decodeBlockHeader(r.block),
      raw: { transport: "grpc", bytes: r.block },
      payAddress,
      isSynced: r.isSynced,
    };
  }

  /** Raw RpcBlock bytes of block `hash` (hex), as kaspad returns them. */
  async getBlock(hash: string, includeTransactions: boolean): Promise<Uint8Array> {
    const r = await this.#call("getBlock", { hash, includeTransactions });
    if (r.block === undefined) throw new NodeError("bad-response", "getBlock without a block");
    return r.block;
  }

  /** Submits `template` with only the nonce replaced; transport failures give "unreachable". */
  async submitBlock(template: BlockTemplate, nonce: bigint): Promise<SubmitVerdict> {
    if (!isGrpcRawBlock(template.raw)) {
      throw new TypeError("submitBlock needs a template fetched by a gRPC client");
    }
    const block = withNonce(template.raw.bytes, nonce);
    let r: Decoded<"SubmitBlockResponseMessage">;
    try {
      r = await this.#call("submitBlock", { block, allowNonDAABlocks: false });
    } catch (e) {
      if (e instanceof NodeError && e.code !== "bad-response") {
        return { kind: "unreachable", message: e.message };
      }
      throw e;
    }
    return submitVerdict(r);
  }

  /** Whether block `hash` is blue; undefined until a chain block merged it. */
  async getCurrentBlockColor(hash: string): Promise<boolean | undefined> {
    try {
      return (await this.#call("getCurrentBlockColor", { hash })).blue;
    } catch (e) {
      // kaspad answers an error until a chain block has merged `hash`.
      if (e instanceof NodeError && e.code === "rpc") return undefined;
      throw e;
    }
  }

  /** Network hashrate over the last `windowSize` blocks, hashes per second. */
  async estimateNetworkHashesPerSecond(windowSize: number): Promise<bigint> {
    const r = await this.#call("estimateNetworkHashesPerSecond", { windowSize });
    return r.networkHashesPerSecond;
  }

  /** Balances of `addresses` in one call (kaspad needs --utxoindex); an entry error rejects. */
  async getBalancesByAddresses(addresses: readonly string[]): Promise<AddressBalance[]> {
    const r = await this.#call("getBalancesByAddresses", { addresses: [...addresses] });
    return r.entries.map((e) => {
      if (e.error !== undefined) {
        throw new NodeError("rpc", `getBalancesByAddresses ${e.address}: ${e.error.message}`);
      }
      return { address: e.address, sompi: e.balance };
    });
  }

  /** kaspad's getBlockRewardInfo (Toccata): colour, confirmations, merging block, reward. */
  async getBlockRewardInfo(hash: string): Promise<BlockRewardInfo> {
    let r: Decoded<"GetBlockRewardInfoResponseMessage">;
    try {
      r = await this.#call("getBlockRewardInfo", { hash });
    } catch (e) {
      if (e instanceof NodeError && e.code === "rpc" && isUnknownMethod(e.message)) {
        throw new NodeError("unsupported", e.message, { cause: e });
      }
      throw e;
    }
    return {
      color: r.blockColor === ENUMS.BlockColor.BLUE
        ? "blue"
        : r.blockColor === ENUMS.BlockColor.RED
        ? "red"
        : "unknown",
      confirmations: r.confirmationCount,
      mergingHash: r.mergingChainBlockHash,
      rewardSompi: r.rewardAmount,
    };
  }

  /** Round trip to kaspad. */
  async ping(): Promise<void> {
    await this.#call("ping", {});
  }

  /** Listens to NewBlockTemplate notifications. */
  onNewTemplate(listener: () => void): () => void {
    return this.#templates.add(listener);
  }

  /** Listens to connect (true) and loss (false). */
  onConnectionChange(listener: (up: boolean) => void): () => void {
    return this.#connection.add(listener);
  }
}
