// Share submission: channel and job lookup, nonce parsing, validation, block hand-off, replies.
// Pure: every path ends in exactly one reply, or in a submitBlock effect whose outcome replies.

import type { Dialect } from "../dialects/mod.ts";
import { ErrorCode, type RpcId } from "../protocol/mod.ts";
import { parseNonce, type RingEntry, validateShare } from "../shares/mod.ts";
import type { ShareOutcome, WorkerRef } from "./events.ts";
import type { BlockSubmission } from "./types.ts";
import { resendLatest } from "./delivery.ts";
import {
  type Channel,
  type Core,
  fail,
  log,
  type PendingShare,
  reply,
  wantedDifficulty,
} from "./state.ts";
import { parseUser } from "./user.ts";
import { vardiffOnShare } from "./vardiff.ts";

/** A decoded submit. */
export interface SubmitRequest {
  worker: string;
  job: string;
  nonce: string | number | bigint;
}

function report(core: Core, who: WorkerRef, outcome: ShareOutcome, difficulty: number): void {
  core.deps.events.share({ who, outcome, difficulty, at: core.now });
}

/** The channel and worker a submit speaks for, or undefined after answering 24. */
function findChannel(
  core: Core,
  dialect: Dialect,
  id: RpcId,
  worker: string,
): [Channel, WorkerRef] | undefined {
  const phase = core.phase;
  if (phase.kind !== "authorized") return undefined;
  if (dialect.channelPerWorker) {
    const channel = phase.channels.find((c) => String(c.id) === worker);
    if (channel === undefined) {
      fail(core, dialect, {
        id,
        code: ErrorCode.Unauthorized,
        message: `Unknown worker id ${worker.slice(0, 32)}`,
      });
      return undefined;
    }
    return [channel, channel.primary];
  }
  // mining.* dialects: params[0] repeats `address.worker`; shares count for that worker when it authorized.
  const channel = phase.channels[0]!;
  return [channel, channel.workers.get(parseUser(worker).worker) ?? channel.primary];
}

function findJob(dialect: Dialect, channel: Channel, job: string): RingEntry | undefined {
  if (dialect.jobNaming === "prePow") return channel.ring.byKey(job);
  return /^\d{1,15}$/.test(job) ? channel.ring.get(Number(job)) : undefined;
}

/** `submit`: answers stale 21, duplicate 22, weak 23, unauthorized 24, not subscribed 25, or accepts. */
export function submit(core: Core, dialect: Dialect, id: RpcId, req: SubmitRequest): void {
  const phase = core.phase;
  if (phase.kind === "closed") return;
  if (phase.kind === "connected") return fail(core, dialect, { id, code: ErrorCode.NotSubscribed });
  if (phase.kind === "subscribed") return fail(core, dialect, { id, code: ErrorCode.Unauthorized });
  const found = findChannel(core, dialect, id, req.worker);
  if (found === undefined) return;
  const [channel, who] = found;
  const entry = findJob(dialect, channel, req.job);
  if (entry === undefined) {
    report(core, who, "stale", channel.announced ?? wantedDifficulty(channel));
    return fail(core, dialect, { id, code: ErrorCode.JobNotFound, share: true });
  }
  const nonces = parseNonce(req.nonce, {
    form: dialect.nonceForm,
    extranonceHex: channel.extranonce?.hex ?? "",
  });
  if (nonces === undefined) {
    report(core, who, "invalid", entry.difficulty);
    return fail(core, dialect, {
      id,
      code: ErrorCode.InvalidParams,
      message: "Invalid nonce",
      share: true,
    });
  }
  const verdict = validateShare({
    ring: channel.ring,
    entry,
    nonces,
    neighbourJobs: dialect.neighbourJobs,
    byWork: dialect.jobNaming === "prePow",
    // A share is judged at the difficulty its job was sent with, or the miner's current one when lower.
    difficultyOf: (e) => Math.min(e.difficulty, channel.announced ?? e.difficulty),
  });
  if (verdict.kind === "duplicate") {
    report(core, who, "duplicate", entry.difficulty);
    return fail(core, dialect, { id, code: ErrorCode.Duplicate, share: true });
  }
  if (verdict.kind === "weak") {
    report(core, who, "weak", entry.difficulty);
    return fail(core, dialect, { id, code: ErrorCode.LowDifficulty, share: true });
  }
  const pending: PendingShare = {
    requestId: id,
    channel,
    who,
    difficulty: verdict.difficulty,
    job: verdict.entry.job,
    nonce: verdict.nonce,
  };
  if (!verdict.block) return acceptShare(core, dialect, pending);
  const seq = core.nextTicket++;
  core.pendingBlocks.set(seq, pending);
  log(core, "info", "block candidate", {
    worker: who.worker,
    wallet: who.wallet,
    nonce: verdict.nonce.toString(16),
  });
  core.out.push({
    kind: "submitBlock",
    job: verdict.entry.job,
    nonce: verdict.nonce,
    who,
    ticket: { requestId: id, seq },
  });
}

/** Counts a valid share, steps vardiff, and replies (D: with the new difficulty when it changed). */
export function acceptShare(core: Core, dialect: Dialect, share: PendingShare): void {
  report(core, share.who, "valid", share.difficulty);
  const control = share.channel.control;
  const changed = control.kind === "vardiff"
    ? vardiffOnShare(control.state, control.options, core.now)
    : undefined;
  if (changed !== undefined && dialect.difficultyIn === "notify") {
    share.channel.announced = changed;
    core.deps.events.difficultyChanged(share.channel.primary, changed);
  }
  const told = dialect.difficultyIn === "notify" ? changed : undefined;
  if (core.phase.kind !== "closed") {
    reply(core, share.requestId, dialect.submitResult(told));
  }
  if (changed !== undefined && dialect.difficultyIn === "set_difficulty") resendLatest(core);
}

/** The node's answer for a block share: report it, then answer the share as accepted. */
export function blockResult(
  core: Core,
  dialect: Dialect,
  seq: number,
  submission: BlockSubmission,
): void {
  const share = core.pendingBlocks.get(seq);
  if (share === undefined) return;
  core.pendingBlocks.delete(seq);
  const { verdict, hash } = submission;
  const header = share.job.template.header;
  core.deps.events.blockFound({
    who: share.who,
    hash,
    daaScore: header.daaScore,
    nonce: share.nonce,
    blueScore: header.blueScore,
    verdict: verdict.kind,
    ...(verdict.kind === "accepted" ? {} : { reason: verdict.message }),
    at: core.now,
  });
  const level = verdict.kind === "accepted" ? "info" : "warn";
  log(core, level, `block ${verdict.kind}`, {
    hash,
    worker: share.who.worker,
    wallet: share.who.wallet,
    ...(verdict.kind === "rejected" ? { reason: verdict.reason, message: verdict.message } : {}),
    ...(verdict.kind === "unreachable" ? { message: verdict.message } : {}),
  });
  // The share met its target whatever the node decided about the block: the miner did its work.
  acceptShare(core, dialect, share);
}
