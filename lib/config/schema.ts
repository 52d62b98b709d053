// THE table of configuration settings: parsing, validation, --help and docs/config.md all read it.
// Add or change a setting here only; flag and environment names are derived from the key.

import type { Codec } from "./values.ts";
import type { Cidr } from "../framing/mod.ts";
import {
  autoOrInt,
  bindAddress,
  bool,
  cidrList,
  difficulty,
  dirOrOff,
  durationMs,
  int,
  LOG_FORMATS,
  nodeList,
  num,
  oneOf,
  path,
  text,
} from "./values.ts";
import { type Network, NETWORKS } from "../kaspa/network.ts";
import { LEVELS, type LogLevel } from "../log/mod.ts";
import { LISTENER_DIALECTS, type ListenerDialect, type LogFormat } from "./types.ts";
import { listenerList, type RawListener } from "./listeners.ts";

/** Help and documentation sections, in display order. */
export const GROUPS = [
  "General",
  "Node",
  "Stratum listeners",
  "Difficulty",
  "Jobs and blocks",
  "Connection limits",
  "HTTP",
  "History",
  "Logging",
] as const;
export type Group = typeof GROUPS[number];

/** A key of another bridge's config.yaml whose value needs converting into this setting. */
export interface BridgeKey<T> {
  key: string;
  codec: Codec<T>;
  /** What the conversion does, for docs. */
  note: string;
}

/** One setting. The object key in SETTINGS is its name in config files (snake_case). */
export interface Setting<T> {
  group: Group;
  codec: Codec<T>;
  default: T;
  /** One or two sentences for --help and docs. */
  doc: string;
  /** Unit of numbers: "ms", "bytes", "difficulty", "shares/min". */
  unit?: string;
  /** Also valid inside a `listen` entry, where it overrides this value for that port. */
  perListener?: boolean;
  /** Single-letter CLI alias. */
  short?: string;
  /** Placeholder for the value in --help, e.g. "<ms>" (booleans take none). */
  arg?: string;
  /** false: command line and environment only (the config file path itself). */
  inFile?: boolean;
  /** Keys of the Go / Rust kaspa-stratum-bridge config.yaml meaning this setting. */
  bridgeKeys?: (string | BridgeKey<T>)[];
}

/** off | on (also false/true, no/yes, 0/1, and YAML booleans). */
const onOff: Codec<"off" | "on"> = {
  type: "off | on",
  parseText: (t) => (bool.parseText(t) ? "on" : "off"),
  parseValue: (v) => (bool.parseValue(v) ? "on" : "off"),
  show: String,
};

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

