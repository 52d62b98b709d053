// Smoke runs of the scale tools on 127.0.0.1: the fake kaspad feeds kstratum (lib/app, as main.ts
// wires it) and the load generator drives it with a few miners of every dialect for a few seconds.

import assert from "node:assert/strict";
import { withFakeStack } from "../helpers/fake_stack.ts";
import type { FakeKaspad } from "../../scripts/fake_kaspad/server.ts";
import { LOAD_DEFAULTS, type LoadOptions } from "../../scripts/loadgen/options.ts";
import { runLoad } from "../../scripts/loadgen/run.ts";

const EASY_BITS = 0x207fffff; // half of all hashes are blocks

function withStack(
  fakeOptions: { bits?: number },
  body: (port: number, fake: FakeKaspad) => Promise<void>,
): Promise<void> {
  return withFakeStack({ fake: fakeOptions }, (port, fake) => body(port, fake));
}

function load(port: number, extra: Partial<LoadOptions>): LoadOptions {
  return {
    ...LOAD_DEFAULTS,
    port,
    miners: 8,
    mix: { array: 1, bighex: 1, bitmain: 1, simple: 1 },
    holdMs: 2500,
    maxRunMs: 30_000,
    ...extra,
  };
}

Deno.test("loadgen drives every dialect through kstratum with valid shares from the fake kaspad", async () => {
  await withStack({}, async (port, fake) => {
    const s = await runLoad(load(port, { shareRate: 40, shareKind: "valid" }));
    assert.equal(s.miners.ready, 8);
    assert.deepEqual(s.miners.byDialect, { array: 2, bighex: 2, bitmain: 2, simple: 2 });
    assert.equal(s.miners.droppedWhileReady, 0);
    assert.ok(s.jobs.perMinerPerSec > 1, `jobs per miner per second: ${s.jobs.perMinerPerSec}`);
    const complete = s.jobs.templates.filter((t) => t.reached === 8);
    assert.ok(complete.length >= 3, "several templates reached every miner");
    assert.ok(s.shares.sent >= 40, `shares sent: ${s.shares.sent}`);
    assert.equal(s.shares.accepted, s.shares.sent, JSON.stringify(s.shares));
    assert.deepEqual(s.shares.rejected, {});
    assert.equal(s.shares.timedOut, 0);
    assert.equal(s.shares.latencyMs.count, s.shares.sent);
    const stats = fake.stats();
    assert.equal(stats.submits, 0, "valid shares below the network target are not blocks");
    assert.ok(stats.gbtCalls > 0);
    const served = fake.events().filter((e) => e.gbtCalls > 0);
    assert.ok(served.every((e) => e.addresses === 1), "one payout address, one template per event");
  });
});

Deno.test("loadgen block shares reach the fake kaspad as blocks with valid PoW", async () => {
  await withStack({ bits: EASY_BITS }, async (port, fake) => {
    const s = await runLoad(
      load(port, { shareRate: 20, shareKind: "block", networkBits: EASY_BITS }),
    );
    assert.equal(s.miners.ready, 8);
    assert.ok(s.shares.sent >= 20, `shares sent: ${s.shares.sent}`);
    assert.equal(s.shares.accepted, s.shares.sent, JSON.stringify(s.shares));
    const stats = fake.stats();
    assert.equal(stats.blocksValid, s.shares.sent);
    assert.equal(stats.blocksInvalid, 0);
  });
});

Deno.test("loadgen refuses a target that is not loopback", async () => {
  const { checkOptions, LoadOptionsError } = await import("../../scripts/loadgen/options.ts");
  assert.throws(() => checkOptions({ ...LOAD_DEFAULTS, host: "10.0.0.1" }), LoadOptionsError);
});
