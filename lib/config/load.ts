// loadConfig: the one call main.ts makes. Defaults < config file < KSTRATUM_* env < CLI flags.
// Pure: the environment and file reads are injected, so tests need no permissions.

import { dirname } from "node:path";
import { ConfigError } from "./errors.ts";
import { parseConfigText } from "./file.ts";
import { renderHelp } from "./help.ts";
import { fileReason, merge, type ReadFile } from "./merge.ts";
import { buildConfig } from "./resolve.ts";
import { cliLayer, envLayer, fileLayer, type Layer } from "./sources.ts";
import type { Config } from "./types.ts";

/** What the command line asks main.ts to do. */
export type LoadResult =
  | { kind: "run"; config: Config; warnings: string[] }
  | { kind: "help"; text: string }
  | { kind: "version" };

/** Looks up one environment variable (`(name) => Deno.env.get(name)` fits). */
export type GetEnv = (name: string) => string | undefined;

/**
 * Reads the whole configuration. Throws ConfigError (one-line message) on any mistake;
 * `warnings` in the result are one-line notes about accepted-but-ignored keys.
 *
 * @param args command-line arguments (Deno.args)
 * @param getEnv reads a KSTRATUM_* variable; only names from the schema are asked for
 * @param readFile reads the config file and TLS files as UTF-8 text, throwing on failure
 * @example
 * ```ts
 * import { loadConfig } from "./load.ts";
 * const r = loadConfig(["--node", "127.0.0.1:16610"], () => undefined, () => "");
 * if (r.kind === "run") console.assert(r.config.nodes.length === 1);
 * ```
 */
export function loadConfig(
  args: readonly string[],
  getEnv: GetEnv,
  readFile: ReadFile,
): LoadResult {
  const cli = cliLayer(args);
  if (cli.help) return { kind: "help", text: renderHelp() };
  if (cli.version) return { kind: "version" };
  const env = envLayer(getEnv);
  const warnings: string[] = [];
  const layers: Layer[] = [];
  const configEntry = cli.layer.get("config") ?? env.get("config");
  if (configEntry !== undefined) {
    const file = configEntry.value as string;
    let text: string;
    try {
      text = readFile(file);
    } catch (err) {
      throw new ConfigError("file_unreadable", `${configEntry.label} ${file}: ${fileReason(err)}`);
    }
    layers.push(fileLayer(parseConfigText(text, file), file, dirname(file), warnings));
  }
  layers.push(env, cli.layer);
  const config = buildConfig(merge(layers), readFile, warnings);
  return { kind: "run", config, warnings };
}
