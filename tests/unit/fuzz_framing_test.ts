// Seeded fuzzing of framing: mutated transcript bytes and raw garbage, cut into random chunks, must
// split exactly like a whole-buffer reference split, with every line capped. Pure: no permissions.

import assert from "node:assert/strict";
import { concatBytes, LineSplitter, type SplitEvent } from "../../lib/framing/mod.ts";
import { CORPUS_LINES, mutateLine, Rng } from "../helpers/fuzz.ts";

const encoder = new TextEncoder();
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** What any splitter must produce for `bytes`: split on \n, cap, clean, skip empty lines. */
function reference(bytes: Uint8Array, max: number): SplitEvent[] {
  const events: SplitEvent[] = [];
  let start = 0;
  while (start <= bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl === -1 ? bytes.length : nl;
    const line = bytes.subarray(start, end);
    if (line.length > max) {
      events.push({ kind: "overflow", bytes: 0 });
    } else if (line.length > 0) {
      const text = new TextDecoder().decode(line).replace(CONTROL, "").trim();
      if (text.length > 0) events.push({ kind: "line", text });
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  return events;
}

/** A byte stream: mutated corpus lines, binary garbage and long runs, joined by \n or \r\n. */
function stream(rng: Rng): Uint8Array {
  const parts: Uint8Array[] = [];
  const n = 1 + rng.int(12);
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (r < 0.5) parts.push(encoder.encode(mutateLine(rng, rng.pick(CORPUS_LINES))));
    else if (r < 0.65) parts.push(encoder.encode(rng.pick(CORPUS_LINES)));
    else if (r < 0.85) parts.push(rng.bytes(rng.int(300)));
    else parts.push(new Uint8Array(200 + rng.int(800)).fill(rng.pick([0x41, 0x7b, 0x20, 0x00])));
    parts.push(encoder.encode(rng.pick(["\n", "\r\n", "\n\n", ""])));
  }
  return concatBytes(parts);
}

function chunks(rng: Rng, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = rng.chance(0.3) ? 1 : 1 + rng.int(rng.chance(0.5) ? 16 : 700);
    out.push(bytes.slice(at, at + size));
    at += size;
  }
  return out;
}

/** Overflow sizes depend on where the cap was crossed; compare kinds and texts only. */
const shape = (events: SplitEvent[]) =>
  events.map((e) => (e.kind === "line" ? e.text : "<overflow>"));

Deno.test("framing fuzz: any chunking of hostile bytes splits like the whole-buffer reference", () => {
  for (let seed = 1; seed <= 1500; seed++) {
    const rng = new Rng(seed);
    const max = rng.pick([16, 64, 256, 1024, 64 * 1024]);
    const bytes = stream(rng);
    const splitter = new LineSplitter({ maxLineBytes: max });
    const events: SplitEvent[] = [];
    for (const c of chunks(rng, bytes)) {
      events.push(...splitter.push(c));
      assert.ok(splitter.pendingBytes <= max, `seed ${seed}: holds at most the cap`);
    }
    events.push(...splitter.finish());
    assert.deepEqual(shape(events), shape(reference(bytes, max)), `seed ${seed}`);
    for (const e of events) {
      if (e.kind === "line") {
        assert.ok(encoder.encode(e.text).length <= max * 3, `seed ${seed}: line within the cap`);
        assert.doesNotMatch(e.text, CONTROL, `seed ${seed}: no control characters survive`);
      }
    }
  }
});
