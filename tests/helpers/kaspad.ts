// Integration-test access to a real kaspad devnet: find (or, in CI, build) the binary, skip clearly when
// absent, start/stop nodes, and solve jobs with the WASM PoW. Process handling is scripts/kaspad_process.ts.

import {
  ensureKaspad,
  findKaspad,
  findKaspaMiner,
  type KaspadOptions,
  KaspadProcess,
  randomDevnetAddress,
} from "../../scripts/kaspad_process.ts";
import type { BlockHeader, Job } from "../../lib/kaspa/types.ts";
import { decodeBlockHeader } from "../../lib/node/grpc/block.ts";
import type { GrpcNodeClient } from "../../lib/node/grpc/client.ts";
import { decode } from "../../lib/node/grpc/messages.ts";

export { findKaspaMiner, KaspadProcess, randomDevnetAddress };

/** CI sets KSTRATUM_REQUIRE_KASPAD: then a missing kaspad is built (or the tests fail), never skipped. */
export const REQUIRE_KASPAD = Deno.env.get("KSTRATUM_REQUIRE_KASPAD") !== undefined;

/** The kaspad binary, or undefined when absent and not required. */
export const KASPAD_BIN: string | undefined = REQUIRE_KASPAD
  ? await ensureKaspad()
  : await findKaspad();

if (KASPAD_BIN === undefined) {
  console.warn(
    "kaspad integration tests SKIPPED: kaspad is not installed " +
      "(run scripts/install_kaspad.sh kaspad, or set KSTRATUM_REQUIRE_KASPAD=1 to build and require it)",
  );
}

/** Registers a test that needs kaspad; skipped (with the warning above) only when it is absent. */
export function kaspadTest(name: string, fn: (binary: string) => Promise<void>): void {
  Deno.test({
    name,
    ignore: KASPAD_BIN === undefined,
    fn: () => fn(KASPAD_BIN!),
  });
}

/** Starts a devnet kaspad with the test binary. */
export function startKaspad(options: Omit<KaspadOptions, "binary"> = {}): Promise<KaspadProcess> {
  return KaspadProcess.start({ binary: KASPAD_BIN!, ...options });
}

/**
 * Finds a nonce whose PoW meets the job's network target, trying up to `maxTries` nonces from a
 * random start. Returns undefined when none is found (devnet genesis difficulty needs ~500k tries).
 */
export function solve(job: Job, maxTries = 20_000_000): bigint | undefined {
  const start = new DataView(crypto.getRandomValues(new Uint8Array(8)).buffer).getBigUint64(0) >>
    1n;
  const pow = job.pow();
  for (let i = 0n; i < BigInt(maxTries); i++) {
    const nonce = start + i;
    if (pow.meets(nonce, job.networkTarget)) return nonce;
  }
  return undefined;
}

/** Polls `check` every `everyMs` until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The miner data in a coinbase payload (hex): blue score u64, subsidy u64, script version u16,
 * script length u8, script, extra data.
 */
export function coinbaseMiner(payloadHex: string): { script: string; extraData: string } {
  const bytes = Uint8Array.from(payloadHex.match(/../g) ?? [], (h) => parseInt(h, 16));
  const len = bytes[18] ?? 0;
  const script = Array.from(bytes.subarray(19, 19 + len), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  return { script, extraData: new TextDecoder().decode(bytes.subarray(19 + len)) };
}

/** A block as kaspad stores it: the raw RpcBlock bytes, its decoded header and coinbase miner data. */
export interface StoredBlock {
  raw: Uint8Array;
  header: BlockHeader;
  /** The coinbase payload's miner script (hex) and extra data. */
  miner: { script: string; extraData: string };
}

/** Waits (bounded, 30 s) until the node holds block `hash` (hex), then decodes it. */
export async function storedBlock(client: GrpcNodeClient, hash: string): Promise<StoredBlock> {
  const raw = await waitFor(`block ${hash} in the node`, async () => {
    try {
      return await client.getBlock(hash, true);
    } catch {
      return undefined;
    }
  });
  const coinbase = decode("RpcBlock", raw).transactions[0];
  if (coinbase === undefined) throw new Error(`block ${hash} has no coinbase`);
  return { raw, header: decodeBlockHeader(raw), miner: coinbaseMiner(coinbase.payload) };
}
