// The settings table is the single source of --help and docs/config.md: check it is coherent.

import assert from "node:assert/strict";
import { envOf, flagOf, renderConfigDoc, renderHelp, SETTINGS } from "../../lib/config/mod.ts";
import {
  bridgeKeyNames,
  IGNORED_BRIDGE_KEYS,
  LISTENER_ONLY,
  type Setting,
  type SettingKey,
} from "../../lib/config/schema.ts";

const KEYS = Object.keys(SETTINGS) as SettingKey[];

Deno.test("every setting's default survives show → parse unchanged", () => {
  for (const key of KEYS) {
    const s = SETTINGS[key] as Setting<unknown>;
    if (s.default === undefined) continue;
    const shown = s.codec.show(s.default);
    const text = shown.startsWith('"') ? JSON.parse(shown) : shown; // quoted text values
    const reparsed = s.codec.parseText(text) as unknown;
    const strip = (v: unknown) =>
      JSON.parse(JSON.stringify(v, (k, x) => (k === "where" ? undefined : x)));
    assert.deepEqual(strip(reparsed), strip(s.default), key);
  }
});

Deno.test("setting names, flags, env vars and other bridges' keys are unique", () => {
  const names = [
    ...KEYS,
    ...KEYS.flatMap(bridgeKeyNames),
    ...Object.keys(IGNORED_BRIDGE_KEYS),
  ];
  // stratum_port names both the listen setting and a listen entry's bind: one key, one meaning each place.
  assert.equal(new Set(names).size, names.length, "file keys collide");
  assert.equal(new Set(KEYS.map(flagOf)).size, KEYS.length);
  assert.equal(new Set(KEYS.map(envOf)).size, KEYS.length);
  for (const key of KEYS) assert.match(key, /^[a-z][a-z0-9_]*$/, key);
});

Deno.test("--help shows every setting's flag and every listener option", () => {
  const help = renderHelp();
  for (const key of KEYS) assert.ok(help.includes(flagOf(key)), `--help lacks ${flagOf(key)}`);
  for (const key of Object.keys(LISTENER_ONLY)) assert.ok(help.includes(`${key}=`), key);
  for (const line of help.split("\n")) assert.ok(line.length <= 100, `too wide: ${line}`);
});

Deno.test("docs/config.md shows every key, flag, env var and other bridges' key", () => {
  const doc = renderConfigDoc();
  for (const key of KEYS) {
    assert.ok(doc.includes(`### \`${key}\``), key);
    assert.ok(doc.includes(envOf(key)), envOf(key));
    for (const b of bridgeKeyNames(key)) assert.ok(doc.includes(`\`${b}\``), b);
  }
  for (const key of Object.keys(IGNORED_BRIDGE_KEYS)) assert.ok(doc.includes(`\`${key}\``), key);
});
