// The log module's only I/O: a line writer for standard error.
// Synchronous so lines from concurrent tasks never interleave and nothing is lost on exit.

const encoder = new TextEncoder();

/** Returns a writer that appends "\n" and writes the whole line to stderr. */
export function stderrWriter(): (line: string) => void {
  return (line: string) => {
    const bytes = encoder.encode(line + "\n");
    let offset = 0;
    while (offset < bytes.length) offset += Deno.stderr.writeSync(bytes.subarray(offset));
  };
}
