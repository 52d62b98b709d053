// Protocol Buffers wire format: reading fields with their exact byte spans, and writing them back.
// Pure and lossless: every varint is a bigint, unknown fields are kept as raw spans.

/** Wire types used by proto3. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/** Raised when bytes are not a valid protobuf encoding. */
export class WireError extends Error {
  override readonly name = "WireError";
  readonly code = "malformed";
}

/** One field as found in a message, with its exact position. */
export interface WireField {
  num: number;
  wire: number;
  /** Offset of the tag (start of the whole field). */
  start: number;
  /** Offset just past the field. */
  end: number;
  /** Varint value (VARINT), or the little-endian value (I64/I32). */
  int: bigint;
  /** Offsets of the payload bytes (LEN), or of the fixed bytes (I64/I32). */
  valueStart: number;
  valueEnd: number;
}

/** Reads a varint at `pos`; returns [value, next offset]. At most 10 bytes (u64). */
export function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  // Fast path: up to 4 bytes fit a 28-bit number.
  let small = 0;
  for (let i = 0; i < 4; i++) {
    const b = buf[pos + i];
    if (b === undefined) throw new WireError("truncated varint");
    small |= (b & 0x7f) << (7 * i);
    if (b < 0x80) return [BigInt(small), pos + i + 1];
  }
  let value = BigInt(small);
  for (let i = 4; i < 10; i++) {
    const b = buf[pos + i];
    if (b === undefined) throw new WireError("truncated varint");
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) return [BigInt.asUintN(64, value), pos + i + 1];
  }
  throw new WireError("varint longer than 10 bytes");
}

function readFixed(buf: Uint8Array, pos: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[pos + i]!);
  return v;
}

/** Splits a message into its fields, in wire order. Throws WireError on malformed input. */
export function readFields(buf: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(buf, pos);
    const num = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (num === 0) throw new WireError("field number 0");
    let int = 0n;
    let valueStart = afterTag;
    let valueEnd: number;
    switch (wire) {
      case WireType.VARINT:
        [int, valueEnd] = readVarint(buf, afterTag);
        break;
      case WireType.I64:
      case WireType.I32: {
        const size = wire === WireType.I64 ? 8 : 4;
        valueEnd = afterTag + size;
        if (valueEnd > buf.length) throw new WireError("truncated fixed field");
        int = readFixed(buf, afterTag, size);
        break;
      }
      case WireType.LEN: {
        const [len, afterLen] = readVarint(buf, afterTag);
        valueStart = afterLen;
        valueEnd = afterLen + Number(len);
        if (len > BigInt(buf.length) || valueEnd > buf.length) {
          throw new WireError("length-delimited field runs past the end");
        }
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wire}`);
    }
    pos = valueEnd;
    fields.push({ num, wire, start, end: pos, int, valueStart, valueEnd });
  }
  return fields;
}

/** Payload bytes of a LEN field (a view, not a copy). */
export function fieldBytes(buf: Uint8Array, field: WireField): Uint8Array {
  return buf.subarray(field.valueStart, field.valueEnd);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/** Payload of a LEN field as UTF-8 text. */
export function fieldString(buf: Uint8Array, field: WireField): string {
  return utf8.decode(fieldBytes(buf, field));
}

/** Payload of an I64 field as an IEEE-754 double. */
export function fieldDouble(buf: Uint8Array, field: WireField): number {
  const view = new DataView(buf.buffer, buf.byteOffset + field.valueStart, 8);
  return view.getFloat64(0, true);
}

/** Appends protobuf fields to a growing buffer. */
export class WireWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  /** Appends bytes verbatim (e.g. a field copied from another message). */
  raw(bytes: Uint8Array): this {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  /** Appends a bare varint (u64; bigint or a safe non-negative integer). */
  varint(value: bigint | number): this {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return this.raw(Uint8Array.from(out));
  }

  tag(num: number, wire: number): this {
    return this.varint((BigInt(num) << 3n) | BigInt(wire));
  }

  /** A varint field (uint32/uint64/int64/bool/enum); proto3 omits zero unless `always`. */
  uint(num: number, value: bigint | number | boolean, always = false): this {
    const v = typeof value === "boolean" ? (value ? 1n : 0n) : BigInt(value);
    if (v === 0n && !always) return this;
    return this.tag(num, WireType.VARINT).varint(v);
  }

  /** A length-delimited field holding `bytes` (always written, even when empty). */
  bytes(num: number, bytes: Uint8Array): this {
    return this.tag(num, WireType.LEN).varint(bytes.length).raw(bytes);
  }

  /** A string field; proto3 omits the empty string. */
  string(num: number, text: string): this {
    if (text === "") return this;
    return this.bytes(num, utf8Encoder.encode(text));
  }

  /** A double field; proto3 omits 0. */
  double(num: number, value: number): this {
    if (value === 0) return this;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    return this.tag(num, WireType.I64).raw(b);
  }

  get length(): number {
    return this.#length;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let pos = 0;
    for (const c of this.#chunks) {
      out.set(c, pos);
      pos += c.length;
    }
    return out;
  }
}
