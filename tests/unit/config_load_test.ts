// loadConfig end to end without I/O: defaults, precedence, listeners, other bridges' keys, errors.
// Files are JSON here (npm yaml reads env vars while parsing); YAML is covered by cli_test.ts.

import assert from "node:assert/strict";
import {
  type Config,
  ConfigError,
  type ConfigErrorCode,
  loadConfig,
} from "../../lib/config/mod.ts";
import { encodeAddress } from "../../lib/kaspa/address.ts";

const MAINNET = encodeAddress({ prefix: "kaspa", version: 0, payload: new Uint8Array(32).fill(7) });
const TESTNET = encodeAddress({
  prefix: "kaspatest",
  version: 0,
  payload: new Uint8Array(32).fill(9),
});

interface World {
  env?: Record<string, string>;
  files?: Record<string, string>;
}

function load(args: string[], world: World = {}): Config {
  const r = loadConfig(args, (n) => world.env?.[n], (p) => read(world, p));
  assert.equal(r.kind, "run");
  return (r as { config: Config }).config;
}

function read(world: World, path: string): string {
  const text = world.files?.[path];
  if (text === undefined) throw Object.assign(new Error(`no ${path}`), { name: "NotFound" });
  return text;
}

function fails(
  args: string[],
  code: ConfigErrorCode,
  pattern: RegExp,
  world: World = {},
): ConfigError {
  let caught: unknown;
  try {
    loadConfig(args, (n) => world.env?.[n], (p) => read(world, p));
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, pattern);
  assert.ok(!caught.message.includes("\n"), "message is one line");
  return caught;
}

Deno.test("config defaults give one gRPC node, one listener on :5555 and loopback HTTP", () => {
  const c = load([]);
  assert.deepEqual(c.nodes, [{ kind: "grpc", host: "127.0.0.1", port: 16110 }]);
  assert.equal(c.listeners.length, 1);
  assert.deepEqual(c.listeners[0]!.bind, { host: "0.0.0.0", port: 5555 });
  assert.equal(c.listeners[0]!.dialect, "auto");
  assert.deepEqual(c.listeners[0]!.difficulty, {
    start: 8192,
    min: 0.125,
    max: 2 ** 32,
    vardiff: true,
    sharesPerMinute: 20,
    pow2Clamp: false,
  });
  assert.deepEqual(c.http, { host: "127.0.0.1", port: 2114 });
  assert.equal(c.jobIntervalMs, 250);
  assert.equal(c.extranonceBytes, 2);
  assert.equal(c.limits.maxLineBytes, 65536);
  assert.equal(c.maxWorkers, 5000);
  assert.equal(load(["--max-workers", "20000"]).maxWorkers, 20000);
  assert.equal(c.address, undefined);
  assert.equal(c.network, undefined);
  assert.deepEqual(c.log, { level: "info", format: "text", timestamps: true, linesPerIp: 120 });
});

Deno.test("config sources stack: file < KSTRATUM_* env < CLI flags", () => {
  const world: World = {
    files: {
      "k.json": JSON.stringify({ shares_per_min: 10, job_interval_ms: 100, extranonce_size: 1 }),
    },
    env: {
      KSTRATUM_CONFIG: "k.json",
      KSTRATUM_JOB_INTERVAL_MS: "500",
      KSTRATUM_EXTRANONCE_SIZE: "3",
    },
  };
  const c = load(["--extranonce-size", "0"], world);
  assert.equal(c.listeners[0]!.difficulty.sharesPerMinute, 10); // file
  assert.equal(c.jobIntervalMs, 500); // env beats file
  assert.equal(c.extranonceBytes, 0); // CLI beats env
  assert.equal(c.configFile, "k.json");
});

Deno.test("config takes a leading -- from deno task and reads --flag=value and --no-flag", () => {
  const c = load(["--", "--log-format=json", "--no-vardiff", "--allow-unsynced", "-c", "x.json"], {
    files: { "x.json": "{}" },
  });
  assert.equal(c.log.format, "json");
  assert.equal(c.listeners[0]!.difficulty.vardiff, false);
  assert.equal(c.allowUnsynced, true);
});

