// kstratum for the share-path benchmarks: main.ts's own config loader and composition root
// (lib/app startKstratum) with one change, every listener's difficulty fixed at --bench-diff.
//
// Why: the config refuses difficulties below 0.001 (≈ 4 million hashes per share), far beyond what
// a CPU load generator can find at 2,000+ shares/s. At 2^-32 almost every nonce is a share, yet
// the server still hashes and checks each one exactly as it would at any difficulty.
//
//   deno run --allow-net --allow-read --allow-env bench/scale/kstratum_share_server.ts \
//     --bench-diff 2.3283064365386963e-10 <any main.ts options>
//
// Runs until SIGINT/SIGTERM; prints {"stratum":[ports]} on stdout once listening.

import denoJson from "../../deno.json" with { type: "json" };
import { startKstratum } from "../../lib/app/mod.ts";
import { loadConfig } from "../../lib/config/mod.ts";
import { createLogger, stderrWriter } from "../../lib/log/mod.ts";

async function run(args: string[]): Promise<number> {
  const at = args.indexOf("--bench-diff");
  const diff = at >= 0 ? Number(args[at + 1]) : NaN;
  if (!(diff > 0 && Number.isFinite(diff))) {
    console.error("kstratum_share_server: --bench-diff <positive difficulty> is required");
    return 2;
  }
  const rest = args.filter((_, i) => i !== at && i !== at + 1);
  const loaded = loadConfig(rest, () => undefined, (path) => Deno.readTextFileSync(path));
  if (loaded.kind !== "run") {
    console.error("kstratum_share_server: expected server options, not --help/--version");
    return 2;
  }
  const config = {
    ...loaded.config,
    listeners: loaded.config.listeners.map((l) => ({
      ...l,
      difficulty: { ...l.difficulty, start: diff, min: diff, max: diff, vardiff: false },
    })),
  };
  const log = createLogger({
    level: config.log.level,
    format: config.log.format,
    timestamps: config.log.timestamps,
    write: stderrWriter(),
  });
  const running = await startKstratum(config, {
    log,
    version: denoJson.version,
    statsEveryMs: 0,
  });
  console.log(JSON.stringify({ stratum: running.stratum.map((l) => l.port) }));
  const stop = Promise.withResolvers<void>();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop.resolve);
  await stop.promise;
  for (const s of signals) Deno.removeSignalListener(s, stop.resolve);
  await running.stop();
  return 0;
}

if (import.meta.main) Deno.exit(await run(Deno.args));
