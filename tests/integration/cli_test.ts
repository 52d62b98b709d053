// The kstratum command line as users run it: `deno run <the start task's permission flags> main.ts`.
// Proves --help, --version and one-line configuration errors (exit 2) under exactly those flags.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { encodeAddress } from "../../lib/kaspa/address.ts";
import { readServerPermissionFlags, serverPermissionFlags } from "../../scripts/permissions.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const flags = await readServerPermissionFlags();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a deno subcommand in the repository with a clean environment plus `env`. */
async function deno(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const keep = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "SystemRoot", "TMPDIR"];
  const base = Object.fromEntries(
    keep.flatMap((k) => (Deno.env.get(k) === undefined ? [] : [[k, Deno.env.get(k)!]])),
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    clearEnv: true,
    env: { ...base, NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const kstratum = (args: string[], env?: Record<string, string>) =>
  deno(["run", ...flags, "main.ts", ...args], env);

/** Asserts exit status 2 and a single stderr line matching `pattern`. */
function assertConfigError(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
  assert.match(lines[0]!, /^kstratum: /);
  assert.match(lines[0]!, pattern);
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kstratum-cli-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the start task grants network, read, write to ./data and named env vars only", () => {
  assert.deepEqual(flags.slice(0, 3), ["--allow-net", "--allow-read", "--allow-write=data"]);
  assert.match(flags[3]!, /^--allow-env=KSTRATUM_\*,/);
  assert.equal(flags.length, 4);
  const withAll = JSON.stringify({ tasks: { start: "deno run -A main.ts" } });
  assert.throws(() => serverPermissionFlags(withAll), /is not a permission flag|must not have it/);
  const withWrite = JSON.stringify({ tasks: { start: "deno run --allow-write=/tmp main.ts" } });
  assert.throws(() => serverPermissionFlags(withWrite), /must not have it/);
});

Deno.test("kstratum --help prints the grouped settings and exits 0", async () => {
  const r = await kstratum(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /^kstratum: Kaspa Stratum server/);
  for (
    const part of [
      "Usage: kstratum [options]",
      "Node",
      "Difficulty",
      "--node <endpoint>",
      "--shares-per-min <n>",
      "--log-format <text|json>",
    ]
  ) {
    assert.ok(r.stdout.includes(part), `--help lacks ${part}`);
  }
});

Deno.test("kstratum --version prints its version, the commit and Deno's version", async () => {
  const r = await kstratum(["--version"]);
  assert.equal(r.code, 0, r.stderr);
  const version = JSON.parse(await Deno.readTextFile(`${root}/deno.json`)).version;
  assert.match(
    r.stdout,
    new RegExp(
      `^kstratum ${
        version.replaceAll(".", "\\.")
      }\ncommit ([0-9a-f]{7,40}|dev)\ndeno ${Deno.version.deno} `,
    ),
  );
});

Deno.test("deno task start passes arguments through, with or without --", async () => {
  for (const args of [["task", "start", "--help"], ["task", "start", "--", "--help"]]) {
    const r = await deno(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: kstratum \[options\]/);
  }
});

Deno.test("a mistyped option exits 2 with one line that suggests the right one", async () => {
  assertConfigError(
    await kstratum(["--sahres-per-min", "10"]),
    /unknown option --sahres-per-min; did you mean --shares-per-min\?/,
  );
});

Deno.test("a bad KSTRATUM_* variable is read under the narrow env permission and reported", async () => {
  assertConfigError(
    await kstratum([], { KSTRATUM_EXTRANONCE_SIZE: "9" }),
    /^kstratum: KSTRATUM_EXTRANONCE_SIZE=9: expected an integer from 0 to 3$/,
  );
});

Deno.test("a missing config file exits 2 naming the file", async () => {
  assertConfigError(
    await kstratum(["--config", "/nonexistent/kstratum.yaml"]),
    /--config \/nonexistent\/kstratum\.yaml: no such file/,
  );
});

Deno.test("YAML config: a syntax error points at its line and column", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/k.yaml`, "node: 127.0.0.1:16110\nnode: 127.0.0.1:16111\n");
    assertConfigError(
      await kstratum(["-c", `${dir}/k.yaml`]),
      /k\.yaml:2:1: YAML syntax error: Map keys must be unique/,
    );
  });
});

Deno.test("YAML config: unknown keys are named with the nearest known key", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/k.yaml`, "shares_per_minute: 30\n");
    assertConfigError(
      await kstratum(["-c", `${dir}/k.yaml`]),
      /k\.yaml: unknown key "shares_per_minute"; did you mean shares_per_min\?/,
    );
  });
});

Deno.test("YAML config: a Go bridge config.yaml parses, then a bad address is still caught", async () => {
  const good = encodeAddress({ prefix: "kaspa", version: 0, payload: new Uint8Array(32).fill(3) });
  const typo = good.slice(0, -2) + (good.endsWith("qq") ? "pp" : "qq");
  await withTempDir(async (dir) => {
    const goConfig = [
      "stratum_port: :5555",
      "kaspad_address: localhost:16110",
      "min_share_diff: 8192",
      "pow2_clamp: false",
      "var_diff: true",
      "shares_per_min: 20",
      "block_wait_time: 3s",
      "extranonce_size: 0",
      "print_stats: true",
      "log_to_file: true",
      "prom_port: :2114",
      "",
    ].join("\n");
    await Deno.writeTextFile(`${dir}/config.yaml`, goConfig);
    assertConfigError(
      await kstratum(["-c", `${dir}/config.yaml`, "--address", typo]),
      /--address: ".*" fails its checksum; copy the address again from your wallet/,
    );
  });
});

Deno.test("scripts/compile.ts passes exactly the start task's flags for all five targets", async () => {
  await withTempDir(async (dir) => {
    const r = await deno([
      "run",
      "--allow-read",
      "--allow-run",
      `--allow-write=${dir}`,
      "scripts/compile.ts",
      "--all",
      "--dry-run",
      "--commit",
      "0123456789abcdef0123456789abcdef01234567",
      "--out-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("deno compile "));
    assert.equal(lines.length, 5);
    for (const line of lines) {
      const args = line.split(" ");
      const start = args.indexOf("--allow-net");
      assert.deepEqual(args.slice(start, start + flags.length), flags, line);
      // Write only to ./data (the history's default data_dir), nothing else.
      const rest = line.replace(" --allow-write=data ", " ");
      assert.ok(!/--allow-(write|run|ffi|all)\b|\s-A\s/.test(rest), line);
    }
    // The Stratum threads' Worker script is loaded by URL at run time, outside the static graph.
    for (const line of lines) assert.match(line, / --include lib\/threads\/thread_main\.ts /);
    assert.match(r.stdout, /compile: npm packages embedded: .*yaml/);
    assert.ok(
      !r.stdout.includes("playwright") && !r.stdout.includes("assemblyscript"),
      "build tools stay out",
    );
  });
});
