// Load generator: N simulated Stratum miners over TCP on loopback, in any mix of dialects,
// with a connection ramp, a share rate and a bounded duration; prints a JSON summary and exits.
//
//   deno run --allow-net=127.0.0.1 --allow-read --allow-write scripts/loadgen.ts --port 5555 \
//     [--miners 1000] [--mix array:1,bighex:1,bitmain:1,simple:1] [--addresses 1] [--prefix kaspadev] [--ramp 1000]
//     [--hold-s 10] [--warmup-s 0] [--share-rate 2000] [--share-kind valid|block|any] [--network-bits 0x1e21bc1c]
//     [--reply-timeout-ms 5000] [--max-run-s 300] [--out summary.json]
//
// Shares are real: nonces are searched with lib/pow (kHeavyHash) against the difficulty the server
// set, so point it at a server whose share difficulty is tiny (e.g. 2^-32) for cheap valid shares.
// `valid` shares meet the share target and not the network target (--network-bits of the node's
// templates); `block` shares meet the network target; `any` sends unchecked nonces.
// Each miner holds one socket: the process needs `ulimit -n` above --miners (10k miners: 10240+).
// Progress goes to stderr as JSON lines; the summary goes to stdout or --out.

import { LoadOptionsError, parseLoadArgs } from "./loadgen/options.ts";
import { runLoad } from "./loadgen/run.ts";

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseLoadArgs(args);
  } catch (e) {
    if (!(e instanceof LoadOptionsError)) throw e;
    console.error(`loadgen: ${e.message}`);
    return 2;
  }
  const { out, ...options } = parsed;
  const summary = await runLoad(options, (event) => console.error(JSON.stringify(event)));
  const text = JSON.stringify(summary);
  if (out === undefined) console.log(text);
  else await Deno.writeTextFile(out, text);
  return summary.miners.ready > 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
