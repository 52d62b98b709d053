// Server-side TLS for Stratum listeners: node:tls on an accepted node:net socket.
// Not Deno.listenTls: Deno keeps a TLS socket open until its handshake ends whatever close() says,
// so a peer that never started the handshake held a file descriptor forever, past every timeout and
// connection cap. Here closing a connection destroys its TCP socket, handshake or not.

import type { Duplex } from "node:stream";
import { createSecureContext, type SecureContext, TLSSocket } from "node:tls";
import { type ByteConn, SocketConn } from "./socket_conn.ts";

/** Raised for a certificate or key that TLS cannot use. `code` is stable. */
export class TlsConfigError extends Error {
  /** Error name. */
  override readonly name = "TlsConfigError";
  /** Stable code. */
  readonly code = "tls-config";
}

/** The TLS settings of a listener from PEM text; throws TlsConfigError when they cannot serve. */
export function tlsContext(certPem: string, keyPem: string): SecureContext {
  try {
    return createSecureContext({ cert: certPem, key: keyPem });
  } catch (e) {
    throw new TlsConfigError(
      `TLS certificate or key unusable: ${e instanceof Error ? e.message : e}`,
    );
  }
}

/** Longest wait for the peer to take our close_notify before the socket is closed anyway, ms. */
const CLOSE_NOTIFY_MS = 1000;

/**
 * Speaks TLS (server side) over `tcp` (a socket, or the rest of one after a PROXY header); the
 * result reads and writes plaintext. Closing it after a
 * finished handshake sends close_notify first (bounded by CLOSE_NOTIFY_MS); before the handshake
 * it destroys the socket at once.
 */
export function serverTls(tcp: Duplex, context: SecureContext): ByteConn {
  const tls = new TLSSocket(tcp, { isServer: true, secureContext: context });
  let secure = false;
  tls.on("secure", () => (secure = true));
  const destroy = () => {
    tls.destroy();
    tcp.destroy();
  };
  return new SocketConn(tls, () => {
    if (!secure) return destroy();
    const timer = setTimeout(destroy, CLOSE_NOTIFY_MS);
    tls.end(() => {
      clearTimeout(timer);
      destroy();
    });
  });
}
