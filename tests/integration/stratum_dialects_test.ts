// Replays the byte-exact transcripts of tests/fixtures/transcripts/ against a real Stratum server
// on 127.0.0.1: one scripted miner per dialect, real jobs from real headers, real PoW.

import assert from "node:assert/strict";
import type { DialectId } from "../../lib/dialects/mod.ts";
import type { DifficultyPolicy } from "../../lib/session/mod.ts";
import { encodeAddress } from "../../lib/kaspa/address.ts";
import { HEADERS, mainnetAddress, realJob } from "../fixtures/transcripts/real_jobs.ts";
import { LineClient, startTestServer } from "../fixtures/transcripts/stratum_client.ts";

const DIR = new URL("../fixtures/transcripts/", import.meta.url);
const VARS: Record<string, string> = {
  ADDR: mainnetAddress(42),
  TESTNET_ADDR: encodeAddress({
    prefix: "kaspatest",
    version: 0,
    payload: new Uint8Array(32).fill(42),
  }),
};

interface Transcript {
  title: string;
  setup: Map<string, string>;
  steps: { op: string; arg: string; line: number }[];
}

function parse(text: string): Transcript {
  const setup = new Map<string, string>();
  const steps: Transcript["steps"] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "" || raw.startsWith("#")) return;
    const line = raw.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      const v = VARS[name];
      if (v === undefined) throw new Error(`line ${i + 1}: unknown variable ${name}`);
      return v;
    });
    const m = /^(@|>\||>>|>|<|!) (.*)$/.exec(line);
    if (m === null) throw new Error(`line ${i + 1}: cannot read ${JSON.stringify(raw)}`);
    const [, op, arg] = m as unknown as [string, string, string];
    if (op === "@") {
      const sp = arg.indexOf(" ");
      setup.set(arg.slice(0, sp), arg.slice(sp + 1));
    } else {
      steps.push({ op, arg, line: i + 1 });
    }
  });
  return { title: setup.get("title") ?? "untitled", setup, steps };
}

async function replay(t: Transcript): Promise<void> {
  const num = (key: string) => t.setup.has(key) ? Number(t.setup.get(key)) : undefined;
  const dialect = t.setup.get("dialect") as DialectId | undefined;
  const srv = await startTestServer(
    {
      difficulty: JSON.parse(t.setup.get("difficulty")!) as DifficultyPolicy,
      ...(dialect === undefined ? {} : { dialect }),
    },
    {
      ...(num("max-line-bytes") === undefined ? {} : { maxLineBytes: num("max-line-bytes")! }),
      ...(num("max-workers") === undefined ? {} : { maxWorkers: num("max-workers")! }),
    },
  );
  const client = await LineClient.connect(srv.port);
  try {
    for (const step of t.steps) {
      const where = `transcript line ${step.line}`;
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
    assert.deepEqual(srv.events.outcomes(), outcomes.split(","), "share outcomes");
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

for await (const entry of Deno.readDir(DIR)) {
  if (!entry.name.endsWith(".txt")) continue;
  const transcript = parse(await Deno.readTextFile(new URL(entry.name, DIR)));
  Deno.test(`stratum transcript ${entry.name}: ${transcript.title}`, () => replay(transcript));
}
