// Kaspa network names and the address prefix each one implies (kaspa.md section 5).
// Pure: the one table config, the address codec and the template service read.

/** Kaspa networks, named as the address prefixes imply. */
export type Network = "mainnet" | "testnet" | "simnet" | "devnet";

/** Address prefixes kaspad knows, one per network. */
export type AddressPrefix = "kaspa" | "kaspatest" | "kaspasim" | "kaspadev";

/** Address prefix of each network. */
export const NETWORK_PREFIX: Readonly<Record<Network, AddressPrefix>> = {
  mainnet: "kaspa",
  testnet: "kaspatest",
  simnet: "kaspasim",
  devnet: "kaspadev",
};

/** Every network, mainnet first. */
export const NETWORKS: readonly Network[] = Object.keys(NETWORK_PREFIX) as Network[];

/** The network an address prefix names, or undefined for an unknown prefix. */
export function networkOfPrefix(prefix: string): Network | undefined {
  const hit = Object.entries(NETWORK_PREFIX).find(([, p]) => p === prefix);
  return hit?.[0] as Network | undefined;
}

/** Address prefix of a network as kaspad names it ("kaspa-devnet", "testnet-10", "mainnet", ...). */
export function prefixForNetwork(network: string): AddressPrefix | undefined {
  const n = network.toLowerCase();
  for (const [name, prefix] of Object.entries(NETWORK_PREFIX)) if (n.includes(name)) return prefix;
  return undefined;
}
