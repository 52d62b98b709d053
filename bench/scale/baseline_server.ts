// The fan-out baseline: the least a Deno Stratum server can do. It answers the handshake and, at a
// fixed rate, writes one notify line to every connection in a plain loop, the template timestamp
// being the moment the loop starts. Measured by the same load generator, it shows how much of a
// fan-out figure is the measuring side (loopback TCP, the load generator's own event loop).
// With --rate 0 it sends nothing after the handshake: the memory floor of holding connections
// in Deno (one pending read and a 512-byte buffer each, kstratum's idle read size).
//
//   deno run --allow-net=127.0.0.1 bench/scale/baseline_server.ts --port 5555 --rate 2 --duration-s 300
//
// Prints {"listening":<port>} when ready; stops after --duration-s or on SIGINT/SIGTERM.

import { parseArgs } from "node:util";

const encoder = new TextEncoder();
const HASH_WORDS = "[1,2,3,4]"; // any 32 bytes: nobody hashes in a fan-out run

function handshakeReply(line: string): string | undefined {
  let msg: { id?: unknown; method?: unknown };
  try {
    msg = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (msg.method === "mining.subscribe") {
    return `{"id":${
      JSON.stringify(msg.id)
    },"result":[true,"EthereumStratum/1.0.0"],"error":null}\n` +
      `{"id":null,"method":"mining.set_difficulty","params":[1]}\n`;
  }
  if (msg.method === "mining.authorize" || msg.method === "subscribe") {
    return `{"id":${JSON.stringify(msg.id)},"result":true,"error":null}\n`;
  }
  return `{"id":${JSON.stringify(msg.id ?? null)},"result":true,"error":null}\n`;
}

async function serve(conn: Deno.Conn, conns: Set<Deno.Conn>): Promise<void> {
  conns.add(conn);
  const buf = new Uint8Array(512);
  const decoder = new TextDecoder();
  let carry = "";
  try {
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      const lines = (carry + decoder.decode(buf.subarray(0, n))).split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) {
        const reply = line.trim() === "" ? undefined : handshakeReply(line);
        if (reply !== undefined) await conn.write(encoder.encode(reply));
      }
    }
  } catch {
    // closed
  } finally {
    conns.delete(conn);
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "0" },
      rate: { type: "string", default: "2" },
      "duration-s": { type: "string", default: "300" },
    },
  });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(values.port) });
  const conns = new Set<Deno.Conn>();
  (async () => {
    for await (const conn of listener) serve(conn, conns);
  })().catch(() => {});
  let job = 0;
  const rate = Number(values.rate);
  const timer = rate <= 0 ? undefined : setInterval(() => {
    const t = Date.now();
    job++;
    const line = encoder.encode(
      `{"id":${job},"method":"mining.notify","params":["${job}",${HASH_WORDS},${t}]}\n`,
    );
    for (const conn of conns) conn.write(line).catch(() => {});
  }, 1000 / Math.max(0.1, rate));
  console.log(JSON.stringify({ listening: (listener.addr as Deno.NetAddr).port }));
  const done = Promise.withResolvers<void>();
  const stop = setTimeout(done.resolve, Math.min(3600, Number(values["duration-s"])) * 1000);
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, done.resolve);
  await done.promise;
  clearTimeout(stop);
  clearInterval(timer);
  listener.close();
  for (const c of conns) c.close();
  Deno.exit(0);
}
