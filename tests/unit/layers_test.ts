// The layer rule itself (scripts/check_layers.ts) on made-up graphs: what it lets through and what
// it refuses. tests/integration/layers_test.ts runs it on the real lib/.

import assert from "node:assert/strict";
import { LAYERS, layerViolations } from "../../scripts/check_layers.ts";

const layers = [["low"], ["mid", "side"], ["top"]];
const files = ["low/a.ts", "mid/b.ts", "side/c.ts", "top/d.ts"];

Deno.test("layers: imports down the order and within a folder pass", () => {
  const edges = [
    { from: "top/d.ts", to: "mid/b.ts" },
    { from: "top/d.ts", to: "low/a.ts" },
    { from: "mid/b.ts", to: "low/a.ts" },
    { from: "mid/b.ts", to: "mid/x.ts" },
  ];
  assert.deepEqual(layerViolations({ files, edges }, layers), []);
});

Deno.test("layers: an import up the order fails and names both files", () => {
  const problems = layerViolations(
    { files, edges: [{ from: "low/a.ts", to: "top/d.ts" }] },
    layers,
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /lib\/low\/a\.ts imports lib\/top\/d\.ts/);
  assert.match(problems[0]!, /a higher level/);
});

Deno.test("layers: folders on one level may not import each other, so no circle can form", () => {
  const circle = [{ from: "mid/b.ts", to: "side/c.ts" }, { from: "side/c.ts", to: "mid/b.ts" }];
  const problems = layerViolations({ files, edges: circle }, layers);
  assert.equal(problems.length, 2);
  for (const p of problems) assert.match(p, /its own level/);
});

Deno.test("layers: a folder missing from the table fails", () => {
  const problems = layerViolations({ files: [...files, "new/e.ts"], edges: [] }, layers);
  assert.deepEqual(problems, [
    "lib/new is not in the layer table (LAYERS in scripts/check_layers.ts)",
  ]);
});

Deno.test("layers: the real table names each folder once", () => {
  const all = LAYERS.flat();
  assert.equal(new Set(all).size, all.length);
});
