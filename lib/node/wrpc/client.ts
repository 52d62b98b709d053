// NodeClient over kaspad's wRPC JSON WebSocket (`--node ws://host:18110`): same contract as the gRPC client.
// One endpoint, one socket at a time; lossless JSON in and out (json.ts, block.ts).

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
import { NodeError } from "../errors.ts";
import type { ServerInfo } from "../grpc/client.ts";
import { Listeners } from "../listeners.ts";
import { isWrpcRawBlock, jsonWithNonce, readJsonBlock } from "./block.ts";
import {
  asArray,
  asBoolean,
  asDouble,
  asString,
  asUint,
  asUint32,
  JsonError,
  type JsonNode,
  type JsonValue,
  member,
  parseJson,
  RawJson,
  stringifyJson,
} from "./json.ts";

/** Where and how to reach kaspad's wRPC JSON listener. */
export interface WrpcNodeClientOptions {
  /** WebSocket URL, e.g. "ws://127.0.0.1:18110". */
  url: string;
  /** Per-call timeout, ms. Default 10000. */
  callTimeoutMs?: number;
  /** Connection timeout, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Structured logs. Default silent. */
  log?: Logger;
}

interface Reply {
  source: string;
  params: JsonNode;
}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

const REJECT_REASONS: Record<string, "invalid" | "ibd" | "route-full"> = {
  blockInvalid: "invalid",
  isInIBD: "ibd",
  routeIsFull: "route-full",
};

/** kaspad over wRPC JSON. */
export class WrpcNodeClient implements NodeClient, BalanceReader, RewardReader {
  /** The WebSocket URL, for logs. */
  readonly endpoint: string;
  #socket: WebSocket | undefined;
  #pending = new Map<bigint, Pending>();
  #nextId = 1n;
  #templates = new Listeners<[]>();
  #connection = new Listeners<[boolean]>();
  #log: Logger;

  /** A disconnected client; call connect(). */
  constructor(readonly options: WrpcNodeClientOptions) {
    this.endpoint = options.url;
    this.#log = options.log ?? silentLogger;
  }

  /** Opens the socket and subscribes to NewBlockTemplate notifications. */
  async connect(): Promise<void> {
    await this.close();
    const socket = await this.#open();
    this.#socket = socket;
    socket.onmessage = (ev) => this.#onMessage(ev.data);
    socket.onclose = () => this.#lost(socket, "socket closed");
    socket.onerror = () => this.#lost(socket, "socket error");
    try {
      await this.#request("subscribe", { NewBlockTemplate: {} });
    } catch (e) {
      await this.close();
      throw e;
    }
    this.#log.info("kaspad wRPC connected", { endpoint: this.endpoint });
    this.#connection.emit(true);
  }

