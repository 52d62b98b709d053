// Public face of the block module: header serialization, header and pre-PoW hashes, hex.
// Importing it awaits the BLAKE2b hasher once; every function after that is synchronous.

export { blockHash, blueWorkBytes, headerHash, prePowHash, serializeHeader } from "./hash.ts";
export type { SerializeOptions } from "./hash.ts";
export type { BlockHeader } from "../templates/types.ts";
export { fromHex, toHex } from "./hex.ts";
export { BlockError } from "./errors.ts";
export type { BlockErrorCode } from "./errors.ts";
