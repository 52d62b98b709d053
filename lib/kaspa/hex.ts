// Hex <-> bytes for hashes and header fields (memory order, lowercase, no prefix).
// Pure; the one hex codec of kstratum.

import { BlockError } from "./errors.ts";

const HEX_DIGITS = "0123456789abcdef";
const BYTE_HEX: string[] = Array.from(
  { length: 256 },
  (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!,
);

/**
 * Lowercase hex of `bytes` in memory order.
 *
 * @example
 * ```ts
 * import { toHex } from "./hex.ts";
 * toHex(new Uint8Array([0x0a, 0xff])); // "0aff"
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += BYTE_HEX[bytes[i]!]!;
  return out;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Bytes of a hex string (either case, even length, no prefix). Throws BlockError `invalid-hex`.
 * When `expectedLength` (bytes) is given, the decoded length must match it.
 *
 * @example
 * ```ts
 * import { fromHex } from "./hex.ts";
 * fromHex("0aFF"); // Uint8Array [10, 255]
 * ```
 */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (hex.length % 2 !== 0) throw new BlockError("invalid-hex", "hex string has odd length");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new BlockError("invalid-hex", `non-hex character near offset ${2 * i}`);
    }
    out[i] = (hi << 4) | lo;
  }
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new BlockError("invalid-hex", `expected ${expectedLength} bytes, got ${out.length}`);
  }
  return out;
}
