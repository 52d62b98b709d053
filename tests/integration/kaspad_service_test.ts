// The template service on a real kaspad: jobs from notifications, notification→job latency, blocks
// submitted through the service, and surviving a kaspad kill/restart (reconnect, re-subscribe, resume).

import assert from "node:assert/strict";
import { createNodeClient } from "../../lib/node/mod.ts";
import { type Logger, silentLogger } from "../../lib/log/mod.ts";
import { logLines } from "../helpers/log_lines.ts";
import { exponentialBackoff } from "../../lib/runtime/mod.ts";
import { TemplateService } from "../../lib/templates/service.ts";
import type { Job } from "../../lib/kaspa/types.ts";
import { kaspadTest, randomDevnetAddress, solve, startKaspad, waitFor } from "../helpers/kaspad.ts";

function serviceFor(urls: string[], log: Logger = silentLogger) {
  const node = createNodeClient({
    urls,
    backoff: exponentialBackoff({ baseMs: 200, maxMs: 1000 }),
    connectTimeoutMs: 1000,
    log,
  });
  // No polling: every new job below must come from a notification.
  const service = new TemplateService({
    node,
    allowUnsynced: true,
    coalesceMs: 250,
    pollMs: 600_000,
    log,
  });
  return { node, service };
}

/** Mines `job` and submits it through the service; returns the verdict kind. */
async function mine(service: TemplateService, job: Job): Promise<string> {
  const nonce = solve(job);
  assert.ok(nonce !== undefined);
  return (await service.submitter.submit(job, nonce)).verdict.kind;
}

kaspadTest(
  "kaspad service: each accepted block notifies a new job; latency is measured",
  async () => {
    const kaspad = await startKaspad();
    const { node, service } = serviceFor([kaspad.grpcAddress]);
    try {
      service.start();
      await service.whenReady();
      assert.match(service.network ?? "", /devnet/);
      const address = randomDevnetAddress();
      const jobs: Job[] = [];
      service.subscribe(address, (job) => jobs.push(job));
      await waitFor("first job", () => jobs[0]);
      for (let i = 0; i < 5; i++) {
        const job = jobs.at(-1)!;
        assert.equal(await mine(service, job), "accepted");
        await waitFor("a job on top of the new block", () =>
          jobs.at(-1) !== job &&
            jobs.at(-1)!.template.header.daaScore > job.template.header.daaScore
            ? true
            : undefined);
      }
      const latency = service.status().notifyToJob;
      assert.ok(latency.count >= 5, `notifications answered: ${latency.count}`);
      console.log("notification→job latency (ms):", JSON.stringify(latency));
      const seqs = jobs.map((j) => j.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "sequence numbers increase");
      assert.equal(node.activeEndpoint, kaspad.grpcAddress);
    } finally {
      await service.stop();
      await kaspad.stop();
    }
  },
);

kaspadTest(
  "kaspad service: kill and restart the node → reconnect, re-subscribe, jobs resume",
  async () => {
    const kaspad = await startKaspad();
    const { log, lines } = logLines();
    const { service } = serviceFor([kaspad.grpcAddress], log);
    try {
      service.start();
      await service.whenReady();
      const address = randomDevnetAddress();
      const jobs: Job[] = [];
      service.subscribe(address, (job) => jobs.push(job));
      await waitFor("first job", () => jobs[0]);
      assert.equal(await mine(service, jobs.at(-1)!), "accepted");
      await waitFor("second job", () => (jobs.length >= 2 ? true : undefined));

      await kaspad.kill();
      await waitFor("disconnect noticed", () => (service.status().connected ? undefined : true));
      const kept = service.currentJob(address);
      assert.equal(kept, jobs.at(-1), "the last job is kept while the node is down");
      assert.ok(lines.some((l) => l.includes("keeping the last jobs")), "the loss is logged");

      await kaspad.restart();
      await waitFor("reconnected", () => (service.status().connected ? true : undefined), 60_000);
      const before = service.status().notifyToJob.count;
      const current = await waitFor("a job after restart", () => service.currentJob(address));
      assert.equal(await mine(service, current), "accepted");
      await waitFor(
        "a notification-driven job after restart (so the subscription was renewed)",
        () => (service.status().notifyToJob.count > before ? true : undefined),
      );
      assert.ok(jobs.at(-1)!.seq > kept!.seq);
    } finally {
      await service.stop();
      await kaspad.stop();
    }
  },
);

kaspadTest(
  "kaspad service: a block found while the node is down is submitted when it is back",
  async () => {
    const kaspad = await startKaspad();
    const { log, lines } = logLines();
    const { service } = serviceFor([kaspad.grpcAddress], log);
    try {
      service.start();
      await service.whenReady();
      const address = randomDevnetAddress();
      const jobs: Job[] = [];
      service.subscribe(address, (job) => jobs.push(job));
      const job = await waitFor("first job", () => jobs[0]);
      const nonce = solve(job);
      assert.ok(nonce !== undefined);
      await kaspad.kill();
      await waitFor("disconnect noticed", () => (service.status().connected ? undefined : true));
      const pending = service.submitter.submit(job, nonce).then((s) => s.verdict); // retries while the node is unreachable
      await new Promise((r) => setTimeout(r, 500));
      await kaspad.restart();
      assert.deepEqual(await pending, { kind: "accepted" });
      assert.ok(
        lines.includes("warn node unreachable while submitting a block, retrying"),
        "it was retried",
      );
    } finally {
      await service.stop();
      await kaspad.stop();
    }
  },
);

kaspadTest("kaspad service: fails over to the next endpoint when the first is gone", async () => {
  const first = await startKaspad();
  const second = await startKaspad();
  const { node, service } = serviceFor([first.grpcAddress, second.grpcAddress]);
  try {
    service.start();
    await service.whenReady();
    assert.equal(node.activeEndpoint, first.grpcAddress);
    const address = randomDevnetAddress();
    const jobs: Job[] = [];
    service.subscribe(address, (job) => jobs.push(job));
    await waitFor("first job", () => jobs[0]);
    // Move the first node off genesis so the second node's work differs from what miners hold.
    assert.equal(await mine(service, jobs[0]!), "accepted");
    await waitFor("job on the first node's new tip", () => (jobs.length >= 2 ? true : undefined));
    await first.kill();
    await waitFor(
      "failed over",
      () => (node.activeEndpoint === second.grpcAddress ? true : undefined),
      60_000,
    );
    const job = await waitFor("job from the second node", () => {
      const j = service.currentJob(address);
      return j !== undefined && j !== jobs[1] ? j : undefined;
    });
    assert.equal(await mine(service, job), "accepted");
  } finally {
    await service.stop();
    await first.stop();
    await second.stop();
  }
});
