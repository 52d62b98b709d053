// Public face of framing: bytes ⇄ newline-delimited lines, length-capped; the PROXY header before them.
// Pure: imports nothing else from lib/.

export { concatBytes, DEFAULT_MAX_LINE_BYTES, LineSplitter } from "./line_splitter.ts";
export type { LineSplitterOptions, SplitEvent } from "./line_splitter.ts";
export {
  parseProxyHeader,
  PROXY_DEFAULT_MAX_BYTES,
  PROXY_V1_MAX_BYTES,
  PROXY_V2_SIGNATURE,
} from "./proxy_header.ts";
export type { ProxyEndpoint, ProxyParse } from "./proxy_header.ts";
export { cidrContains, formatIp, parseCidr, parseIp } from "./ip.ts";
export type { Cidr, IpBytes } from "./ip.ts";
