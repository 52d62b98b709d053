// Public face of app: start the whole kstratum server from a resolved Config.
// main.ts and the end-to-end tests use it; nothing in lib/ imports it.

export { nodeUrl, type Running, type RunOptions, startKstratum } from "./run.ts";
export { eventsTee } from "./events.ts";
export {
  type BalanceNode,
  BalanceWatch,
  type BalanceWatchOptions,
  MAX_BALANCE_ADDRESSES,
  NO_UTXOINDEX,
} from "./balances.ts";
export { addressValidatorOf, listenerOptionsOf, serverOptionsOf } from "./wiring.ts";
