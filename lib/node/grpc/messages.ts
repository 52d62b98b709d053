// Field numbers of kaspad's gRPC messages (mirrors kaspad.proto) and a schema-driven decoder/encoder.
// Pure. RpcBlock nested in a response stays raw bytes so the block can be echoed losslessly (see block.ts).

import { fieldBytes, fieldDouble, fieldString, readFields, WireType, WireWriter } from "./wire.ts";

/** Envelope field carrying the request id (responses echo it; notifications use 0). */
export const ENVELOPE_ID = 101;

/** Payload field numbers of KaspadRequest / KaspadResponse (the `oneof payload`). */
export const PAYLOAD = {
  submitBlockRequest: 1003,
  submitBlockResponse: 1004,
  getBlockTemplateRequest: 1005,
  getBlockTemplateResponse: 1006,
  getBlockRequest: 1025,
  getBlockResponse: 1026,
  getBlockDagInfoRequest: 1035,
  getBlockDagInfoResponse: 1036,
  getInfoRequest: 1063,
  getInfoResponse: 1064,
  estimateNetworkHashesPerSecondRequest: 1072,
  estimateNetworkHashesPerSecondResponse: 1073,
  getBalancesByAddressesRequest: 1079,
  getBalancesByAddressesResponse: 1080,
  notifyNewBlockTemplateRequest: 1081,
  notifyNewBlockTemplateResponse: 1082,
  newBlockTemplateNotification: 1083,
  pingRequest: 1088,
  pingResponse: 1089,
  getServerInfoRequest: 1092,
  getServerInfoResponse: 1093,
  getSyncStatusRequest: 1094,
  getSyncStatusResponse: 1095,
  getCurrentBlockColorRequest: 1110,
  getCurrentBlockColorResponse: 1111,
  getBlockRewardInfoRequest: 1116,
  getBlockRewardInfoResponse: 1117,
} as const;

type FieldSpec =
  | readonly [number, string]
  | readonly [number, string, "repeated"]
  | readonly [number, string, "optional"];

