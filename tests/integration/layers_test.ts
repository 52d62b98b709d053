// lib/'s real import graph (from `deno info --json`) runs down the layer order of
// scripts/check_layers.ts; and the same reading catches a type-only import up the order.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { layerViolations, libGraph } from "../../scripts/check_layers.ts";

const root = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

Deno.test("layers: every import in lib/ runs down the layers, no folder circle", async () => {
  const graph = await libGraph(`${root}/lib`, `${root}/deno.json`);
  assert.ok(graph.files.length > 100, `only ${graph.files.length} files read`);
  assert.ok(graph.edges.some((e) => e.from.startsWith("app/") && e.to.startsWith("kaspa/")));
  assert.deepEqual(layerViolations(graph), []);
});

Deno.test("layers: deno info's graph shows a type-only import up the order and a circle", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstratum-layers-" });
  try {
    await Deno.mkdir(`${dir}/lib/kaspa`, { recursive: true });
    await Deno.mkdir(`${dir}/lib/app`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/lib/kaspa/a.ts`,
      'import type { B } from "../app/b.ts";\nexport type A = B | 1;\n',
    );
    await Deno.writeTextFile(
      `${dir}/lib/app/b.ts`,
      'import type { A } from "../kaspa/a.ts";\nexport type B = 2;\nexport type C = A;\n',
    );
    const graph = await libGraph(`${dir}/lib`, `${root}/deno.json`);
    assert.deepEqual(layerViolations(graph), [
      "lib/kaspa/a.ts imports lib/app/b.ts: kaspa/ (level 1) may not import app/ (a higher level, 8)",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