Deno.test("config node lists keep their order; repeated --node flags append", () => {
  const c = load(["--node", "10.0.0.1:16110", "--node", "ws://10.0.0.2:18110 10.0.0.3:16110"]);
  assert.deepEqual(c.nodes.map((n) => (n.kind === "grpc" ? n.host : n.url)), [
    "10.0.0.1",
    "ws://10.0.0.2:18110",
    "10.0.0.3",
  ]);
  const e = load([], { env: { KSTRATUM_NODE: "a:1;b:2" } });
  assert.equal(e.nodes.length, 2);
});

Deno.test("config listeners override top-level difficulty per port and take a fixed diff", () => {
  const c = load([
    "--start-diff",
    "1024",
    "--pow2-clamp",
    "--listen",
    ":5555",
    "--listen",
    "127.0.0.1:5556,dialect=bighex,start_diff=16384",
    "--listen",
    ":5557,diff=64,dialect=bitmain",
  ]);
  const [a, b, d] = c.listeners;
  assert.equal(a!.difficulty.start, 1024);
  assert.equal(a!.difficulty.pow2Clamp, true);
  assert.deepEqual(b!.bind, { host: "127.0.0.1", port: 5556 });
  assert.equal(b!.dialect, "bighex");
  assert.equal(b!.difficulty.start, 16384);
  assert.equal(b!.difficulty.vardiff, true);
  assert.equal(d!.dialect, "bitmain");
  assert.equal(d!.difficulty.start, 64);
  assert.equal(d!.difficulty.vardiff, false);
});

Deno.test("config reads TLS files relative to the config file and checks they are PEM", () => {
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const files = {
    "/etc/ks/k.json": JSON.stringify({
      listen: [{ bind: ":5558", tls_cert: "tls/cert.pem", tls_key: "/abs/key.pem" }],
    }),
    "/etc/ks/tls/cert.pem": pem,
    "/abs/key.pem": "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
  };
  const c = load(["-c", "/etc/ks/k.json"], { files });
  const tls = c.listeners[0]!.tls!;
  assert.equal(tls.certFile, "/etc/ks/tls/cert.pem");
  assert.equal(tls.keyFile, "/abs/key.pem");
  assert.equal(tls.cert, pem);
  fails(["--listen", ":5558,tls_cert=c.pem"], "conflict", /needs both tls_cert and tls_key/);
  fails(
    ["--listen", ":5558,tls_cert=c.pem,tls_key=k.pem"],
    "file_unreadable",
    /tls_cert c\.pem: no such file/,
  );
  fails(["--listen", ":5558,tls_cert=c.pem,tls_key=k.pem"], "bad_value", /not a PEM file/, {
    files: { "c.pem": "hello", "k.pem": pem },
  });
});

Deno.test("config maps a Go kaspa-stratum-bridge config.yaml onto kstratum settings", () => {
  // What npm yaml yields for rdugan's sample config.yaml (stratum_port: :5555, block_wait_time: 3s, ...).
  const goBridge = {
    stratum_port: ":5555",
    kaspad_address: "localhost:16110",
    min_share_diff: 8192,
    pow2_clamp: false,
    var_diff: true,
    shares_per_min: 20,
    var_diff_stats: false,
    block_wait_time: "3s",
    max_job_rate: 4,
    extranonce_size: 0,
    print_stats: true,
    log_to_file: true,
    prom_port: ":2114",
  };
  const r = loadConfig(["-c", "config.json"], () => undefined, () => JSON.stringify(goBridge));
  assert.equal(r.kind, "run");
  if (r.kind !== "run") return;
  const c = r.config;
  assert.deepEqual(c.nodes, [{ kind: "grpc", host: "localhost", port: 16110 }]);
  assert.deepEqual(c.listeners[0]!.bind, { host: "0.0.0.0", port: 5555 });
  assert.equal(c.listeners[0]!.difficulty.start, 8192);
  assert.equal(c.blockWaitMs, 3000);
  assert.equal(c.jobIntervalMs, 250); // 4 jobs per second
  assert.equal(c.extranonceBytes, 0);
  assert.deepEqual(c.http, { host: "0.0.0.0", port: 2114 });
  assert.equal(r.warnings.length, 3);
  assert.match(r.warnings.join("\n"), /log_to_file is ignored: kstratum logs to stderr/);
});