/** Every message kstratum reads or writes: field name → [number, proto type, repeated?]. */
export const MESSAGES = {
  RPCError: { message: [1, "string"] },
  RpcBlock: {
    header: [1, "RpcBlockHeader"],
    transactions: [2, "RpcTransaction", "repeated"],
    verboseData: [3, "RpcBlockVerboseData"],
  },
  RpcBlockHeader: {
    version: [1, "uint32"],
    parents: [12, "RpcBlockLevelParents", "repeated"],
    hashMerkleRoot: [3, "string"],
    acceptedIdMerkleRoot: [4, "string"],
    utxoCommitment: [5, "string"],
    timestamp: [6, "int64"],
    bits: [7, "uint32"],
    nonce: [8, "uint64"],
    daaScore: [9, "uint64"],
    blueWork: [10, "string"],
    blueScore: [13, "uint64"],
    pruningPoint: [14, "string"],
    hash: [15, "string"],
  },
  RpcBlockLevelParents: { parentHashes: [1, "string", "repeated"] },
  RpcBlockVerboseData: {
    hash: [1, "string"],
    difficulty: [11, "double"],
    selectedParentHash: [13, "string"],
    transactionIds: [14, "string", "repeated"],
    isHeaderOnly: [15, "bool"],
    blueScore: [16, "uint64"],
    childrenHashes: [17, "string", "repeated"],
    mergeSetBluesHashes: [18, "string", "repeated"],
    mergeSetRedsHashes: [19, "string", "repeated"],
    isChainBlock: [20, "bool"],
  },
  RpcTransaction: {
    version: [1, "uint32"],
    inputs: [2, "RpcTransactionInput", "repeated"],
    outputs: [3, "RpcTransactionOutput", "repeated"],
    lockTime: [4, "uint64"],
    subnetworkId: [5, "string"],
    gas: [6, "uint64"],
    payload: [8, "string"],
    storage_mass: [10, "uint64"],
  },
  RpcTransactionInput: {
    previousOutpoint: [1, "RpcOutpoint"],
    signatureScript: [2, "string"],
    sequence: [3, "uint64"],
    sigOpCount: [5, "uint32"],
    computeBudget: [6, "uint32"],
  },
  RpcOutpoint: { transactionId: [1, "string"], index: [2, "uint32"] },
  RpcScriptPublicKey: { version: [1, "uint32"], scriptPublicKey: [2, "string"] },
  RpcTransactionOutput: {
    amount: [1, "uint64"],
    scriptPublicKey: [2, "RpcScriptPublicKey"],
  },
  SubmitBlockRequestMessage: { block: [2, "RpcBlock"], allowNonDAABlocks: [3, "bool"] },
  SubmitBlockResponseMessage: { rejectReason: [1, "RejectReason"], error: [1000, "RPCError"] },
  GetBlockTemplateRequestMessage: { payAddress: [1, "string"], extraData: [2, "string"] },
  GetBlockTemplateResponseMessage: {
    block: [3, "RpcBlock"],
    isSynced: [2, "bool"],
    error: [1000, "RPCError"],
  },
  GetBlockRequestMessage: { hash: [1, "string"], includeTransactions: [3, "bool"] },
  GetBlockResponseMessage: { block: [3, "RpcBlock"], error: [1000, "RPCError"] },
  GetBlockDagInfoRequestMessage: {},
  GetBlockDagInfoResponseMessage: {
    networkName: [1, "string"],
    blockCount: [2, "uint64"],
    headerCount: [3, "uint64"],
    tipHashes: [4, "string", "repeated"],
    difficulty: [5, "double"],
    pastMedianTime: [6, "int64"],
    virtualParentHashes: [7, "string", "repeated"],
    pruningPointHash: [8, "string"],
    virtualDaaScore: [9, "uint64"],
    sink: [10, "string"],
    error: [1000, "RPCError"],
  },
  GetInfoRequestMessage: {},
  GetInfoResponseMessage: {
    p2pId: [1, "string"],
    mempoolSize: [2, "uint64"],
    serverVersion: [3, "string"],
    isUtxoIndexed: [4, "bool"],
    isSynced: [5, "bool"],
    hasNotifyCommand: [11, "bool"],
    hasMessageId: [12, "bool"],
    error: [1000, "RPCError"],
  },
  EstimateNetworkHashesPerSecondRequestMessage: {
    windowSize: [1, "uint32"],
    startHash: [2, "string"],
  },
  EstimateNetworkHashesPerSecondResponseMessage: {
    networkHashesPerSecond: [1, "uint64"],
    error: [1000, "RPCError"],
  },
  NotifyNewBlockTemplateRequestMessage: { command: [101, "RpcNotifyCommand"] },
  NotifyNewBlockTemplateResponseMessage: { error: [1000, "RPCError"] },
  NewBlockTemplateNotificationMessage: {},
  PingRequestMessage: {},
  PingResponseMessage: { error: [1000, "RPCError"] },
  GetServerInfoRequestMessage: {},
  GetServerInfoResponseMessage: {
    rpcApiVersion: [1, "uint32"],
    rpcApiRevision: [2, "uint32"],
    serverVersion: [3, "string"],
    networkId: [4, "string"],
    hasUtxoIndex: [5, "bool"],
    isSynced: [6, "bool"],
    virtualDaaScore: [7, "uint64"],
    error: [1000, "RPCError"],
  },
  GetSyncStatusRequestMessage: {},
  GetSyncStatusResponseMessage: { isSynced: [1, "bool"], error: [1000, "RPCError"] },
  GetCurrentBlockColorRequestMessage: { hash: [1, "string"] },
  GetCurrentBlockColorResponseMessage: { blue: [1, "bool"], error: [1000, "RPCError"] },
  GetBlockRewardInfoRequestMessage: { hash: [1, "string"] },
  // header (1) is left out: kstratum knows the header of a block it found.
  GetBlockRewardInfoResponseMessage: {
    blockColor: [2, "BlockColor"],
    confirmationCount: [3, "uint64", "optional"],
    mergingChainBlockHash: [4, "string", "optional"],
    rewardAmount: [5, "uint64", "optional"],
    error: [1000, "RPCError"],
  },
  GetBalancesByAddressesRequestMessage: { addresses: [1, "string", "repeated"] },
  RpcBalancesByAddressesEntry: {
    address: [1, "string"],
    balance: [2, "uint64"],
    error: [1000, "RPCError"],
  },
  GetBalancesByAddressesResponseMessage: {
    entries: [1, "RpcBalancesByAddressesEntry", "repeated"],
    error: [1000, "RPCError"],
  },
} as const satisfies Record<string, Record<string, FieldSpec>>;

/** Enum types: encoded as varints, decoded as numbers. */
export const ENUMS = {
  RpcNotifyCommand: { NOTIFY_START: 0, NOTIFY_STOP: 1 },
  RejectReason: { NONE: 0, BLOCK_INVALID: 1, IS_IN_IBD: 2 },
  BlockColor: { UNKNOWN: 0, BLUE: 1, RED: 2 },
} as const;

type Schema = typeof MESSAGES;
export type MessageName = keyof Schema;

type ScalarOf<T> = T extends "string" ? string
  : T extends "bool" ? boolean
  : T extends "uint64" | "int64" ? bigint
  : T extends "uint32" | "double" | keyof typeof ENUMS ? number
  : never;
/** A nested RpcBlock is kept as its raw bytes. */
type NestedOf<T> = T extends "RpcBlock" ? Uint8Array
  : T extends MessageName ? Decoded<T>
  : ScalarOf<T>;
