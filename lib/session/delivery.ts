// Job delivery: throttled to one job per interval per miner (always the newest), difficulty
// announced right before the job it governs, job bodies taken from the shared encoding cache.
// Pure: appends send effects to the core.

import type { Job } from "../kaspa/types.ts";
import { type Channel, type Core, wantedDifficulty } from "./state.ts";

/** Sends `job` to one channel: set_difficulty first when it changed (mining.* dialects), then notify. */
export function sendJob(core: Core, channel: Channel, job: Job): void {
  const phase = core.phase;
  if (phase.kind !== "authorized") return;
  const dialect = phase.dialect;
  const { encodings, events } = core.deps;
  const difficulty = wantedDifficulty(channel);
  // mining.* dialects announce a change with set_difficulty right before the job; `simple`
  // carries it inside notify.
  // Read from the dialect's data: no line is built for the (usual) unchanged difficulty.
  if (dialect.difficultyIn === "set_difficulty" && channel.announced !== difficulty) {
    const line = dialect.difficultyLine(difficulty);
    if (line !== undefined) core.out.push({ kind: "send", line });
  }
  const inNotify = dialect.difficultyIn === "notify" && channel.inNotify !== difficulty
    ? difficulty
    : undefined;
  if (channel.announced !== difficulty) {
    channel.announced = difficulty;
    events.difficultyChanged(channel.primary, difficulty);
  }
  const entry = channel.ring.add(job, difficulty);
  const body = encodings.body(job, dialect);
  const fields = inNotify === undefined
    ? { jobId: entry.id, workerId: channel.id }
    : { jobId: entry.id, workerId: channel.id, difficulty: inNotify };
  if (inNotify !== undefined) channel.inNotify = inNotify;
  core.out.push({
    kind: "send",
    line: dialect.notifyLine(body, fields),
    job: { channel: channel.id, droppable: inNotify === undefined },
  });
  events.jobSent(channel.primary);
}

/** Sends `job` to every channel now and restarts the throttle interval. */
function deliver(core: Core, job: Job): void {
  if (core.phase.kind !== "authorized") return;
  for (const channel of core.phase.channels) sendJob(core, channel, job);
  core.delivery.lastSentAt = core.now;
  core.delivery.lastSentCreatedAt = job.createdAt;
  core.delivery.pending = undefined;
}

/**
 * A new job for this connection's address: sent at once when the interval since the last job
 * has passed, or when it was published an interval after the last job sent; else held as the
 * pending job (replacing an older pending one).
 */
export function offerJob(core: Core, job: Job): void {
  const d = core.delivery;
  if (job === d.latest) return; // already sent or pending (a source may repeat its latest job)
  d.latest = job;
  sendOrHold(core, job);
}

function sendOrHold(core: Core, job: Job): void {
  if (core.phase.kind !== "authorized") return;
  const d = core.delivery;
  const interval = core.options.jobIntervalMs;
  // Timed from publication too: the template service publishes at most once per interval, and
  // a fan-out reaches miners at different moments (slices, socket writes). Timing only from this
  // miner's last send would hold most of a broadcast behind a timer per miner whenever this round
  // reached it a little sooner than the last one did (about 25% of a core at 10k miners).
  if (core.now >= d.lastSentAt + interval || job.createdAt >= d.lastSentCreatedAt + interval) {
    deliver(core, job);
  } else d.pending = job;
}

/** Re-sends the newest job (under a new id) so a difficulty change takes effect; throttled. */
export function resendLatest(core: Core): void {
  const latest = core.delivery.latest;
  if (latest !== undefined && core.delivery.pending === undefined) sendOrHold(core, latest);
}

/** Timer work: sends the pending job once its interval has passed. */
export function flushPending(core: Core): void {
  const d = core.delivery;
  if (d.pending !== undefined && core.now >= d.lastSentAt + core.options.jobIntervalMs) {
    deliver(core, d.pending);
  }
}

/** When the pending job is due, if any. */
export function pendingDueAt(core: Core): number | undefined {
  const d = core.delivery;
  return d.pending === undefined ? undefined : d.lastSentAt + core.options.jobIntervalMs;
}
