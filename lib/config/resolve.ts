// Builds the validated Config from merged settings: address and network, listeners, HTTP.
// Pure apart from the injected readFile, which loads TLS files named by listeners.

import { checkKaspaAddress } from "./address.ts";
import { ConfigError } from "./errors.ts";
import { bindsClash, type Merged, nameOf, problemToError, type ReadFile } from "./merge.ts";
import { buildListeners } from "./resolve_listeners.ts";
import type { Network } from "../kaspa/network.ts";
import type { Config } from "./types.ts";
import { showHostPort } from "./values.ts";

function resolveNetwork(m: Merged): { address: string | undefined; network: Network | undefined } {
  const chosen = m.values.network === "auto" ? undefined : m.values.network;
  if (m.values.address === undefined) return { address: undefined, network: chosen };
  const { address, network } = problemToError(
    () => checkKaspaAddress(m.values.address!),
    nameOf(m, "address"),
  );
  if (chosen !== undefined && chosen !== network) {
    throw new ConfigError(
      "wrong_network",
      `${nameOf(m, "address")} is a ${network} address but ${nameOf(m, "network")} is ${chosen}; ` +
        `use a ${chosen} address or change the network`,
    );
  }
  return { address, network };
}

/** Builds the final Config from merged values. Throws ConfigError on any inconsistency. */
export function buildConfig(m: Merged, readFile: ReadFile, warnings: string[]): Config {
  const v = m.values;
  const { address, network } = resolveNetwork(m);
  const listeners = buildListeners(m, readFile, warnings);
  if (v.http !== undefined) {
    const clash = listeners.find((l) => bindsClash(l.bind, v.http!));
    if (clash !== undefined) {
      throw new ConfigError(
        "conflict",
        `${nameOf(m, "http")} ${showHostPort(v.http)} uses the same port as a Stratum listener; ` +
          `pick another port or set http to off`,
      );
    }
  }
  if (v.grpc_listen !== undefined) {
    const grpc = v.grpc_listen;
    const clash = listeners.some((l) => bindsClash(l.bind, grpc)) ||
      (v.http !== undefined && bindsClash(v.http, grpc));
    if (clash) {
      throw new ConfigError(
        "conflict",
        `${nameOf(m, "grpc_listen")} ${showHostPort(grpc)} uses the same port as another ` +
          `listener; pick another port or set grpc_listen to off`,
      );
    }
  }
  return {
    configFile: v.config,
    nodes: v.node,
    network,
    address,
    listeners,
    jobIntervalMs: v.job_interval_ms,
    extranonceBytes: v.extranonce_size,
    allowUnsynced: v.allow_unsynced,
    extraData: v.extra_data,
    blockWaitMs: v.block_wait_ms,
    threads: v.threads,
    limits: {
      maxConnections: v.max_connections,
      maxConnectionsPerIp: Math.min(v.max_connections_per_ip, v.max_connections),
      handshakeTimeoutMs: v.handshake_timeout_ms,
      idleTimeoutMs: v.idle_timeout_ms,
      maxLineBytes: v.max_line_bytes,
      proxyHeaderTimeoutMs: v.proxy_header_timeout_ms,
      drainTimeoutMs: v.drain_timeout_ms,
      maxAddressesPerConnection: v.max_addresses_per_connection,
      maxAddressesPerIp: v.max_addresses_per_ip,
      maxAddresses: v.max_addresses,
    },
    http: v.http,
    maxWorkers: v.max_workers,
    metricsInstance: v.metrics_instance,
    balanceRefreshMs: v.balance_refresh_ms,
    dataDir: v.data_dir,
    historyHandover: v.history_handover,
    historySampleMs: v.history_sample_ms,
    grpcFront: v.grpc_listen,
    grpcStreamsPerIp: v.grpc_streams_per_ip,
    log: {
      linesPerIp: v.log_lines_per_ip,
      level: v.log_level,
      format: v.log_format,
      timestamps: v.log_timestamps,
    },
  };
}
