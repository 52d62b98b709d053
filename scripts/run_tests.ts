// Runs the test suite: unit tests in one `deno test` process, each integration file in its own, so
// a file's leftovers (sockets, child processes, V8 state) never reach another. Ends with one line
// "N passed, N failed, N skipped"; exits non-zero when anything failed.
//
//   deno run --allow-run --allow-read --allow-env scripts/run_tests.ts [paths...]
//
// A run whose deno process dies on a signal (a runtime crash, not a failed assertion) is rerun, at
// most twice, and every crash is reported; a third counts as a failure. Failed assertions never rerun.

const TEST_FLAGS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
];

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/**
 * Reruns of a run whose deno process died on a signal. Deno 2.9.6 once segfaulted in about half
 * the runs of one file (V8 tiering up a relaxed-SIMD kernel; fixed in lib/pow); a runtime crash is
 * reported, never silent, and a third one fails the run. See docs/robustness.md.
 */
const MAX_CRASH_RERUNS = 2;

/** Whether the deno process died on a signal rather than finishing. */
function crashed(result: { code: number; signal: string | null }): boolean {
  return result.signal !== null || result.code >= 128;
}

interface Counts {
  passed: number;
  failed: number;
  ignored: number;
}

/** The counts in deno test's closing line ("ok | 3 passed | 0 failed | 1 ignored"). */
export function parseSummary(output: string): Counts | undefined {
  // deno test colours its output unless NO_COLOR is set; strip any escapes before reading numbers.
  const plain = output.replace(ANSI, "");
  const lines = plain.split("\n").filter((l) => /^(ok|FAILED) \| \d+ passed/.test(l));
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  const num = (word: string): number => Number(last.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  return { passed: num("passed"), failed: num("failed"), ignored: num("ignored") };
}

/** Groups: the unit folder as one run, every other test file as a run of its own. */
async function groups(paths: string[]): Promise<string[][]> {
  const runs: string[][] = [];
  for (const path of paths) {
    const info = await Deno.stat(path);
    if (!info.isDirectory) {
      runs.push([path]);
      continue;
    }
    const files: string[] = [];
    const subdirs: string[] = [];
    for await (const entry of Deno.readDir(path)) {
      const full = `${path.replace(/\/$/, "")}/${entry.name}`;
      if (entry.isDirectory) subdirs.push(full);
      else if (/_test\.ts$/.test(entry.name)) files.push(full);
    }
    files.sort();
    if (/(^|\/)unit\/?$/.test(path)) {
      if (files.length > 0) runs.push([path]);
    } else {
      runs.push(...files.map((f) => [f]));
    }
    subdirs.sort();
    for (const dir of subdirs) runs.push(...await groups([dir]));
  }
  return runs;
}

/** Runs `deno test` on `targets`, streaming its output; returns the exit code and the output. */
async function runOnce(
  targets: string[],
): Promise<{ code: number; signal: string | null; out: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", ...TEST_FLAGS, ...targets],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let out = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    out += decoder.decode(chunk, { stream: true });
    if (out.length > 1_000_000) out = out.slice(-200_000); // the summary is at the end
  }
  const status = await child.status;
  return { code: status.code, signal: status.signal, out };
}

async function main(args: string[]): Promise<number> {
  const runs = await groups(args.length > 0 ? args : ["tests/unit", "tests/integration"]);
  const total: Counts = { passed: 0, failed: 0, ignored: 0 };
  const problems: string[] = [];
  const started = performance.now();
  for (const targets of runs) {
    const name = targets.join(" ");
    let result = await runOnce(targets);
    for (let rerun = 1; rerun <= MAX_CRASH_RERUNS && crashed(result); rerun++) {
      const crash = `deno crashed (${result.signal ?? `exit ${result.code}`}) running ${name}`;
      console.error(`run_tests: ${crash}; rerun ${rerun} of ${MAX_CRASH_RERUNS}`);
      problems.push(`${crash} (rerun ${rerun})`);
      result = await runOnce(targets);
    }
    const counts = parseSummary(result.out);
    if (counts === undefined || (result.code !== 0 && counts.failed === 0)) {
      total.failed += Math.max(1, counts?.failed ?? 0);
      problems.push(`${name}: exit ${result.signal ?? result.code} without a test summary`);
      continue;
    }
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.ignored += counts.ignored;
    if (counts.failed > 0) problems.push(`${name}: ${counts.failed} failed`);
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  console.log(`\nrun_tests: ${runs.length} runs in ${seconds} s`);
  for (const p of problems) console.log(`run_tests: ${p}`);
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.ignored} skipped`);
  return total.failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
