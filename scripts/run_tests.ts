// Runs the test suite: unit tests in one `deno test` process, each integration file in its own, so
// a file's leftovers (sockets, child processes, V8 state) never reach another. Ends with one line
// "N passed, N failed, N skipped"; exits non-zero when anything failed.
//
//   deno run --allow-run --allow-read --allow-env scripts/run_tests.ts [paths...]
//
// A deno process that dies on a signal (a runtime crash, not a failed assertion) is never rerun: the
// crash is reported with its signal ("deno crashed (SIGSEGV) running <file>") and fails the run.

const TEST_FLAGS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
];

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** Signal names by number (Linux), for a crash seen only as exit status 128 + N. */
const SIGNALS: Readonly<Record<number, string>> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  15: "SIGTERM",
};

/** How one `deno test` process ended, and what it wrote to stdout. */
export interface RunResult {
  code: number;
  signal: string | null;
  out: string;
}

/**
 * The signal a deno process died on: the name the OS reported, else the one an exit status of
 * 128 + N stands for; null when the process exited by itself.
 */
export function crashSignal(result: { code: number; signal: string | null }): string | null {
  if (result.signal !== null) return result.signal;
  if (result.code <= 128 || result.code >= 128 + 65) return null;
  const n = result.code - 128;
  return `${SIGNALS[n] ?? `signal ${n}`}, exit ${result.code}`;
}

/** Test counts of one run or of the whole suite. */
export interface Counts {
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

/** What one run adds to the totals, and the line saying what went wrong, if anything did. */
export interface RunVerdict {
  counts: Counts;
  problem?: string;
}

/**
 * Judges one finished run. A crash (death on a signal) counts as at least one failed test and is
 * named with its signal, whatever the output says; there is no second attempt.
 */
export function judgeRun(name: string, result: RunResult): RunVerdict {
  const counts = parseSummary(result.out);
  const signal = crashSignal(result);
  if (signal !== null) {
    return {
      counts: {
        passed: counts?.passed ?? 0,
        failed: Math.max(1, counts?.failed ?? 0),
        ignored: counts?.ignored ?? 0,
      },
      problem: `deno crashed (${signal}) running ${name}`,
    };
  }
  if (counts === undefined || (result.code !== 0 && counts.failed === 0)) {
    return {
      counts: { passed: 0, failed: Math.max(1, counts?.failed ?? 0), ignored: 0 },
      problem: `${name}: exit ${result.code} without a test summary`,
    };
  }
  return counts.failed > 0 ? { counts, problem: `${name}: ${counts.failed} failed` } : { counts };
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
    const { counts, problem } = judgeRun(name, await runOnce(targets));
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.ignored += counts.ignored;
    if (problem === undefined) continue;
    problems.push(problem);
    console.error(`run_tests: ${problem}`);
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  console.log(`\nrun_tests: ${runs.length} runs in ${seconds} s`);
  for (const p of problems) console.log(`run_tests: ${p}`);
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.ignored} skipped`);
  return total.failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
