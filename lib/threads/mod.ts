// Public face of threads/: `threads: N` (N >= 2) runs the Stratum side on N Deno Workers sharing
// each port with SO_REUSEPORT; the node link, templates, submission and stats stay on main.

export { splitLimits, StratumThreads, ThreadsError } from "./pool.ts";
export type { ThreadsDeps } from "./pool.ts";
export { EventPacker, EventUnpacker, REDEFINE_MS } from "./wire.ts";
export type { FromThread, ToThread } from "./wire.ts";
export { serveStratumThread, type ThreadPort } from "./thread.ts";
