// Shared by the generators of checked-in files (docs/config.md, deploy/kstratum.example.yaml):
// format with `deno fmt` exactly as `deno fmt --check` expects, then write the file or check it.

/** Pipes `text` through `deno fmt --ext=<ext> -` run in `cwd`; throws when deno fmt fails. */
export async function formatWithDeno(text: string, ext: "md" | "yaml", cwd: URL): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", `--ext=${ext}`, "-"],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout } = await child.output();
  if (code !== 0) throw new Error(`deno fmt exited with ${code}`);
  return new TextDecoder().decode(stdout);
}

/**
 * With `--check` in the arguments: exits 1 (printing `staleHint`) unless `target` holds exactly
 * `wanted`. Otherwise writes `wanted` to `target`, creating its folder.
 */
export async function writeOrCheck(
  target: URL,
  wanted: string,
  opts: { name: string; staleHint: string; okNote?: string },
): Promise<void> {
  if (!Deno.args.includes("--check")) {
    await Deno.mkdir(new URL("./", target), { recursive: true });
    await Deno.writeTextFile(target, wanted);
    console.log(`wrote ${opts.name}`);
    return;
  }
  let current = "";
  try {
    current = await Deno.readTextFile(target);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (current !== wanted) {
    console.error(`${opts.name} is stale (lib/config/schema.ts changed): ${opts.staleHint}`);
    Deno.exit(1);
  }
  console.log(`${opts.name} is up to date${opts.okNote ?? ""}`);
}