/** Every top-level setting. Order within a group is display order. */
export const SETTINGS = {
  config: setting<string | undefined>({
    arg: "<path>",
    group: "General",
    codec: path as Codec<string | undefined>,
    default: undefined,
    short: "c",
    inFile: false,
    doc: "YAML or JSON config file (.json is read as JSON, anything else as YAML).",
  }),
  node: setting({
    arg: "<endpoint>",
    group: "Node",
    codec: nodeList,
    default: [{ kind: "grpc", host: "127.0.0.1", port: 16110 }],
    bridgeKeys: ["kaspad_address"],
    doc: "kaspad endpoints, tried in order when one fails: host:port speaks gRPC (kaspad's " +
      "default, port 16110 on mainnet), ws://host:port speaks wRPC JSON.",
  }),
  network: setting<"auto" | Network>({
    arg: "<name>",
    group: "Node",
    codec: oneOf(["auto", ...NETWORKS] as const),
    default: "auto",
    doc: "Network the payout addresses must belong to. auto takes it from the address prefix " +
      "(kaspa:, kaspatest:, kaspasim:, kaspadev:) and otherwise from the node.",
  }),
  address: setting<string | undefined>({
    arg: "<kaspa:...>",
    group: "Node",
    codec: text(120) as Codec<string | undefined>,
    default: undefined,
    bridgeKeys: ["miner_address"],
    doc: "Default payout address, used for miners that authorize with a bare worker name. " +
      "Miners that authorize as <address>.<worker> are paid to their own address.",
  }),
  allow_unsynced: setting({
    group: "Node",
    codec: bool,
    default: false,
    bridgeKeys: ["mine_when_not_synced"],
    doc: "Hand out work while the node says it is not synced (needed for a fresh devnet).",
  }),
  listen: setting({
    arg: "<spec>",
    group: "Stratum listeners",
    codec: listenerList,
    default: [{
      bind: { host: "0.0.0.0", port: 5555 },
      set: {},
      where: "default",
    }] as RawListener[],
    bridgeKeys: ["stratum_port", "instances"],
    doc: 'Stratum ports. Each is "[host]:port" optionally followed by ",key=value" listener ' +
      'options, e.g. ":5556,dialect=bighex,start_diff=16384". Several: repeat the flag or ' +
      "separate with spaces.",
  }),
  dialect: setting<ListenerDialect>({
    arg: "<name>",
    group: "Stratum listeners",
    codec: oneOf(LISTENER_DIALECTS),
    default: "auto",
    perListener: true,
    doc: "Miner dialect: auto detects it at subscribe; array (lolMiner, SRBMiner, Goldshell), " +
      "bighex (IceRiver, BzMiner), bitmain (Antminer KS3/KS5), simple (KIP simplified Stratum) " +
      "force one.",
  }),
  proxy_protocol: setting<"off" | "on">({
    arg: "<off|on>",
    group: "Stratum listeners",
    codec: onOff,
    default: "off",
    perListener: true,
    doc: "on: every connection must open with a PROXY protocol header (v1 or v2, as HAProxy " +
      "send-proxy / send-proxy-v2 and nginx proxy_protocol write it) from a trusted_proxies " +
      "address; its client address then stands for the miner in limits, metrics, logs and /api. " +
      "A missing, malformed or untrusted header closes the connection.",
  }),
  trusted_proxies: setting<Cidr[]>({
    arg: "<cidr...>",
    group: "Stratum listeners",
    codec: cidrList,
    default: [],
    perListener: true,
    doc: "Addresses of the load balancers allowed to send PROXY headers, as CIDR ranges " +
      '("10.0.0.0/8 127.0.0.1"). Required when proxy_protocol is on.',
  }),
  proxy_header_timeout_ms: setting({
    arg: "<ms>",
    group: "Stratum listeners",
    codec: durationMs(100, 60_000),
    default: 5_000,
    unit: "ms",
    doc: "Time a connection on a proxy_protocol listener has to send its PROXY header.",
  }),
  drain_timeout_ms: setting({
    arg: "<ms>",
    group: "Stratum listeners",
    codec: durationMs(0, 600_000),
    default: 30_000,
    unit: "ms",
    doc: "On SIGTERM: /health turns 503 draining, listeners stop accepting, miners that support " +
      "it are told client.reconnect, and share replies and block submissions in flight get up " +
      "to this long to finish before the process exits.",
  }),
  start_diff: setting({
    arg: "<diff>",
    group: "Difficulty",
    codec: difficulty,
    default: 8192,
    unit: "difficulty",
    perListener: true,
    bridgeKeys: ["min_share_diff"],
    doc: "Share difficulty a connection starts with; the fixed difficulty when vardiff is off.",
  }),
  min_diff: setting({
    arg: "<diff>",
    group: "Difficulty",
    codec: difficulty,
    default: 0.125,
    unit: "difficulty",
    perListener: true,
    doc: "Lowest difficulty vardiff may set.",
  }),
  max_diff: setting({
    arg: "<diff>",
    group: "Difficulty",
    codec: difficulty,
    default: 2 ** 32,
    unit: "difficulty",
    perListener: true,
    doc: "Highest difficulty vardiff may set.",
  }),
  vardiff: setting({
    group: "Difficulty",
    codec: bool,
    default: true,
    perListener: true,
    bridgeKeys: ["var_diff"],
    doc: "Adjust each connection's difficulty towards shares_per_min.",
  }),
  shares_per_min: setting({
    arg: "<n>",
    group: "Difficulty",
    codec: num(0.1, 600),
    default: 20,
    unit: "shares/min",
    perListener: true,
    doc: "Vardiff target: shares per minute per connection.",
  }),
  pow2_clamp: setting({
    group: "Difficulty",
    codec: bool,
    default: false,
    perListener: true,
    doc: "Round every difficulty down to a power of two (IceRiver and Bitmain ASICs reject " +
      "fewer shares with them).",
  }),
  job_interval_ms: setting({
    arg: "<ms>",
    group: "Jobs and blocks",
    codec: durationMs(0, 60_000),
    default: 250,
    unit: "ms",
    bridgeKeys: [{
      key: "max_job_rate",
      codec: {
        ...num(0, 1000),
        parseValue: (v: unknown) => rateToInterval(num(0, 1000).parseValue(v)),
        parseText: (t: string) => rateToInterval(num(0, 1000).parseText(t)),
      },
      note: "jobs per second; 0 means every template",
    }],
    doc: "Least time between two jobs for one miner, timed from when each job was published (a " +
      "broadcast reaches miners a few ms apart); the newest template wins. 0 sends every template " +
      "(floods ASICs at 10 blocks per second).",
  }),
  block_wait_ms: setting({
    arg: "<ms>",
    group: "Jobs and blocks",
    codec: durationMs(100, 600_000),
    default: 3000,
    unit: "ms",
    bridgeKeys: ["block_wait_time"],
    doc: "Ask the node for a template when it has sent no new-template notification for this long.",
  }),
  extranonce_size: setting({
    arg: "<bytes>",
    group: "Jobs and blocks",
    codec: int(0, 3),
    default: 2,
    unit: "bytes",
    doc: "Nonce bytes the server assigns per connection so miners do not repeat each other's " +
      "work (2 bytes: 65536 connections).",
  }),
  extra_data: setting({
    arg: "<text>",
    group: "Jobs and blocks",
    codec: text(64),
    default: "kstratum",
    bridgeKeys: ["coinbase_tag_suffix"],
    doc: "Coinbase tag: the node appends it to its own version in every block's extra data.",
  }),
  threads: setting<"auto" | number>({
    arg: "<auto|n>",
    group: "Stratum listeners",
    codec: autoOrInt(64),
    default: "auto",
    doc: "Threads serving Stratum miners: each listens on every plain TCP port (SO_REUSEPORT; " +
      "the kernel spreads connections) and owns its sessions, share checks and job fan-out; the " +
      "node link, templates, block submission and stats stay on the main thread. auto: one per " +
      "core on Linux (at most 8), 1 elsewhere (no SO_REUSEPORT load spreading). 1 serves " +
      "miners on the main thread, the least memory (bench/RESULTS.md).",
  }),
  max_connections: setting({
    arg: "<n>",
    group: "Connection limits",
    codec: int(1, 1_000_000),
    default: 4096,
    doc: "Open Stratum connections across all listeners; more are refused.",
  }),
  max_connections_per_ip: setting({
    arg: "<n>",
    group: "Connection limits",
    codec: int(1, 1_000_000),
    default: 512,
    doc: "Open Stratum connections from one IP address (a farm behind NAT is one IP).",
  }),
  max_addresses_per_connection: setting({
    arg: "<n>",
    group: "Connection limits",
    codec: int(1, 1000),
    default: 4,
    doc: "Distinct payout addresses one Stratum connection (or gRPC stream) may use over its " +
      "life; more are refused with error 24 and logged. Each address costs the node one " +
      "getBlockTemplate per new block.",
  }),
  max_addresses_per_ip: setting({
    arg: "<n>",
    group: "Connection limits",
    codec: int(1, 1_000_000),
    default: 64,
    doc: "Distinct payout addresses in use by the Stratum connections of one IP address.",
  }),
  max_addresses: setting({
    arg: "<n>",
    group: "Connection limits",
    codec: int(1, 1_000_000),
    default: 1000,
    doc: "Distinct payout addresses in use across the server: bounds the template calls kstratum " +
      "makes to the node per new block.",
  }),
  handshake_timeout_ms: setting({
    arg: "<ms>",
    group: "Connection limits",
    codec: durationMs(1000, 600_000),
    default: 30_000,
    unit: "ms",
    doc: "Time a new connection has to subscribe and authorize.",
  }),
  idle_timeout_ms: setting({
    arg: "<ms>",
    group: "Connection limits",
    codec: durationMs(1000, 86_400_000),
    default: 300_000,
    unit: "ms",
    doc: "A miner that sends nothing for this long is disconnected.",
  }),
  max_line_bytes: setting({
    arg: "<bytes>",
    group: "Connection limits",
    codec: int(1024, 1_048_576),
    default: 65_536,
    unit: "bytes",
    doc: "Longest request line a miner may send; longer lines close the connection.",
  }),
  http: setting({
    arg: "<host:port|off>",
    group: "HTTP",
    codec: bindAddress(true),
    default: { host: "127.0.0.1", port: 2114 },
    bridgeKeys: ["prom_port", "web_dashboard_port"],
    doc: 'Address of the HTTP server for /metrics, /api, /health and the dashboard, or "off". ' +
      'Loopback by default; ":2114" opens it to every interface.',
  }),
  max_workers: setting({
    arg: "<n>",
    group: "HTTP",
    codec: int(1, 1_000_000),
    default: 5000,
    doc: "Workers tracked one by one for /metrics, /api and the dashboard; later ones count " +
      "only in totals until an idle one is forgotten (after an hour). Each adds 17 series (about " +
      "2.7 KB) to a /metrics scrape.",
  }),
  metrics_instance: setting<string | undefined>({
    arg: "<name>",
    group: "HTTP",
    codec: text(64) as Codec<string | undefined>,
    default: undefined,
    doc: 'Adds instance="<name>" to every /metrics series, as the Rust bridge labels its ' +
      "instances, so several kstratum can share one Prometheus and dashboard. Off by default. " +
      "Prometheus renames a scraped instance label to exported_instance unless the scrape job " +
      "sets honor_labels: true (deploy/prometheus/prometheus.yml).",
  }),
  balance_refresh_ms: setting({
    arg: "<ms>",
    group: "HTTP",
    codec: durationMs(1000, 86_400_000),
    default: 60_000,
    unit: "ms",
    doc: "How often the balances of the payout addresses seen are read from the node, in one " +
      "getBalancesByAddresses call, for ks_balance_by_wallet_gauge and /api/status. Needs kaspad " +
      "run with --utxoindex; without it balances stay off and kstratum says so once.",
  }),
  data_dir: setting<string | undefined>({
    arg: "<dir|off>",
    group: "History",
    codec: dirOrOff,
    default: "data",
    doc: "Directory of the history database (history.sqlite: found blocks with their rewards, " +
      "farm and worker hashrate over time), relative to the working directory. " +
      '"off" keeps no history. The start task and the compiled binary may write to ./data ' +
      "only (--allow-write=data); another directory needs --allow-write=<dir> added to the " +
      "deno run command, else history stays off and kstratum says so. One kstratum per " +
      "directory: a second one refuses to start (see history_handover).",
  }),
  history_handover: setting({
    group: "History",
    codec: bool,
    default: false,
    doc: "When another kstratum holds data_dir, start anyway without history and take the " +
      "directory over as soon as that one exits: the new process of a zero-downtime upgrade " +
      "(docs/deploy.md). Off: a second kstratum on one data_dir refuses to start.",
  }),
  history_sample_ms: setting({
    arg: "<ms>",
    group: "History",
    codec: durationMs(1000, 60_000),
    default: 60_000,
    unit: "ms",
    doc: "How often the farm's and every worker's hashrate and share counts are sampled into " +
      "history. Samples within one bucket (1 minute for the farm, 5 minutes and 1 hour per " +
      "worker) are averaged; sampling faster does not add rows.",
  }),
  grpc_listen: setting({
    arg: "<host:port|off>",
    group: "Stratum listeners",
    codec: bindAddress(true, "127.0.0.1"),
    default: undefined,
    doc: 'Address of a kaspad-compatible gRPC mining port, or "off". Miners that speak ' +
      "kaspad's gRPC (kaspa-miner) mine through kstratum there: one template per payout address, " +
      'PoW checked before the node sees a block. A bare ":port" binds 127.0.0.1 (the port has ' +
      "no authentication); give 0.0.0.0:port to expose it (docs/deploy.md).",
  }),
  grpc_streams_per_ip: setting({
    arg: "<n>",
    group: "Connection limits",
    codec: int(1, 100_000),
    default: 16,
    doc: "Open MessageStream calls from one IP address on the gRPC mining port; more are " +
      "refused with RESOURCE_EXHAUSTED and logged (256 calls in all).",
  }),
  log_level: setting<LogLevel>({
    arg: "<level>",
    group: "Logging",
    codec: oneOf(LEVELS),
    default: "info",
    doc: "Least severe log level written.",
  }),
  log_format: setting<LogFormat>({
    arg: "<text|json>",
    group: "Logging",
    codec: oneOf(LOG_FORMATS),
    default: "text",
    doc: "text for people, json for one JSON object per line. Logs go to stderr.",
  }),
  log_lines_per_ip: setting({
    arg: "<n>",
    group: "Logging",
    codec: int(1, 1_000_000),
    default: 120,
    doc: "Log lines about one miner IP address written per minute; past it they are counted and " +
      'one "log lines suppressed" line gives the count. Block lines are never suppressed.',
  }),
  log_timestamps: setting({
    group: "Logging",
    codec: bool,
    default: true,
    doc: "Start each log line with the time; turn off under journald, which adds its own.",
  }),
};

