// Options and dependencies of the Stratum server: what the composition root passes in.
// Types and defaults only.

import type { DialectId } from "../dialects/mod.ts";
import type { Cidr } from "../framing/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Clock } from "../runtime/mod.ts";
import type {
  BlockSubmitter,
  DifficultyPolicy,
  ExtranonceSize,
  ExtranonceSlice,
  JobSource,
  ValidateAddress,
} from "../session/mod.ts";
import type { MinerEvents } from "../session/events.ts";

/** Everything the server needs from the rest of kstratum. */
export interface StratumDeps {
  /** Job streams per payout address (the template service). */
  jobs: JobSource;
  /** Block submission (the template service's NodeBlockSubmitter). */
  submitter: BlockSubmitter;
  /** Where miner, share and block events go (stats, metrics). */
  events: MinerEvents;
  /** Payout address check, network included (kaspa/address.ts). */
  validateAddress: ValidateAddress;
  /** Time for sessions (vardiff, throttle, events). */
  clock: Pick<Clock, "now">;
  /** Structured logs. */
  log: Logger;
  /**
   * The descriptor reserve (runtime/FdReserve), when kept: a connection just accepted stays only
   * if it admits it, so a descriptor shortage refuses new miners before it reaches the node link.
   */
  reserve?: DescriptorGate;
}

/** What the accept loops ask of the descriptor reserve. */
export interface DescriptorGate {
  /** Whether a connection just accepted may stay (the reserve is full, or can be refilled). */
  admit(): boolean;
  /** Refills the reserve (after a refused connection was closed, with its descriptor). */
  fill(): boolean;
  /** Descriptors held now, and when full (for the log line). */
  readonly held: number;
  /** Descriptors the reserve holds when full. */
  readonly size: number;
}

/** One listening socket. */
export interface ListenerOptions {
  /** Name in logs; default "hostname:port". */
  name?: string;
  /** Default "0.0.0.0". */
  hostname?: string;
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Forces a dialect on this port instead of detecting it at subscribe. */
  dialect?: DialectId;
  /** Fixed difficulty or vardiff for connections on this port. */
  difficulty: DifficultyPolicy;
  /** Overrides the server's extranonce size on this port. */
  extranonceSize?: ExtranonceSize;
  /** Speak Stratum over TLS with this PEM certificate chain and key. */
  tls?: { cert: string; key: string };
  /**
   * Every connection opens with a PROXY protocol header (v1 or v2) from a peer in `trusted`;
   * the header's client address then stands for the miner. On a TLS listener the header comes
   * before the TLS handshake (HAProxy `send-proxy` with TLS passed through).
   */
  proxy?: { trusted: Cidr[] };
  /**
   * SO_REUSEPORT (Linux): a second kstratum may bind the same port while this one drains, for
   * upgrades without downtime. Default true for plain TCP listeners.
   */
  reusePort?: boolean;
}

/** Server-wide settings shared by every listener. */
export interface ServerOptions {
  /** Extranonce bytes per connection (per worker in `simple`), 0-3; default 2. */
  extranonceSize: ExtranonceSize;
  /** This server's share of every extranonce space when several threads serve miners. */
  extranonceSlice?: ExtranonceSlice;
  /** Pays workers that authorize without an address. */
  defaultAddress?: string;
  /** At most one job per miner per interval, ms; default 250. */
  jobIntervalMs: number;
  /** Open connections across all listeners; default 10000. */
  maxConnections: number;
  /** Open connections from one IP; default 1024 (farms sit behind one NAT address). */
  maxConnectionsPerIp: number;
  /** Time to authorize after connecting, ms; default 60000. */
  handshakeTimeoutMs: number;
  /** A connection sending nothing for this long is closed, ms; default 900000. */
  idleTimeoutMs: number;
  /** Longest request line, bytes; default 65536. */
  maxLineBytes: number;
  /** Unsent bytes per connection before it counts as a slow reader, default 262144. */
  writeQueueBytes: number;
  /** Jobs kept per miner for late shares; default 300. */
  ringCapacity: number;
  /** Nonces remembered per miner for duplicate detection; default 16384. */
  maxNonces: number;
  /** Workers per connection; default 16. */
  maxWorkers: number;
  /** Distinct payout addresses one connection may use over its life; default 4. */
  maxAddressesPerConnection: number;
  /** Distinct payout addresses in use by one IP's connections; default 64. */
  maxAddressesPerIp: number;
  /** Distinct payout addresses in use across the server; default 1000. */
  maxAddresses: number;
  /**
   * Longest wait at shutdown for in-flight block submissions and for share replies to be
   * written, ms; default 10000.
   */
  shutdownGraceMs: number;
  /**
   * At shutdown, how long miners told `client.reconnect` get to leave on their own while their
   * shares are still served, ms; 0 (default) sends no reconnect. Capped by shutdownGraceMs.
   */
  reconnectSettleMs: number;
  /** Longest wait to flush a last error before closing, ms; default 1000. */
  closeFlushMs: number;
  /** Time a connection on a PROXY listener has to send its header, ms; default 5000. */
  proxyHeaderTimeoutMs: number;
  /** Largest PROXY header accepted, bytes; default 1024. */
  proxyHeaderMaxBytes: number;
}

/** Defaults of {@linkcode ServerOptions}. */
export const SERVER_DEFAULTS: Readonly<ServerOptions> = {
  extranonceSize: 2,
  jobIntervalMs: 250,
  maxConnections: 10_000,
  maxConnectionsPerIp: 1024,
  handshakeTimeoutMs: 60_000,
  idleTimeoutMs: 900_000,
  maxLineBytes: 64 * 1024,
  writeQueueBytes: 256 * 1024,
  ringCapacity: 300,
  maxNonces: 16_384,
  maxWorkers: 16,
  maxAddressesPerConnection: 4,
  maxAddressesPerIp: 64,
  maxAddresses: 1000,
  shutdownGraceMs: 10_000,
  reconnectSettleMs: 0,
  closeFlushMs: 1_000,
  proxyHeaderTimeoutMs: 5_000,
  proxyHeaderMaxBytes: 1024,
};

/** Where a listener ended up listening. */
export interface ListenerInfo {
  /** Name in logs. */
  name: string;
  /** Bound address. */
  hostname: string;
  /** Bound port (the real one when 0 was asked). */
  port: number;
  /** Whether it speaks TLS. */
  tls: boolean;
}
