// The scale bench's native instrument (bench/native, Go, stdlib only): finds the Go toolchain and
// builds the tool into a directory outside the repository; callers run `<binary> loadgen|floor`.

/** Where the Go toolchain is looked for: PATH first, then the official tarball's location. */
const GO_CANDIDATES = ["go", "/usr/local/go/bin/go"];

/** Raised when no Go toolchain runs or the build fails; the message is one line saying what to do. */
export class NativeBuildError extends Error {
  /** Error name. */
  override readonly name = "NativeBuildError";
}

/** The first Go command that runs (`go version`); throws NativeBuildError when none does. */
export async function findGo(): Promise<string> {
  for (const go of GO_CANDIDATES) {
    try {
      const out = await new Deno.Command(go, {
        args: ["version"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (out.success) return go;
    } catch {
      // not this one
    }
  }
  throw new NativeBuildError(
    `Go is not installed (tried ${
      GO_CANDIDATES.join(", ")
    }): the native load generator and floor (bench/native) need Go 1.22 or newer; install it from https://go.dev/dl/`,
  );
}

/**
 * Builds bench/native of the repository at `root` into `outDir` with `go build`; returns the
 * binary's path. Go's own build cache makes a rebuild of unchanged sources take about a second.
 */
export async function buildNative(root: string, outDir: string): Promise<string> {
  const go = await findGo();
  const binary = `${outDir}/kstratum-native`;
  const out = await new Deno.Command(go, {
    args: ["build", "-trimpath", "-o", binary, "."],
    cwd: `${root}/bench/native`,
    // Never fetch another toolchain: the module needs only the standard library.
    env: { GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").slice(0, 5).join(" / ");
    throw new NativeBuildError(`go build of bench/native failed: ${why}`);
  }
  return binary;
}
