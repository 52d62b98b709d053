// Lossless JSON: a parser that keeps every value's source span and number text, and a writer for bigints.
// Pure. Lets a u64 above 2^53 pass through exactly and a block be re-sent byte for byte but for its nonce.

/** A parsed JSON value with its [start, end) offsets in the source text. */
export type JsonNode =
  | { type: "object"; start: number; end: number; entries: Array<[string, JsonNode]> }
  | { type: "array"; start: number; end: number; items: JsonNode[] }
  | { type: "string"; start: number; end: number; value: string }
  | { type: "number"; start: number; end: number; raw: string }
  | { type: "boolean"; start: number; end: number; value: boolean }
  | { type: "null"; start: number; end: number };

/** Raised for malformed JSON or a value of the wrong shape. */
export class JsonError extends Error {
  override readonly name = "JsonError";
  readonly code = "malformed";
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WS = /[ \t\n\r]*/y;

class Parser {
  pos = 0;
  constructor(readonly text: string, readonly maxDepth: number) {}

  fail(what: string): never {
    throw new JsonError(`${what} at offset ${this.pos}`);
  }

  ws(): void {
    WS.lastIndex = this.pos;
    WS.test(this.text);
    this.pos = WS.lastIndex;
  }

  value(depth: number): JsonNode {
    if (depth > this.maxDepth) this.fail("nesting too deep");
    this.ws();
    const start = this.pos;
    const c = this.text.charCodeAt(start);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) {
      const value = this.string();
      return { type: "string", start, end: this.pos, value };
    }
    if (this.text.startsWith("true", start)) return this.word(start, "boolean", true);
    if (this.text.startsWith("false", start)) return this.word(start, "boolean", false);
    if (this.text.startsWith("null", start)) {
      this.pos += 4;
      return { type: "null", start, end: this.pos };
    }
    NUMBER.lastIndex = start;
    if (!NUMBER.test(this.text)) this.fail("unexpected character");
    this.pos = NUMBER.lastIndex;
    return { type: "number", start, end: this.pos, raw: this.text.slice(start, this.pos) };
  }

  word(start: number, type: "boolean", value: boolean): JsonNode {
    this.pos += value ? 4 : 5;
    return { type, start, end: this.pos, value };
  }

  string(): string {
    const start = this.pos;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (Number.isNaN(c)) this.fail("unterminated string");
      if (c === 0x22) break;
      if (c < 0x20) this.fail("control character in string");
      if (c === 0x5c) {
        escaped = true;
        i += 2;
      } else i++;
    }
    this.pos = i + 1;
    if (!escaped) return this.text.slice(start + 1, i);
    try {
      return JSON.parse(this.text.slice(start, this.pos));
    } catch {
      this.fail("bad string escape");
    }
  }

  expect(ch: string): void {
    this.ws();
    if (this.text[this.pos] !== ch) this.fail(`expected "${ch}"`);
    this.pos++;
  }

  object(depth: number): JsonNode {
    const start = this.pos++;
    const entries: Array<[string, JsonNode]> = [];
    this.ws();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return { type: "object", start, end: this.pos, entries };
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail("expected a key");
      const key = this.string();
      this.expect(":");
      entries.push([key, this.value(depth + 1)]);
      this.ws();
      const c = this.text[this.pos++];
      if (c === "}") return { type: "object", start, end: this.pos, entries };
      if (c !== ",") this.fail('expected "," or "}"');
    }
  }

  array(depth: number): JsonNode {
    const start = this.pos++;
    const items: JsonNode[] = [];
    this.ws();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return { type: "array", start, end: this.pos, items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos++];
      if (c === "]") return { type: "array", start, end: this.pos, items };
      if (c !== ",") this.fail('expected "," or "]"');
    }
  }
}

/** Parses `text` keeping spans and number text. Throws JsonError. */
export function parseJson(text: string, maxDepth = 64): JsonNode {
  const p = new Parser(text, maxDepth);
  const node = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail("trailing characters");
  return node;
}

/** Member `key` of an object node (the last one if repeated), or undefined. */
export function member(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node?.type !== "object") return undefined;
  for (let i = node.entries.length - 1; i >= 0; i--) {
    const e = node.entries[i]!;
    if (e[0] === key) return e[1];
  }
  return undefined;
}

/** Follows a path of object keys. */
export function path(node: JsonNode | undefined, ...keys: string[]): JsonNode | undefined {
  let n = node;
  for (const k of keys) n = member(n, k);
  return n;
}

function shape(what: string, expected: string): never {
  throw new JsonError(`${what} is not ${expected}`);
}

export function asString(node: JsonNode | undefined, what: string): string {
  return node?.type === "string" ? node.value : shape(what, "a string");
}

export function asBoolean(node: JsonNode | undefined, what: string): boolean {
  return node?.type === "boolean" ? node.value : shape(what, "a boolean");
}

export function asArray(node: JsonNode | undefined, what: string): JsonNode[] {
  return node?.type === "array" ? node.items : shape(what, "an array");
}

/** An unsigned integer of at most `bits` bits, exactly (never through a JS number). */
export function asUint(node: JsonNode | undefined, what: string, bits = 64): bigint {
  if (node?.type !== "number" || !/^(0|[1-9][0-9]*)$/.test(node.raw)) {
    shape(what, "an unsigned integer");
  }
  const v = BigInt(node.raw);
  if (v >= 1n << BigInt(bits)) shape(what, `a u${bits}`);
  return v;
}

/** A small unsigned integer (≤ 32 bits) as a number. */
export function asUint32(node: JsonNode | undefined, what: string): number {
  return Number(asUint(node, what, 32));
}

/** Any JSON number as a double (for values like difficulty). */
export function asDouble(node: JsonNode | undefined, what: string): number {
  return node?.type === "number" ? Number(node.raw) : shape(what, "a number");
}

/** Text inserted verbatim by stringifyJson (already-valid JSON). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Values stringifyJson writes; bigints are written as exact integer literals. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | RawJson
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };

/** Compact JSON text; bigint → exact digits, RawJson → verbatim, undefined members skipped. */
export function stringifyJson(value: JsonValue): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError("JSON cannot carry a non-finite number");
    return JSON.stringify(value);
  }
  if (typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(",")}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) parts.push(`${JSON.stringify(k)}:${stringifyJson(v)}`);
  }
  return `{${parts.join(",")}}`;
}

/** `text` with the span of `node` replaced by `replacement`. */
export function splice(text: string, node: JsonNode, replacement: string): string {
  return text.slice(0, node.start) + replacement + text.slice(node.end);
}
