// Adapters from the resolved config and the template service to what the Stratum server takes.
// Pure: no I/O, so the mapping from config keys to server behaviour is tested directly.

import type { Config, ListenerConfig } from "../config/mod.ts";
import type { ListenerOptions, ServerOptions } from "../net/mod.ts";
import type { ExtranonceSize, ValidateAddress } from "../session/mod.ts";
import type { TemplateService } from "../templates/mod.ts";

/** The Stratum listener a config listener describes (difficulty in Stratum units). */
export function listenerOptionsOf(l: ListenerConfig): ListenerOptions {
  const d = l.difficulty;
  const options: ListenerOptions = {
    hostname: l.bind.host,
    port: l.bind.port,
    difficulty: d.vardiff
      ? {
        kind: "vardiff",
        initial: d.start,
        min: d.min,
        max: d.max,
        sharesPerMinute: d.sharesPerMinute,
        pow2: d.pow2Clamp,
      }
      : { kind: "fixed", difficulty: d.start },
  };
  if (l.dialect !== "auto") options.dialect = l.dialect;
  if (l.tls !== undefined) options.tls = { cert: l.tls.cert, key: l.tls.key };
  if (l.proxyProtocol) options.proxy = { trusted: l.trustedProxies };
  return options;
}

/**
 * On SIGTERM, how long miners asked to reconnect get to leave by themselves before the rest are
 * closed, ms: SRBMiner closes at once and redials after 5 s; the settle only has to see them go.
 */
export const RECONNECT_SETTLE_MS = 5_000;

/** Server-wide Stratum options from the config (limits, job interval ms, extranonce bytes). */
export function serverOptionsOf(config: Config): Partial<ServerOptions> {
  const options: Partial<ServerOptions> = {
    extranonceSize: config.extranonceBytes as ExtranonceSize,
    jobIntervalMs: config.jobIntervalMs,
    maxConnections: config.limits.maxConnections,
    maxConnectionsPerIp: config.limits.maxConnectionsPerIp,
    handshakeTimeoutMs: config.limits.handshakeTimeoutMs,
    idleTimeoutMs: config.limits.idleTimeoutMs,
    maxLineBytes: config.limits.maxLineBytes,
    proxyHeaderTimeoutMs: config.limits.proxyHeaderTimeoutMs,
    shutdownGraceMs: config.limits.drainTimeoutMs,
    reconnectSettleMs: Math.min(RECONNECT_SETTLE_MS, config.limits.drainTimeoutMs),
    maxAddressesPerConnection: config.limits.maxAddressesPerConnection,
    maxAddressesPerIp: config.limits.maxAddressesPerIp,
    maxAddresses: config.limits.maxAddresses,
  };
  if (config.address !== undefined) options.defaultAddress = config.address;
  return options;
}

/** Payout address check: checksum always, network prefix once the node's network is known. */
export function addressValidatorOf(service: TemplateService): ValidateAddress {
  return (address) => {
    try {
      service.checkAddress(address);
      return { ok: true, address: address.toLowerCase() };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  };
}

/**
 * Stratum threads for `threads` in the config: "auto" is one per core on Linux, at most 8
 * (SO_REUSEPORT spreads connections there only), and 1 elsewhere; an explicit count is kept.
 */
export function threadCountOf(
  threads: "auto" | number,
  machine: { os: string; cores: number },
): number {
  if (threads !== "auto") return threads;
  if (machine.os !== "linux") return 1;
  return Math.max(1, Math.min(8, machine.cores));
}
