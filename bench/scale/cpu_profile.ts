// Samples the CPU of a running Deno process through its V8 inspector (start it with
// --inspect=127.0.0.1:<port>) and prints where the time goes: self time by function, and the
// kstratum frames on the hottest stacks. Used to find what stands in the way of the scale targets.
//
//   deno run --allow-net=127.0.0.1 --allow-write bench/scale/cpu_profile.ts --port 9229 \
//     --seconds 10 [--top 40] [--out profile.cpuprofile]

import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) per function and total time (ms) per function found on the stack. */
export function attribute(profile: Profile): {
  self: Map<string, number>;
  total: Map<string, number>;
  sampledMs: number;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: ProfileNode) => {
    const url = n.callFrame.url.replace(/^.*\/(lib|scripts|bench|ext|node_modules)\//, "$1/");
    return `${n.callFrame.functionName || "(anonymous)"} ${url}:${n.callFrame.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sampledMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    sampledMs += ms;
    const leaf = byId.get(id);
    if (leaf === undefined) return;
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (n === undefined) break;
      const key = name(n);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + ms);
    }
  });
  return { self, total, sampledMs };
}

async function profileOnce(port: number, seconds: number): Promise<Profile> {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const url = list[0]?.webSocketDebuggerUrl as string | undefined;
  if (url === undefined) throw new Error("no inspector target");
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 1;
  const waiting = new Map<number, (r: unknown) => void>();
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  };
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const result = (await send("Profiler.stop")) as { profile: Profile };
  ws.close();
  return result.profile;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "9229" },
      seconds: { type: "string", default: "10" },
      top: { type: "string", default: "40" },
      out: { type: "string" },
    },
  });
  const seconds = Math.min(120, Math.max(1, Number(values.seconds)));
  const profile = await profileOnce(Number(values.port), seconds);
  if (values.out !== undefined) await Deno.writeTextFile(values.out, JSON.stringify(profile));
  const { self, total, sampledMs } = attribute(profile);
  const top = Number(values.top);
  const show = (title: string, m: Map<string, number>) => {
    console.log(`\n${title} (of ${sampledMs.toFixed(0)} ms sampled)`);
    for (const [k, ms] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(
        `${ms.toFixed(1).padStart(9)} ms ${(100 * ms / sampledMs).toFixed(1).padStart(5)}%  ${k}`,
      );
    }
  };
  show("self time", self);
  show("total time", total);
}
