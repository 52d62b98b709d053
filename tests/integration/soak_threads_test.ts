// The soak (scripts/soak.ts) for 20 s with `threads: 2`: the kstratum process between a real
// kaspad devnet and scripted miners of every dialect (one over TLS, which the first thread
// serves alone), with churn and hostile noise. Share and block counts replayed from two threads
// must match the miners' and the node's exactly, and each thread must have served miners.

import assert from "node:assert/strict";
import { kaspadTest } from "../helpers/kaspad.ts";

const SOAK = new URL("../../scripts/soak.ts", import.meta.url).pathname;

kaspadTest(
  "soak with threads: 2 reconciles exactly: shares, blocks in the DAG, connections; both threads serve",
  async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-run",
        "--allow-sys",
        SOAK,
        "--seconds=20",
        "--threads=2",
        "--miners-per-dialect=3",
        // Two extra V8 isolates (about 40 MB each, bench/RESULTS.md); the 10-minute soak's bound
        // of 300 MB is for one thread.
        "--rss-limit-mb=400",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    console.log(text.split("\n").filter((l) => /^(ok|FAIL)|soak/.test(l)).join("\n"));
    assert.equal(out.code, 0, text.slice(-4000));
    assert.match(text, /ok {3}every one of 2 Stratum threads served miners/);
    assert.match(text, /ok {3}blocks: node DAG \d+ = server accepted \d+/);
    assert.match(text, /ok {3}shares valid: miners (\d+) = server \1/);
  },
);
