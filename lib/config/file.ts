// Parses config file text: JSON for *.json, YAML (npm `yaml`, which also reads JSON) otherwise.
// Pure; syntax errors become one-line ConfigErrors with file:line:column.

import { parse as parseYaml, YAMLParseError } from "yaml";
import { ConfigError } from "./errors.ts";

/**
 * Parses the text of config file `file` into a plain value.
 *
 * Note: npm `yaml` reads the LOG_TOKENS and LOG_STREAM environment variables while parsing
 * (debug hooks); under Deno that needs env permission for those two names.
 */
export function parseConfigText(text: string, file: string): unknown {
  if (file.toLowerCase().endsWith(".json")) {
    try {
      return JSON.parse(text);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ConfigError("file_syntax", `${file}: not valid JSON (${reason})`);
    }
  }
  try {
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw err;
    const at = err.linePos?.[0];
    const where = at === undefined ? file : `${file}:${at.line}:${at.col}`;
    const reason = (err.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    throw new ConfigError("file_syntax", `${where}: YAML syntax error: ${reason}`);
  }
}
