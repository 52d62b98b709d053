// Kaspa addresses: the cashaddr-style "prefix:payload" text form, its 40-bit checksum and the pay-to script.
// Pure: used to validate miner payout addresses and to build/verify coinbase scripts in tests.

import { type AddressPrefix, NETWORK_PREFIX, prefixForNetwork } from "./network.ts";

/** Version byte: 0 Schnorr pubkey (32 bytes), 1 ECDSA pubkey (33 bytes), 8 script hash (32 bytes). */
export type AddressVersion = 0 | 1 | 8;

/** A decoded address. */
export interface KaspaAddress {
  /** Network prefix. */
  prefix: AddressPrefix;
  /** Kind of payload (0 Schnorr key, 1 ECDSA key, 8 script hash). */
  version: AddressVersion;
  /** Public key or script hash bytes. */
  payload: Uint8Array;
}

/** Why an address was refused. */
export type AddressErrorCode =
  | "missing-prefix"
  | "unknown-prefix"
  | "bad-character"
  | "mixed-case"
  | "bad-checksum"
  | "bad-version"
  | "bad-length"
  | "wrong-network";

/** Raised for any malformed or misplaced address; `code` is stable. */
export class AddressError extends Error {
  /** Error name, for logs. */
  override readonly name = "AddressError";
  /** Makes an error with a stable `code`. */
  constructor(readonly code: AddressErrorCode, message: string) {
    super(message);
  }
}

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const PREFIXES: readonly AddressPrefix[] = Object.values(NETWORK_PREFIX);
const PAYLOAD_LENGTH: Record<AddressVersion, number> = { 0: 32, 1: 33, 8: 32 };
const GENERATORS = [
  0x98f2bc8e61n,
  0x79b76d99e2n,
  0xf33e5fb3c4n,
  0xae2eabe2a8n,
  0x1e4f43e470n,
];

function polymod(values: Iterable<number>): bigint {
  let c = 1n;
  for (const d of values) {
    const c0 = c >> 35n;
    c = ((c & 0x07ffffffffn) << 5n) ^ BigInt(d);
    for (let i = 0; i < 5; i++) {
      if ((c0 >> BigInt(i)) & 1n) c ^= GENERATORS[i]!;
    }
  }
  return c ^ 1n;
}

function checksum(prefix: string, payload5: readonly number[]): bigint {
  const values: number[] = [];
  for (let i = 0; i < prefix.length; i++) values.push(prefix.charCodeAt(i) & 0x1f);
  values.push(0, ...payload5, 0, 0, 0, 0, 0, 0, 0, 0);
  return polymod(values);
}

function to5(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push((acc >> bits) & 31);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31);
  return out;
}

function to8(values: readonly number[]): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const v of values) {
    acc = (acc << 5) | v;
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  return new Uint8Array(out);
}

/** Encodes an address to its text form, e.g. "kaspa:qq...". */
export function encodeAddress(address: KaspaAddress): string {
  const body = new Uint8Array(1 + address.payload.length);
  body[0] = address.version;
  body.set(address.payload, 1);
  const payload5 = to5(body);
  const sum = checksum(address.prefix, payload5);
  const sumBytes = new Uint8Array(5);
  for (let i = 0; i < 5; i++) sumBytes[i] = Number((sum >> BigInt(8 * (4 - i))) & 0xffn);
  const chars = [...payload5, ...to5(sumBytes)].map((v) => CHARSET[v]).join("");
  return `${address.prefix}:${chars}`;
}

function isPrefix(text: string): text is AddressPrefix {
  return (PREFIXES as readonly string[]).includes(text);
}

/**
 * Longest address text decoded, characters: "kaspatest:" (10) + ":" + 63 (an ECDSA payload with
 * its checksum) is 74. Checked first, before any per-character work.
 */
export const MAX_ADDRESS_CHARS = 80;

/** Decodes and fully verifies an address (prefix, characters, checksum, version, length). */
export function decodeAddress(text: string): KaspaAddress {
  if (text.length > MAX_ADDRESS_CHARS) {
    throw new AddressError(
      "bad-length",
      `address is ${text.length} characters, longer than any Kaspa address (${MAX_ADDRESS_CHARS})`,
    );
  }
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) {
    throw new AddressError("mixed-case", `address mixes upper and lower case: ${text}`);
  }
  const lower = text.toLowerCase();
  const colon = lower.indexOf(":");
  if (colon < 0) throw new AddressError("missing-prefix", `address has no "prefix:" part: ${text}`);
  const prefix = lower.slice(0, colon);
  if (!isPrefix(prefix)) {
    throw new AddressError("unknown-prefix", `address prefix "${prefix}" is not a Kaspa network`);
  }
  const values: number[] = [];
  for (const ch of lower.slice(colon + 1)) {
    const v = CHARSET.indexOf(ch);
    if (v < 0) throw new AddressError("bad-character", `address contains "${ch}"`);
    values.push(v);
  }
  if (values.length < 8 + 2) throw new AddressError("bad-length", "address is too short");
  const payload5 = values.slice(0, values.length - 8);
  const sumBytes = to8(values.slice(values.length - 8));
  let sum = 0n;
  for (const b of sumBytes) sum = (sum << 8n) | BigInt(b);
  if (checksum(prefix, payload5) !== sum) {
    throw new AddressError("bad-checksum", `address checksum does not match: ${text}`);
  }
  const body = to8(payload5);
  const version = body[0]!;
  if (version !== 0 && version !== 1 && version !== 8) {
    throw new AddressError("bad-version", `address version ${version} is unknown`);
  }
  const payload = body.slice(1);
  if (payload.length !== PAYLOAD_LENGTH[version]) {
    throw new AddressError(
      "bad-length",
      `address payload is ${payload.length} bytes, version ${version} needs ${
        PAYLOAD_LENGTH[version]
      }`,
    );
  }
  return { prefix, version, payload };
}

/**
 * Decodes `address` and checks it belongs to `network` (a kaspad network name or id).
 * Throws one AddressError whose message names the expected prefix.
 */
export function checkAddressNetwork(address: string, network: string): KaspaAddress {
  const decoded = decodeAddress(address);
  const expected = prefixForNetwork(network);
  if (expected !== undefined && decoded.prefix !== expected) {
    throw new AddressError(
      "wrong-network",
      `address ${address} is for "${decoded.prefix}:" but the node runs ${network} ("${expected}:" addresses)`,
    );
  }
  return decoded;
}

/** The script a coinbase output uses to pay `address` (script version 0). */
export function payToAddressScript(address: KaspaAddress): Uint8Array {
  const p = address.payload;
  switch (address.version) {
    case 0:
      return Uint8Array.of(0x20, ...p, 0xac); // OP_DATA_32 <key> OP_CHECKSIG
    case 1:
      return Uint8Array.of(0x21, ...p, 0xab); // OP_DATA_33 <key> OP_CHECKSIGECDSA
    case 8:
      return Uint8Array.of(0xaa, 0x20, ...p, 0x87); // OP_BLAKE2B OP_DATA_32 <hash> OP_EQUAL
  }
}
