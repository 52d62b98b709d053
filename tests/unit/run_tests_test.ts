import assert from "node:assert/strict";
import { parseSummary } from "../../scripts/run_tests.ts";

Deno.test("run_tests reads deno test's coloured closing line", () => {
  const out =
    "x ... ok\n\x1b[0m\x1b[32mok\x1b[0m | 12 passed | 0 failed | 3 ignored \x1b[38;5;245m(2s)\x1b[0m\n";
  assert.deepEqual(parseSummary(out), { passed: 12, failed: 0, ignored: 3 });
});

Deno.test("run_tests reads a failed summary and finds none in a crashed run", () => {
  assert.deepEqual(parseSummary("FAILED | 4 passed | 2 failed (9s)\n"), {
    passed: 4,
    failed: 2,
    ignored: 0,
  });
  assert.equal(parseSummary("running 5 tests from ./x_test.ts\nfoo ... \n"), undefined);
});
