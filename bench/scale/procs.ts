// Child processes for the scale benchmark: spawn with drained output, wait for a ready line or an
// open port, stop with SIGTERM then SIGKILL, and sample RSS and CPU time from /proc (Linux).

/** A spawned process whose stdout/stderr are drained into a bounded tail. */
export interface Child {
  name: string;
  pid: number;
  proc: Deno.ChildProcess;
  /** Last output lines (stdout and stderr), for diagnostics. */
  tail: string[];
  /** Resolves with the exit code. */
  exited: Promise<number>;
  /** Resolves with the first output line (stdout or stderr) `match` accepts; rejects after `timeoutMs`. */
  waitLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. Idempotent. */
  stop(graceMs?: number): Promise<number>;
}

const TAIL = 200;

async function drain(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let carry = "";
  for await (const chunk of stream) {
    const text = carry + decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    carry = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  if (carry !== "") onLine(carry);
}

/** Spawns `cmd args` in `cwd` with output drained. */
export function spawn(
  name: string,
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Child {
  const proc = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const tail: string[] = [];
  const waiters: Array<{ match: (l: string) => boolean; resolve: (l: string) => void }> = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL) tail.shift();
  };
  const onLine = (line: string) => {
    keep(line);
    for (const w of waiters.splice(0)) {
      if (w.match(line)) w.resolve(line);
      else waiters.push(w);
    }
  };
  const drained = Promise.all([drain(proc.stdout, onLine), drain(proc.stderr, onLine)]);
  const exited = proc.status.then(async (s) => {
    await drained.catch(() => {});
    return s.code;
  });
  let stopping: Promise<number> | undefined;
  return {
    name,
    pid: proc.pid,
    proc,
    tail,
    exited,
    waitLine(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`${name}: no ready line within ${timeoutMs} ms\n${tail.join("\n")}`)),
          timeoutMs,
        );
        const done = (line: string) => {
          clearTimeout(timer);
          resolve(line);
        };
        exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before it was ready\n${tail.join("\n")}`));
        });
        waiters.push({ match, resolve: done });
      });
    },
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        try {
          proc.kill("SIGTERM");
        } catch {
          return await exited; // already gone
        }
        const timer = setTimeout(() => {
          try {
            proc.kill("SIGKILL");
          } catch { /* gone meanwhile */ }
        }, graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      })();
      return stopping;
    },
  };
}

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Waits until 127.0.0.1:`port` accepts connections (polls every 100 ms, up to `timeoutMs`). */
export async function waitPort(port: number, timeoutMs: number, child?: Child): Promise<void> {
  const end = performance.now() + timeoutMs;
  let exited = false;
  child?.exited.then(() => (exited = true));
  while (performance.now() < end && !exited) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(
    `port ${port} not open within ${timeoutMs} ms${child ? `\n${child.tail.join("\n")}` : ""}`,
  );
}

/** One resource sample of a process. */
export interface Usage {
  /** ms since the epoch. */
  at: number;
  /** Resident set size, bytes. */
  rss: number;
  /** User + system CPU time, seconds. */
  cpu: number;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux x86-64). */
const USER_HZ = 100;

/** Current usage of `pid`, or undefined when it is gone. */
export function usageOf(pid: number): Usage | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return { at: Date.now(), rss: rssKb * 1024, cpu: ticks / USER_HZ };
  } catch {
    return undefined;
  }
}

/** Samples `pid` every `everyMs` until stopped; bounded by `maxSamples`. */
export class Sampler {
  readonly samples: Usage[] = [];
  readonly #timer: ReturnType<typeof setInterval>;

  /** Starts sampling at once. */
  constructor(readonly pid: number, everyMs = 250, maxSamples = 20_000) {
    const take = () => {
      const u = usageOf(pid);
      if (u !== undefined && this.samples.length < maxSamples) this.samples.push(u);
    };
    take();
    this.#timer = setInterval(take, everyMs);
  }

  /** Stops sampling and returns the samples. */
  stop(): Usage[] {
    clearInterval(this.#timer);
    return this.samples;
  }

  /** Samples taken within [from, to] (ms since the epoch). */
  between(from: number, to: number): Usage[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }
}

/**
 * Busy, stolen and total CPU time of the whole machine so far, seconds (from /proc/stat). Busy
 * includes steal: time this VM wanted a core and the hypervisor ran something else.
 */
export function machineCpu(): { busy: number; steal: number; total: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return {
    busy: (total - idle) / USER_HZ,
    steal: (ticks[7] ?? 0) / USER_HZ,
    total: total / USER_HZ,
  };
}
