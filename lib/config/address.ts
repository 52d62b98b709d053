// Payout address checks for configuration: full decode (prefix, checksum, length) and network.
// The codec itself lives in lib/kaspa/address.ts; this file turns its errors into config problems.

import { AddressError, decodeAddress } from "../kaspa/address.ts";
import { type Network, networkOfPrefix } from "../kaspa/network.ts";
import { ValueProblem } from "./errors.ts";

/**
 * Validates a payout address with the Kaspa address codec (prefix, characters, checksum,
 * version, length). Throws ValueProblem with code "bad_address" and a reason a person can act on.
 *
 * @returns the address in canonical (lower-case) form and its network
 */
export function checkKaspaAddress(address: string): { address: string; network: Network } {
  if (/^[a-z]+:[^.]+\.[^.]*$/i.test(address)) {
    throw new ValueProblem(
      `"${address}" carries a worker name; give the address alone (miners name their workers)`,
      "bad_address",
    );
  }
  try {
    const decoded = decodeAddress(address);
    const network = networkOfPrefix(decoded.prefix);
    if (network === undefined) {
      throw new ValueProblem(`unknown prefix in "${address}"`, "bad_address");
    }
    return { address: address.toLowerCase(), network };
  } catch (err) {
    if (!(err instanceof AddressError)) throw err;
    throw new ValueProblem(`${addressReason(err, address)}`, "bad_address");
  }
}

function addressReason(err: AddressError, address: string): string {
  switch (err.code) {
    case "missing-prefix":
      return `"${address}" has no prefix; a mainnet address starts with kaspa:`;
    case "unknown-prefix":
      return `"${
        address.split(":")[0]
      }:" is not a Kaspa prefix (kaspa:, kaspatest:, kaspasim:, kaspadev:)`;
    case "bad-checksum":
      return `"${address}" fails its checksum; copy the address again from your wallet`;
    default:
      return `"${address}" is not a valid Kaspa address (${err.message}); copy it again from your wallet`;
  }
}
