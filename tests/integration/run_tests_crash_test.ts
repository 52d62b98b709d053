// scripts/run_tests.ts against a real crash: a test file whose deno process aborts itself (SIGABRT,
// as nghttp2's failed assertion does) is run once, named with its signal, and fails the whole run.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const runner = fileURLToPath(new URL("../../scripts/run_tests.ts", import.meta.url));

Deno.test("run_tests: a test file that dies on SIGABRT fails the run, once, with the signal named", async () => {
  // A temporary folder of its own: the runner's default paths never see these files, and a core
  // file, should the machine write one, lands in the folder that is removed below.
  const dir = await Deno.makeTempDir({ prefix: "kstratum-crash-" });
  try {
    const tally = `${dir}/starts.txt`;
    await Deno.writeTextFile(
      `${dir}/a_abort_test.ts`,
      `Deno.test("aborts its own process", async () => {
  await Deno.writeTextFile(${JSON.stringify(tally)}, "started\\n", { append: true });
  Deno.kill(Deno.pid, "SIGABRT");
  await new Promise((resolve) => setTimeout(resolve, 5_000));
});
`,
    );
    await Deno.writeTextFile(
      `${dir}/b_pass_test.ts`,
      `Deno.test("passes", () => {});\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-run", "--allow-read", "--allow-env", runner, dir],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    const both = `${stdout}\n${stderr}`;

    assert.equal(out.code, 1, both);
    const crash = `deno crashed (SIGABRT) running ${dir}/a_abort_test.ts`;
    assert.ok(stderr.includes(`run_tests: ${crash}`), stderr);
    assert.ok(stdout.includes(`run_tests: ${crash}`), stdout);
    // The crashed file ran exactly once; the file after it still ran and passed.
    assert.equal(await Deno.readTextFile(tally), "started\n");
    assert.ok(stdout.includes("1 passed, 1 failed, 0 skipped"), stdout);
    assert.doesNotMatch(both, /rerun/i);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