function rateToInterval(rate: number): number {
  return rate === 0 ? 0 : Math.max(1, Math.round(1000 / rate));
}

export type SettingKey = keyof typeof SETTINGS;
/** The value type of each setting after parsing. */
export type Values = { [K in SettingKey]: (typeof SETTINGS)[K]["default"] };

/** Keys of older bridges' config.yaml that kstratum accepts and ignores, with the reason. */
export const IGNORED_BRIDGE_KEYS: Readonly<Record<string, string>> = {
  print_stats: "kstratum logs worker summaries at info level and serves them over HTTP",
  log_to_file: "kstratum logs to stderr; redirect it to a file or use your service manager",
  var_diff_stats: "vardiff changes are logged at debug level (log_level: debug)",
  health_check_port: "the health check is served at /health on the http address",
  solo_mining: "kstratum always pays the address a miner authorizes with (else address)",
};

/** Settings only valid inside a `listen` entry. */
export const LISTENER_ONLY = {
  bind: {
    type: 'host:port, ":port" or a port number',
    bridgeKeys: ["stratum_port"],
    doc: "Where the listener accepts miners (the first element of a --listen spec).",
  },
  diff: {
    type: "a difficulty",
    bridgeKeys: [] as string[],
    doc: "Fixed difficulty for this port: same as start_diff=<d>,vardiff=false.",
  },
  tls_cert: {
    type: "a file path",
    bridgeKeys: [] as string[],
    doc: "PEM certificate chain; with tls_key the port speaks Stratum over TLS.",
  },
  tls_key: {
    type: "a file path",
    bridgeKeys: [] as string[],
    doc: "PEM private key for tls_cert.",
  },
} as const;
export type ListenerOnlyKey = keyof typeof LISTENER_ONLY;

/** Settings a listen entry may override (perListener). */
export function perListenerKeys(): SettingKey[] {
  return (Object.keys(SETTINGS) as SettingKey[]).filter((k) => SETTINGS[k].perListener === true);
}

/** CLI flag of a setting: `shares_per_min` → `--shares-per-min`. */
export function flagOf(key: string): string {
  return `--${key.replaceAll("_", "-")}`;
}

/** Environment variable of a setting: `shares_per_min` → `KSTRATUM_SHARES_PER_MIN`. */
export function envOf(key: string): string {
  return `KSTRATUM_${key.toUpperCase()}`;
}

/** Bridge key names (strings) of a setting. */
export function bridgeKeyNames(key: SettingKey): string[] {
  const keys = (SETTINGS[key] as Setting<unknown>).bridgeKeys ?? [];
  return keys.map((k) => (typeof k === "string" ? k : k.key));
}
