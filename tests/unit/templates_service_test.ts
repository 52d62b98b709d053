import assert from "node:assert/strict";
import { toHex } from "../../lib/kaspa/mod.ts";
import { AddressError, encodeAddress } from "../../lib/kaspa/address.ts";
import { TemplateService, type TemplateServiceOptions } from "../../lib/templates/service.ts";
import type { Job } from "../../lib/kaspa/types.ts";
import { bytes32, FakeNode } from "../helpers/fake_node.ts";
import { logLines } from "../helpers/log_lines.ts";
import { flush, ManualClock } from "../helpers/manual_clock.ts";

const A = encodeAddress({ prefix: "kaspadev", version: 0, payload: bytes32("alice") });
const B = encodeAddress({ prefix: "kaspadev", version: 0, payload: bytes32("bob") });
const MAINNET = encodeAddress({ prefix: "kaspa", version: 0, payload: bytes32("carol") });

async function setup(options: Partial<TemplateServiceOptions> = {}) {
  const clock = new ManualClock();
  const node = new FakeNode();
  const service = new TemplateService({ node, clock, ...options });
  service.start();
  await service.whenReady();
  await clock.advance(0);
  return { clock, node, service };
}

function collect(service: TemplateService, address: string): { jobs: Job[]; off: () => void } {
  const jobs: Job[] = [];
  const off = service.subscribe(address, (job) => jobs.push(job));
  return { jobs, off };
}

Deno.test("template service fetches one template per address, however many miners use it", async () => {
  const { clock, node, service } = await setup();
  const subs = [collect(service, A), collect(service, A), collect(service, A), collect(service, B)];
  await clock.advance(0);
  assert.deepEqual(node.templateCalls.sort(), [A, B].sort());
  node.templateCalls = [];
  node.tip++;
  node.emitTemplate();
  await clock.advance(300);
  assert.deepEqual(node.templateCalls.sort(), [A, B].sort());
  // Every subscriber of A got the same job object, hashed once.
  const [a1, a2, a3, b] = subs;
  assert.equal(a1!.jobs.length, 2);
  assert.equal(a1!.jobs[1], a2!.jobs[1]);
  assert.equal(a1!.jobs[1], a3!.jobs[1]);
  assert.notEqual(toHex(a1!.jobs[1]!.prePowHash), toHex(b!.jobs[1]!.prePowHash));
  await service.stop();
});

Deno.test("template service coalesces a burst into one job per interval, the newest", async () => {
  const { clock, node, service } = await setup({ coalesceMs: 250 });
  const { jobs } = collect(service, A);
  await clock.advance(300);
  assert.equal(jobs.length, 1);
  node.templateCalls = [];
  // Ten notifications 20 ms apart: the first is answered at once, the rest by one fetch at +250 ms.
  for (let i = 0; i < 10; i++) {
    node.tip++;
    node.emitTemplate();
    await clock.advance(20);
  }
  await clock.advance(100);
  assert.equal(node.templateCalls.length, 2);
  assert.equal(jobs.length, 3);
  const last = jobs.at(-1)!;
  assert.deepEqual((last.template.raw as { tip: number }).tip, node.tip, "the newest template");
  await service.stop();
});

Deno.test("template service hands out nothing for an address nobody uses any more", async () => {
  const { clock, node, service } = await setup();
  const a = collect(service, A);
  const b = collect(service, B);
  await clock.advance(0);
  a.off();
  node.templateCalls = [];
  node.tip++;
  node.emitTemplate();
  await clock.advance(300);
  assert.deepEqual(node.templateCalls, [B]);
  assert.equal(service.currentJob(A), undefined);
  b.off();
  await service.stop();
});

Deno.test("template service delivers the current job at once to a late subscriber", async () => {
  const { clock, node, service } = await setup();
  const first = collect(service, A);
  await clock.advance(0);
  const late = collect(service, A);
  assert.equal(late.jobs.length, 1);
  assert.equal(late.jobs[0], first.jobs[0]);
  assert.equal(node.templateCalls.length, 1);
  await service.stop();
});

Deno.test("template service refuses an address of another network with one clear error", async () => {
  const { service } = await setup();
  try {
    service.subscribe(MAINNET, () => {});
    assert.fail("expected an AddressError");
  } catch (e) {
    assert.ok(e instanceof AddressError);
    assert.equal(e.code, "wrong-network");
  }
  assert.throws(() => service.checkAddress("kaspadev:qqqq"), AddressError);
  await service.stop();
});

Deno.test("template service gives no work while the node is unsynced unless allowed", async () => {
  const clock = new ManualClock();
  const node = new FakeNode();
  node.synced = false;
  const strict = new TemplateService({ node, clock });
  strict.start();
  await strict.whenReady();
  const { jobs } = collect(strict, A);
  await clock.advance(2000);
  assert.equal(jobs.length, 0);
  assert.equal(strict.status().serving, false);
  node.synced = true;
  node.tip++;
  node.emitTemplate();
  await clock.advance(300);
  assert.equal(jobs.length, 1);
  await strict.stop();

  const node2 = new FakeNode();
  node2.synced = false;
  const lax = new TemplateService({ node: node2, clock, allowUnsynced: true });
  lax.start();
  await lax.whenReady();
  const got = collect(lax, A);
  await clock.advance(0);
  assert.equal(got.jobs.length, 1);
  await lax.stop();
});

Deno.test("template service does not serve a node of another network than configured", async () => {
  const clock = new ManualClock();
  const node = new FakeNode();
  const { log, lines } = logLines();
  const service = new TemplateService({
    node,
    clock,
    network: "mainnet",
    log,
  });
  service.start();
  await clock.advance(0);
  assert.equal(service.status().serving, false);
  assert.equal(service.network, undefined);
  assert.ok(lines.some((l) => l.includes("kaspa-devnet") && l.includes("mainnet")));
  await service.stop();
});

