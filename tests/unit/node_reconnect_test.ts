import assert from "node:assert/strict";
import { NodeError } from "../../lib/node/errors.ts";
import { ReconnectingNodeClient } from "../../lib/node/reconnect.ts";
import { exponentialBackoff } from "../../lib/runtime/mod.ts";
import { FakeNode } from "../helpers/fake_node.ts";
import { ManualClock } from "../helpers/manual_clock.ts";

function endpoints(n: number): FakeNode[] {
  return Array.from(
    { length: n },
    (_, i) => Object.assign(new FakeNode(), { endpoint: `node${i}` }),
  );
}

function client(nodes: FakeNode[], clock: ManualClock) {
  const c = new ReconnectingNodeClient({
    endpoints: nodes,
    clock,
    backoff: exponentialBackoff({ baseMs: 1000, maxMs: 8000 }),
  });
  const changes: boolean[] = [];
  c.onConnectionChange((up) => changes.push(up));
  return { c, changes };
}

const down = () => new NodeError("disconnected", "refused");

Deno.test("reconnecting client uses the first endpoint that connects, in order", async () => {
  const clock = new ManualClock();
  const nodes = endpoints(3);
  nodes[0]!.connectFailures = [down()];
  const { c, changes } = client(nodes, clock);
  await c.connect();
  assert.equal(c.activeEndpoint, "node1");
  assert.deepEqual(nodes.map((n) => n.connectCalls), [1, 1, 0]);
  assert.deepEqual(changes, [true]);
  await c.close();
});

Deno.test("reconnecting client backs off between full passes over unreachable endpoints", async () => {
  const clock = new ManualClock();
  const nodes = endpoints(2);
  nodes[0]!.connectFailures = [down(), down(), down()];
  nodes[1]!.connectFailures = [down(), down(), down()];
  const { c } = client(nodes, clock);
  let connected = false;
  c.connect().then(() => (connected = true));
  await clock.advance(0);
  assert.deepEqual(nodes.map((n) => n.connectCalls), [1, 1]);
  await clock.advance(999);
  assert.deepEqual(nodes.map((n) => n.connectCalls), [1, 1], "waits 1 s");
  await clock.advance(1);
  assert.deepEqual(nodes.map((n) => n.connectCalls), [2, 2]);
  await clock.advance(2000);
  assert.deepEqual(nodes.map((n) => n.connectCalls), [3, 3], "then 2 s");
  assert.equal(connected, false);
  await clock.advance(4000);
  assert.equal(connected, true);
  assert.equal(c.activeEndpoint, "node0");
  await c.close();
});

Deno.test("reconnecting client re-connects (and so re-subscribes) after a loss", async () => {
  const clock = new ManualClock();
  const nodes = endpoints(2);
  const { c, changes } = client(nodes, clock);
  let templates = 0;
  c.onNewTemplate(() => templates++);
  await c.connect();
  nodes[0]!.emitTemplate();
  assert.equal(templates, 1);
  nodes[0]!.connectFailures = [down()];
  nodes[0]!.setConnected(false);
  await clock.advance(0);
  assert.deepEqual(changes, [true, false, true]);
  assert.equal(c.activeEndpoint, "node1", "failed over");
  nodes[0]!.emitTemplate(); // a node we are not using: ignored
  nodes[1]!.emitTemplate();
  assert.equal(templates, 2);
  await c.getDagInfo(); // calls go to the active endpoint
  await c.close();
});

Deno.test("reconnecting client calls fail fast while disconnected", async () => {
  const clock = new ManualClock();
  const nodes = endpoints(1);
  nodes[0]!.connectFailures = [down()];
  const { c } = client(nodes, clock);
  const pending = c.connect();
  await clock.advance(0);
  await assert.rejects(c.getInfo(), (e) => e instanceof NodeError && e.code === "disconnected");
  const verdict = await c.submitBlock(
    { header: undefined as never, raw: {}, payAddress: "", isSynced: true },
    1n,
  );
  assert.equal(verdict.kind, "unreachable");
  await clock.advance(1000);
  await pending;
  await c.close();
});

Deno.test("closing the reconnecting client stops retrying and rejects a pending connect", async () => {
  const clock = new ManualClock();
  const nodes = endpoints(1);
  nodes[0]!.connectFailures = [down(), down()];
  const { c } = client(nodes, clock);
  const pending = c.connect();
  await clock.advance(0);
  await c.close();
  await assert.rejects(pending, (e) => e instanceof NodeError && e.code === "closed");
  await clock.advance(60_000);
  assert.equal(nodes[0]!.connectCalls, 1);
  assert.equal(nodes[0]!.closed, true);
});

Deno.test("reconnecting client fails over when the active node stops answering, trying it last", async () => {
  const clock = new ManualClock();
  const nodes = endpoints(3);
  const { c, changes } = client(nodes, clock);
  await c.connect();
  assert.equal(c.activeEndpoint, "node0");
  nodes[0]!.templateFailures = [new NodeError("timeout", "no answer within 10000 ms")];
  await assert.rejects(c.getBlockTemplate("addr", new Uint8Array()), { code: "timeout" });
  await clock.advance(0);
  assert.ok(nodes[0]!.closed, "the silent node's stream was closed");
  assert.equal(c.activeEndpoint, "node1");
  assert.deepEqual(nodes.map((n) => n.connectCalls), [1, 1, 0], "node0 not retried first");
  assert.deepEqual(changes, [true, false, true]);
  // Other errors are the caller's business: no failover.
  nodes[1]!.templateFailures = [new NodeError("bad-response", "garbled")];
  await assert.rejects(c.getBlockTemplate("addr", new Uint8Array()), { code: "bad-response" });
  await clock.advance(0);
  assert.equal(c.activeEndpoint, "node1");
  await c.close();
});

Deno.test("reconnecting client with one endpoint keeps it when a call times out", async () => {
  const clock = new ManualClock();
  const nodes = endpoints(1);
  const { c, changes } = client(nodes, clock);
  await c.connect();
  nodes[0]!.templateFailures = [new NodeError("timeout", "no answer within 10000 ms")];
  await assert.rejects(c.getBlockTemplate("addr", new Uint8Array()), { code: "timeout" });
  await clock.advance(0);
  assert.equal(c.activeEndpoint, "node0");
  assert.equal(nodes[0]!.closed, false);
  assert.deepEqual(changes, [true]);
  await c.close();
});

Deno.test("reconnecting client runs every endpoint connect attempt through aroundConnect", async () => {
  const clock = new ManualClock();
  const nodes = endpoints(2);
  nodes[0]!.connectFailures = [down()];
  const around: string[] = [];
  const c = new ReconnectingNodeClient({
    endpoints: nodes,
    clock,
    backoff: exponentialBackoff({ baseMs: 1000, maxMs: 8000 }),
    // What the composition root does with the descriptor reserve: lend, connect, refill.
    aroundConnect: async (attempt) => {
      around.push(`lend ${nodes.map((n) => n.connectCalls).join(",")}`);
      try {
        await attempt();
      } finally {
        around.push(`refill ${nodes.map((n) => n.connectCalls).join(",")}`);
      }
    },
  });
  await c.connect();
  assert.equal(c.activeEndpoint, "node1");
  assert.deepEqual(around, ["lend 0,0", "refill 1,0", "lend 1,0", "refill 1,1"]);
  nodes[1]!.setConnected(false);
  await clock.advance(0);
  assert.equal(c.activeEndpoint, "node0");
  assert.equal(around.length, 6, "the reconnect went through it too");
  await c.close();
});
