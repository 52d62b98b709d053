// Public face of the proof-of-work core: kHeavyHash share checks (WASM) and target maths.
// Nothing outside lib/pow/ touches the WebAssembly kernel.

export { createPowState } from "./state.ts";
export type { PowState } from "./state.ts";
export { PowError } from "./errors.ts";
export type { PowErrorCode } from "./errors.ts";
export {
  blockWork,
  compactToTarget,
  DIFF1_TARGET,
  difficultyToTarget,
  MAX_BLOCK_TARGET,
  MAX_U256,
  networkDifficulty,
  targetToCompact,
  targetToDifficulty,
} from "./target.ts";
