// Seeded fuzzing of the session engine with the conformance transcripts, mutated: hostile lines, odd
// passwords, extra jobs, clock jumps and oversize lines, in every dialect. Nothing may throw; every
// request line gets exactly one reply (a block's reply once its submission ends) until the session
// closes; every line written is one line of JSON; extranonces are all released at the end. Pure.

import assert from "node:assert/strict";
import type { DialectId } from "../../lib/dialects/mod.ts";
import { type JsonValue, parseJson, parseRequest, writeJson } from "../../lib/protocol/mod.ts";
import {
  type BlockSubmission,
  type DifficultyPolicy,
  type Effect,
  ExtranoncePools,
  JobEncodings,
  Session,
  SESSION_DEFAULTS,
  type Step,
} from "../../lib/session/mod.ts";
import type { Job } from "../../lib/kaspa/types.ts";
import {
  HEADERS,
  realJob,
  RecordingEvents,
  validateMainnet,
} from "../fixtures/transcripts/real_jobs.ts";
import {
  ADDR,
  CORPUS,
  type CorpusStep,
  type CorpusTranscript,
  HOSTILE_PASSWORDS,
  hostileLine,
  mutateLine,
  Rng,
} from "../helpers/fuzz.ts";

const jobs = new Map<string, Job>();
function job(key: string): Job {
  const name = HEADERS[key as keyof typeof HEADERS] ?? HEADERS.devnetA;
  let j = jobs.get(name);
  if (j === undefined) jobs.set(name, j = realJob(name, { payAddress: ADDR }));
  return j;
}

const VERDICTS: BlockSubmission["verdict"][] = [
  { kind: "accepted" },
  { kind: "rejected", reason: "invalid", message: "block is invalid" },
  { kind: "rejected", reason: "route-full", message: "Block was not submitted: route is full" },
  { kind: "rejected", reason: "ibd", message: "node is not synced" },
  { kind: "unreachable", message: "no kaspad connection" },
];

/** A run's view of one session: feeds inputs, checks every step, counts replies. */
class Run {
  readonly session: Session;
  readonly extranonces = new ExtranoncePools();
  readonly events = new RecordingEvents();
  now = 1_000_000;
  closed = false;
  replies = 0;

  constructor(
    readonly rng: Rng,
    readonly what: string,
    policy: DifficultyPolicy,
    dialect?: DialectId,
  ) {
    this.session = new Session(
      { ...SESSION_DEFAULTS, difficulty: policy, maxWorkers: 4, ...(dialect ? { dialect } : {}) },
      {
        validateAddress: validateMainnet,
        events: this.events,
        extranonces: this.extranonces,
        encodings: new JobEncodings(),
        ip: "10.9.8.7",
      },
    );
  }

  /** Runs a step's effects: checks lines, answers block submissions; returns the replies seen. */
  effects(step: Step, where: string): { id: unknown }[] {
    const replies: { id: unknown }[] = [];
    const blocks: Extract<Effect, { kind: "submitBlock" }>[] = [];
    for (const e of step.effects) {
      if (e.kind === "send") {
        assert.ok(!e.line.includes("\n"), `${where}: one line`);
        const msg = parseJson(e.line) as Record<string, unknown>;
        if ("result" in msg) replies.push(msg as { id: unknown });
      } else if (e.kind === "submitBlock") {
        blocks.push(e);
      } else if (e.kind === "close") {
        this.closed = true;
      }
    }
    for (const b of blocks) {
      const verdict = this.rng.pick(VERDICTS);
      const outcome = this.session.onBlockResult(b.ticket, { verdict, hash: "00" }, this.now);
      replies.push(...this.effects(outcome, `${where} (block result)`));
    }
    return replies;
  }

  line(text: string): void {
    const where = `${this.what}: ${JSON.stringify(text.slice(0, 160))}`;
    const wasClosed = this.closed;
    const replies = this.effects(this.session.handleLine(text, this.now), where);
    if (wasClosed) return;
    assert.equal(replies.length, 1, `${where}: exactly one reply, got ${replies.length}`);
    const parsed = parseRequest(text);
    const id = parsed.ok ? parsed.request.id : parsed.error.id;
    // Compared as written: -0 is echoed as 0.
    const echoed = writeJson(replies[0]!.id as JsonValue);
    assert.equal(echoed, writeJson(id), `${where}: the reply echoes the id`);
    this.replies++;
  }

