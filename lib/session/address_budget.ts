// Payout-address budget shared by a server's sessions: distinct addresses per connection, per IP
// and in total. Every distinct address costs one node getBlockTemplate per template event.

/** Limits on distinct payout addresses. */
export interface AddressLimits {
  /** Distinct addresses one connection may use over its life. */
  perConnection: number;
  /** Distinct addresses in use by the connections of one IP. */
  perIp: number;
  /** Distinct addresses in use across the server. */
  total: number;
}

/**
 * Reference counts of addresses in use, by IP and in total. Pure bookkeeping: the session takes
 * an address before it subscribes to its jobs and releases it when the connection ends.
 *
 * @example
 * ```ts
 * import { AddressBudget } from "./address_budget.ts";
 * const b = new AddressBudget({ perConnection: 4, perIp: 1, total: 10 });
 * b.take("10.0.0.1", "kaspa:a"); // undefined: taken
 * if (b.take("10.0.0.1", "kaspa:b") === undefined) throw new Error("per-IP limit");
 * ```
 */
export class AddressBudget {
  readonly #total = new Map<string, number>();
  readonly #byIp = new Map<string, Map<string, number>>();

  /** A budget with these limits. */
  constructor(readonly limits: AddressLimits) {}

  /** Distinct addresses in use. */
  get inUse(): number {
    return this.#total.size;
  }

  /** Takes `address` for a connection from `ip`: undefined when taken, else why not (a sentence). */
  take(ip: string, address: string): string | undefined {
    const mine = this.#byIp.get(ip);
    if (!(mine?.has(address) ?? false) && (mine?.size ?? 0) >= this.limits.perIp) {
      return `too many payout addresses from one IP (limit ${this.limits.perIp})`;
    }
    if (!this.#total.has(address) && this.#total.size >= this.limits.total) {
      return `too many payout addresses on this server (limit ${this.limits.total})`;
    }
    const byIp = mine ?? new Map<string, number>();
    byIp.set(address, (byIp.get(address) ?? 0) + 1);
    this.#byIp.set(ip, byIp);
    this.#total.set(address, (this.#total.get(address) ?? 0) + 1);
    return undefined;
  }

  /** Gives back one take of `address` by `ip`. */
  release(ip: string, address: string): void {
    const byIp = this.#byIp.get(ip);
    const n = byIp?.get(address);
    if (byIp === undefined || n === undefined) return;
    if (n <= 1) byIp.delete(address);
    else byIp.set(address, n - 1);
    if (byIp.size === 0) this.#byIp.delete(ip);
    const t = this.#total.get(address) ?? 1;
    if (t <= 1) this.#total.delete(address);
    else this.#total.set(address, t - 1);
  }
}
