// Writes docs/config.md from the settings table; `--check` fails (exit 1) when the file is stale.
// Usage: deno run --allow-read --allow-write=docs --allow-run scripts/gen_config_doc.ts [--check]

import { formatWithDeno } from "./_deno_fmt.ts";
import { renderConfigDoc } from "../lib/config/mod.ts";

const root = new URL("../", import.meta.url);
const target = new URL("docs/config.md", root);

const wanted = await formatWithDeno(renderConfigDoc(), "md", root);

if (Deno.args.includes("--check")) {
  let current = "";
  try {
    current = await Deno.readTextFile(target);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (current !== wanted) {
    console.error(
      "docs/config.md is stale (lib/config/schema.ts changed): run `deno task config:doc` and commit it.",
    );
    Deno.exit(1);
  }
  console.log("docs/config.md is up to date");
} else {
  await Deno.mkdir(new URL("docs/", root), { recursive: true });
  await Deno.writeTextFile(target, wanted);
  console.log("wrote docs/config.md");
}
