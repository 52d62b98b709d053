// The Stratum conformance suite: every scenario of tests/fixtures/transcripts/conformance/ replayed
// against a real Stratum server on 127.0.0.1 in every dialect, byte-exact, with real jobs and PoW.

import assert from "node:assert/strict";
import type { DifficultyPolicy } from "../../lib/session/mod.ts";
import { allExpansions, type Transcript, VARS } from "../fixtures/transcripts/conformance.ts";
import { HEADERS, realJob } from "../fixtures/transcripts/real_jobs.ts";
import { LineClient, startTestServer } from "../fixtures/transcripts/stratum_client.ts";

async function replay(t: Transcript): Promise<void> {
  const num = (key: string) => t.setup.has(key) ? Number(t.setup.get(key)) : undefined;
  // The dialect is detected from the subscribe line, as on a default port.
  const srv = await startTestServer(
    { difficulty: JSON.parse(t.setup.get("difficulty")!) as DifficultyPolicy },
    {
      ...(num("max-line-bytes") === undefined ? {} : { maxLineBytes: num("max-line-bytes")! }),
      ...(num("max-workers") === undefined ? {} : { maxWorkers: num("max-workers")! }),
    },
  );
  const client = await LineClient.connect(srv.port);
  try {
    for (const step of t.steps) {
      const where = `${t.scenario}.txt:${step.line} (${t.dialect})`;
      switch (step.op) {
        case ">":
          await client.write(step.arg + "\n");
          break;
        case ">|":
          await client.writeSplit(step.arg + "\n", 5);
          break;
        case ">>":
          await client.write(
            JSON.parse(`"${step.arg.replaceAll('"', '\\"')}"`),
          );
          break;
        case "<":
          assert.equal(await client.line(), step.arg, where);
          break;
        default:
          await bang(step.arg, where);
      }
    }
  } finally {
    client.close();
    await srv.server.shutdown();
  }
  const outcomes = t.setup.get("outcomes");
  if (outcomes !== undefined) {
    const want = outcomes === "" ? [] : outcomes.split(",");
    assert.deepEqual(srv.events.outcomes(), want, "share outcomes");
  }
  const blocks = num("blocks");
  if (blocks !== undefined) {
    assert.equal(srv.submitter.submitted.length, blocks, "blocks submitted");
    assert.equal(srv.events.of("blockFound").length, blocks, "blocks reported");
  }

  async function bang(arg: string, where: string): Promise<void> {
    const [verb, value = ""] = arg.split(" ");
    switch (verb) {
      case "job": {
        const name = HEADERS[value as keyof typeof HEADERS];
        assert.ok(name !== undefined, `${where}: unknown header ${value}`);
        srv.jobs.publish(
          VARS.ADDR!,
          realJob(name, { payAddress: VARS.ADDR!, createdAt: srv.clock.t }),
        );
        break;
      }
      case "clock":
        srv.clock.t += Number(value);
        break;
      case "oversize":
        await client.write("x".repeat(Number(value)));
        break;
      case "eof":
        assert.equal(await client.line(), null, `${where}: expected the server to close`);
        break;
      default:
        throw new Error(`${where}: unknown directive ${arg}`);
    }
  }
}

for (const { name, dialect, expansion } of allExpansions()) {
  if ("skip" in expansion) {
    // A scenario for some dialects only: the skip says why this one does not run it.
    Deno.test({
      name: `conformance ${name} [${dialect}]: skipped, ${expansion.skip}`,
      ignore: true,
      fn: () => {},
    });
    continue;
  }
  const t = expansion.run;
  Deno.test(`conformance ${name} [${dialect}]: ${t.title}`, () => replay(t));
}
