// Composition root: load the configuration (args, KSTRATUM_* env, config file), then run.
// The only place that reads Deno.args, the environment and config files; prints help, version, errors.

import denoJson from "./deno.json" with { type: "json" };
import { ConfigError, loadConfig, type LoadResult } from "./lib/config/mod.ts";
import { createLogger, stderrWriter } from "./lib/log/mod.ts";

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
 * Runs kstratum with command-line `args`. Returns the exit status: 0 ok, 2 configuration error.
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
  log.info("configuration loaded", {
    version: denoJson.version,
    commit: build.commit,
    nodes: config.nodes.length,
    listeners: config.listeners.length,
    http: config.http === undefined ? "off" : `${config.http.host}:${config.http.port}`,
  });
  // The server (node link, template service, Stratum listeners, HTTP) is wired here by the lead.
  return Promise.resolve(0);
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
