import assert from "node:assert/strict";
import {
  AddressError,
  checkAddressNetwork,
  decodeAddress,
  encodeAddress,
  type KaspaAddress,
  payToAddressScript,
} from "../../lib/kaspa/address.ts";
import { prefixForNetwork } from "../../lib/kaspa/network.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
function unhex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

// Known addresses from the reference implementation's address tests (kaspa-addresses crate).
const KNOWN: Array<[KaspaAddress, string]> = [
  [
    { prefix: "kaspa", version: 0, payload: new Uint8Array(32) },
    "kaspa:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e",
  ],
  [
    {
      prefix: "kaspa",
      version: 0,
      payload: unhex("5fff3c4da18f45adcdd499e44611e9fff148ba69db3c4ea2ddd955fc46a59522"),
    },
    "kaspa:qp0l70zd5x85ttwd6jv7g3s3a8llzj96d8dncn4zmhv4tlzx5k2jyqh70xmfj",
  ],
  [
    { prefix: "kaspatest", version: 0, payload: new Uint8Array(32) },
    "kaspatest:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhqrxplya",
  ],
  [
    { prefix: "kaspatest", version: 1, payload: new Uint8Array(33) },
    "kaspatest:qyqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhe837j2d",
  ],
  [
    {
      prefix: "kaspatest",
      version: 1,
      payload: unhex("ba01fc5f4e9d9879599c69a3dafdb835a7255e5f2e934e9322ecd3af190ab0f60e"),
    },
    "kaspatest:qxaqrlzlf6wes72en3568khahq66wf27tuhfxn5nytkd8tcep2c0vrse6gdmpks",
  ],
];

Deno.test("address encoding reproduces the reference node's known addresses", () => {
  for (const [address, text] of KNOWN) assert.equal(encodeAddress(address), text);
});

Deno.test("address decoding returns the prefix, version and payload of known addresses", () => {
  for (const [address, text] of KNOWN) {
    const decoded = decodeAddress(text);
    assert.equal(decoded.prefix, address.prefix);
    assert.equal(decoded.version, address.version);
    assert.equal(hex(decoded.payload), hex(address.payload));
  }
});

Deno.test("address decoding accepts an all-uppercase address", () => {
  const text = KNOWN[1]![1].toUpperCase();
  assert.equal(hex(decodeAddress(text).payload), hex(KNOWN[1]![0].payload));
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AddressError, `expected AddressError, got ${e}`);
    return e.code;
  }
  assert.fail("expected an AddressError");
}

Deno.test("address decoding rejects a changed character through the checksum", () => {
  const good = KNOWN[1]![1];
  const i = good.length - 20;
  const bad = good.slice(0, i) + (good[i] === "q" ? "p" : "q") + good.slice(i + 1);
  assert.equal(codeOf(() => decodeAddress(bad)), "bad-checksum");
});

Deno.test("address decoding rejects the same payload under another prefix", () => {
  const moved = "kaspadev:" + KNOWN[1]![1].split(":")[1];
  assert.equal(codeOf(() => decodeAddress(moved)), "bad-checksum");
});

Deno.test("address decoding names each malformation with its own code", () => {
  assert.equal(codeOf(() => decodeAddress("qqqqqqqqqqqqqqqqq")), "missing-prefix");
  assert.equal(
    codeOf(() =>
      decodeAddress("kaspa1:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e")
    ),
    "unknown-prefix",
  );
  assert.equal(
    codeOf(() =>
      decodeAddress("kaspa:qqqqqqqqqqqqq1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e")
    ),
    "bad-character",
  );
  assert.equal(codeOf(() => decodeAddress("Kaspa:qqqq")), "mixed-case");
  // One payload character short: the checksum no longer matches.
  assert.equal(
    codeOf(() =>
      decodeAddress("kaspa:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkx9awp4e")
    ),
    "bad-checksum",
  );
});

Deno.test("address decoding rejects a valid checksum over a payload of the wrong length", () => {
  const short = encodeAddress({ prefix: "kaspa", version: 0, payload: new Uint8Array(20) });
  assert.equal(codeOf(() => decodeAddress(short)), "bad-length");
  const odd = encodeAddress({ prefix: "kaspa", version: 5 as 0, payload: new Uint8Array(32) });
  assert.equal(codeOf(() => decodeAddress(odd)), "bad-version");
});

Deno.test("address network check maps kaspad network names to prefixes", () => {
  assert.equal(prefixForNetwork("kaspa-mainnet"), "kaspa");
  assert.equal(prefixForNetwork("kaspa-testnet-10"), "kaspatest");
  assert.equal(prefixForNetwork("devnet"), "kaspadev");
  assert.equal(prefixForNetwork("kaspa-simnet"), "kaspasim");
  assert.equal(prefixForNetwork("something-else"), undefined);
});

Deno.test("address network check refuses a mainnet address on devnet with one clear error", () => {
  try {
    checkAddressNetwork(KNOWN[1]![1], "kaspa-devnet");
    assert.fail("expected wrong-network");
  } catch (e) {
    assert.ok(e instanceof AddressError);
    assert.equal(e.code, "wrong-network");
    assert.match(e.message, /kaspadev:/);
  }
  const dev = encodeAddress({ prefix: "kaspadev", version: 0, payload: new Uint8Array(32) });
  assert.equal(checkAddressNetwork(dev, "kaspa-devnet").prefix, "kaspadev");
});

Deno.test("pay-to-address script wraps a Schnorr key in OP_DATA_32 ... OP_CHECKSIG", () => {
  const script = payToAddressScript(decodeAddress(KNOWN[1]![1]));
  assert.equal(hex(script), "20" + hex(KNOWN[1]![0].payload) + "ac");
  const ecdsa = payToAddressScript(KNOWN[4]![0]);
  assert.equal(ecdsa.length, 35);
  assert.equal(ecdsa[0], 0x21);
  assert.equal(ecdsa[34], 0xab);
});
