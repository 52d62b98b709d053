// The PROXY protocol header (HAProxy's spec, versions 1 and 2) that a load balancer sends before
// the miner's bytes: parsing it from the first bytes of a connection, with a byte budget. Pure.

import { formatIp, parseIpv4, parseIpv6 } from "./ip.ts";

/** The 12-byte signature opening a version 2 header. */
export const PROXY_V2_SIGNATURE: Uint8Array = Uint8Array.of(
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
);
const V1_PREFIX = new TextEncoder().encode("PROXY ");
/** Longest version 1 line the spec allows, CRLF included, bytes. */
export const PROXY_V1_MAX_BYTES = 107;
/** Default budget for a whole header (v2: 16 bytes plus addresses and TLVs), bytes. */
export const PROXY_DEFAULT_MAX_BYTES = 1024;

/** An address and port the header names. */
export interface ProxyEndpoint {
  /** IP as text (IPv4 dotted, IPv6 RFC 5952, IPv4-mapped IPv6 as IPv4). */
  ip: string;
  /** TCP port, 0-65535. */
  port: number;
}

/** The outcome of looking at a connection's first bytes. */
export type ProxyParse =
  /** More bytes are needed; none so far contradicts a header. */
  | { kind: "incomplete" }
  /** Not a valid header (or over the budget): close the connection. */
  | { kind: "invalid"; reason: string }
  /**
   * A header of `bytes` bytes. `source` is the real client for a proxied TCP connection;
   * undefined for v2 LOCAL (the balancer's own health check), v1 UNKNOWN and address families
   * other than TCP over IPv4/IPv6, where the connection's own peer address stands.
   */
  | {
    kind: "header";
    version: 1 | 2;
    bytes: number;
    source: ProxyEndpoint | undefined;
    destination: ProxyEndpoint | undefined;
  };

function startsWith(buf: Uint8Array, prefix: Uint8Array): "yes" | "maybe" | "no" {
  const n = Math.min(buf.length, prefix.length);
  for (let i = 0; i < n; i++) if (buf[i] !== prefix[i]) return "no";
  return buf.length >= prefix.length ? "yes" : "maybe";
}

/**
 * Parses a PROXY header at the start of `buf` (the bytes read so far). `maxBytes` caps a header
 * and is checked before anything past the fixed part is looked at: a v2 length field over it is
 * invalid at once, and so is a v1 line without CRLF in its first 107 bytes.
 *
 * @example
 * ```ts
 * import { parseProxyHeader } from "./proxy_header.ts";
 * const r = parseProxyHeader(new TextEncoder().encode("PROXY TCP4 192.0.2.7 10.0.0.1 40000 5555\r\n"));
 * if (r.kind !== "header" || r.source?.ip !== "192.0.2.7") throw new Error();
 * ```
 */
export function parseProxyHeader(
  buf: Uint8Array,
  maxBytes: number = PROXY_DEFAULT_MAX_BYTES,
): ProxyParse {
  if (buf.length === 0) return { kind: "incomplete" };
  const v2 = startsWith(buf, PROXY_V2_SIGNATURE);
  if (v2 !== "no") return v2 === "maybe" ? { kind: "incomplete" } : parseV2(buf, maxBytes);
  const v1 = startsWith(buf, V1_PREFIX);
  if (v1 === "maybe") return { kind: "incomplete" };
  if (v1 === "yes") return parseV1(buf, Math.min(maxBytes, PROXY_V1_MAX_BYTES));
  return { kind: "invalid", reason: "no PROXY header" };
}

function parseV1(buf: Uint8Array, max: number): ProxyParse {
  const limit = Math.min(buf.length, max);
  let end = -1;
  for (let i = V1_PREFIX.length; i < limit; i++) {
    if (buf[i] === 0x0a) {
      if (buf[i - 1] !== 0x0d) return { kind: "invalid", reason: "v1 line ends without CRLF" };
      end = i + 1;
      break;
    }
    // Printable ASCII, and CR only right before the LF.
    const b = buf[i]!;
    if (b === 0x0d ? i + 1 < buf.length && buf[i + 1] !== 0x0a : b < 0x20 || b > 0x7e) {
      return { kind: "invalid", reason: "v1 line has a byte outside printable ASCII" };
    }
  }
  if (end < 0) {
    return buf.length >= max
      ? { kind: "invalid", reason: `v1 line longer than ${max} bytes` }
      : { kind: "incomplete" };
  }
  const line = new TextDecoder().decode(buf.subarray(0, end - 2));
  const parts = line.split(" ");
  if (parts[1] === "UNKNOWN") {
    return { kind: "header", version: 1, bytes: end, source: undefined, destination: undefined };
  }
  if (parts.length !== 6) return { kind: "invalid", reason: "v1 line needs 6 fields" };
  const [, proto, src, dst, sport, dport] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const parse = proto === "TCP4" ? parseIpv4 : proto === "TCP6" ? parseIpv6 : undefined;
  if (parse === undefined) return { kind: "invalid", reason: `v1 protocol ${proto}` };
  const s = parse(src);
  const d = parse(dst);
  const sp = port(sport);
  const dp = port(dport);
  if (s === undefined || d === undefined) return { kind: "invalid", reason: "v1 bad address" };
  if (sp === undefined || dp === undefined) return { kind: "invalid", reason: "v1 bad port" };
  return {
    kind: "header",
    version: 1,
    bytes: end,
    source: { ip: formatIp(s), port: sp },
    destination: { ip: formatIp(d), port: dp },
  };
}

/** A v1 port: decimal 0-65535 without a leading zero. */
function port(text: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

function parseV2(buf: Uint8Array, maxBytes: number): ProxyParse {
  if (buf.length < 16) return { kind: "incomplete" };
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return { kind: "invalid", reason: `v2 version ${verCmd >> 4}` };
  const command = verCmd & 0x0f;
  if (command > 1) return { kind: "invalid", reason: `v2 command ${command}` };
  const famProto = buf[13]!;
  const length = (buf[14]! << 8) | buf[15]!;
  const total = 16 + length;
  if (total > maxBytes) {
    return { kind: "invalid", reason: `v2 header of ${total} bytes is over ${maxBytes}` };
  }
  const family = famProto >> 4;
  const transport = famProto & 0x0f;
  if (family > 3 || transport > 2) {
    return { kind: "invalid", reason: `v2 family/protocol 0x${famProto.toString(16)}` };
  }
  const need = family === 1 ? 12 : family === 2 ? 36 : family === 3 ? 216 : 0;
  if (length < need) return { kind: "invalid", reason: "v2 address block too short" };
  if (buf.length < total) return { kind: "incomplete" };
  const local = { kind: "header" as const, version: 2 as const, bytes: total };
  // LOCAL: the balancer speaks for itself (health checks); addresses are to be ignored.
  if (command === 0 || transport !== 1 || (family !== 1 && family !== 2)) {
    return { ...local, source: undefined, destination: undefined };
  }
  const size = family === 1 ? 4 : 16;
  const a = 16;
  const ports = a + 2 * size;
  return {
    ...local,
    source: {
      ip: formatIp(buf.slice(a, a + size)),
      port: (buf[ports]! << 8) | buf[ports + 1]!,
    },
    destination: {
      ip: formatIp(buf.slice(a + size, a + 2 * size)),
      port: (buf[ports + 2]! << 8) | buf[ports + 3]!,
    },
  };
}
