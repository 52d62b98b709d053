// The server's Deno permission flags, read from the ONE place they are written: deno.json's
// `start` task. scripts/compile.ts and tests/integration/cli_test.ts use exactly these flags.

/**
 * Flags the server must never get: it writes no files but its history (ALLOWED_SCOPED_FLAGS), runs
 * no programs, loads no native code.
 */
export const FORBIDDEN_FLAGS: readonly string[] = [
  "-A",
  "--allow-all",
  "--allow-write",
  "--allow-run",
  "--allow-ffi",
];

/**
 * Scoped forms of a forbidden flag the server may have: write access to its state directory
 * `data` (the default data_dir, relative to the working directory) and nothing else.
 */
export const ALLOWED_SCOPED_FLAGS: readonly string[] = ["--allow-write=data"];

/** Splits a task command like a shell would for plain words and '...' / "..." quoting. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const pattern = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let word = "";
  let last = -1;
  for (const m of command.matchAll(pattern)) {
    const piece = m[1] ?? m[2]?.replace(/\\(.)/g, "$1") ?? m[3] ?? "";
    if (last >= 0 && m.index === last) word += piece;
    else {
      if (last >= 0) words.push(word);
      word = piece;
    }
    last = m.index + m[0].length;
  }
  if (last >= 0) words.push(word);
  return words;
}

/**
 * Permission flags of the `start` task in `denoJsonText`: the flags between `deno run` and the
 * entry module. Throws when the task is missing, has another shape, or grants a forbidden flag.
 */
export function serverPermissionFlags(denoJsonText: string): string[] {
  const config = JSON.parse(denoJsonText) as { tasks?: Record<string, unknown> };
  const start = config.tasks?.start;
  if (typeof start !== "string") throw new Error('deno.json has no "start" task');
  const words = splitCommand(start);
  const entry = words.indexOf("main.ts");
  if (words[0] !== "deno" || words[1] !== "run" || entry < 0) {
    throw new Error(
      `deno.json "start" task must read "deno run <permission flags> main.ts": ${start}`,
    );
  }
  const flags = words.slice(2, entry);
  for (const flag of flags) {
    const name = flag.split("=")[0]!;
    if (!name.startsWith("--allow-") && !name.startsWith("--deny-") && name !== "--no-prompt") {
      throw new Error(`deno.json "start" task: ${flag} is not a permission flag`);
    }
    if (FORBIDDEN_FLAGS.includes(name) && !ALLOWED_SCOPED_FLAGS.includes(flag)) {
      throw new Error(`deno.json "start" task grants ${flag}; the server must not have it`);
    }
  }
  return flags;
}

/** Reads deno.json next to this repository's scripts/ and returns the server's flags. */
export async function readServerPermissionFlags(): Promise<string[]> {
  return serverPermissionFlags(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
}
