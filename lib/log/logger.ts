// A small leveled logger with structured fields and text or JSON output.
// Pure: the clock and the line writer are injected (main passes stderr, tests pass an array).

import { formatJson, formatText, LEVELS, type LogFields, type LogLevel } from "./format.ts";

/** Writes structured log records at or above its level. */
export interface Logger {
  /** Detail for diagnosing (vardiff steps, every share). */
  debug(msg: string, fields?: LogFields): void;
  /** Normal operation (listening, miner connected, block found). */
  info(msg: string, fields?: LogFields): void;
  /** Something off that kstratum works around (node lost, ignored key). */
  warn(msg: string, fields?: LogFields): void;
  /** A failure that loses work or service (block rejected, listener failed). */
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record (e.g. `{ conn: 12, ip }`). */
  child(fields: LogFields): Logger;
  /** Whether `level` would be written; use it to skip building costly fields. */
  enabled(level: LogLevel): boolean;
}

/** A logger that writes nothing (the default of parts given no logger). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
  enabled: () => false,
};

/** How createLogger writes. */
export interface LoggerOptions {
  /** Least severe level written. */
  level: LogLevel;
  /** "text" for people, "json" for one JSON object per line. */
  format: "text" | "json";
  /** Start lines with the time (default true); off under journald, which adds its own. */
  timestamps?: boolean;
  /** Receives each finished line, without a trailing newline. Must not throw. */
  write: (line: string) => void;
  /** Clock, milliseconds since the Unix epoch (default Date.now). */
  now?: () => number;
  /** Fields added to every record. */
  fields?: LogFields;
}

/**
 * Creates a logger.
 *
 * @example
 * ```ts
 * import { createLogger } from "./logger.ts";
 * const lines: string[] = [];
 * const log = createLogger({ level: "info", format: "json", write: (l) => lines.push(l), now: () => 0 });
 * log.info("listening", { port: 5555 });
 * console.assert(lines[0] === '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"listening","port":5555}');
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  const min = LEVELS.indexOf(options.level);
  const now = options.now ?? Date.now;
  const timestamps = options.timestamps ?? true;
  const format = options.format === "json" ? formatJson : formatText;
  const base = options.fields ?? {};
  const enabled = (level: LogLevel) => LEVELS.indexOf(level) >= min;
  const emit = (level: LogLevel, msg: string, fields: LogFields | undefined) => {
    if (!enabled(level)) return;
    const record = {
      time: now(),
      level,
      msg,
      fields: fields === undefined ? base : { ...base, ...fields },
    };
    options.write(format(record, timestamps));
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
    enabled,
  };
}
