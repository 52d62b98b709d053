// kstratum across a storm of kaspad restarts (SIGTERM and SIGKILL, idle gaps), linked over gRPC and
// over wRPC at once: neither process may die, miners get fresh work, blocks found meanwhile land.
// The short CI version of scripts/restart_storm.ts; `deno task storm` runs hundreds of restarts.

import assert from "node:assert/strict";
import { restartStorm } from "../../scripts/restart_storm.ts";
import { kaspadTest } from "../helpers/kaspad.ts";

const IDLE_MS = [0, 3000, 0, 10_000, 500, 0, 2000, 0];
const DOWN_MS = [0, 1000, 2000, 0, 500, 3000, 0, 1000];

kaspadTest(
  "restart storm: kaspad stopped and started 8 times under kstratum on gRPC and on wRPC; no death, fresh work each time, blocks found during outages accepted",
  async () => {
    const report = await restartStorm({
      restarts: IDLE_MS.length,
      idleMs: (i) => IDLE_MS[i]!,
      downMs: (i) => DOWN_MS[i]!,
      signal: (i) => (i % 2 === 0 ? "SIGTERM" : "SIGKILL"),
      blockDuring: (i) => i === 1 || i === 4,
      workBoundMs: 60_000,
      log: (line) => console.log(line),
    });
    console.log(JSON.stringify(report));
    assert.deepEqual(report.failures, []);
    assert.equal(report.restarts, 8);
    assert.deepEqual(report.bySignal, { SIGTERM: 4, SIGKILL: 4 });
    assert.deepEqual(report.transports.map((t) => t.transport), ["grpc", "wrpc"]);
    for (const t of report.transports) {
      assert.ok(t.alive, `${t.transport}: kstratum alive (${t.exit})`);
      assert.equal(t.workAfterMs.length, 8, `${t.transport}: fresh work after every restart`);
      assert.ok(t.shares >= 16, `${t.transport}: miners kept submitting (${t.shares} shares)`);
      assert.equal(t.blocksDuringOutage, 2);
      assert.equal(t.blocksAccepted, 2, `${t.transport}: blocks found during outages accepted`);
      assert.ok(t.blocksInDag >= 2, `${t.transport}: the node holds them (${t.blocksInDag})`);
      assert.ok(t.rssMaxMb < 400, `${t.transport}: memory stays bounded (${t.rssMaxMb} MB)`);
    }
  },
);
