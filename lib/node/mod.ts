// Public face of the node link: NodeClient implementations (gRPC, wRPC JSON), reconnect/failover
// and errors. `createNodeClient` turns `--node` URLs into one resilient client.

import type { Logger } from "../log/mod.ts";
import { type Backoff, type Clock, exponentialBackoff, systemClock } from "../runtime/mod.ts";
import { GrpcNodeClient } from "./grpc/client.ts";
import { type EndpointClient, ReconnectingNodeClient } from "./reconnect.ts";
import { WrpcNodeClient } from "./wrpc/client.ts";

export { GrpcNodeClient, type GrpcNodeClientOptions, type ServerInfo } from "./grpc/client.ts";
export { WrpcNodeClient, type WrpcNodeClientOptions } from "./wrpc/client.ts";
export { type EndpointClient, ReconnectingNodeClient, type ReconnectOptions } from "./reconnect.ts";
export { isRetriable, NodeError, type NodeErrorCode } from "./errors.ts";
export type { AddressBalance, BalanceReader } from "./balance.ts";
export { type BlockRewardInfo, isUnknownMethod, type RewardReader } from "./reward.ts";

/** Per-endpoint client settings. */
export interface EndpointOptions {
  /** Per-call timeout, ms. Default 10000. */
  callTimeoutMs?: number;
  /** Connection timeout, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Structured logs. Default silent. */
  log?: Logger;
}

/**
 * One endpoint from a `--node` value: "ws://host:port" / "wss://…" → wRPC JSON; "grpc://host:port"
 * or bare "host:port" → gRPC.
 */
export function createEndpointClient(url: string, options: EndpointOptions = {}): EndpointClient {
  if (/^wss?:\/\//i.test(url)) return new WrpcNodeClient({ url, ...options });
  const address = url.replace(/^grpc:\/\//i, "");
  if (!/^[^/\s]+:\d+$/.test(address)) {
    throw new RangeError(`node address "${url}" is not host:port`);
  }
  return new GrpcNodeClient({ address, ...options });
}

/** Settings of the resilient node link. */
export interface NodeClientOptions extends EndpointOptions {
  /** Node URLs in order of preference (failover order). */
  urls: string[];
  /** Time source for backoff. Default the system clock. */
  clock?: Clock;
  /** Delay between full passes over unreachable endpoints. Default 500 ms doubling to 10 s, 20% jitter. */
  backoff?: Backoff;
  /** Runs each endpoint connect attempt (see ReconnectOptions.aroundConnect). */
  aroundConnect?: (attempt: () => Promise<void>) => Promise<void>;
}

/** The node link main.ts wires: every URL as an endpoint, kept connected with backoff and failover. */
export function createNodeClient(options: NodeClientOptions): ReconnectingNodeClient {
  const { urls, clock = systemClock, backoff, aroundConnect, ...endpointOptions } = options;
  return new ReconnectingNodeClient({
    endpoints: urls.map((u) => createEndpointClient(u, endpointOptions)),
    clock,
    backoff: backoff ?? exponentialBackoff({ baseMs: 500, maxMs: 10_000, jitter: 0.2 }),
    log: options.log,
    ...(aroundConnect === undefined ? {} : { aroundConnect }),
  });
}
