// Public face of lib/config: loadConfig, the Config types, ConfigError, help and docs renderers.
// Everything here is pure; main.ts injects the environment and file reads.

export { loadConfig } from "./load.ts";
export type { GetEnv, LoadResult } from "./load.ts";
export type { ReadFile } from "./merge.ts";
export { ConfigError } from "./errors.ts";
export type { ConfigErrorCode } from "./errors.ts";
export { renderHelp } from "./help.ts";
export { renderConfigDoc } from "./doc.ts";
export { envOf, flagOf, SETTINGS } from "./schema.ts";
export type {
  Config,
  DifficultyConfig,
  HostPort,
  LimitsConfig,
  ListenerConfig,
  ListenerDialect,
  LogFormat,
  NodeEndpoint,
  TlsConfig,
} from "./types.ts";
export { LISTENER_DIALECTS } from "./types.ts";
