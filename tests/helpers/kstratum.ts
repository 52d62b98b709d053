// kstratum for robustness tests: the production wiring (lib/app startKstratum from command-line
// arguments) in this process, or main.ts as its own process with the start task's permissions.

import { loadConfig } from "../../lib/config/mod.ts";
import { addressValidatorOf, eventsTee, type Running, startKstratum } from "../../lib/app/mod.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { StratumServer } from "../../lib/net/mod.ts";
import { Stats } from "../../lib/stats/mod.ts";
import type { NodeClient } from "../../lib/kaspa/mod.ts";
import { TemplateService } from "../../lib/templates/mod.ts";
import { freePort } from "../../scripts/kaspad_process.ts";
import { serverPermissionFlags } from "../../scripts/permissions.ts";
import { waitFor } from "./kaspad.ts";

const ROOT = new URL("../../", import.meta.url);

/** kstratum running inside the test process. */
export interface InProcess {
  running: Running;
  /** First Stratum listener's port. */
  port: number;
  /** Every log line (JSON), bounded to the last 20000. */
  logs: string[];
  /** Parsed log records whose msg matches. */
  records(msg: RegExp): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** A JSON logger into a bounded in-memory array, and a finder over its records. */
function memoryLog(level: "debug" | "info") {
  const logs: string[] = [];
  const log = createLogger({
    level,
    format: "json",
    write: (line) => {
      logs.push(line);
      if (logs.length > 20_000) logs.splice(0, 10_000);
    },
  });
  const records = (msg: RegExp) =>
    logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) =>
      msg.test(String(r.msg))
    );
  return { logs, log, records };
}

/** Starts the real server from `args` (as main.ts would parse them), JSON logs kept in memory. */
export async function startInProcess(args: string[]): Promise<InProcess> {
  const loaded = loadConfig(
    // No history unless the test asks (--data-dir=<dir>): tests must not share ./data.
    ["--http=off", "--log-format=json", "--data-dir=off", ...args],
    () => undefined,
    (p) => Deno.readTextFileSync(p),
  );
  if (loaded.kind !== "run") throw new Error("not a run configuration");
  const { logs, log, records } = memoryLog(loaded.config.log.level === "debug" ? "debug" : "info");
  const running = await startKstratum(loaded.config, { log, version: "test", statsEveryMs: 0 });
  return { running, port: running.stratum[0]!.port, logs, records, stop: () => running.stop() };
}

/** The server assembled from library parts around a node client the test provides. */
export interface Assembled {
  port: number;
  service: TemplateService;
  stats: Stats;
  logs: string[];
  records(msg: RegExp): Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * StratumServer + TemplateService + Stats wired with lib/app's adapters as startKstratum does,
 * but around the test's node client and block-retry age (for faults a real node cannot show on
 * demand, and bounds the configuration does not expose).
 */
export async function assemble(options: {
  node: NodeClient;
  shareDifficulty: number;
  submitMaxAgeMs?: number;
}): Promise<Assembled> {
  const { logs, log, records } = memoryLog("info");
  const stats = new Stats();
  const service = new TemplateService({
    node: options.node,
    log: log.child({ part: "templates" }),
    allowUnsynced: true,
    ...(options.submitMaxAgeMs === undefined ? {} : { submitMaxAgeMs: options.submitMaxAgeMs }),
  });
  const events = eventsTee(stats, log.child({ part: "blocks" }), {
    now: Date.now,
    publishedAt: () => undefined,
  });
  const server = new StratumServer({}, {
    jobs: service,
    submitter: service.submitter,
    events,
    validateAddress: addressValidatorOf(service),
    clock: { now: Date.now },
    log: log.child({ part: "stratum" }),
  });
  const info = await server.listen({
    hostname: "127.0.0.1",
    port: 0,
    difficulty: { kind: "fixed", difficulty: options.shareDifficulty },
  });
  service.start();
  return {
    port: info.port,
    service,
    stats,
    logs,
    records,
    stop: async () => {
      await server.shutdown();
      await service.stop();
    },
  };
}