  #open(): Promise<WebSocket> {
    const timeout = this.options.connectTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(this.endpoint);
      } catch (e) {
        reject(new NodeError("disconnected", `bad wRPC URL ${this.endpoint}`, { cause: e }));
        return;
      }
      const fail = (why: string) => {
        clearTimeout(timer);
        socket.onopen = socket.onerror = socket.onclose = null;
        if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
          socket.close();
        }
        reject(new NodeError("disconnected", `kaspad wRPC ${this.endpoint}: ${why}`));
      };
      const timer = setTimeout(() => fail(`no connection within ${timeout} ms`), timeout);
      socket.onopen = () => {
        clearTimeout(timer);
        socket.onopen = socket.onerror = socket.onclose = null;
        resolve(socket);
      };
      socket.onerror = () => fail("unreachable");
      socket.onclose = () => fail("closed while connecting");
    });
  }

  #lost(socket: WebSocket, why: string): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#rejectAll(new NodeError("disconnected", `kaspad wRPC ${why}`));
    this.#log.warn("kaspad wRPC connection lost", { endpoint: this.endpoint, why });
    this.#connection.emit(false);
  }

  #rejectAll(error: NodeError): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.#pending.clear();
  }

  /** Closes the socket; calls in flight reject with NodeError("closed"). */
  close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#rejectAll(new NodeError("closed", "wRPC client closed"));
    if (socket !== undefined) {
      socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close();
    }
    return Promise.resolve();
  }

  /** Whether the socket is open. */
  get connected(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  #onMessage(data: unknown): void {
    if (typeof data !== "string") return;
    let root: JsonNode;
    try {
      root = parseJson(data);
    } catch (e) {
      this.#log.warn("kaspad wRPC sent malformed JSON", { error: String(e) });
      return;
    }
    const idNode = member(root, "id");
    if (idNode === undefined || idNode.type === "null") {
      const method = member(root, "method");
      if (method?.type === "string" && method.value === "newBlockTemplateNotification") {
        this.#templates.emit();
      }
      return;
    }
    if (idNode.type !== "number") return;
    let id: bigint;
    try {
      id = asUint(idNode, "id");
    } catch {
      return;
    }
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    const error = member(root, "error");
    if (error !== undefined && error.type !== "null") {
      const message = member(error, "message");
      pending.reject(
        new NodeError("rpc", message?.type === "string" ? message.value : "wRPC error"),
      );
      return;
    }
    pending.resolve({ source: data, params: member(root, "params") ?? root });
  }

  #request(method: string, params: JsonValue): Promise<Reply> {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new NodeError("disconnected", `kaspad ${this.endpoint} not connected`));
    }
    const id = this.#nextId++;
    const timeoutMs = this.options.callTimeoutMs ?? 10_000;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new NodeError("timeout", `no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      socket.send(stringifyJson({ id, method, params }));
    });
  }

  /** Runs `read` on a reply, turning shape errors into NodeError("bad-response"). */
  async #call<T>(method: string, params: JsonValue, read: (r: Reply) => T): Promise<T> {
    const reply = await this.#request(method, params);
    try {
      return read(reply);
    } catch (e) {
      if (e instanceof JsonError) throw new NodeError("bad-response", `${method}: ${e.message}`);
      throw e;
    }
  }

  /** kaspad's getInfo. */
  getInfo(): Promise<NodeInfo> {
    return this.#call("getInfo", {}, ({ params: p }) => ({
      serverVersion: asString(member(p, "serverVersion"), "serverVersion"),
      isSynced: asBoolean(member(p, "isSynced"), "isSynced"),
      isUtxoIndexed: asBoolean(member(p, "isUtxoIndexed"), "isUtxoIndexed"),
    }));
  }

  /** kaspad's getBlockDagInfo. */
  getDagInfo(): Promise<DagInfo> {
    return this.#call("getBlockDagInfo", {}, ({ params: p }) => ({
      networkName: asString(member(p, "network") ?? member(p, "networkName"), "network"),
      blockCount: asUint(member(p, "blockCount"), "blockCount"),
      difficulty: asDouble(member(p, "difficulty"), "difficulty"),
      virtualDaaScore: asUint(member(p, "virtualDaaScore"), "virtualDaaScore"),
      tipHashes: asArray(member(p, "tipHashes"), "tipHashes").map((h) => asString(h, "tip")),
    }));
  }

  /** kaspad's getServerInfo (network id, version). */
  getServerInfo(): Promise<ServerInfo> {
    return this.#call("getServerInfo", {}, ({ params: p }) => ({
      rpcApiVersion: asUint32(member(p, "rpcApiVersion"), "rpcApiVersion"),
      serverVersion: asString(member(p, "serverVersion"), "serverVersion"),
      networkId: asString(member(p, "networkId"), "networkId"),
      isSynced: asBoolean(member(p, "isSynced"), "isSynced"),
      virtualDaaScore: asUint(member(p, "virtualDaaScore"), "virtualDaaScore"),
    }));
  }

  /** Whether kaspad says it is synced. */
  getSyncStatus(): Promise<boolean> {
    return this.#call(
      "getSyncStatus",
      {},
      ({ params: p }) => asBoolean(member(p, "isSynced"), "isSynced"),
    );
  }

  /** A template paying `payAddress`, kept as its exact JSON text. */
  getBlockTemplate(payAddress: string, extraData: Uint8Array): Promise<BlockTemplate> {
    return this.#call(
      "getBlockTemplate",
      { payAddress, extraData: Array.from(extraData) },
      ({ source, params }) => {
        const block = member(params, "block");
        if (block === undefined) throw new JsonError("template without a block");
        const { header, raw } = readJsonBlock(source, block);
        return {
          header,
          raw,
          payAddress,
          isSynced: asBoolean(member(params, "isSynced"), "isSynced"),
        };
      },
    );
  }

  /** Submits the template's JSON with only the nonce replaced; transport failures give "unreachable". */
  async submitBlock(template: BlockTemplate, nonce: bigint): Promise<SubmitVerdict> {
    if (!isWrpcRawBlock(template.raw)) {
      throw new TypeError("submitBlock needs a template fetched by a wRPC client");
    }
    const block = new RawJson(jsonWithNonce(template.raw, nonce));
    try {
      return await this.#call(
        "submitBlock",
        { block, allowNonDaaBlocks: false },
        ({ params }) => reportVerdict(member(params, "report")),
      );
    } catch (e) {
      if (
        e instanceof NodeError &&
        (e.code === "timeout" || e.code === "disconnected" || e.code === "closed")
      ) {
        return { kind: "unreachable", message: e.message };
      }
      if (e instanceof NodeError && e.code === "rpc") {
        return { kind: "rejected", reason: "other", message: e.message };
      }
      throw e;
    }
  }

  /** Whether block `hash` is blue; undefined until a chain block merged it. */
  async getCurrentBlockColor(hash: string): Promise<boolean | undefined> {
    try {
      return await this.#call(
        "getCurrentBlockColor",
        { hash },
        ({ params }) => asBoolean(member(params, "blue"), "blue"),
      );
    } catch (e) {
      if (e instanceof NodeError && e.code === "rpc") return undefined;
      throw e;
    }
  }

  /** Network hashrate over the last `windowSize` blocks, hashes per second. */
  estimateNetworkHashesPerSecond(windowSize: number): Promise<bigint> {
    return this.#call(
      "estimateNetworkHashesPerSecond",
      { windowSize, startHash: null },
      ({ params }) => asUint(member(params, "networkHashesPerSecond"), "networkHashesPerSecond"),
    );
  }

  /**
   * Balances of `addresses` in one call (kaspad needs --utxoindex). The node writes a balance of
   * null for an address it holds no outputs of: that is 0 sompi.
   */
  getBalancesByAddresses(addresses: readonly string[]): Promise<AddressBalance[]> {
    return this.#call(
      "getBalancesByAddresses",
      { addresses: [...addresses] },
      ({ params }) =>
        asArray(member(params, "entries"), "entries").map((e) => {
          const balance = member(e, "balance");
          return {
            address: asString(member(e, "address"), "entries.address"),
            sompi: balance?.type === "null" ? 0n : asUint(balance, "entries.balance"),
          };
        }),
    );
  }

  /** kaspad's getBlockRewardInfo (Toccata): colour, confirmations, merging block, reward. */
  async getBlockRewardInfo(hash: string): Promise<BlockRewardInfo> {
    try {
      return await this.#call("getBlockRewardInfo", { hash }, ({ params }) => {
        const color = asString(member(params, "blockColor"), "blockColor");
        const opt = (key: string) => {
          const n = member(params, key);
          return n === undefined || n.type === "null" ? undefined : n;
        };
        const conf = opt("confirmationCount");
        const merging = opt("mergingChainBlockHash");
        const reward = opt("rewardAmount");
        return {
          color: color === "blue" || color === "red" ? color : "unknown",
          confirmations: conf === undefined ? undefined : asUint(conf, "confirmationCount"),
          mergingHash: merging === undefined
            ? undefined
            : asString(merging, "mergingChainBlockHash"),
          rewardSompi: reward === undefined ? undefined : asUint(reward, "rewardAmount"),
        };
      });
    } catch (e) {
      if (e instanceof NodeError && e.code === "rpc" && isUnknownMethod(e.message)) {
        throw new NodeError("unsupported", e.message, { cause: e });
      }
      throw e;
    }
  }

  /** Round trip to kaspad. */
  async ping(): Promise<void> {
    await this.#request("ping", {});
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

/** Classifies a wRPC SubmitBlockReport: {"type":"success"} or {"type":"reject","reason":"blockInvalid"}. */
export function reportVerdict(report: JsonNode | undefined): SubmitVerdict {
  const type = asString(member(report, "type"), "report.type");
  if (type === "success") return { kind: "accepted" };
  const reason = member(report, "reason");
  const text = reason?.type === "string" ? reason.value : "";
  return { kind: "rejected", reason: REJECT_REASONS[text] ?? "other", message: text || type };
}
