// Public face of runtime: the injected clock and retry backoff every timed part is given, the
// resilient Deno.serve and the descriptor reserve. The bottom layer: imports nothing from lib/.

export { type Clock, sleep, systemClock } from "./clock.ts";
export { type Backoff, exponentialBackoff } from "./backoff.ts";
export { ResilientServe, type ResilientServeOptions } from "./serve.ts";
export {
  type FdHandle,
  FdReserve,
  type FdReserveEvents,
  type FdReserveOptions,
  isOutOfDescriptors,
  openExecutable,
  SharedReserveGate,
} from "./fd_reserve.ts";
