// A scripted NodeClient for unit tests of timing logic (coalescing, retries, reconnects) that a real
// kaspad cannot drive deterministically. Integration tests use the real node instead.

import type {
  BlockHeader,
  BlockTemplate,
  DagInfo,
  NodeClient,
  NodeInfo,
  SubmitVerdict,
} from "../../lib/kaspa/types.ts";
import { NodeError } from "../../lib/node/errors.ts";
import type { AddressBalance } from "../../lib/node/balance.ts";
import type { BlockRewardInfo } from "../../lib/node/reward.ts";

/** 32 bytes derived from a string (not a hash function; just distinct per input). */
export function bytes32(text: string): Uint8Array {
  const out = new Uint8Array(32);
  let h = 2166136261;
  for (let i = 0; i < 32; i++) {
    for (let j = 0; j < text.length; j++) h = Math.imul(h ^ text.charCodeAt(j) ^ i, 16777619);
    out[i] = h & 0xff;
  }
  return out;
}

export function fakeHeader(tag: string): BlockHeader {
  return {
    version: 1,
    parents: [[bytes32("parent")]],
    hashMerkleRoot: bytes32(tag),
    acceptedIdMerkleRoot: bytes32("accepted"),
    utxoCommitment: bytes32("utxo"),
    timestamp: 1_700_000_000_000n,
    bits: 0x1e21bc1c,
    nonce: 0n,
    daaScore: 10n,
    blueScore: 9n,
    blueWork: 12345n,
    pruningPoint: bytes32("pruning"),
  };
}

export class FakeNode implements NodeClient {
  endpoint = "fake";
  network = "kaspa-devnet";
  synced = true;
  /** Bump to make the next templates different work (a new virtual state). */
  tip = 1;
  connected = false;
  connectCalls = 0;
  /** Errors thrown by the next connect() calls, in order; then connect succeeds. */
  connectFailures: Error[] = [];
  templateCalls: string[] = [];
  /** Errors thrown by the next getBlockTemplate calls, in order (a timeout, say). */
  templateFailures: Error[] = [];
  /** When set, getBlockTemplate waits for it (to hold a fetch in flight). */
  gate: Promise<void> | undefined;
  submits: Array<{ template: BlockTemplate; nonce: bigint }> = [];
  /** Verdicts for the next submits, in order; then "accepted". */
  submitScript: SubmitVerdict[] = [];
  colorCalls = 0;
  /** Answers for the next color queries, in order; then undefined. */
  colorScript: Array<boolean | undefined> = [];
  closed = false;
  /** What getInfo says about --utxoindex; without it getBalancesByAddresses fails as kaspad's does. */
  utxoIndexed = false;
  /** Balances getBalancesByAddresses reports, sompi; absent addresses read 0. */
  balances = new Map<string, bigint>();
  /** The address lists of every getBalancesByAddresses call, in order. */
  balanceCalls: string[][] = [];
  /** False plays a kaspad older than Toccata: getBlockRewardInfo is unknown to it. */
  rewardsSupported = true;
  /** Answers for the next getBlockRewardInfo calls, in order; then "unknown". */
  rewardScript: Array<BlockRewardInfo | NodeError> = [];
  /** Hashes of every getBlockRewardInfo call, in order. */
  rewardCalls: string[] = [];
  #templates = new Set<() => void>();
  #connection = new Set<(up: boolean) => void>();

  connect(): Promise<void> {
    this.connectCalls++;
    const failure = this.connectFailures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    this.connected = true;
    for (const l of this.#connection) l(true);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    return Promise.resolve();
  }

  /** Simulates the node going away (or coming back, with up = true). */
  setConnected(up: boolean): void {
    this.connected = up;
    for (const l of this.#connection) l(up);
  }

  emitTemplate(): void {
    for (const l of this.#templates) l();
  }

  #need(): void {
    if (!this.connected) throw new NodeError("disconnected", "fake node down");
  }

  getInfo(): Promise<NodeInfo> {
    this.#need();
    return Promise.resolve({
      serverVersion: "fake-2.1.0",
      isSynced: this.synced,
      isUtxoIndexed: this.utxoIndexed,
    });
  }

  getDagInfo(): Promise<DagInfo> {
    this.#need();
    return Promise.resolve({
      networkName: this.network,
      blockCount: 1n,
      difficulty: 1,
      virtualDaaScore: 10n,
      tipHashes: [],
    });
  }

  async getBlockTemplate(payAddress: string, _extra: Uint8Array): Promise<BlockTemplate> {
    this.#need();
    this.templateCalls.push(payAddress);
    const failure = this.templateFailures.shift();
    if (failure !== undefined) throw failure;
    const tip = this.tip;
    if (this.gate !== undefined) await this.gate;
    return {
      header: fakeHeader(`${payAddress}#${tip}`),
      raw: { tip },
      payAddress,
      isSynced: this.synced,
    };
  }

  submitBlock(template: BlockTemplate, nonce: bigint): Promise<SubmitVerdict> {
    this.submits.push({ template, nonce });
    return Promise.resolve(this.submitScript.shift() ?? { kind: "accepted" });
  }

  getCurrentBlockColor(_hash: string): Promise<boolean | undefined> {
    this.colorCalls++;
    return Promise.resolve(this.colorScript.shift());
  }

  getBlockRewardInfo(hash: string): Promise<BlockRewardInfo> {
    this.rewardCalls.push(hash);
    if (!this.rewardsSupported) {
      return Promise.reject(new NodeError("unsupported", "unknown method getBlockRewardInfo"));
    }
    const next = this.rewardScript.shift();
    if (next instanceof NodeError) return Promise.reject(next);
    return Promise.resolve(
      next ??
        {
          color: "unknown",
          confirmations: undefined,
          mergingHash: undefined,
          rewardSompi: undefined,
        },
    );
  }

  getBalancesByAddresses(addresses: readonly string[]): Promise<AddressBalance[]> {
    this.#need();
    this.balanceCalls.push([...addresses]);
    if (!this.utxoIndexed) {
      return Promise.reject(
        new NodeError("rpc", "Method unavailable. Run the node with the --utxoindex argument."),
      );
    }
    return Promise.resolve(
      addresses.map((address) => ({ address, sompi: this.balances.get(address) ?? 0n })),
    );
  }

  estimateNetworkHashesPerSecond(_w: number): Promise<bigint> {
    return Promise.resolve(1000n);
  }

  onNewTemplate(listener: () => void): () => void {
    this.#templates.add(listener);
    return () => this.#templates.delete(listener);
  }

  onConnectionChange(listener: (up: boolean) => void): () => void {
    this.#connection.add(listener);
    return () => this.#connection.delete(listener);
  }
}
