// IP address text and bytes (IPv4 dotted quads, IPv6 with RFC 5952 compression) and CIDR ranges:
// which sources may send a PROXY header. Pure.

/** An IP address as bytes: 4 for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

/** Parses a dotted quad ("192.0.2.1"); undefined when not exactly one. */
export function parseIpv4(text: string): IpBytes | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (const [i, p] of parts.entries()) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** Parses an IPv6 literal ("2001:db8::1", "::ffff:192.0.2.1"); undefined when not one. */
export function parseIpv6(text: string): IpBytes | undefined {
  if (text.length > 45 || text.length < 2) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const words = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (const [i, w] of words.entries()) {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  }
  return out;
}

/** Parses an IPv4 or IPv6 literal; undefined when it is neither. */
export function parseIp(text: string): IpBytes | undefined {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

/**
 * Address bytes as text: IPv4 dotted, IPv6 in RFC 5952 form (lower case, longest zero run as
 * "::"), and an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as plain IPv4, the way the server
 * writes peer addresses.
 */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join(".");
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff &&
    bytes[11] === 0xff;
  if (mapped) return [...bytes.subarray(12)].join(".");
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** A CIDR range: network bytes and prefix length in bits. */
export interface Cidr {
  /** Network address bytes (4 or 16), host bits cleared. */
  bytes: IpBytes;
  /** Prefix length, bits (0-32 for IPv4, 0-128 for IPv6). */
  prefix: number;
  /** As written back: "10.0.0.0/8". */
  text: string;
}

/**
 * Parses "10.0.0.0/8", "2001:db8::/32" or a single address (a /32 or /128). Host bits set below
 * the prefix are an error, since "10.1.2.3/8" usually means a typo.
 */
export function parseCidr(text: string): Cidr | { error: string } {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIp(addr);
  if (bytes === undefined) return { error: `"${addr}" is not an IPv4 or IPv6 address` };
  const max = bytes.length * 8;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return { error: `prefix "/${prefixText}" must be 0-${max}` };
  }
  const prefix = Number(prefixText);
  for (let bit = prefix; bit < max; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) {
      return { error: `${text} has host bits set below /${prefix}; write the network address` };
    }
  }
  return { bytes, prefix, text: `${formatIp(bytes)}/${prefix}` };
}

/**
 * Whether `ip` (text as the server writes peers) lies in `cidr`. An IPv4 address also matches an
 * IPv4-mapped IPv6 range and the other way round.
 */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  let bytes = parseIp(ip);
  if (bytes === undefined) return false;
  let net = cidr.bytes;
  let prefix = cidr.prefix;
  if (bytes.length !== net.length) {
    const v4 = bytes.length === 4 ? bytes : unmap(bytes);
    const netV4 = net.length === 4 ? net : unmap(net);
    if (v4 === undefined || netV4 === undefined) return false;
    if (net.length === 16) prefix -= 96;
    if (prefix < 0) return true;
    bytes = v4;
    net = netV4;
  }
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 1 << (7 - (bit & 7));
    if ((bytes[bit >> 3]! & mask) !== (net[bit >> 3]! & mask)) return false;
  }
  return true;
}

function unmap(b: IpBytes): IpBytes | undefined {
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? b.subarray(12) : undefined;
}
