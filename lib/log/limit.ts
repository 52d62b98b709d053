// Log amplification guard: records that name a source (an `ip` field) are limited per source per
// minute; what is held back is counted and reported once in the next window. Pure: clock injected.

import type { LogFields, LogLevel } from "./format.ts";
import type { Logger } from "./logger.ts";

/** How many records one source may write per window. */
export interface SourceLimitOptions {
  /** Records per source per window; past it they are suppressed and counted. */
  perWindow: number;
  /** Window length, ms. Default 60000. */
  windowMs?: number;
  /** The field naming the source. Default "ip". */
  key?: string;
  /** Sources tracked at once; past it the oldest window is dropped. Default 10000. */
  maxSources?: number;
  /** Clock, ms. Default Date.now. */
  now?: () => number;
}

interface Window {
  start: number;
  count: number;
  suppressed: number;
}

/**
 * `log` with a budget per source: the first `perWindow` records naming a source in a window are
 * written, the rest counted; the next record from that source after the window first writes
 * "log lines suppressed" with the count. Records naming no source always pass.
 *
 * @example
 * ```ts
 * import { createLogger } from "./logger.ts";
 * import { limitPerSource } from "./limit.ts";
 * const lines: string[] = [];
 * const log = limitPerSource(createLogger({ level: "info", format: "json", write: (l) => lines.push(l) }), { perWindow: 2 });
 * for (let i = 0; i < 5; i++) log.info("authorize", { ip: "10.0.0.9" });
 * if (lines.length !== 2) throw new Error();
 * ```
 */
export function limitPerSource(log: Logger, options: SourceLimitOptions): Logger {
  const windowMs = options.windowMs ?? 60_000;
  const key = options.key ?? "ip";
  const maxSources = options.maxSources ?? 10_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();

  /** Whether a record from `source` may be written now (after reporting a past suppression). */
  const admit = (source: string): boolean => {
    const t = now();
    let w = windows.get(source);
    if (w === undefined || t - w.start >= windowMs) {
      if (w !== undefined && w.suppressed > 0) {
        log.warn("log lines suppressed", {
          [key]: source,
          suppressed: w.suppressed,
          windowMs,
        });
      }
      if (w === undefined && windows.size >= maxSources) {
        const oldest = windows.keys().next().value;
        if (oldest !== undefined) windows.delete(oldest);
      }
      w = { start: t, count: 0, suppressed: 0 };
      windows.delete(source);
      windows.set(source, w);
    }
    if (w.count < options.perWindow) {
      w.count++;
      return true;
    }
    w.suppressed++;
    return false;
  };

  const wrap = (base: LogFields): Logger => {
    const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
      const merged = fields === undefined ? base : { ...base, ...fields };
      const source = merged[key];
      if (source !== undefined && !admit(String(source))) return;
      log[level](msg, merged);
    };
    return {
      debug: (m, f) => log.enabled("debug") && write("debug", m, f),
      info: (m, f) => write("info", m, f),
      warn: (m, f) => write("warn", m, f),
      error: (m, f) => write("error", m, f),
      child: (fields) => wrap({ ...base, ...fields }),
      enabled: (level) => log.enabled(level),
    };
  };
  return wrap({});
}
