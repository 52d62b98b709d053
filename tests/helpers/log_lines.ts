// Test helper: a real Logger (lib/log) that keeps each record as "level message" in an array,
// for tests that check what a part logged.

import { createLogger, type Logger } from "../../lib/log/mod.ts";

/** A debug-level logger and the "level message" lines it has written so far. */
export function logLines(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({
    level: "debug",
    format: "json",
    write: (line) => {
      const record = JSON.parse(line) as { level: string; msg: string };
      lines.push(`${record.level} ${record.msg}`);
    },
  });
  return { log, lines };
}
