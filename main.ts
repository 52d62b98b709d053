// Composition root: load the configuration (args, KSTRATUM_* env, config file), start the server,
// stop it gracefully on SIGINT/SIGTERM. The only place that reads Deno.args and prints start-up errors.

import denoJson from "./deno.json" with { type: "json" };
import { type Config, ConfigError, loadConfig, type LoadResult } from "./lib/config/mod.ts";
import { createLogger, type Logger, stderrWriter } from "./lib/log/mod.ts";
import { nodeUrl, type Running, startKstratum } from "./lib/app/mod.ts";

/** Facts fixed when the program was built. */
export interface BuildInfo {
  /** Git commit the binary was built from, or "dev". */
  commit: string;
}

/** The --version text: kstratum version, commit, Deno/V8/TypeScript versions. */
export function versionText(build: BuildInfo): string {
  const v = Deno.version;
  return `kstratum ${denoJson.version}\ncommit ${build.commit}\n` +
    `deno ${v.deno} (v8 ${v.v8}, typescript ${v.typescript})\n`;
}

/** Reads a KSTRATUM_* variable if env access to it was granted (never prompts). */
function readEnv(name: string): string | undefined {
  const state = Deno.permissions.querySync({ name: "env", variable: name }).state;
  return state === "granted" ? Deno.env.get(name) : undefined;
}

/**
 * Runs kstratum with command-line `args` until SIGINT/SIGTERM. Returns the exit status: 0 ok,
 * 1 the server could not start (port in use, ...), 2 configuration error.
 *
 * @param build commit and other build facts (scripts/compile.ts passes the real commit)
 */
export function main(args: readonly string[], build: BuildInfo): Promise<number> {
  let loaded: LoadResult;
  try {
    loaded = loadConfig(args, readEnv, (path) => Deno.readTextFileSync(path));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`kstratum: ${err.message}`);
    return Promise.resolve(2);
  }
  if (loaded.kind === "help") {
    console.log(loaded.text.trimEnd());
    return Promise.resolve(0);
  }
  if (loaded.kind === "version") {
    console.log(versionText(build).trimEnd());
    return Promise.resolve(0);
  }
  const { config, warnings } = loaded;
  const log = createLogger({
    level: config.log.level,
    format: config.log.format,
    timestamps: config.log.timestamps,
    write: stderrWriter(),
  });
  for (const warning of warnings) log.warn(warning);
  log.info("kstratum starting", {
    version: denoJson.version,
    commit: build.commit,
    nodes: config.nodes.map(nodeUrl).join(","),
    listeners: config.listeners.length,
  });
  return serve(config, log);
}

/** Runs the server until SIGINT/SIGTERM, then stops gracefully. Exit 0, or 1 when it cannot start. */
async function serve(config: Config, log: Logger): Promise<number> {
  let running: Running;
  try {
    running = await startKstratum(config, { log, version: denoJson.version });
  } catch (err) {
    console.error(`kstratum: ${startupProblem(err)}`);
    return 1;
  }
  // Safety net: an out-of-descriptors error from inside Deno (its HTTP/2 and TLS machinery) that no
  // code of ours awaits must not end the process; listeners rebind on their own. Only that error.
  globalThis.addEventListener("unhandledrejection", (e) => {
    if (isOutOfDescriptors(e.reason)) {
      e.preventDefault();
      log.error("out of file descriptors (raise LimitNOFILE / ulimit -n)", {
        error: String(e.reason),
      });
    }
  });
  const stopped = Promise.withResolvers<void>();
  const onSignal = (): void => stopped.resolve();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const sig of signals) Deno.addSignalListener(sig, onSignal);
  await stopped.promise;
  log.info(
    "draining: /health reports draining, miners are asked to reconnect, in-flight shares and blocks finish",
  );
  for (const sig of signals) Deno.removeSignalListener(sig, onSignal);
  await running.stop();
  log.info("stopped");
  return 0;
}

/** Whether `e` is an EMFILE/ENFILE error ("Too many open files", os error 23 or 24). */
export function isOutOfDescriptors(e: unknown): boolean {
  const text = e instanceof Error ? `${e.message} ${String(e.cause ?? "")}` : String(e);
  return /too many open files|os error 2[34]\b/i.test(text);
}

/** One line saying what went wrong at start-up and what to do. */
export function startupProblem(err: unknown): string {
  if (err instanceof Deno.errors.AddrInUse) {
    return `a port is already in use (${err.message}); stop the other program or pick another ` +
      `port (--listen, --http, --grpc-listen)`;
  }
  if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
    return `not allowed to listen (${err.message}); ports below 1024 need privileges: use a ` +
      `higher port`;
  }
  if (err instanceof Deno.errors.AddrNotAvailable) {
    return `cannot bind that address (${err.message}); use an address of this machine or 0.0.0.0`;
  }
  return `cannot start: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Commit of a source checkout, read from .git without running git; "dev" when unknown.
 * Handles a plain .git directory, a worktree's ".git" file and packed refs.
 */
export function sourceCommit(root: URL = new URL("./", import.meta.url)): string {
  try {
    let gitDir = new URL(".git/", root);
    if (Deno.statSync(gitDir).isFile) {
      const target = Deno.readTextFileSync(new URL(".git", root)).replace(/^gitdir:\s*/, "").trim();
      gitDir = new URL(target.endsWith("/") ? target : `${target}/`, root);
    }
    const head = Deno.readTextFileSync(new URL("HEAD", gitDir)).trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = head.slice(5);
    let common = gitDir;
    try {
      const c = Deno.readTextFileSync(new URL("commondir", gitDir)).trim();
      common = new URL(c.endsWith("/") ? c : `${c}/`, gitDir);
    } catch { /* not a worktree */ }
    for (const dir of [gitDir, common]) {
      try {
        return Deno.readTextFileSync(new URL(ref, dir)).trim().slice(0, 12);
      } catch { /* try packed refs */ }
    }
    const packed = Deno.readTextFileSync(new URL("packed-refs", common));
    const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
    return line === undefined ? "dev" : line.slice(0, 12);
  } catch {
    return "dev";
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, { commit: sourceCommit() }));
}
