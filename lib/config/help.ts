// The --help text, generated from the settings table so it always matches what is parsed.
// Pure.

import {
  GROUPS,
  LISTENER_ONLY,
  perListenerKeys,
  type Setting,
  type SettingKey,
  SETTINGS,
} from "./schema.ts";
import { flagOf } from "./schema.ts";
import { bool } from "./values.ts";

const WIDTH = 100;
const FLAG_COLUMN = 34;

/** Wraps `text` to `width` columns, every line prefixed with `indent`. */
export function wrap(text: string, indent: string, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(indent + line);
  return lines;
}

/** The value of a setting's default as a user would type it ("none" when unset). */
export function showDefault(key: SettingKey): string {
  const s = SETTINGS[key] as Setting<unknown>;
  return s.default === undefined ? "none" : s.codec.show(s.default);
}

/** "--vardiff, --no-vardiff" / "-c, --config <path>" */
export function flagUsage(key: SettingKey): string {
  const s = SETTINGS[key] as Setting<unknown>;
  const flag = flagOf(key);
  const short = s.short === undefined ? "" : `-${s.short}, `;
  if (s.codec === bool) return `${short}${flag}, --no-${flag.slice(2)}`;
  return `${short}${flag} ${s.arg ?? "<value>"}`;
}

function entry(usage: string, doc: string): string[] {
  const head = `  ${usage}`;
  const body = wrap(doc, " ".repeat(FLAG_COLUMN));
  if (head.length < FLAG_COLUMN - 1 && body.length > 0) {
    return [head.padEnd(FLAG_COLUMN) + body[0]!.trimStart(), ...body.slice(1)];
  }
  return [head, ...body];
}

function settingDoc(key: SettingKey): string {
  const s = SETTINGS[key] as Setting<unknown>;
  return `${s.doc} Default: ${showDefault(key)}.`;
}

/**
 * Renders the --help text, grouped like docs/config.md.
 *
 * @example
 * ```ts
 * import { renderHelp } from "./help.ts";
 * console.assert(renderHelp().includes("--shares-per-min"));
 * ```
 */
export function renderHelp(): string {
  const out: string[] = [
    "kstratum: Kaspa Stratum server for ASIC and GPU miners, solo mining to a kaspad node.",
    "",
    "Usage: kstratum [options]        (from a source checkout: deno task start [options])",
    "",
    ...wrap(
      "Settings come from, lowest to highest: defaults, the config file (--config), KSTRATUM_* " +
        "environment variables, then these options. Every option is also a config-file key " +
        "(--shares-per-min is shares_per_min) and an environment variable (KSTRATUM_SHARES_PER_MIN). " +
        "Reference: docs/config.md.",
      "",
    ),
  ];
  for (const group of GROUPS) {
    out.push("", group);
    if (group === "General") {
      out.push(...entry("-h, --help", "Show this help and exit."));
      out.push(...entry("-V, --version", "Show the kstratum version, Deno version and commit."));
    }
    for (const key of Object.keys(SETTINGS) as SettingKey[]) {
      if (SETTINGS[key].group === group) out.push(...entry(flagUsage(key), settingDoc(key)));
    }
  }
  out.push(
    "",
    'Listener options (inside a --listen value, e.g. --listen ":5556,dialect=bighex,diff=4096")',
  );
  for (const [key, o] of Object.entries(LISTENER_ONLY)) {
    out.push(
      ...entry(
        `${key}=<${key === "bind" ? "host:port" : key === "diff" ? "diff" : "path"}>`,
        o.doc,
      ),
    );
  }
  out.push(
    ...wrap(perListenerKeys().join(", "), "  "),
    ...wrap(
      "Override the top-level value for this port (same values as the options above).",
      " ".repeat(FLAG_COLUMN),
    ),
  );
  out.push(
    "",
    "Exit status: 0 on a clean stop, 2 on a configuration error (printed as one line), 1 otherwise.",
  );
  return out.join("\n") + "\n";
}
