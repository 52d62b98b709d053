// Public face of lib/log: createLogger, the Logger interface, formatters and the stderr writer.
// Pure apart from stderrWriter (sink.ts).

export { createLogger } from "./logger.ts";
export { silentLogger } from "./logger.ts";
export { limitPerSource, type SourceLimitOptions } from "./limit.ts";
export type { Logger, LoggerOptions } from "./logger.ts";
export { formatJson, formatText, LEVELS } from "./format.ts";
export type { LogFields, LogLevel, LogRecord } from "./format.ts";
export { stderrWriter } from "./sink.ts";
