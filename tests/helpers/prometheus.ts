// Real Prometheus (Debian `prometheus`, with promtool) for monitoring tests: run it on loopback with
// its own temp config and data dir, ask its HTTP API, and run promtool on files and text.

import { stringify } from "yaml";

export const PROMETHEUS = "/usr/bin/prometheus";
export const PROMTOOL = "/usr/bin/promtool";

/** The test task sets KSTRATUM_REQUIRE_PROMETHEUS after installing prometheus: then absence fails. */
export const REQUIRE_PROMETHEUS = Deno.env.get("KSTRATUM_REQUIRE_PROMETHEUS") !== undefined;

function executable(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Whether prometheus and promtool are installed. */
export const PROMETHEUS_PRESENT = executable(PROMETHEUS) && executable(PROMTOOL);

if (!PROMETHEUS_PRESENT) {
  console.warn(
    REQUIRE_PROMETHEUS
      ? "prometheus tests FAIL: /usr/bin/prometheus or /usr/bin/promtool is missing"
      : "prometheus tests SKIPPED: install Debian's prometheus (apt-get install prometheus)",
  );
}

/** Registers a test that needs prometheus: skipped when absent unless the test task requires it. */
export function prometheusTest(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name,
    ignore: !PROMETHEUS_PRESENT && !REQUIRE_PROMETHEUS,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      if (!PROMETHEUS_PRESENT) {
        throw new Error("prometheus is required (KSTRATUM_REQUIRE_PROMETHEUS)");
      }
      await fn();
    },
  });
}

/** promtool with `args` (and `stdin` text); resolves with its exit status and output. */
export async function promtool(
  args: string[],
  stdin?: string,
): Promise<{ success: boolean; output: string }> {
  const child = new Deno.Command(PROMTOOL, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { success: out.success, output: text };
}

/**
 * A free TCP port on 127.0.0.1 below 32768 (prometheus cannot take port 0): random ports in
 * 20000-32767 are probed by binding and releasing them, skipping any handed out before.
 */
const issued = new Set<number>();
export function freeLowPort(): number {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (issued.has(port)) continue;
    try {
      const l = Deno.listen({ hostname: "127.0.0.1", port });
      l.close();
      issued.add(port);
      return port;
    } catch {
      // taken: try another
    }
  }
  throw new Error("freeLowPort: no free port found in 20000-32767");
}

/** One sample of an instant vector: its labels and value. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** One series of a range query. */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** An alert as /api/v1/alerts lists it. */
export interface ActiveAlert {
  labels: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
}

