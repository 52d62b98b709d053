// Block templates for the fake kaspad: the real kaspad 2.1.0 devnet template (tests/fixtures/node),
// with timestamp, parents and scores varied per event and a coinbase paying whichever address asked.

import FIXTURE from "../../tests/fixtures/node/kaspad_grpc_template.json" with { type: "json" };
import { createHash } from "node:crypto";
import { fromHex, toHex } from "../../lib/kaspa/mod.ts";
import { decodeAddress, payToAddressScript } from "../../lib/kaspa/address.ts";
import { decode, type Decoded, encode } from "../../lib/node/grpc/messages.ts";

/** One new-template event: what changed in the DAG since the previous one. */
export interface TemplateEvent {
  /** 1, 2, 3, ... */
  seq: number;
  /** Header timestamp, ms since the epoch; strictly increasing, so it names the event. */
  timestamp: bigint;
  /** DAA score of the template. */
  daaScore: bigint;
  /** Blue score of the template. */
  blueScore: bigint;
  /** The new virtual parent, hex. */
  parent: string;
}

/** Payout address the fixture's coinbase pays (kaspa.md §6 devnet). */
export const FIXTURE_ADDRESS: string = FIXTURE.payAddress;

/** Compact target bits of the fixture (a real devnet template). */
export const FIXTURE_BITS: number = decode(
  "RpcBlock",
  fromHex(FIXTURE.templateHex),
).header!.bits;

const SUBSIDY_OFFSET = 8; // coinbase payload: blue score u64 LE, subsidy u64 LE, script version u16 LE, len, script, extra
const MAX_CACHED = 20_000;

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function u64Le(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return out;
}

/**
 * Makes templates the way kaspad would shape them. What a real node computes and this fake does
 * not: the merkle roots (hashMerkleRoot is a hash of event and address, so each address still
 * gets distinct work), UTXO commitment, mempool transactions. Nobody on the mining path checks those.
 */
export class TemplateFactory {
  readonly #base: Decoded<"RpcBlock">;
  readonly #subsidy: Uint8Array;
  readonly #bits: number;
  #event: TemplateEvent | undefined;
  #cache = new Map<string, Uint8Array>();

  /** `bits` overrides the fixture's compact target (e.g. an easy one so shares become blocks). */
  constructor(options: { bits?: number } = {}) {
    this.#base = decode("RpcBlock", fromHex(FIXTURE.templateHex));
    const payload = fromHex(this.#base.transactions[0]!.payload);
    this.#subsidy = payload.slice(SUBSIDY_OFFSET, SUBSIDY_OFFSET + 8);
    this.#bits = options.bits ?? FIXTURE_BITS;
  }

  /** Compact target bits every template carries. */
  get bits(): number {
    return this.#bits;
  }

  /** Pruning point of every template, hex. */
  get pruningPoint(): string {
    return this.#base.header!.pruningPoint;
  }

  /** The current event, if any was made. */
  get current(): TemplateEvent | undefined {
    return this.#event;
  }

  /** Starts a new event at wall time `nowMs`; templates of the previous one are dropped. */
  nextEvent(nowMs: number): TemplateEvent {
    const prev = this.#event;
    const header = this.#base.header!;
    const seq = (prev?.seq ?? 0) + 1;
    const now = BigInt(Math.floor(nowMs));
    const timestamp = prev === undefined || now > prev.timestamp ? now : prev.timestamp + 1n;
    this.#event = {
      seq,
      timestamp,
      daaScore: header.daaScore + BigInt(seq),
      blueScore: header.blueScore + BigInt(seq),
      parent: sha256Hex(`parent|${seq}|${timestamp}`),
    };
    this.#cache.clear();
    return this.#event;
  }

  /**
   * GetBlockTemplateResponseMessage bytes for the current event paying `payAddress` (throws
   * AddressError for a malformed one). Built once per event and address, then cached.
   */
  response(payAddress: string, extraData: string): Uint8Array {
    const event = this.#event ?? this.nextEvent(Date.now());
    const key = `${payAddress}|${extraData}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const block = this.block(event, payAddress, extraData);
    const bytes = encode("GetBlockTemplateResponseMessage", { block, isSynced: true });
    if (this.#cache.size < MAX_CACHED) this.#cache.set(key, bytes);
    return bytes;
  }

  /** RpcBlock bytes of `event`'s template paying `payAddress`. */
  block(event: TemplateEvent, payAddress: string, extraData: string): Uint8Array {
    const script = payToAddressScript(decodeAddress(payAddress));
    const base = this.#base;
    const header = base.header!;
    const coinbase = base.transactions[0]!;
    const extra = new TextEncoder().encode(`2.1.0/${extraData}`);
    const payload = new Uint8Array(8 + 8 + 2 + 1 + script.length + extra.length);
    payload.set(u64Le(event.blueScore), 0);
    payload.set(this.#subsidy, 8);
    payload[18] = script.length; // script version 0 at 16-17
    payload.set(script, 19);
    payload.set(extra, 19 + script.length);
    const output = coinbase.outputs[0]!;
    return encode("RpcBlock", {
      header: {
        ...header,
        parents: header.parents.map(() => ({ parentHashes: [event.parent] })),
        hashMerkleRoot: sha256Hex(`merkle|${event.seq}|${payAddress}|${extraData}`),
        timestamp: event.timestamp,
        bits: this.#bits,
        nonce: 0n,
        daaScore: event.daaScore,
        blueScore: event.blueScore,
        blueWork: (BigInt("0x" + header.blueWork) + BigInt(event.seq) * 1000n).toString(16),
        hash: "",
      },
      transactions: [{
        ...coinbase,
        outputs: [{
          amount: output.amount,
          scriptPublicKey: { version: 0, scriptPublicKey: toHex(script) },
        }],
        payload: toHex(payload),
      }],
    });
  }
}
