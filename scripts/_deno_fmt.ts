// Formats generated text with `deno fmt` so generated files are exactly what `deno fmt --check`
// expects. Shared by the generators of docs/config.md and deploy/kstratum.example.yaml.

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
