// Public face of the Kaspa domain: header hashing, hex, addresses, network names, the node and
// template contracts and the Job. Importing it awaits the BLAKE2b hasher once; all else is sync.

export { blockHash, blueWorkBytes, headerHash, prePowHash, serializeHeader } from "./header.ts";
export type { SerializeOptions } from "./header.ts";
export { fromHex, toHex } from "./hex.ts";
export { BlockError } from "./errors.ts";
export type { BlockErrorCode } from "./errors.ts";
export {
  AddressError,
  type AddressErrorCode,
  type AddressVersion,
  checkAddressNetwork,
  decodeAddress,
  encodeAddress,
  type KaspaAddress,
  MAX_ADDRESS_CHARS,
  payToAddressScript,
} from "./address.ts";
export {
  type AddressPrefix,
  type Network,
  NETWORK_PREFIX,
  networkOfPrefix,
  NETWORKS,
  prefixForNetwork,
} from "./network.ts";
export type {
  BlockHeader,
  BlockTemplate,
  DagInfo,
  Job,
  NodeClient,
  NodeInfo,
  SubmitVerdict,
} from "./types.ts";
export { jobBlockHash, makeJob, type PowFactory } from "./job.ts";