type FieldOf<S> = S extends readonly [number, infer T, "repeated"] ? NestedOf<T>[]
  : S extends readonly [number, infer T, "optional"] ? NestedOf<T> | undefined
  : S extends readonly [number, infer T] ? T extends MessageName ? NestedOf<T> | undefined
    : NestedOf<T>
  : never;

/** The decoded form of message `N`: proto3 defaults for absent scalars, undefined for absent messages. */
export type Decoded<N extends MessageName> = {
  -readonly [K in keyof Schema[N]]: FieldOf<Schema[N][K]>;
};

type EncodableOf<T> = T extends "RpcBlock" ? Uint8Array | Encodable<"RpcBlock">
  : T extends MessageName ? Encodable<T>
  : ScalarOf<T>;
type EncodableField<S> = S extends readonly [number, infer T, "repeated"] ? EncodableOf<T>[]
  : S extends readonly [number, infer T, "optional"] ? EncodableOf<T>
  : S extends readonly [number, infer T] ? EncodableOf<T>
  : never;

/** Input form for encoding message `N`: every field optional, at every depth; raw bytes for a message. */
export type Encodable<N extends MessageName> = {
  -readonly [K in keyof Schema[N]]?: EncodableField<Schema[N][K]>;
};

function isMessage(type: string): type is MessageName {
  return type in MESSAGES;
}

function defaultOf(type: string): unknown {
  switch (type) {
    case "string":
      return "";
    case "bool":
      return false;
    case "uint64":
    case "int64":
      return 0n;
    default:
      return isMessage(type) ? undefined : 0;
  }
}

function specsOf(name: MessageName): Array<[string, FieldSpec]> {
  return Object.entries(MESSAGES[name]) as Array<[string, FieldSpec]>;
}

/**
 * Decodes message `name` from `bytes`. Unknown fields are skipped (callers needing them keep the raw
 * bytes); a nested RpcBlock is returned as a copy of its raw bytes. Throws WireError on bad input.
 */
export function decode<N extends MessageName>(name: N, bytes: Uint8Array): Decoded<N> {
  const specs = specsOf(name);
  const byNum = new Map(specs.map(([key, spec]) => [spec[0], [key, spec] as const]));
  const out: Record<string, unknown> = {};
  for (const [key, spec] of specs) {
    // proto3 `optional`: absent stays undefined, so an explicit 0 is told apart from no value.
    out[key] = spec[2] === "repeated"
      ? []
      : spec[2] === "optional"
      ? undefined
      : defaultOf(spec[1]);
  }
  for (const f of readFields(bytes)) {
    const entry = byNum.get(f.num);
    if (entry === undefined) continue;
    const [key, spec] = entry;
    const type = spec[1];
    let value: unknown;
    if (type === "RpcBlock" && name !== "RpcBlock") value = fieldBytes(bytes, f).slice();
    else if (isMessage(type)) value = decode(type, fieldBytes(bytes, f));
    else if (type === "string") value = fieldString(bytes, f);
    else if (type === "double") value = f.wire === WireType.I64 ? fieldDouble(bytes, f) : 0;
    else if (type === "bool") value = f.int !== 0n;
    else if (type === "uint64") value = f.int;
    else if (type === "int64") value = BigInt.asIntN(64, f.int);
    else if (type === "uint32") value = Number(BigInt.asUintN(32, f.int));
    else value = Number(BigInt.asIntN(32, f.int)); // enums
    if (spec[2] === "repeated") (out[key] as unknown[]).push(value);
    else out[key] = value;
  }
  return out as Decoded<N>;
}

/** Encodes message `name` in schema order; absent and proto3-default fields are omitted. */
export function encode<N extends MessageName>(name: N, value: Encodable<N>): Uint8Array {
  const w = new WireWriter();
  const record = value as Record<string, unknown>;
  for (const [key, spec] of specsOf(name)) {
    const v = record[key];
    if (v === undefined) continue;
    const items = spec[2] === "repeated" ? (v as unknown[]) : [v];
    for (const item of items) writeField(w, spec, item, spec[2] === "repeated");
  }
  return w.finish();
}

function writeField(w: WireWriter, spec: FieldSpec, item: unknown, repeated: boolean): void {
  const [num, type] = spec;
  if (item instanceof Uint8Array) w.bytes(num, item);
  else if (isMessage(type)) w.bytes(num, encode(type, item as Encodable<typeof type>));
  else if (type === "string") {
    if (repeated) w.bytes(num, new TextEncoder().encode(item as string));
    else w.string(num, item as string);
  } else if (type === "double") w.double(num, item as number);
  else w.uint(num, item as bigint | number | boolean, repeated);
}
