// kstratum as main.ts wires it (lib/app) on the fake kaspad, every listener at a share difficulty
// below the config's floor so a CPU miner finds shares at once. For tests that need templates at
// 10/s or blocks on demand, which a real kaspad cannot give.

import assert from "node:assert/strict";
import { type Running, startKstratum } from "../../lib/app/mod.ts";
import { loadConfig } from "../../lib/config/mod.ts";
import { createLogger, type Logger } from "../../lib/log/mod.ts";
import { FakeKaspad, type FakeKaspadOptions } from "../../scripts/fake_kaspad/server.ts";

/** Almost every nonce is a share at this difficulty: the server still hashes each one. */
export const TINY_DIFF = 2 ** -32;

/**
 * Runs `body` against kstratum on a fake kaspad made with `fake`, started from `args` (after
 * --node, --listen 127.0.0.1:0, --http off, --data-dir off) with every listener fixed at
 * TINY_DIFF; `log` defaults to errors only, dropped. Stops both afterwards.
 */
export async function withFakeStack(
  options: { fake?: FakeKaspadOptions; args?: string[]; log?: Logger },
  body: (port: number, fake: FakeKaspad, running: Running) => Promise<void>,
): Promise<void> {
  const fake = new FakeKaspad({ rate: 10, ...options.fake });
  const nodePort = await fake.listen();
  const loaded = loadConfig(
    [
      "--node",
      `127.0.0.1:${nodePort}`,
      "--listen",
      "127.0.0.1:0",
      "--http",
      "off",
      "--data-dir",
      "off",
      ...(options.args ?? []),
    ],
    () => undefined,
    () => "",
  );
  assert.equal(loaded.kind, "run");
  if (loaded.kind !== "run") return;
  const config = {
    ...loaded.config,
    listeners: loaded.config.listeners.map((l) => ({
      ...l,
      difficulty: {
        ...l.difficulty,
        start: TINY_DIFF,
        min: TINY_DIFF,
        max: TINY_DIFF,
        vardiff: false,
      },
    })),
  };
  const log = options.log ??
    createLogger({ level: "error", format: "text", timestamps: false, write: () => {} });
  const running = await startKstratum(config, { log, version: "test", statsEveryMs: 0 });
  try {
    await running.service.whenReady();
    await body(running.stratum[0]!.port, fake, running);
  } finally {
    await running.stop();
    await fake.close();
  }
}