Deno.test("template service polls when notifications stop, without repeating the same work", async () => {
  const { clock, node, service } = await setup({ pollMs: 1000 });
  const { jobs } = collect(service, A);
  await clock.advance(0);
  node.templateCalls = [];
  await clock.advance(3500);
  assert.equal(node.templateCalls.length, 3, "one poll per quiet second");
  assert.equal(jobs.length, 1, "same pre-PoW hash: no new job");
  node.tip++;
  await clock.advance(1000);
  assert.equal(jobs.length, 2);
  await service.stop();
});

Deno.test("template service keeps jobs findable for the retention window, the current one always", async () => {
  const { clock, node, service } = await setup({ retentionMs: 30_000, pollMs: 1000 });
  const { jobs } = collect(service, A);
  await clock.advance(0);
  node.tip++;
  node.emitTemplate();
  await clock.advance(300);
  const [old, current] = jobs;
  assert.ok(old && current);
  assert.equal(service.jobBySeq(old.seq), old);
  assert.equal(service.jobByPrePowHash(toHex(old.prePowHash)), old);
  await clock.advance(29_000);
  assert.equal(service.jobBySeq(old.seq), old, "29 s old: still there");
  await clock.advance(2_000);
  assert.equal(service.jobBySeq(old.seq), undefined, "past 30 s: gone");
  assert.equal(service.jobBySeq(current.seq), current, "the current job stays");
  assert.ok(current.seq > old.seq);
  await service.stop();
});

Deno.test("template service keeps the last job while the node is down and resumes after", async () => {
  const { clock, node, service } = await setup();
  const { jobs } = collect(service, A);
  await clock.advance(0);
  node.setConnected(false);
  await clock.advance(5000);
  assert.equal(service.currentJob(A), jobs[0]);
  assert.equal(service.status().connected, false);
  node.tip++;
  node.setConnected(true);
  await clock.advance(0);
  assert.equal(jobs.length, 2);
  assert.equal(service.status().serving, true);
  await service.stop();
});

Deno.test("template service measures notification-to-job latency", async () => {
  const { clock, node, service } = await setup({ coalesceMs: 250, pollMs: 60_000 });
  collect(service, A);
  await clock.advance(1000);
  node.tip++;
  node.emitTemplate(); // long after the last round: fetched at once
  await clock.advance(100);
  node.tip++;
  node.emitTemplate(); // 100 ms after that round: answered when the interval ends, 150 ms later
  await clock.advance(300);
  const stats = service.status().notifyToJob;
  assert.equal(stats.count, 2);
  assert.equal(stats.lastMs, 150);
  assert.equal(stats.maxMs, 150);
  await service.stop();
});

Deno.test("template service answers a fetch in flight with one more fetch, not a parallel one", async () => {
  const { clock, node, service } = await setup({ coalesceMs: 250 });
  let open!: () => void;
  node.gate = new Promise((r) => (open = r));
  const { jobs } = collect(service, A);
  await flush();
  node.tip++;
  node.emitTemplate();
  await clock.advance(1000);
  assert.equal(node.templateCalls.length, 1, "still one fetch in flight");
  node.gate = undefined;
  open();
  await clock.advance(300);
  assert.equal(node.templateCalls.length, 2);
  assert.equal((jobs.at(-1)!.template.raw as { tip: number }).tip, node.tip);
  await service.stop();
});

Deno.test("template service fans out 64 miners per event-loop turn; newer work ends the older round", async () => {
  // No coalescing interval: job 3 is fetched the moment it is announced.
  const { clock, node, service } = await setup({ coalesceMs: 0 });
  const got = Array.from({ length: 700 }, () => [] as Job[]);
  const order: number[] = []; // listener index of every delivery, in delivery order
  // got[0] is the first listener: when job 2 reaches it, what is held by the end of that turn is
  // job 2's first slice; job 3 then arrives before the next turn and ends job 2's round.
  let inFirstTurn = -1;
  service.subscribe(A, (job) => {
    got[0]!.push(job);
    order.push(0);
    if (got[0]!.length !== 2) return;
    queueMicrotask(() => {
      inFirstTurn = got.filter((jobs) => jobs.at(-1) === job).length;
      node.tip++;
      node.emitTemplate();
    });
  });
  got.forEach((jobs, i) => {
    if (i > 0) {
      service.subscribe(A, (job) => {
        jobs.push(job);
        order.push(i);
      });
    }
  });
  for (let i = 0; i < 5; i++) await flush();
  const job1 = got[0]![0]!;
  assert.ok(got.every((jobs) => jobs.length === 1 && jobs[0] === job1), "everyone got job 1 once");

  order.length = 0;
  node.tip++;
  node.emitTemplate();
  await clock.advance(300);
  for (let i = 0; i < 10; i++) await flush();
  const [, job2, job3] = got[0]!;
  assert.ok(job2 !== undefined && job3 !== undefined && job2 !== job3);
  assert.equal(inFirstTurn, 64, "one slice per turn");
  const sawJob2 = got.filter((jobs) => jobs.includes(job2)).length;
  assert.equal(sawJob2, 64, "job 3 ended job 2's round after its first slice");
  // Job 3 goes first to those job 2 never reached, so a long round cannot starve the same tail.
  const job3Order = order.slice(64);
  assert.equal(job3Order.length, 700);
  assert.ok(job3Order.slice(0, 636).every((i) => !got[i]!.includes(job2)), "unreached first");
  assert.ok(got.every((jobs) => jobs.at(-1) === job3), "everyone ends on the newest job");
  assert.ok(got.every((jobs) => new Set(jobs).size === jobs.length), "nobody got a job twice");
  await service.stop();
});
