// Seeded fuzzing support: a deterministic PRNG, the miner lines of the conformance transcripts (every
// scenario in every dialect) as a corpus, and mutators (bytes, JSON values, methods). Pure.

import { allExpansions, VARS } from "../fixtures/transcripts/conformance.ts";

/** Deterministic PRNG (mulberry32): the same seed gives the same run on every machine. */
export class Rng {
  #s: number;
  /** A generator from a 32-bit seed. */
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

/** The payout address `${ADDR}` stands for in the transcripts. */
export const ADDR: string = VARS.ADDR!;

/** One step of a transcript as the fuzzer replays it. */
export type CorpusStep =
  | { kind: "line"; text: string }
  | { kind: "job"; header: string }
  | { kind: "clock"; ms: number }
  | { kind: "oversize" };

/** A transcript reduced to what the miner sends and what the template side does. */
export interface CorpusTranscript {
  name: string;
  /** Setup lines (`@ key value`). */
  setup: Map<string, string>;
  steps: CorpusStep[];
}

function unescapeWire(text: string): string {
  return text.replaceAll("\\n", "\n").replaceAll("\\r", "\r").replaceAll("\\t", "\t");
}

/** Every conformance scenario in every dialect it runs in, miner side. */
export const CORPUS: readonly CorpusTranscript[] = allExpansions().flatMap(({ expansion }) => {
  if (!("run" in expansion)) return [];
  const t = expansion.run;
  const steps: CorpusStep[] = [];
  for (const { op, arg } of t.steps) {
    if (op === ">" || op === ">|") {
      steps.push({ kind: "line", text: arg });
    } else if (op === ">>") {
      for (const part of unescapeWire(arg).split("\n")) {
        if (part.trim() !== "") steps.push({ kind: "line", text: part });
      }
    } else if (op === "!") {
      const [what, value = ""] = arg.split(" ");
      if (what === "job") steps.push({ kind: "job", header: value });
      if (what === "clock") steps.push({ kind: "clock", ms: Number(value.replace("+", "")) });
      if (what === "oversize") steps.push({ kind: "oversize" });
    }
  }
  return [{ name: `${t.scenario}/${t.dialect}`, setup: t.setup, steps }];
});

/** Every miner line of every transcript. */
export const CORPUS_LINES: readonly string[] = CORPUS.flatMap((t) =>
  t.steps.flatMap((s) => (s.kind === "line" ? [s.text] : []))
);

/** Method names of every dialect plus near misses. */
export const METHODS = [
  "mining.subscribe",
  "mining.authorize",
  "mining.submit",
  "mining.extranonce.subscribe",
  "subscribe",
  "authorize",
  "submit",
  "notify",
  "mining.notify",
  "mining.configure",
  "MINING.SUBMIT",
  "",
  "mining.",
  "__proto__",
  "constructor",
  "x".repeat(300),
] as const;

/** JSON texts of awkward values: huge and odd numbers, wrong types, deep nesting, odd strings. */
export const HOSTILE_VALUES = [
  "null",
  "true",
  "false",
  "0",
  "-0",
  "-1",
  "1.5",
  "1e300",
  "-1e300",
  "1e-300",
  "1E20",
  "9007199254740993",
  "9007199254740993.0",
  "18446744073709551615",
  "18446744073709551616",
  "-18446744073709551616",
  "123456789012345678901234567890123456789012345678901234567890",
  '""',
  '"0x"',
  '"0xffffffffffffffffff"',
  '"-1"',
  '"1e3"',
  '" 42 "',
  '"\\u0000"',
  '"\\ud800"',
  '"\u00e9\u4e2d\ud83d\ude00"',
  '"kaspa:"',
  '"d=99999999999999999999"',
  '"d=0.0000000000000000000001"',
  '"x,d=4096"',
  "[]",
  "{}",
  '{"__proto__":{"polluted":1}}',
  "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]",
  "[" + "1,".repeat(200) + "1]",
] as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Byte-level mutation: flip, insert, delete, duplicate, truncate, control and invalid UTF-8 bytes. */
export function mutateBytes(rng: Rng, text: string): string {
  const bytes = [...encoder.encode(text)];
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(bytes.length + 1);
    switch (rng.int(7)) {
      case 0:
        if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)]! ^= 1 << rng.int(8);
        break;
      case 1:
        bytes.splice(at, 0, ...rng.bytes(1 + rng.int(8)));
        break;
      case 2:
        bytes.splice(at, 1 + rng.int(16));
        break;
      case 3:
        bytes.splice(at, 0, ...bytes.slice(at, at + 1 + rng.int(32)));
        break;
      case 4:
        bytes.length = at;
        break;
      case 5:
        bytes.splice(at, 0, rng.pick([0x00, 0x09, 0x0d, 0x1b, 0x7f, 0x0b]));
        break;
      default:
        bytes.splice(at, 0, rng.pick([0xc3, 0xe2, 0xf0, 0xff, 0xfe, 0x80]));
    }
  }
  return decoder.decode(Uint8Array.from(bytes));
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The JSON text of `value`, with some leaf replaced by a hostile value or the method renamed. */
export function mutateJson(rng: Rng, text: string): string {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return mutateBytes(rng, text);
  }
  const marker = `@@HOSTILE${rng.int(1e9)}@@`;
  const hostile = rng.pick(HOSTILE_VALUES);
  if (typeof value === "object" && value !== null && !Array.isArray(value) && rng.chance(0.25)) {
    if (rng.chance(0.5)) value.method = rng.pick(METHODS);
    else value[rng.pick(["id", "method", "params", "jsonrpc"])] = marker;
  } else {
    value = replaceLeaf(rng, value, marker);
  }
  return JSON.stringify(value).replace(`"${marker}"`, hostile);
}

function replaceLeaf(rng: Rng, value: Json, marker: string): Json {
  if (Array.isArray(value) && value.length > 0 && rng.chance(0.8)) {
    const i = rng.int(value.length);
    value[i] = replaceLeaf(rng, value[i]!, marker);
    return value;
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length > 0 && rng.chance(0.8)) {
      const k = rng.pick(keys);
      value[k] = replaceLeaf(rng, value[k]!, marker);
      return value;
    }
  }
  return marker;
}

/** A mutated corpus line: byte-level, value-level, or two lines spliced. */
export function mutateLine(rng: Rng, text: string): string {
  const r = rng.next();
  if (r < 0.45) return mutateJson(rng, text);
  if (r < 0.85) return mutateBytes(rng, text);
  const other = rng.pick(CORPUS_LINES);
  return text.slice(0, rng.int(text.length + 1)) + other.slice(rng.int(other.length + 1));
}

/** A line as a hostile miner might send it: mostly a mutated corpus line, else built from hostile parts. */
export function hostileLine(rng: Rng): string {
  if (rng.chance(0.7)) return mutateLine(rng, rng.pick(CORPUS_LINES));
  const params = Array.from({ length: rng.int(6) }, () => rng.pick(HOSTILE_VALUES)).join(",");
  const id = rng.pick(HOSTILE_VALUES);
  return `{"id":${id},"method":${JSON.stringify(rng.pick(METHODS))},"params":[${params}]}`;
}

/** Passwords that ask for odd difficulties (`d=` overrides). */
export const HOSTILE_PASSWORDS = [
  "d=99999999999999999999",
  "d=9007199254740993",
  "d=4503599627370497",
  "d=0.00000000000000000000000000000001",
  "d=0",
  "d=1e9",
  "x,d=4096",
  "d=" + "9".repeat(400),
  "d=" + "1".repeat(20) + "." + "5".repeat(20),
] as const;
