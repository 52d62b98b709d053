// Writes deploy/kstratum.example.yaml from the settings table: every key, commented out, at its
// default. `--check` fails (exit 1) when the file is stale or its values no longer load as the defaults.
// Usage: deno run --allow-read --allow-write=deploy --allow-run --allow-env=LOG_TOKENS,LOG_STREAM
//   scripts/gen_example_config.ts [--check]   (the yaml package reads those two variables)

import { formatWithDeno, writeOrCheck } from "./_generated.ts";
import { isDeepStrictEqual } from "node:util";
import { parse, stringify } from "yaml";
import { loadConfig } from "../lib/config/mod.ts";
import { wrap } from "../lib/config/help.ts";
import {
  envOf,
  flagOf,
  GROUPS,
  LISTENER_ONLY,
  perListenerKeys,
  type Setting,
  type SettingKey,
  SETTINGS,
} from "../lib/config/schema.ts";

const root = new URL("../", import.meta.url);
const target = new URL("deploy/kstratum.example.yaml", root);
const WIDTH = 98;

/** The example file, and the same settings uncommented (to prove they load as the defaults). */
interface Rendered {
  file: string[];
  active: string[];
}

/** A default as YAML: as shown when YAML reads it back as that value, else quoted. */
function scalar(text: string): string {
  let read: unknown;
  try {
    read = parse(text);
  } catch {
    read = undefined;
  }
  const plain = ["string", "number", "boolean"].includes(typeof read) &&
    (String(read) === text || JSON.stringify(read) === text);
  return plain ? text : stringify(text, { lineWidth: 0 }).trimEnd();
}

/** Each item of a list default as its own text ("127.0.0.1:16110"), or one text for scalars. */
function defaultValues(key: SettingKey): string | string[] {
  const s = SETTINGS[key] as Setting<unknown>;
  if (Array.isArray(s.default)) return s.default.map((item) => s.codec.show([item]));
  return s.codec.show(s.default);
}

function settingLines(key: SettingKey, out: Rendered): void {
  const s = SETTINGS[key] as Setting<unknown>;
  const unit = s.unit === undefined ? "" : ` Unit: ${s.unit}.`;
  const perPort = s.perListener === true ? " Also per listen entry." : "";
  out.file.push(...wrap(`${s.doc}${unit}${perPort}`, "# ", WIDTH));
  out.file.push(`# Command line: ${flagOf(key)}; environment: ${envOf(key)}.`);
  if (s.default === undefined && unsetText(s) === undefined) {
    out.file.push(`# No default.`, `#${key}: ${exampleOf(key)}`);
    return;
  }
  const value = s.default === undefined ? unsetText(s)! : defaultValues(key);
  const lines = typeof value === "string"
    ? [`${key}: ${scalar(value)}`]
    : [`${key}:`, ...value.map((v) => `  - ${scalar(v)}`)];
  out.file.push(...lines.map((l) => `#${l}`));
  out.active.push(...lines);
}

/** How a user writes "unset" for a setting without a default ("off"), if its codec has a way. */
function unsetText(s: Setting<unknown>): string | undefined {
  try {
    const shown = s.codec.show(undefined);
    return s.codec.parseText(shown) === undefined ? shown : undefined;
  } catch {
    return undefined;
  }
}

/** A value to show for settings that have neither a default nor a way to write "unset". */
function exampleOf(key: SettingKey): string {
  if (key === "address") return "kaspa:qr...your-payout-address";
  return `<${key}>`;
}

function listenerNotes(): string[] {
  const lines = wrap(
    "More ports: add entries to listen, each a mapping with bind: and any of these options " +
      "(docs/config.md, Listener entries):",
    "# ",
    WIDTH,
  );
  for (const [key, o] of Object.entries(LISTENER_ONLY)) {
    lines.push(...wrap(`${key}: ${o.doc}`, "#   ", WIDTH));
  }
  lines.push(
    ...wrap(
      `${perListenerKeys().join(", ")}: override the values below for that port.`,
      "#   ",
      WIDTH,
    ),
  );
  lines.push(
    "# For example (IceRiver on 5556, a fixed-difficulty port, Stratum over TLS on 5558):",
    "#  - bind: 0.0.0.0:5556",
    "#    dialect: bighex",
    "#    pow2_clamp: true",
    "#  - bind: 0.0.0.0:5557",
    "#    diff: 4096",
    "#  - bind: 0.0.0.0:5558",
    "#    tls_cert: /run/credentials/kstratum.service/tls.crt",
    "#    tls_key: /run/credentials/kstratum.service/tls.key",
  );
  return lines;
}

/** Renders the example file and its uncommented twin. */
export function renderExample(): Rendered {
  const out: Rendered = {
    file: [
      "# kstratum example configuration. Copy it to /etc/kstratum/config.yaml (the path the systemd",
      "# unit in deploy/systemd passes to --config) and uncomment what you change.",
      "#",
      "# Generated from lib/config/schema.ts by scripts/gen_example_config.ts; do not edit by hand.",
      "# Every setting is listed commented out at its default. Reference: docs/config.md.",
      "# Priority, lowest to highest: defaults, this file, KSTRATUM_* variables, command-line options.",
    ],
    active: [],
  };
  for (const group of GROUPS) {
    const keys = (Object.keys(SETTINGS) as SettingKey[]).filter((k) =>
      SETTINGS[k].group === group && (SETTINGS[k] as Setting<unknown>).inFile !== false
    );
    if (keys.length === 0) continue;
    out.file.push("", `# ---- ${group} ----`);
    for (const key of keys) {
      out.file.push("");
      settingLines(key, out);
      if (key === "listen") out.file.push(...listenerNotes());
    }
  }
  return out;
}

/**
 * Loads `text` as the config file and insists it gives exactly the built-in defaults, with no
 * warning: run on the file as shipped (all commented) and on its settings uncommented.
 */
function assertLoadsAsDefaults(text: string, what: string): void {
  const noEnv = () => undefined;
  const fromFile = loadConfig(["--config", "example.yaml"], noEnv, () => text);
  const defaults = loadConfig([], noEnv, () => "");
  if (fromFile.kind !== "run" || defaults.kind !== "run") {
    throw new Error("unexpected help/version");
  }
  if (fromFile.warnings.length > 0) {
    throw new Error(`${what} warns: ${fromFile.warnings.join("; ")}`);
  }
  // Only the record of which file was read may differ.
  const loaded = { ...fromFile.config, configFile: defaults.config.configFile };
  if (!isDeepStrictEqual(loaded, defaults.config)) {
    throw new Error(`${what} does not load as the defaults; fix the renderer`);
  }
}

if (import.meta.main) {
  const rendered = renderExample();
  assertLoadsAsDefaults(rendered.active.join("\n") + "\n", "the example's settings, uncommented,");
  const wanted = await formatWithDeno(rendered.file.join("\n") + "\n", "yaml", root);
  assertLoadsAsDefaults(wanted, "the example file as shipped");
  await writeOrCheck(target, wanted, {
    name: "deploy/kstratum.example.yaml",
    staleHint: "run `deno run --allow-read --allow-write=deploy --allow-run " +
      "--allow-env=LOG_TOKENS,LOG_STREAM scripts/gen_example_config.ts` and commit it.",
    okNote: " and loads as the defaults",
  });
}
