// docs/config.md, generated from the settings table (scripts/gen_config_doc.ts writes it).
// Pure. Output is plain Markdown that `deno fmt` leaves unchanged (no tables to re-align).

import { flagUsage, showDefault } from "./help.ts";
import {
  bridgeKeyNames,
  envOf,
  GROUPS,
  IGNORED_BRIDGE_KEYS,
  LISTENER_ONLY,
  perListenerKeys,
  type Setting,
  type SettingKey,
  SETTINGS,
} from "./schema.ts";

const code = (s: string) => "`" + s + "`";

function settingSection(key: SettingKey): string[] {
  const s = SETTINGS[key] as Setting<unknown>;
  const lines = ["", `### ${code(key)}`, "", s.doc, ""];
  lines.push(`- Value: ${s.codec.type}${s.unit === undefined ? "" : ` (${s.unit})`}`);
  lines.push(`- Default: ${code(showDefault(key))}`);
  lines.push(`- Command line: ${code(flagUsage(key))}`);
  lines.push(`- Environment: ${code(envOf(key))}`);
  lines.push(`- Config file: ${s.inFile === false ? "not allowed" : code(key)}`);
  if (s.perListener === true) {
    lines.push(`- Per listener: yes, as ${code(`${key}=...`)} in a listen entry`);
  }
  for (const b of s.bridgeKeys ?? []) {
    const name = typeof b === "string" ? b : b.key;
    const note = typeof b === "string" ? "same value" : b.note;
    lines.push(`- Other bridges' key: ${code(name)} (${note})`);
  }
  return lines;
}

const EXAMPLE = [
  "```yaml",
  "node:",
  "  - 127.0.0.1:16110",
  "  - ws://10.0.0.2:18110",
  "address: kaspa:qr...your-address",
  "shares_per_min: 20",
  "listen:",
  '  - ":5555"',
  "  - bind: 0.0.0.0:5556",
  "    dialect: bighex",
  "    pow2_clamp: true",
  "  - bind: 0.0.0.0:5557",
  "    diff: 4096",
  "  - bind: 0.0.0.0:5558",
  "    tls_cert: tls/cert.pem",
  "    tls_key: tls/key.pem",
  "http: 127.0.0.1:2114",
  "log_format: json",
  "```",
];

/**
 * Renders docs/config.md.
 *
 * @example
 * ```ts
 * import { renderConfigDoc } from "./doc.ts";
 * console.assert(renderConfigDoc().startsWith("# Configuration reference"));
 * ```
 */
export function renderConfigDoc(): string {
  const out: string[] = [
    "# Configuration reference",
    "",
    "<!-- Generated from lib/config/schema.ts by scripts/gen_config_doc.ts. Do not edit by hand:",
    "     edit the schema, then run `deno task config:doc`. -->",
    "",
    "kstratum reads its settings from, lowest to highest priority: built-in defaults, a config file",
    "(`--config`, YAML or JSON), `KSTRATUM_*` environment variables, then command-line options.",
    "Each setting below has one name per source: `shares_per_min` in a file, `--shares-per-min`",
    "on the command line, `KSTRATUM_SHARES_PER_MIN` in the environment. In the environment and",
    "on the command line, lists (`node`, `listen`) separate items with spaces or `;`; repeating",
    "an option adds to its list. A mistake (unknown key, bad value, unreadable file) stops",
    "kstratum with a one-line message and exit status 2.",
    "",
    "## Example",
    "",
    ...EXAMPLE,
  ];
  for (const group of GROUPS) {
    out.push("", `## ${group}`);
    for (const key of Object.keys(SETTINGS) as SettingKey[]) {
      if (SETTINGS[key].group === group) out.push(...settingSection(key));
    }
  }
  out.push(...listenerSection(), ...bridgeSection());
  return out.join("\n") + "\n";
}

function listenerSection(): string[] {
  const out = [
    "",
    "## Listener entries",
    "",
    'Each `listen` entry is either text, `"[host]:port,key=value,..."`, or in a file a mapping',
    "with the same keys. Options given in an entry override the top-level value for that port.",
    "",
  ];
  for (const [key, o] of Object.entries(LISTENER_ONLY)) {
    out.push(`- ${code(key)} (${o.type}): ${o.doc}`);
  }
  out.push(`- ${perListenerKeys().map(code).join(", ")}: as at the top level.`);
  return out;
}

function bridgeSection(): string[] {
  const out = [
    "",
    "## Config files of other Kaspa bridges",
    "",
    "kstratum reads the `config.yaml` of the Go kaspa-stratum-bridge (onemorebsmith, rdugan forks)",
    "and of the rusty-kaspa stratum-bridge: their keys map onto the settings above (listed under",
    'each setting as "Other bridges\' key"), `instances:` entries become `listen` entries, and',
    "`block_wait_time` accepts Go durations such as `3s` as well as milliseconds. These keys are",
    "accepted and ignored with a warning:",
    "",
  ];
  for (const [key, why] of Object.entries(IGNORED_BRIDGE_KEYS)) out.push(`- ${code(key)}: ${why}.`);
  const mapped = (Object.keys(SETTINGS) as SettingKey[]).flatMap((k) =>
    bridgeKeyNames(k).map((b) => `${code(b)} → ${code(k)}`)
  );
  out.push("", `Mapped keys: ${mapped.join(", ")}.`);
  return out;
}
