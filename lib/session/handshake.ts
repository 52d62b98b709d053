// Handshake: subscribe (dialect fixed here) and authorize (address check, worker, channel).
// Pure: mutates the Core's phase and appends replies and effects.

import type { Dialect } from "../dialects/mod.ts";
import { ErrorCode, type RpcId } from "../protocol/mod.ts";
import { MAX_ADDRESS_CHARS } from "../kaspa/mod.ts";
import { sendJob } from "./delivery.ts";
import {
  type Channel,
  type Core,
  fail,
  log,
  makeControl,
  makeRing,
  reply,
  wantedDifficulty,
  workerRef,
} from "./state.ts";
import { cutText, cutWorker, MAX_AGENT, parseDifficultyOverride, parseUser } from "./user.ts";

/**
 * Counts `address` against the connection's, the IP's and the server's budget of distinct payout
 * addresses (each costs a node template call per event); undefined when it fits, else why not.
 */
function takeAddress(core: Core, address: string): string | undefined {
  const budget = core.deps.addresses;
  if (budget === undefined || core.addresses.has(address)) return undefined;
  if (core.addresses.size >= budget.limits.perConnection) {
    return `too many payout addresses on one connection (limit ${budget.limits.perConnection})`;
  }
  const refused = budget.take(core.deps.ip, address);
  if (refused === undefined) core.addresses.add(address);
  return refused;
}

/** Checks `address` with the injected validator; on failure answers 24 and logs why. */
function checkAddress(
  core: Core,
  dialect: Dialect,
  id: RpcId,
  address: string,
): string | undefined {
  // Budget first: decoding a long text costs a per-character array and a BigInt checksum.
  const check = address.length > MAX_ADDRESS_CHARS
    ? { ok: false as const, reason: `address longer than ${MAX_ADDRESS_CHARS} characters` }
    : core.deps.validateAddress(address);
  if (check.ok) {
    const refused = takeAddress(core, check.address);
    if (refused === undefined) return check.address;
    core.deps.events.refused?.("address_budget");
    log(core, "warn", "payout address refused", { address: check.address, reason: refused });
    fail(core, dialect, {
      id,
      code: ErrorCode.Unauthorized,
      message: `Payout address refused: ${refused}`,
      cause: "bad-address",
    });
    return undefined;
  }
  log(core, "warn", "payout address refused", {
    address: address.slice(0, 128),
    reason: check.reason,
  });
  fail(core, dialect, {
    id,
    code: ErrorCode.Unauthorized,
    message: `Invalid address: ${check.reason}`,
    cause: "bad-address",
  });
  return undefined;
}

/** `subscribe`: fixes the dialect on first use; `simple` may name (or later replace) the payout address. */
export function subscribe(
  core: Core,
  dialect: Dialect,
  id: RpcId,
  given: { agent: string; address?: string },
): void {
  const req = { ...given, agent: cutText(given.agent, MAX_AGENT) };
  const phase = core.phase;
  if (phase.kind === "closed") return;
  let address: string | undefined;
  if (req.address !== undefined) {
    address = checkAddress(core, dialect, id, req.address);
    if (address === undefined) return;
  }
  if (phase.kind === "connected") {
    if (dialect.extranonce === "connection") {
      const pool = core.deps.extranonces.pool(core.options.extranonceSize);
      core.connectionExtranonce = pool.acquire();
      if (core.connectionExtranonce === undefined) return extranonceFull(core, dialect, id, pool);
    }
    core.phase = address === undefined
      ? { kind: "subscribed", dialect, agent: req.agent }
      : { kind: "subscribed", dialect, agent: req.agent, address };
    core.reportedConnected = true;
    core.deps.events.connected(core.deps.ip, dialect.id);
  } else if (address !== undefined) {
    replaceAddress(core, address);
  }
  const en = core.connectionExtranonce;
  reply(core, id, dialect.subscribeResult(en?.hex ?? "", en?.size ?? 0));
}

/** D: a later subscribe replaces the payout address for every worker of the connection. */
function replaceAddress(core: Core, address: string): void {
  const phase = core.phase;
  if (phase.kind === "subscribed") {
    core.phase = { ...phase, address };
  } else if (phase.kind === "authorized" && phase.address !== address) {
    core.phase = { ...phase, address };
    for (const channel of phase.channels) {
      channel.primary = { ...channel.primary, wallet: address };
      for (const [name, ref] of channel.workers) {
        channel.workers.set(name, { ...ref, wallet: address });
      }
    }
    core.delivery.latest = undefined;
    core.delivery.pending = undefined;
    core.out.push({ kind: "unsubscribeJobs" }, { kind: "subscribeJobs", address });
  }
}

