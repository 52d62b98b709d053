// Writes docs/config.md from the settings table; `--check` fails (exit 1) when the file is stale.
// Usage: deno run --allow-read --allow-write=docs --allow-run scripts/gen_config_doc.ts [--check]

import { formatWithDeno, writeOrCheck } from "./_generated.ts";
import { renderConfigDoc } from "../lib/config/mod.ts";

const root = new URL("../", import.meta.url);
const target = new URL("docs/config.md", root);

const wanted = await formatWithDeno(renderConfigDoc(), "md", root);

await writeOrCheck(target, wanted, {
  name: "docs/config.md",
  staleHint: "run `deno task config:doc` and commit it.",
});
