// kHeavyHash cost per share check and per job setup, lib/pow against the kaspa-wasm oracle
// (rusty-kaspa's own PoW code compiled to WASM) in the same run; `deno task bench`.

import { initSync, PoW } from "@onekeyfe/kaspa-wasm/kaspa.js";
import { compactToTarget, createPowState, difficultyToTarget } from "../lib/pow/mod.ts";

initSync({
  module: await Deno.readFile(
    new URL("kaspa_bg.wasm.bin", import.meta.resolve("@onekeyfe/kaspa-wasm/kaspa.js")),
  ),
});

/** A fixed pool of distinct, non-degenerate pre-PoW hashes (and their hex for the oracle). */
const POOL = Array.from({ length: 256 }, (_, i) => {
  const bytes = new Uint8Array(32).map((_, j) => (i * 131 + j * 29 + 1) & 0xff);
  return { bytes, hex: Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") };
});
const TIMESTAMP = 1_700_000_000_000n;
const BITS = 0x1e7fffff;
const SHARE_TARGET = difficultyToTarget(4096);

const ours = createPowState(POOL[0]!.bytes, TIMESTAMP);
const oracle = PoW.fromRaw(POOL[0]!.hex, TIMESTAMP, BITS);
let nonce = 0n;
let sink = 0;

Deno.bench({
  name: "share check: lib/pow meets()",
  group: "share check",
  fn() {
    if (ours.meets(nonce++, SHARE_TARGET)) sink++;
  },
});

Deno.bench({
  name: "share check: lib/pow powValue()",
  group: "share check",
  fn() {
    if (ours.powValue(nonce++) === 0n) sink++;
  },
});

Deno.bench({
  name: "share check: kaspa-wasm checkWork() (oracle)",
  group: "share check",
  baseline: true,
  fn() {
    if (oracle.checkWork(nonce++)[0]) sink++;
  },
});

const blockTarget = compactToTarget(BITS);
const manyStates = POOL.slice(0, 128).map((p) => createPowState(p.bytes, TIMESTAMP));
let rr = 0;
Deno.bench({
  name: "share check: lib/pow meets() rotating over 128 live jobs (slot cache misses)",
  group: "share check",
  fn() {
    const state = manyStates[rr++ & 127]!;
    if (state.meets(nonce++, blockTarget)) sink++;
  },
});

let job = 0;
Deno.bench({
  name: "job setup: lib/pow createPowState()",
  group: "job setup",
  fn() {
    createPowState(POOL[job++ & 255]!.bytes, TIMESTAMP);
  },
});

Deno.bench({
  name: "job setup: kaspa-wasm PoW.fromRaw() (oracle)",
  group: "job setup",
  baseline: true,
  fn() {
    PoW.fromRaw(POOL[job++ & 255]!.hex, TIMESTAMP, BITS).free();
  },
});

/**
 * Robust figures for the report: interleaved batches of ours and the oracle, median per call,
 * so background load hits both sides alike. Printed before Deno's table; ratio = oracle / ours.
 */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}
function perCall(batch: number, fn: (i: number) => void): number {
  const start = performance.now();
  for (let i = 0; i < batch; i++) fn(i);
  return ((performance.now() - start) * 1e6) / batch; // ns
}
function interleaved(rounds: number, ours: () => number, oracle: () => number): [number, number] {
  const a: number[] = [];
  const b: number[] = [];
  ours(); // warm-up: let both sides reach their optimising tier
  oracle();
  for (let r = 0; r < rounds; r++) {
    a.push(ours());
    b.push(oracle());
  }
  return [median(a), median(b)];
}
const [checkOurs, checkOracle] = interleaved(
  15,
  () => perCall(20_000, () => void ours.meets(nonce++, SHARE_TARGET)),
  () => perCall(2_000, () => void oracle.checkWork(nonce++)),
);
const [setupOurs, setupOracle] = interleaved(
  15,
  () => perCall(100, (i) => void createPowState(POOL[i & 255]!.bytes, TIMESTAMP)),
  () => perCall(100, (i) => PoW.fromRaw(POOL[i & 255]!.hex, TIMESTAMP, BITS).free()),
);
console.log(
  `pow_bench medians: share check ${checkOurs.toFixed(0)} ns (oracle ${
    checkOracle.toFixed(0)
  } ns, ` +
    `${(checkOracle / checkOurs).toFixed(1)}x); job setup ${(setupOurs / 1e3).toFixed(1)} µs ` +
    `(oracle ${(setupOracle / 1e3).toFixed(1)} µs, ${(setupOracle / setupOurs).toFixed(1)}x)`,
);

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
