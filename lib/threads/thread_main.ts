// Entry point of a Stratum thread: the Deno Worker script the main thread starts once per thread.
// Binds the worker's global message port to serveStratumThread; nothing else.

import { serveStratumThread } from "./thread.ts";
import type { FromThread, ToThread } from "./wire.ts";

/** The dedicated worker global, typed by hand (this file is checked with the window types). */
const scope = globalThis as unknown as {
  postMessage(message: FromThread): void;
  addEventListener(type: "message", listener: (e: MessageEvent<ToThread>) => void): void;
  close(): void;
};

serveStratumThread({
  post: (m) => scope.postMessage(m),
  listen: (handler) => scope.addEventListener("message", (e) => handler(e.data)),
  close: () => scope.close(),
});