Deno.test("config maps rusty-kaspa bridge instances onto listeners and warns on per-instance extras", () => {
  const rust = {
    kaspad_address: "127.0.0.1:16110",
    block_wait_time: 1000,
    web_dashboard_port: ":3030",
    coinbase_tag_suffix: "rig-room",
    instances: [
      { stratum_port: ":5559", min_share_diff: 4, prom_port: ":2118", log_to_file: true },
      { stratum_port: ":5560", min_share_diff: 512, var_diff: false, pow2_clamp: true },
    ],
  };
  const r = loadConfig(["-c", "c.json"], () => undefined, () => JSON.stringify(rust));
  assert.equal(r.kind, "run");
  if (r.kind !== "run") return;
  const [a, b] = r.config.listeners;
  assert.equal(a!.bind.port, 5559);
  assert.equal(a!.difficulty.start, 4);
  assert.equal(b!.difficulty.start, 512);
  assert.equal(b!.difficulty.vardiff, false);
  assert.equal(b!.difficulty.pow2Clamp, true);
  assert.equal(r.config.blockWaitMs, 1000);
  assert.equal(r.config.extraData, "rig-room");
  assert.deepEqual(r.config.http, { host: "0.0.0.0", port: 3030 });
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0]!, /c\.json: instances entry 1: prom_port is ignored/);
});

Deno.test("config accepts a valid address and takes the network from its prefix", () => {
  const c = load(["--address", MAINNET]);
  assert.equal(c.address, MAINNET);
  assert.equal(c.network, "mainnet");
  assert.equal(load(["--address", TESTNET.toUpperCase()]).address, TESTNET);
  assert.equal(load(["--network", "devnet"]).network, "devnet");
});

Deno.test("config rejects malformed and wrong-network addresses with what to do", () => {
  const typo = MAINNET.slice(0, -1) + (MAINNET.endsWith("q") ? "p" : "q");
  fails(
    ["--address", typo],
    "bad_address",
    /^--address: ".*" fails its checksum; copy the address again/,
  );
  fails(["--address", "bitcoin:qqq"], "bad_address", /"bitcoin:" is not a Kaspa prefix/);
  fails(["--address", "qqqq"], "bad_address", /has no prefix/);
  fails(["--address", `${MAINNET}.rig1`], "bad_address", /carries a worker name/);
  fails(
    ["--address", TESTNET, "--network", "mainnet"],
    "wrong_network",
    /is a testnet address but --network is mainnet/,
  );
  fails(
    [],
    "wrong_network",
    /KSTRATUM_ADDRESS is a testnet address but network \(default\)|is a testnet/,
    {
      env: { KSTRATUM_ADDRESS: TESTNET, KSTRATUM_NETWORK: "mainnet" },
    },
  );
});

Deno.test("config names unknown keys, flags and listener options and suggests the nearest", () => {
  fails(
    ["--sahres-per-min", "3"],
    "unknown_key",
    /unknown option --sahres-per-min; did you mean --shares-per-min\?/,
  );
  fails(
    ["-c", "k.json"],
    "unknown_key",
    /k\.json: unknown key "shares_per_minute"; did you mean shares_per_min\?/,
    {
      files: { "k.json": '{"shares_per_minute": 10}' },
    },
  );
  fails(
    ["--listen", ":5556,dialekt=bighex"],
    "unknown_key",
    /unknown listener option "dialekt"; did you mean dialect\?/,
  );
  fails(
    ["--listen", ":5556,job_interval_ms=5"],
    "conflict",
    /applies to all listeners; set it at the top level/,
  );
  fails(["--log-format", "xml"], "bad_value", /^--log-format xml: expected one of text, json$/);
  fails(["run"], "unexpected_argument", /unexpected argument "run"/);
  fails(["--vardiff", "false"], "unexpected_argument", /write --vardiff=false or --no-vardiff/);
  fails(["--node"], "bad_value", /--node needs a value/);
});

