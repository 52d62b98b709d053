// Submit nonce parsing: hex with extranonce completion, decimal, or every unambiguous Bitmain form.
// Pure: returns candidate u64 values; the PoW check decides between the candidates of an ambiguous form.

import type { NonceForm, NonceInput } from "../dialects/mod.ts";

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const HEX = /^[0-9a-fA-F]{1,16}$/;
const DIGITS = /^\d{1,20}$/;
const HAS_HEX_LETTER = /[a-fA-F]/;

/** How to read a nonce: the dialect's form and the connection's extranonce (hex, "" for none). */
export interface NonceContext {
  /** The dialect's nonce form. */
  form: NonceForm;
  /** High bytes owned by the connection, hex ("" for none). */
  extranonceHex: string;
}

function u64(value: bigint): bigint | undefined {
  return value >= 0n && value <= U64_MAX ? value : undefined;
}

/**
 * Hex nonce as bridges read it (stratum.md §2): strip `0x`; when the connection has an
 * extranonce and the rest is at most `16 - len(extranonce)` chars, the full nonce is the
 * extranonce (high bytes) followed by the left-zero-padded rest; otherwise the hex is the nonce.
 */
export function parseHexNonce(text: string, extranonceHex: string): bigint | undefined {
  const hex = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (!HEX.test(hex)) return undefined;
  const room = 16 - extranonceHex.length;
  const full = extranonceHex !== "" && hex.length <= room
    ? extranonceHex + hex.padStart(room, "0")
    : hex;
  return BigInt(`0x${full}`);
}

function parseDecimal(text: string): bigint | undefined {
  return DIGITS.test(text) ? u64(BigInt(text)) : undefined;
}

/**
 * The u64 values a submitted nonce may mean, most likely first; undefined when malformed.
 * JSON integers are always the nonce itself. `hex` (array, bighex) reads strings as hex; `decimal`
 * (simple) reads decimal strings (and `0x` hex); `any` (bitmain) reads `0x` hex, strings with hex
 * letters as hex, more than 16 digits as decimal, and digit strings of 16 or fewer both ways
 * (hex first, as the Go and Rust bridges parse it).
 *
 * @example
 * ```ts
 * parseNonce("a1b2c3d4e5f6", { form: "hex", extranonceHex: "0001" }); // [0x0001a1b2c3d4e5f6n]
 * parseNonce("1234", { form: "any", extranonceHex: "" }); // [0x1234n, 1234n]
 * ```
 */
export function parseNonce(input: NonceInput, ctx: NonceContext): bigint[] | undefined {
  if (typeof input === "number") {
    return Number.isSafeInteger(input) && input >= 0 ? [BigInt(input)] : undefined;
  }
  if (typeof input === "bigint") {
    const v = u64(input);
    return v === undefined ? undefined : [v];
  }
  const text = input.trim();
  const prefixed = text.startsWith("0x") || text.startsWith("0X");
  let candidates: (bigint | undefined)[];
  switch (ctx.form) {
    case "hex":
      candidates = [parseHexNonce(text, ctx.extranonceHex)];
      break;
    case "decimal":
      candidates = [prefixed ? parseHexNonce(text, "") : parseDecimal(text)];
      break;
    case "any":
      if (prefixed || HAS_HEX_LETTER.test(text)) {
        candidates = [parseHexNonce(text, ctx.extranonceHex)];
      } else if (text.length > 16) candidates = [parseDecimal(text)];
      else candidates = [parseHexNonce(text, ctx.extranonceHex), parseDecimal(text)];
      break;
  }
  const found = [...new Set(candidates.filter((c): c is bigint => c !== undefined))];
  return found.length === 0 ? undefined : found;
}
