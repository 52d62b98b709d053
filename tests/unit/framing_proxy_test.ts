// PROXY protocol header parsing (lib/framing/proxy_header.ts) and CIDR matching (lib/framing/ip.ts):
// the examples of HAProxy's proxy-protocol.txt, a header HAProxy 2.6 sent, and seeded fuzzing.

import assert from "node:assert/strict";
import {
  parseProxyHeader,
  PROXY_V2_SIGNATURE,
  type ProxyParse,
} from "../../lib/framing/proxy_header.ts";
import { cidrContains, formatIp, parseCidr, parseIp } from "../../lib/framing/ip.ts";
import { Rng } from "../helpers/fuzz.ts";

function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}
const enc = (s: string) => new TextEncoder().encode(s);
const F = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";

function header(r: ProxyParse) {
  if (r.kind !== "header") throw new Error(`expected a header, got ${JSON.stringify(r)}`);
  return r;
}

Deno.test("v1: the spec's examples", () => {
  // Section 2.1: the worst cases of each form, and the example before an HTTP request.
  const tcp4 = header(
    parseProxyHeader(enc("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n")),
  );
  assertEquals(tcp4.bytes, 56);
  assertEquals(tcp4.source, { ip: "255.255.255.255", port: 65535 });
  const tcp6Line = `PROXY TCP6 ${F} ${F} 65535 65535\r\n`;
  assertEquals(tcp6Line.length, 104);
  const tcp6 = header(parseProxyHeader(enc(tcp6Line)));
  assertEquals(tcp6.source, { ip: F, port: 65535 });
  const unknown = header(parseProxyHeader(enc("PROXY UNKNOWN\r\n")));
  assertEquals([unknown.bytes, unknown.source], [15, undefined]);
  const longest = `PROXY UNKNOWN ${F} ${F} 65535 65535\r\n`;
  assertEquals(longest.length, 107);
  assertEquals(header(parseProxyHeader(enc(longest))).bytes, 107);
  const http = enc(
    "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n",
  );
  const h = header(parseProxyHeader(http));
  assertEquals(h.source, { ip: "192.168.0.1", port: 56324 });
  assertEquals(h.destination, { ip: "192.168.0.11", port: 443 });
  assertEquals(new TextDecoder().decode(http.subarray(h.bytes, h.bytes + 3)), "GET");
});

Deno.test("v1: incomplete until CRLF, invalid past 107 bytes or malformed", () => {
  const line = enc("PROXY TCP4 192.0.2.1 10.0.0.1 40000 5555\r\n");
  for (let n = 0; n < line.length; n++) {
    assertEquals(parseProxyHeader(line.subarray(0, n)).kind, "incomplete", `prefix ${n}`);
  }
  const bad = [
    "PROXY TCP4 192.0.2.1 10.0.0.1 40000 5555\n",
    "PROXY TCP4 192.0.2.256 10.0.0.1 40000 5555\r\n",
    "PROXY TCP4 192.0.2.1 10.0.0.1 40000 65536\r\n",
    "PROXY TCP4 192.0.2.1 10.0.0.1 040000 5555\r\n",
    "PROXY TCP4 192.0.2.1  10.0.0.1 40000 5555\r\n",
    "PROXY TCP6 192.0.2.1 10.0.0.1 40000 5555\r\n",
    "PROXY TCP4 ::1 ::1 40000 5555\r\n",
    "PROXY UDP4 192.0.2.1 10.0.0.1 40000 5555\r\n",
    "PROXY TCP4 192.0.2.1 10.0.0.1 40000\r\n",
    "PROXY TCP4 192.0.2.1\r10.0.0.1 40000 5555\r\n",
    '{"id":1,"method":"mining.subscribe","params":[]}\n',
    "GET / HTTP/1.1\r\n",
    "PROXY " + "x".repeat(120),
  ];
  for (const b of bad) assertEquals(parseProxyHeader(enc(b)).kind, "invalid", JSON.stringify(b));
});

function v2(verCmd: number, fam: number, body: number[]): Uint8Array {
  return Uint8Array.of(
    ...PROXY_V2_SIGNATURE,
    verCmd,
    fam,
    body.length >> 8,
    body.length & 0xff,
    ...body,
  );
}