/** `authorize`: resolves the payout address and worker, opens a channel, starts the job stream. */
export function authorize(
  core: Core,
  dialect: Dialect,
  id: RpcId,
  req: { user: string; password: string },
): void {
  const phase = core.phase;
  if (phase.kind === "closed") return;
  if (phase.kind === "connected") return fail(core, dialect, { id, code: ErrorCode.NotSubscribed });
  const parsed = dialect.channelPerWorker ? { worker: cutWorker(req.user) } : parseUser(req.user);
  const given = parsed.address ?? (dialect.channelPerWorker ? phase.address : undefined);
  let address: string | undefined;
  if (given !== undefined) {
    address = checkAddress(core, dialect, id, given);
    if (address === undefined) return;
  } else if (core.options.defaultAddress !== undefined) {
    address = core.options.defaultAddress;
  } else {
    log(core, "warn", "worker gave no payout address and there is no default", {
      worker: parsed.worker,
    });
    return fail(core, dialect, {
      id,
      code: ErrorCode.Unauthorized,
      message: "No payout address",
      cause: "no-address",
    });
  }
  const override = parseDifficultyOverride(req.password);
  if (dialect.channelPerWorker) {
    return authorizeWorkerChannel(core, dialect, id, { address, worker: parsed.worker, override });
  }
  if (phase.kind === "authorized") {
    return authorizeAnotherName(core, dialect, id, { address, worker: parsed.worker, override });
  }
  const who = workerRef(core, {
    worker: parsed.worker,
    wallet: address,
    miner: phase.agent,
    dialect,
  });
  const channel: Channel = {
    id: 0,
    workers: new Map([[parsed.worker, who]]),
    primary: who,
    extranonce: core.connectionExtranonce,
    ownsExtranonce: false,
    ring: makeRing(core),
    control: makeControl(core, dialect, override),
    announced: undefined,
    inNotify: undefined,
  };
  core.phase = { kind: "authorized", dialect, agent: phase.agent, address, channels: [channel] };
  reply(
    core,
    id,
    dialect.authorizeResult({ workerId: 0, prefixHex: "", difficulty: wantedDifficulty(channel) }),
  );
  const en = core.connectionExtranonce;
  const enLine = en === undefined ? undefined : dialect.extranonceLine(en.hex, en.size);
  if (enLine !== undefined) core.out.push({ kind: "send", line: enLine });
  core.deps.events.authorized(who);
  core.out.push({ kind: "subscribeJobs", address });
}

/** array, bighex, bitmain: a further worker name on an authorized connection (same payout address only). */
function authorizeAnotherName(
  core: Core,
  dialect: Dialect,
  id: RpcId,
  req: { address: string; worker: string; override: number | undefined },
): void {
  const phase = core.phase;
  if (phase.kind !== "authorized") return;
  const channel = phase.channels[0]!;
  if (req.address !== phase.address) {
    return fail(core, dialect, {
      id,
      code: ErrorCode.Unauthorized,
      message: "One payout address per connection",
    });
  }
  if (!channel.workers.has(req.worker) && channel.workers.size >= core.options.maxWorkers) {
    return fail(core, dialect, {
      id,
      code: ErrorCode.Other,
      message: "Too many workers on this connection",
    });
  }
  const who = workerRef(core, {
    worker: req.worker,
    wallet: req.address,
    miner: phase.agent,
    dialect,
  });
  channel.workers.set(req.worker, who);
  if (req.override !== undefined) channel.control = makeControl(core, dialect, req.override);
  reply(
    core,
    id,
    dialect.authorizeResult({ workerId: 0, prefixHex: "", difficulty: wantedDifficulty(channel) }),
  );
  core.deps.events.authorized(who);
}

/**
 * Every extranonce of the configured size is live: refuses (and, before authorize, closes) rather
 * than hand out a value another miner holds, which would make both search the same nonces.
 */
function extranonceFull(
  core: Core,
  dialect: Dialect,
  id: RpcId,
  pool: { size: number; inUse: number; refused: number },
): void {
  core.deps.events.refused?.("extranonce_full");
  log(core, "warn", "extranonce space full: miner refused (raise extranonce_size)", {
    size: pool.size,
    inUse: pool.inUse,
    refused: pool.refused,
  });
  fail(core, dialect, {
    id,
    code: ErrorCode.Other,
    message: "Server full: no free extranonce; try again later",
  });
  if (core.phase.kind === "connected") {
    core.out.push({ kind: "close", reason: "extranonce space full" });
  }
}

/** D: each authorized worker is its own channel with a nonce prefix and difficulty. */
function authorizeWorkerChannel(
  core: Core,
  dialect: Dialect,
  id: RpcId,
  req: { address: string; worker: string; override: number | undefined },
): void {
  const phase = core.phase;
  if (phase.kind !== "subscribed" && phase.kind !== "authorized") return;
  const channels = phase.kind === "authorized" ? phase.channels : [];
  const existing = channels.find((c) => c.primary.worker === req.worker);
  if (existing !== undefined) {
    const fields = {
      workerId: existing.id,
      prefixHex: existing.extranonce?.hex ?? "",
      difficulty: wantedDifficulty(existing),
    };
    return reply(core, id, dialect.authorizeResult(fields));
  }
  if (channels.length >= core.options.maxWorkers) {
    return fail(core, dialect, {
      id,
      code: ErrorCode.Other,
      message: "Too many workers on this connection",
    });
  }
  const pool = core.deps.extranonces.pool(core.options.extranonceSize);
  const extranonce = pool.acquire();
  if (extranonce === undefined) return extranonceFull(core, dialect, id, pool);
  const who = workerRef(core, {
    worker: req.worker,
    wallet: req.address,
    miner: phase.agent,
    dialect,
  });
  const channel: Channel = {
    id: core.nextWorkerId++,
    workers: new Map([[req.worker, who]]),
    primary: who,
    extranonce,
    ownsExtranonce: true,
    ring: makeRing(core),
    control: makeControl(core, dialect, req.override),
    announced: undefined,
    inNotify: undefined,
  };
  const difficulty = wantedDifficulty(channel);
  channel.announced = difficulty;
  const first = phase.kind === "subscribed";
  core.phase = {
    kind: "authorized",
    dialect,
    agent: phase.agent,
    address: req.address,
    channels: [...channels, channel],
  };
  reply(
    core,
    id,
    dialect.authorizeResult({
      workerId: channel.id,
      prefixHex: channel.extranonce?.hex ?? "",
      difficulty,
    }),
  );
  core.deps.events.authorized(who);
  core.deps.events.difficultyChanged(who, difficulty);
  if (first) core.out.push({ kind: "subscribeJobs", address: req.address });
  else if (core.delivery.latest !== undefined) sendJob(core, channel, core.delivery.latest);
}