  step(s: CorpusStep): void {
    if (this.closed) return;
    switch (s.kind) {
      case "line":
        return this.line(s.text);
      case "job":
        this.effects(this.session.onJob(job(s.header), this.now), `${this.what}: job`);
        return;
      case "clock": {
        this.now += s.ms;
        this.effects(this.session.onTick(this.now), `${this.what}: tick`);
        return;
      }
      case "oversize": {
        const replies = this.effects(this.session.onOversize(this.now), `${this.what}: oversize`);
        assert.equal(replies.length, 1, `${this.what}: oversize answered once`);
        assert.ok(this.closed, `${this.what}: oversize closes`);
      }
    }
  }

  finish(): void {
    this.effects(this.session.close("fuzz end", this.now), `${this.what}: close`);
    assert.equal(this.session.phase.kind, "closed");
    for (const size of [0, 1, 2, 3] as const) {
      assert.equal(this.extranonces.pool(size).inUse, 0, `${this.what}: extranonces released`);
    }
    const connected = this.events.of("connected").length;
    assert.equal(this.events.of("disconnected").length, connected, `${this.what}: paired events`);
  }
}

/** The transcript's steps with mutations, hostile insertions and extra template-side events. */
function mutated(rng: Rng, t: CorpusTranscript): CorpusStep[] {
  const out: CorpusStep[] = [];
  const rate = rng.pick([0, 0.1, 0.3, 0.6]);
  for (const s of t.steps) {
    if (rng.chance(0.1)) out.push({ kind: "line", text: hostileLine(rng) });
    if (rng.chance(0.05)) out.push({ kind: "job", header: rng.pick(Object.keys(HEADERS)) });
    if (rng.chance(0.05)) out.push({ kind: "clock", ms: rng.pick([1, 250, 10_000, 600_000]) });
    if (s.kind === "line" && rng.chance(rate)) {
      out.push({ kind: "line", text: withPassword(rng, mutateLine(rng, s.text)) });
    } else if (s.kind === "line" && rng.chance(0.1)) {
      out.push({ kind: "line", text: withPassword(rng, s.text) });
    } else {
      out.push(s);
    }
    if (s.kind === "line" && rng.chance(0.05)) out.push(s); // a repeated request
  }
  if (rng.chance(0.05)) out.push({ kind: "oversize" });
  return out;
}

/** An authorize line with a hostile `d=` password, sometimes. */
function withPassword(rng: Rng, text: string): string {
  if (!text.includes("authorize") || !rng.chance(0.5)) return text;
  try {
    const msg = JSON.parse(text);
    if (!Array.isArray(msg.params)) return text;
    msg.params[1] = rng.pick(HOSTILE_PASSWORDS);
    return JSON.stringify(msg);
  } catch {
    return text;
  }
}

function policyOf(rng: Rng, t: CorpusTranscript): DifficultyPolicy {
  if (rng.chance(0.6)) return JSON.parse(t.setup.get("difficulty")!) as DifficultyPolicy;
  const initial = rng.pick([2 ** -20, 1, 4096]);
  return { kind: "vardiff", initial, min: initial / 1024, max: initial * 2 ** 30 };
}

Deno.test("session fuzz: mutated transcripts in every dialect get one reply per request, never a throw", () => {
  let replies = 0;
  let valid = 0;
  let blocks = 0;
  for (let seed = 1; seed <= 2000; seed++) {
    const rng = new Rng(seed * 104729);
    const t = rng.pick(CORPUS);
    const forced = rng.chance(0.3)
      ? rng.pick<DialectId | undefined>(["array", "bighex", "bitmain", "simple", undefined])
      : t.setup.get("dialect") as DialectId | undefined;
    const run = new Run(rng, `seed ${seed} ${t.name}`, policyOf(rng, t), forced);
    for (const s of mutated(rng, t)) run.step(s);
    run.finish();
    replies += run.replies;
    valid += run.events.outcomes().filter((o) => o === "valid").length;
    blocks += run.events.of("blockFound").length;
  }
  // The mutations leave enough intact to reach deep states: accepted shares and found blocks.
  assert.ok(replies > 15_000 && valid > 1000 && blocks > 50, `${replies} ${valid} ${blocks}`);
});

Deno.test("session ignores a d= password past 2^52, whose set_difficulty could not be written", () => {
  const run = new Run(new Rng(1), "override", { kind: "fixed", difficulty: 4096 });
  run.line('{"id":1,"method":"mining.subscribe","params":["lolMiner 1.88"]}');
  run.line(
    `{"id":2,"method":"mining.authorize","params":["${ADDR}.rig","d=99999999999999999999"]}`,
  );
  const step = run.session.onJob(job("devnetA"), run.now);
  const sent = step.effects.flatMap((e) => (e.kind === "send" ? [e.line] : []));
  assert.equal(sent[0], '{"id":null,"method":"mining.set_difficulty","params":[4096]}');
  run.finish();
});