Deno.test("config reports bad ports, bad types and clashing binds with the source that set them", () => {
  fails(["--listen", ":70000"], "bad_value", /--listen :70000: port 70000 is out of range/);
  fails([], "bad_value", /^KSTRATUM_MAX_LINE_BYTES=10: expected an integer from 1024 to 1048576$/, {
    env: { KSTRATUM_MAX_LINE_BYTES: "10" },
  });
  fails(["-c", "k.json"], "bad_value", /^k\.json: vardiff = sometimes: expected true or false$/, {
    files: { "k.json": '{"vardiff": "sometimes"}' },
  });
  fails(["-c", "k.json"], "bad_value", /k\.json: node = a mapping: expected one or more/, {
    files: { "k.json": '{"node": {"host": "x"}}' },
  });
  fails(
    ["--listen", ":5555 127.0.0.1:5555"],
    "conflict",
    /^listener 2 .* clashes with listener 1 /,
  );
  fails(
    ["--http", ":5555"],
    "conflict",
    /--http 0\.0\.0\.0:5555 uses the same port as a Stratum listener/,
  );
  fails(
    ["--min-diff", "64", "--max-diff", "8"],
    "conflict",
    /--min-diff \(64\) is above --max-diff \(8\)/,
  );
  fails(["--start-diff", "4"], "conflict", /--start-diff \(4\) is outside min_diff\.\.max_diff/, {
    env: { KSTRATUM_MIN_DIFF: "8" },
  });
});

Deno.test("config file problems: unreadable, bad JSON, two keys for one setting, not a mapping", () => {
  fails(["-c", "missing.yaml"], "file_unreadable", /^-c missing\.yaml: no such file$/);
  fails(["-c", "k.json"], "file_syntax", /^k\.json: not valid JSON/, {
    files: { "k.json": "{nope" },
  });
  fails(
    ["-c", "k.json"],
    "conflict",
    /k\.json: kaspad_address and k\.json: node both set node; keep only one/,
    {
      files: { "k.json": '{"kaspad_address": "a:1", "node": "b:2"}' },
    },
  );
  fails(
    ["-c", "k.json"],
    "file_syntax",
    /expected "key: value" settings at the top level, got a list/,
    {
      files: { "k.json": "[1,2]" },
    },
  );
  fails(["-c", "k.json"], "unknown_key", /a config file cannot name another config file/, {
    files: { "k.json": '{"config": "other.json"}' },
  });
});

Deno.test("config --help and --version win over every other argument and skip validation", () => {
  const help = loadConfig(["--bogus", "--help"], () => "not a number", () => "");
  assert.equal(help.kind, "help");
  if (help.kind === "help") assert.match(help.text, /--shares-per-min <n>/);
  assert.equal(loadConfig(["-V"], () => undefined, () => "").kind, "version");
});

Deno.test("config proxy_protocol per listener needs trusted_proxies and no TLS", () => {
  const c = load([
    "--listen",
    ":5555",
    "--listen",
    ":5556,proxy_protocol=on,trusted_proxies=10.0.0.0/8|::1",
    "--drain-timeout-ms",
    "5s",
  ]);
  assert.equal(c.listeners[0]!.proxyProtocol, false);
  assert.equal(c.listeners[1]!.proxyProtocol, true);
  assert.deepEqual(c.listeners[1]!.trustedProxies.map((t) => t.text), ["10.0.0.0/8", "::1/128"]);
  assert.equal(c.limits.drainTimeoutMs, 5000);
  const file = load(["-c", "k.json"], {
    files: {
      "k.json": '{"proxy_protocol": "on", "trusted_proxies": ["127.0.0.1"], "listen": [":5555"]}',
    },
  });
  assert.equal(file.listeners[0]!.proxyProtocol, true);
  fails(["--listen", ":5556,proxy_protocol=on"], "conflict", /no trusted_proxies/);
  fails(
    ["--listen", ":5556,proxy_protocol=on,trusted_proxies=10.1.0.0/8"],
    "bad_value",
    /host bits/,
  );
});

Deno.test("--grpc-listen :port binds loopback; an explicit host is kept (issue 18 hole 5)", () => {
  assert.deepEqual(load(["--grpc-listen=:16210"]).grpcFront, { host: "127.0.0.1", port: 16210 });
  assert.deepEqual(load(["--grpc-listen=16210"]).grpcFront, { host: "127.0.0.1", port: 16210 });
  assert.deepEqual(load(["--grpc-listen=0.0.0.0:16210"]).grpcFront, {
    host: "0.0.0.0",
    port: 16210,
  });
});
