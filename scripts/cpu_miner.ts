// A Stratum CPU miner on kstratum's WASM kHeavyHash, for trying kstratum on a local devnet without
// mining hardware. Speaks any dialect (array, lolMiner-style, by default), over TCP or TLS.
//
//   deno run --allow-net scripts/cpu_miner.ts --user kaspadev:qr...addr.rig1 [--host 127.0.0.1]
//     [--port 5555] [--dialect array|bighex|bitmain|simple] [--tls-ca ca.pem (needs --allow-read)]
//     [--seconds 0 (run until Ctrl-C)] [--quiet]
//
// At devnet difficulty a block takes ~500k hashes, so with kstratum's share difficulty set low
// (e.g. --start-diff 0.00002 --no-vardiff) it submits shares every moment and finds real blocks.

import { parseArgs } from "node:util";
import { DIALECT_IDS } from "../lib/dialects/mod.ts";
import { type MinerDialect, StratumMiner } from "./stratum_miner.ts";

const DIALECTS: readonly MinerDialect[] = DIALECT_IDS;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "5555" },
      user: { type: "string" },
      dialect: { type: "string", default: "array" },
      "tls-ca": { type: "string" },
      seconds: { type: "string", default: "0" },
      quiet: { type: "boolean", default: false },
    },
  });
  const dialect = values.dialect.toLowerCase() as MinerDialect;
  const dot = values.user?.lastIndexOf(".") ?? -1;
  if (values.user === undefined || dot <= 0 || !DIALECTS.includes(dialect)) {
    console.error(
      `cpu_miner: --user <address>.<worker> is required; --dialect is one of ${DIALECTS.join(" ")}`,
    );
    return 2;
  }
  const seconds = Number(values.seconds);
  const until = seconds > 0 ? Date.now() + seconds * 1000 : Infinity;
  const miner = await StratumMiner.connect(Number(values.port), {
    hostname: values.host,
    dialect,
    address: values.user.slice(0, dot),
    worker: values.user.slice(dot + 1),
    ...(values["tls-ca"] === undefined
      ? {}
      : { caCerts: [await Deno.readTextFile(values["tls-ca"])] }),
  });
  let stop = false;
  const startedAt = performance.now();
  const onSigint = (): void => void (stop = true);
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    await miner.handshake();
    console.log(`cpu_miner: logged in as ${values.user} (dialect ${dialect}); Ctrl-C stops`);
    let start = BigInt(Math.floor(Math.random() * 2 ** 40));
    while (!stop && !miner.closed && Date.now() < until) {
      const job = miner.job ?? await miner.nextJob(undefined, 1000);
      if (job === undefined) continue;
      const nonce = miner.findNonce(job, { start, tries: 50_000 });
      start += 50_000n;
      await new Promise((r) => setTimeout(r, 0)); // take newer jobs between rounds
      if (nonce === undefined) continue;
      const reply = await miner.submit(job, nonce);
      if (!values.quiet) {
        const verdict = reply.error === null
          ? "accepted"
          : `rejected ${JSON.stringify(reply.error)}`;
        console.log(`share ${verdict} (job ${job.id.slice(0, 16)}, difficulty ${job.difficulty})`);
      }
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    miner.close();
    await miner.ended;
  }
  const { accepted, submitted, errors } = miner.tally;
  const ran = (performance.now() - startedAt) / 1000;
  const rate = Math.round(miner.hashes / ran);
  console.log(
    `cpu_miner: ${accepted} of ${submitted} shares accepted; errors ${JSON.stringify(errors)}; ` +
      `${miner.hashes} hashes in ${ran.toFixed(1)} s (${rate} H/s)`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
