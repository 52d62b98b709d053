// Wallet balances as kaspad's getBalancesByAddresses reports them (needs kaspad --utxoindex).
// Types only: the gRPC and wRPC clients produce them; app/ turns them into metrics.

/** One address's balance as the node reported it. */
export interface AddressBalance {
  /** The address as the node echoed it, e.g. "kaspa:qr...". */
  address: string;
  /** Sum of the address's unspent outputs, sompi (1 KAS = 100,000,000 sompi). */
  sompi: bigint;
}

/** A node client that can read balances in one batched call. */
export interface BalanceReader {
  /**
   * Balances of `addresses` in one getBalancesByAddresses call, in the node's order. Rejects with
   * NodeError("rpc") when the node has no UTXO index or refuses an address.
   */
  getBalancesByAddresses(addresses: readonly string[]): Promise<AddressBalance[]>;
}
