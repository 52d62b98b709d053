// The resolved configuration the rest of kstratum receives from loadConfig.
// Types only; every value here has already been parsed and validated.

import type { Cidr } from "../framing/mod.ts";
import type { Network } from "../kaspa/network.ts";
import type { LogLevel } from "../log/mod.ts";
import { DIALECT_IDS, type DialectId } from "../dialects/dialect.ts";

/**
 * How a listener talks to miners (see spec/stratum.md section 1): `auto` detects the dialect from
 * the subscribe line (method name and user agent); a dialect id forces that dialect:
 * - `array`: EthereumStratum/1.0.0 with jobs as four u64 words (lolMiner, SRBMiner, ...);
 * - `bighex`: one 80-hex-char job string (IceRiver, BzMiner);
 * - `bitmain`: Antminer KS3/KS5 ("GodMiner");
 * - `simple`: the simplified Stratum of the KIP proposal (methods without `mining.`).
 */
export type ListenerDialect = "auto" | DialectId;

/** Every listener dialect setting, in help order. */
export const LISTENER_DIALECTS: readonly ListenerDialect[] = ["auto", ...DIALECT_IDS];

/** Log line format: text for people, json for one JSON object per line. */
export type LogFormat = "text" | "json";

/** A TCP address to listen on or connect to. `host` is never empty ("0.0.0.0" for all IPv4). */
export interface HostPort {
  /** IPv4/IPv6 literal or host name. */
  host: string;
  /** 1-65535 (0 only where a listener may pick any free port, e.g. in tests). */
  port: number;
}

/** One kaspad endpoint; several form an ordered failover list. */
export type NodeEndpoint =
  | { kind: "grpc"; host: string; port: number }
  | { kind: "wrpc"; url: string };

/** Share difficulty policy of one listener. Difficulties use the Stratum scale (1 ≈ 2^32 hashes). */
export interface DifficultyConfig {
  /** Difficulty a new connection starts with; the fixed difficulty when vardiff is off. */
  start: number;
  /** Lowest difficulty vardiff may set. */
  min: number;
  /** Highest difficulty vardiff may set. */
  max: number;
  /** Adjust difficulty per connection to reach `sharesPerMinute`. */
  vardiff: boolean;
  /** Vardiff target, shares per minute per connection. */
  sharesPerMinute: number;
  /** Round every difficulty down to a power of two (IceRiver and Bitmain prefer them). */
  pow2Clamp: boolean;
}

/** TLS material for a listener, read at load time so a bad path fails before listening. */
export interface TlsConfig {
  /** Path the certificate chain was read from. */
  certFile: string;
  /** Path the private key was read from. */
  keyFile: string;
  /** PEM text of the certificate chain. */
  cert: string;
  /** PEM text of the private key. */
  key: string;
}

/** One Stratum listening socket. */
export interface ListenerConfig {
  /** Address to accept miners on (port 0: any free port, for tests). */
  bind: HostPort;
  /** Forced dialect, or "auto" to detect at subscribe. */
  dialect: ListenerDialect;
  /** Difficulty policy of connections on this port. */
  difficulty: DifficultyConfig;
  /** Present when the port speaks Stratum over TLS. */
  tls: TlsConfig | undefined;
  /** Every connection opens with a PROXY protocol header (v1 or v2) from a trusted proxy. */
  proxyProtocol: boolean;
  /** Sources allowed to send PROXY headers; never empty when proxyProtocol is on. */
  trustedProxies: Cidr[];
}

/** Bounds on miner connections. */
export interface LimitsConfig {
  /** Open Stratum connections across all listeners. */
  maxConnections: number;
  /** Open Stratum connections from one IP address. */
  maxConnectionsPerIp: number;
  /** Time a new connection has to subscribe and authorize, ms. */
  handshakeTimeoutMs: number;
  /** A connection that sends nothing for this long is closed, ms. */
  idleTimeoutMs: number;
  /** Longest accepted request line, bytes (newline excluded). */
  maxLineBytes: number;
  /** Time a connection on a PROXY listener has to send its header, ms. */
  proxyHeaderTimeoutMs: number;
  /** On SIGTERM, longest wait for share replies and block submissions in flight, ms. */
  drainTimeoutMs: number;
  /** Distinct payout addresses per connection over its life. */
  maxAddressesPerConnection: number;
  /** Distinct payout addresses in use by one IP's connections. */
  maxAddressesPerIp: number;
  /** Distinct payout addresses in use across the server. */
  maxAddresses: number;
}

/** Everything main.ts needs to build the server. */
export interface Config {
  /** Path of the config file that was read, if any. */
  configFile: string | undefined;
  /** kaspad endpoints, tried in order (failover). Never empty. */
  nodes: NodeEndpoint[];
  /** Network fixed by `network` or by the payout address prefix; undefined = take the node's. */
  network: Network | undefined;
  /** Default payout address for miners that authorize without one. */
  address: string | undefined;
  /** Stratum listeners. Never empty; binds are unique. */
  listeners: ListenerConfig[];
  /** Minimum time between two jobs sent to one miner, ms (0 = send every template). */
  jobIntervalMs: number;
  /** Bytes of the nonce the server assigns per connection (0-3). */
  extranonceBytes: number;
  /** Hand out work while the node reports it is not synced. */
  allowUnsynced: boolean;
  /** Coinbase tag appended by the node to the block's extra data (UTF-8). */
  extraData: string;
  /** Fetch a fresh template when the node has sent no notification for this long, ms. */
  blockWaitMs: number;
  /** Bounds on miner connections. */
  limits: LimitsConfig;
  /** Threads serving Stratum miners ("auto": one per core on Linux, at most 8; 1 elsewhere). */
  threads: "auto" | number;
  /** Address of the kaspad-compatible gRPC mining port (for kaspa-miner); undefined = off. */
  grpcFront: HostPort | undefined;
  /** Open gRPC mining calls per IP. */
  grpcStreamsPerIp: number;
  /** Address of the HTTP server (metrics, API, dashboard); undefined = off. */
  http: HostPort | undefined;
  /** Workers tracked individually in stats (metrics, API, dashboard). */
  maxWorkers: number;
  /** Value of the `instance` label on every /metrics series; undefined = no such label. */
  metricsInstance: string | undefined;
  /** Period of the wallet balance refresh (one getBalancesByAddresses call), ms. */
  balanceRefreshMs: number;
  /** Directory of the history database; undefined = no history. */
  dataDir: string | undefined;
  /** Take data_dir over from the kstratum holding it once that one exits, instead of refusing. */
  historyHandover: boolean;
  /** Period of the history samples, ms. */
  historySampleMs: number;
  /** Logging: least level, line format, and whether lines start with the time. */
  log: {
    /** Log lines per miner IP per minute. */
    linesPerIp: number;
    level: LogLevel;
    format: LogFormat;
    timestamps: boolean;
  };
}