/** main.ts as a child process. */
export class KstratumProcess {
  readonly stratumPort: number;
  readonly httpPort: number;
  readonly log: string[] = [];
  readonly child: Deno.ChildProcess;
  readonly exited: Promise<Deno.CommandStatus>;
  #exitedNow = false;

  /**
   * Spawns `deno run <start task flags> main.ts` with listeners on free loopback ports (or
   * `options.stratum`, `options.http`) + `args`; `nofile` runs it under `prlimit --nofile=<n>:<n>`
   * (a low descriptor limit). It runs in `options.cwd` (default the repository); history is off
   * unless `cwd` is given: then it lives in `<cwd>/data`, the one directory the start task may
   * write.
   */
  constructor(
    args: string[],
    options: { stratum?: number; http?: number; nofile?: number; cwd?: string } = {},
  ) {
    this.stratumPort = options.stratum ?? freePort();
    this.httpPort = options.http ?? freePort();
    const flags = serverPermissionFlags(Deno.readTextFileSync(new URL("deno.json", ROOT)));
    const wrap = options.nofile === undefined
      ? []
      : [`--nofile=${options.nofile}:${options.nofile}`, Deno.execPath()];
    this.child = new Deno.Command(wrap.length > 0 ? "prlimit" : Deno.execPath(), {
      args: [
        ...wrap,
        "run",
        ...flags,
        new URL("main.ts", ROOT).pathname,
        `--listen=127.0.0.1:${this.stratumPort}`,
        `--http=127.0.0.1:${this.httpPort}`,
        "--log-timestamps=false",
        ...(options.cwd === undefined ? ["--data-dir=off"] : []),
        ...args,
      ],
      cwd: options.cwd ?? ROOT.pathname,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.exited = this.child.status.finally(() => (this.#exitedNow = true));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      (async () => {
        for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
          this.log.push(...chunk.split("\n").filter((l) => l.length > 0));
          if (this.log.length > 20_000) this.log.splice(0, 10_000);
        }
      })().catch(() => {});
    }
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return !this.#exitedNow;
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Resident set size of the process, bytes (`ps`: Deno reads /proc only with --allow-all). */
  async rssBytes(): Promise<number> {
    return await rssOf(this.pid);
  }

  /** GET a JSON document from the HTTP server. */
  async api<T>(path: string): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.httpPort}${path}`);
    return await res.json() as T;
  }

  /** HTTP status of /health, or 0 when it does not answer. */
  async health(): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${this.httpPort}/health`).catch(() => undefined);
    await res?.body?.cancel();
    return res?.status ?? 0;
  }

  /** Waits until /health answers 200 (node linked, listeners up), at most `timeoutMs`. */
  async healthy(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      "kstratum healthy",
      async () => (await this.health()) === 200 || undefined,
      timeoutMs,
      200,
    );
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit status. */
  async stop(graceMs = 15_000): Promise<Deno.CommandStatus> {
    if (this.alive) this.child.kill("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), graceMs)));
    const status = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (status !== "late") return status;
    this.child.kill("SIGKILL");
    return await this.exited;
  }
}

/** Resident set size of process `pid`, bytes, from `ps`. */
export async function rssOf(pid: number): Promise<number> {
  const out = await new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)] }).output();
  const kb = Number(new TextDecoder().decode(out.stdout).trim());
  if (!out.success || !Number.isFinite(kb) || kb <= 0) throw new Error(`no RSS for pid ${pid}`);
  return kb * 1024;
}

/** Open file descriptors of process `pid` (`ls /proc/<pid>/fd`: Deno reads /proc only with --allow-all). */
export async function openFds(pid: number): Promise<number> {
  const out = await new Deno.Command("ls", { args: [`/proc/${pid}/fd`] }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "").length;
}

/** Pids of processes whose command line contains `text` (`pgrep -f`). */
export async function pidsMatching(text: string): Promise<number[]> {
  const out = await new Deno.Command("pgrep", { args: ["-f", "--", text] }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "").map(Number);
}