Deno.test("v2: TCP over IPv4 as HAProxy sent it, IPv6, LOCAL, TLVs, budget", () => {
  // A header HAProxy wrote (send-proxy-v2): 172.19.0.1:42578 → 172.19.0.3:80, then "GET ".
  const captured = Uint8Array.from(
    "0d0a0d0a000d0a515549540a2111000cac130001ac130003a652005047455420".match(/../g)!,
    (x) => parseInt(x, 16),
  );
  const h = header(parseProxyHeader(captured));
  assertEquals([h.version, h.bytes], [2, 28]);
  assertEquals(h.source, { ip: "172.19.0.1", port: 42578 });
  assertEquals(h.destination, { ip: "172.19.0.3", port: 80 });
  for (let n = 0; n < 28; n++) {
    assertEquals(parseProxyHeader(captured.subarray(0, n)).kind, "incomplete");
  }

  const six = header(parseProxyHeader(v2(0x21, 0x21, [
    0x20,
    0x01,
    0x0d,
    0xb8,
    ...new Array(11).fill(0),
    1,
    ...new Array(15).fill(0),
    1,
    0x9c,
    0x40,
    0x15,
    0xb3,
  ])));
  assertEquals(six.source, { ip: "2001:db8::1", port: 40000 });
  assertEquals(six.destination, { ip: "::1", port: 5555 });

  // LOCAL (health checks): no source, the peer address stands.
  const local = header(parseProxyHeader(v2(0x20, 0x00, [])));
  assertEquals([local.bytes, local.source], [16, undefined]);
  // TLVs after the addresses are skipped with the header.
  const tlv = header(
    parseProxyHeader(
      v2(0x21, 0x11, [192, 0, 2, 9, 10, 0, 0, 1, 0, 80, 0, 81, 0x04, 0, 2, 0xab, 0xcd]),
    ),
  );
  assertEquals([tlv.bytes, tlv.source?.ip], [33, "192.0.2.9"]);
  // UDP and UNIX: addresses ignored, header still consumed.
  assertEquals(header(parseProxyHeader(v2(0x21, 0x12, new Array(12).fill(1)))).source, undefined);

  // Budget: the length field is judged before the body arrives.
  const big = Uint8Array.of(...PROXY_V2_SIGNATURE, 0x21, 0x11, 0xff, 0xff);
  assertEquals(parseProxyHeader(big, 1024).kind, "invalid");
  assertEquals(parseProxyHeader(v2(0x31, 0x11, new Array(12).fill(0))).kind, "invalid");
  assertEquals(parseProxyHeader(v2(0x22, 0x11, new Array(12).fill(0))).kind, "invalid");
  assertEquals(parseProxyHeader(v2(0x21, 0x11, new Array(8).fill(0))).kind, "invalid");
  assertEquals(parseProxyHeader(v2(0x21, 0x41, new Array(12).fill(0))).kind, "invalid");
});

Deno.test("ip and cidr: parse, format, contain", () => {
  assertEquals(formatIp(parseIp("2001:0db8:0:0:1:0:0:1")!), "2001:db8::1:0:0:1");
  assertEquals(formatIp(parseIp("::ffff:192.0.2.1")!), "192.0.2.1");
  assertEquals(formatIp(parseIp("::")!), "::");
  assertEquals(parseIp("1::2::3"), undefined);
  assertEquals(parseIp("1.2.3"), undefined);
  const lan = parseCidr("10.0.0.0/8");
  assert(!("error" in lan));
  assert(cidrContains(lan, "10.200.1.2"));
  assert(!cidrContains(lan, "11.0.0.1"));
  assert(cidrContains(lan, "::ffff:10.0.0.1"));
  const one = parseCidr("127.0.0.1");
  assert(!("error" in one) && one.prefix === 32 && cidrContains(one, "127.0.0.1"));
  const v6 = parseCidr("fd00::/8");
  assert(!("error" in v6) && cidrContains(v6, "fd12::1") && !cidrContains(v6, "10.0.0.1"));
  assert("error" in parseCidr("10.1.2.3/8"));
  assert("error" in parseCidr("10.0.0.0/33"));
  assert("error" in parseCidr("nope/8"));
  const all = parseCidr("0.0.0.0/0");
  assert(!("error" in all) && cidrContains(all, "203.0.113.5"));
});

Deno.test("fuzz: random and mutated headers never throw, never read past the buffer or budget", () => {
  const rng = new Rng(17);
  const seeds = [
    enc("PROXY TCP4 192.0.2.1 10.0.0.1 40000 5555\r\n"),
    enc(`PROXY TCP6 ${F} ::1 1 2\r\n`),
    enc("PROXY UNKNOWN\r\n"),
    v2(0x21, 0x11, [192, 0, 2, 9, 10, 0, 0, 1, 0, 80, 0, 81]),
    v2(0x21, 0x21, new Array(36).fill(7)),
    v2(0x20, 0x00, []),
  ];
  let headers = 0;
  for (let i = 0; i < 20_000; i++) {
    let buf: Uint8Array;
    if (rng.chance(0.2)) buf = rng.bytes(rng.int(300));
    else {
      buf = rng.pick(seeds).slice();
      for (let m = rng.int(4); m >= 0; m--) {
        const op = rng.int(3);
        if (op === 0 && buf.length > 0) buf[rng.int(buf.length)] = rng.int(256);
        else if (op === 1) buf = buf.subarray(0, rng.int(buf.length + 1));
        else buf = Uint8Array.of(...buf, ...rng.bytes(rng.int(40)));
      }
    }
    const budget = 16 + rng.int(600);
    const r = parseProxyHeader(buf, budget);
    if (r.kind === "header") {
      headers++;
      assert(r.bytes <= buf.length && r.bytes <= budget);
      if (r.source !== undefined) {
        assert(parseIp(r.source.ip) !== undefined && r.source.port <= 65535);
      }
    }
    // Whatever the verdict, more bytes never turn a header into something else.
    if (r.kind === "header") {
      const more = parseProxyHeader(Uint8Array.of(...buf, ...rng.bytes(8)), budget);
      assertEquals(more, r);
    }
  }
  assert(headers > 1000, `only ${headers} valid headers: the mutations are too rough`);
});
