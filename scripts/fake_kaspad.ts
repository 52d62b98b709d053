// A FAKE kaspad for load tests, on purpose: a real kaspad cannot emit 10 templates/s on demand.
// Speaks kaspad's gRPC MessageStream (lib/node/grpc codec) with real devnet template bytes;
// kstratum's correctness stays proven against the real kaspad in tests/integration/kaspad_*.
//
//   deno run --allow-net=127.0.0.1 --allow-read --allow-env --allow-write scripts/fake_kaspad.ts \
//     [--port 16610] [--rate 10] [--bits 0x207fffff] [--network devnet] [--duration-s 600] [--report out.json]
//
// Prints {"listening":<port>} on stdout when ready; stops after --duration-s or on SIGINT/SIGTERM,
// then prints (or writes to --report) its counters and one record per event, including how many
// getBlockTemplate calls each event caused.

import { parseArgs } from "node:util";
import { FakeKaspad } from "./fake_kaspad/server.ts";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function parseBits(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const bits = Number(text);
  if (!Number.isInteger(bits) || bits <= 0 || bits > 0xffffffff) {
    throw new RangeError(`--bits must be a u32 compact target, got ${text}`);
  }
  return bits;
}

async function run(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
      rate: { type: "string", default: "10" },
      bits: { type: "string" },
      network: { type: "string", default: "devnet" },
      "duration-s": { type: "string", default: "600" },
      report: { type: "string" },
    },
  });
  if (!LOOPBACK.test(values.host)) {
    console.error("fake_kaspad: listens on loopback only (--host 127.0.0.1)");
    return 2;
  }
  const durationS = Number(values["duration-s"]);
  if (!(durationS > 0 && durationS <= 3600)) {
    console.error("fake_kaspad: --duration-s must be in (0, 3600]");
    return 2;
  }
  const bits = parseBits(values.bits);
  const fake = new FakeKaspad({
    host: values.host,
    port: Number(values.port),
    rate: Number(values.rate),
    network: values.network,
    ...(bits === undefined ? {} : { bits }),
  });
  const port = await fake.listen();
  console.log(JSON.stringify({ listening: port, bits: fake.templates.bits }));
  const done = Promise.withResolvers<void>();
  const timer = setTimeout(done.resolve, durationS * 1000);
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, done.resolve);
  await done.promise;
  clearTimeout(timer);
  for (const s of signals) Deno.removeSignalListener(s, done.resolve);
  // The report first: it must survive whatever closing the streams does.
  const report = JSON.stringify({ stats: fake.stats(), events: fake.events() });
  if (values.report === undefined) console.log(report);
  else await Deno.writeTextFile(values.report, report);
  await fake.close();
  return 0;
}

if (import.meta.main) Deno.exit(await run());