/** Every Prometheus this process started and has not seen exit: killed on unload. */
const live = new Set<Deno.ChildProcess>();
globalThis.addEventListener("unload", () => {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** A running Prometheus with its own temp directory (config, rules, TSDB), removed on stop. */
export class PrometheusProcess {
  readonly log: string[] = [];
  #child: Deno.ChildProcess;
  #exited: Promise<Deno.CommandStatus>;

  private constructor(readonly dir: string, readonly port: number, child: Deno.ChildProcess) {
    this.#child = child;
    live.add(child);
    this.#exited = child.status.finally(() => live.delete(child));
    for (const stream of [child.stdout, child.stderr]) {
      (async () => {
        for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
          this.log.push(...chunk.split("\n").filter((l) => l !== ""));
          if (this.log.length > 2000) this.log.splice(0, 1000);
        }
      })().catch(() => {});
    }
  }

  /**
   * Writes `config` (a prometheus.yml object; `rule_files` are written beside it from `rules`,
   * name → YAML object) into a temp dir and starts Prometheus on a free loopback port below 32768,
   * trying another port if that one was taken meanwhile. Resolves once /-/ready answers.
   */
  static async start(
    config: Record<string, unknown>,
    rules: Record<string, unknown> = {},
  ): Promise<PrometheusProcess> {
    const dir = await Deno.makeTempDir({ prefix: "kstratum-prometheus-" });
    for (const [name, body] of Object.entries(rules)) {
      await Deno.writeTextFile(`${dir}/${name}`, stringify(body));
    }
    await Deno.writeTextFile(`${dir}/prometheus.yml`, stringify(config));
    let last = "";
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = freeLowPort();
      const child = new Deno.Command(PROMETHEUS, {
        args: [
          `--config.file=${dir}/prometheus.yml`,
          `--storage.tsdb.path=${dir}/data`,
          `--web.listen-address=127.0.0.1:${port}`,
          "--log.level=warn",
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const p = new PrometheusProcess(dir, port, child);
      if (await p.#ready(30_000)) return p;
      last = p.log.slice(-20).join("\n");
      await p.#kill();
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw new Error(`prometheus did not start:\n${last}`);
  }

  async #ready(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    this.#exited.then(() => (exited = true));
    while (Date.now() < deadline && !exited) {
      const res = await fetch(`${this.url}/-/ready`).catch(() => undefined);
      await res?.body?.cancel();
      if (res?.status === 200) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  /** Base URL of the HTTP API. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async #api<T>(path: string, params: Record<string, string>): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method: "POST",
      body: new URLSearchParams(params),
    });
    const body = await res.json() as { status: string; data: T; error?: string };
    if (body.status !== "success") {
      throw new Error(`prometheus ${path} ${JSON.stringify(params)}: ${body.error}`);
    }
    return body.data;
  }

  /** An instant query at `time` (seconds since the epoch; now when absent). */
  async query(expr: string, time?: number): Promise<VectorSample[]> {
    const data = await this.#api<{ resultType: string; result: unknown }>("/api/v1/query", {
      query: expr,
      ...(time === undefined ? {} : { time: String(time) }),
    });
    if (data.resultType === "scalar") {
      const [t, v] = data.result as [number, string];
      return [{ metric: {}, value: [t, v] }];
    }
    return data.result as VectorSample[];
  }

  /** A range query from `start` to `end` (seconds) every `step` seconds. */
  async queryRange(
    expr: string,
    start: number,
    end: number,
    step: number,
  ): Promise<MatrixSeries[]> {
    const data = await this.#api<{ result: MatrixSeries[] }>("/api/v1/query_range", {
      query: expr,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    return data.result;
  }

  /** Label values of `label` on series matching `match`. */
  async labelValues(label: string, match: string): Promise<string[]> {
    const res = await fetch(
      `${this.url}/api/v1/label/${label}/values?${new URLSearchParams({ "match[]": match })}`,
    );
    const body = await res.json() as { data: string[] };
    return body.data;
  }

  /** Series matching `match` (as Grafana's metric-query variables read them). */
  async series(match: string): Promise<Record<string, string>[]> {
    const res = await fetch(
      `${this.url}/api/v1/series?${new URLSearchParams({ "match[]": match })}`,
    );
    const body = await res.json() as { data: Record<string, string>[] };
    return body.data;
  }

  /** Alerts pending or firing now. */
  async alerts(): Promise<ActiveAlert[]> {
    const res = await fetch(`${this.url}/api/v1/alerts`);
    const body = await res.json() as { data: { alerts: ActiveAlert[] } };
    return body.data.alerts;
  }

  /** Whether every rule group was last evaluated after `time` (seconds since the epoch). */
  async rulesEvaluatedAfter(time: number): Promise<boolean> {
    const res = await fetch(`${this.url}/api/v1/rules`);
    const body = await res.json() as { data: { groups: { lastEvaluation: string }[] } };
    const groups = body.data.groups;
    return groups.length > 0 && groups.every((g) => Date.parse(g.lastEvaluation) / 1000 > time);
  }

  /** Health of the scrape targets (up/down and the last error). */
  async targets(): Promise<{ health: string; lastError: string; scrapeUrl: string }[]> {
    const res = await fetch(`${this.url}/api/v1/targets`);
    const body = await res.json() as {
      data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] };
    };
    return body.data.activeTargets;
  }

  async #kill(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.#exited;
  }

  /** SIGTERM (SIGKILL after 10 s), then removes the temp dir. A death by signal is reported. */
  async stop(): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // already gone
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), 10_000)));
    let status = await Promise.race([this.#exited, late]);
    clearTimeout(timer);
    if (status === "late") {
      await this.#kill();
      status = await this.#exited;
    }
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
    return status;
  }
}
