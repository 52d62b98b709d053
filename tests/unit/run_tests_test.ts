// scripts/run_tests.ts: reading deno test's summary and judging each run; a crash is a failure, named
// with its signal, never a reason to run the file again.

import assert from "node:assert/strict";
import { crashSignal, judgeRun, parseSummary } from "../../scripts/run_tests.ts";

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

Deno.test("run_tests: a run that died on a signal fails and names the signal", () => {
  const name = "tests/integration/x_test.ts";
  const partial = "running 3 tests from ./tests/integration/x_test.ts\nfirst ... ok (5ms)\n";
  assert.deepEqual(judgeRun(name, { code: 139, signal: "SIGSEGV", out: partial }), {
    counts: { passed: 0, failed: 1, ignored: 0 },
    problem: "deno crashed (SIGSEGV) running tests/integration/x_test.ts",
  });
  // Dying after the summary was printed is still a crash, and still a failure.
  const done = "ok | 3 passed | 0 failed | 1 ignored (2s)\n";
  assert.deepEqual(judgeRun(name, { code: 134, signal: "SIGABRT", out: done }), {
    counts: { passed: 3, failed: 1, ignored: 1 },
    problem: "deno crashed (SIGABRT) running tests/integration/x_test.ts",
  });
});

Deno.test("run_tests: an exit status of 128 + N without a reported signal names signal N", () => {
  assert.equal(crashSignal({ code: 139, signal: null }), "SIGSEGV, exit 139");
  assert.equal(crashSignal({ code: 134, signal: null }), "SIGABRT, exit 134");
  assert.equal(crashSignal({ code: 128 + 40, signal: null }), "signal 40, exit 168");
  assert.equal(crashSignal({ code: 1, signal: null }), null);
  assert.equal(crashSignal({ code: 0, signal: null }), null);
  assert.equal(crashSignal({ code: 128, signal: null }), null);
  const v = judgeRun("tests/integration/y_test.ts", { code: 139, signal: null, out: "" });
  assert.equal(v.problem, "deno crashed (SIGSEGV, exit 139) running tests/integration/y_test.ts");
  assert.equal(v.counts.failed, 1);
});

Deno.test("run_tests: passes, failures and a missing summary are judged without a crash", () => {
  const ok = "ok | 4 passed | 0 failed (1s)\n";
  assert.deepEqual(judgeRun("a_test.ts", { code: 0, signal: null, out: ok }), {
    counts: { passed: 4, failed: 0, ignored: 0 },
  });
  const failed = "FAILED | 4 passed | 2 failed (9s)\n";
  assert.deepEqual(judgeRun("a_test.ts", { code: 1, signal: null, out: failed }), {
    counts: { passed: 4, failed: 2, ignored: 0 },
    problem: "a_test.ts: 2 failed",
  });
  assert.deepEqual(judgeRun("a_test.ts", { code: 1, signal: null, out: "error: TS2304\n" }), {
    counts: { passed: 0, failed: 1, ignored: 0 },
    problem: "a_test.ts: exit 1 without a test summary",
  });
});
