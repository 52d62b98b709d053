// Builds lib/pow/wasm/kheavyhash.wasm from its AssemblyScript source, deterministically.
// `--check` rebuilds in memory and fails unless the committed .wasm is byte-identical (CI).

import asc from "assemblyscript/asc";

const WASM_DIR = new URL("../lib/pow/wasm/", import.meta.url);
const SOURCE = "kheavyhash.as.ts";
const OUTPUT = "kheavyhash.wasm";

/**
 * Compiler flags. Everything that affects the bytes is explicit: optimisation level, the stub
 * runtime (no allocator, no GC), no assertions, no `env.abort` import, SIMD on,
 * standard SIMD only (relaxed SIMD crashed Deno 2.9.6 V8 tier-up now and then).
 */
const FLAGS = [
  SOURCE,
  "--outFile",
  OUTPUT,
  "--optimizeLevel",
  "3",
  "--shrinkLevel",
  "0",
  "--converge",
  "--runtime",
  "stub",
  "--noAssert",
  "--use",
  "abort=",
  "--enable",
  "simd",
];

/** Compiles the kernel and returns the .wasm bytes; throws with the compiler's output on error. */
export async function compileKernel(): Promise<Uint8Array> {
  let wasm: Uint8Array | undefined;
  let log = "";
  const sink = {
    write(chunk: Uint8Array | string): boolean {
      log += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
      return true;
    },
  };
  const result = await asc.main(FLAGS, {
    readFile(name: string, baseDir: string): string | null {
      // The entry lives in WASM_DIR; the standard library is bundled inside the compiler.
      if (baseDir !== "." || name.includes("/")) return null;
      try {
        return Deno.readTextFileSync(new URL(name, WASM_DIR));
      } catch {
        return null;
      }
    },
    writeFile(name: string, contents: Uint8Array | string): void {
      if (name === OUTPUT && typeof contents !== "string") wasm = contents;
    },
    listFiles(): string[] {
      return [];
    },
    stdout: sink,
    stderr: sink,
  });
  if (result.error || wasm === undefined) {
    throw new Error(`AssemblyScript build failed: ${result.error?.message ?? "no output"}\n${log}`);
  }
  return wasm;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function main(args: string[]): Promise<number> {
  const built = await compileKernel();
  const target = new URL(OUTPUT, WASM_DIR);
  if (args.includes("--check")) {
    let committed: Uint8Array;
    try {
      committed = await Deno.readFile(target);
    } catch {
      console.error(`build_wasm --check: ${target.pathname} is missing`);
      return 1;
    }
    if (!sameBytes(built, committed)) {
      console.error(
        `build_wasm --check: ${OUTPUT} differs from a fresh build ` +
          `(${committed.length} committed bytes, ${built.length} built); run \`deno task build:wasm\``,
      );
      return 1;
    }
    console.log(`build_wasm --check: ${OUTPUT} is up to date (${built.length} bytes)`);
    return 0;
  }
  await Deno.writeFile(target, built);
  console.log(`build_wasm: wrote ${target.pathname} (${built.length} bytes)`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
