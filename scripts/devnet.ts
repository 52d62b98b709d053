// Starts a private kaspad devnet on loopback for trying kstratum by hand; stops it on Ctrl-C.
// Usage: deno run -A scripts/devnet.ts [--wrpc] [--appdir=DIR] [--build]

import { parseArgs } from "node:util";
import { ensureKaspad, findKaspad, KaspadProcess, randomDevnetAddress } from "./kaspad_process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    wrpc: { type: "boolean", default: false },
    appdir: { type: "string" },
    build: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});

const binary = values.build ? await ensureKaspad() : await findKaspad();
if (binary === undefined) {
  console.error("kaspad not found: run scripts/install_kaspad.sh kaspad, or pass --build");
  Deno.exit(1);
}

const kaspad = await KaspadProcess.start({
  binary,
  wrpc: values.wrpc,
  ...(values.appdir !== undefined ? { appdir: values.appdir } : {}),
  ...(values.verbose ? { onLine: (l: string) => console.error(l) } : {}),
});

console.log(JSON.stringify(
  {
    kaspad: binary,
    appdir: kaspad.appdir,
    grpc: kaspad.grpcAddress,
    wrpc: kaspad.wrpcUrl ?? null,
    p2p: `127.0.0.1:${kaspad.p2pPort}`,
    payAddress: randomDevnetAddress(),
    hint:
      `deno task start --node ${kaspad.grpcAddress}   (kaspa-miner: -s 127.0.0.1 -p <front port>)`,
  },
  null,
  2,
));

const stop = async () => {
  console.error("stopping kaspad");
  await kaspad.stop();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", () => void stop());
Deno.addSignalListener("SIGTERM", () => void stop());
