// The shipped monitoring with the real thing: a real Prometheus scrapes a kstratum process that a
// real Stratum miner mines through against a real devnet kaspad. Every expression of the shipped
// Grafana dashboard must return data, every alert rule must go pending or firing when its cause is
// provoked (and none while all is well), the bridges' hashrate expression must match the hashes the
// miner really did, and the Go bridge's published dashboards are evaluated and counted.

import assert from "node:assert/strict";
import { parse } from "yaml";
import type { StatusJson } from "../../lib/http/api.ts";
import { type MinerJob, StratumMiner } from "../../scripts/stratum_miner.ts";
import { difficultyToTarget } from "../../lib/pow/mod.ts";
import { KASPAD_BIN, randomDevnetAddress, startKaspad, waitFor } from "../helpers/kaspad.ts";
import { KstratumProcess } from "../helpers/kstratum.ts";
import { freePort } from "../../scripts/kaspad_process.ts";
import {
  PROMETHEUS_PRESENT,
  PrometheusProcess,
  prometheusTest,
  promtool,
  REQUIRE_PROMETHEUS,
} from "../helpers/prometheus.ts";
import BRIDGE from "../fixtures/grafana/bridge_dashboards.json" with { type: "json" };

const ROOT = new URL("../../", import.meta.url);
const RULES_PATH = new URL("deploy/prometheus/kstratum.rules.yml", ROOT).pathname;
const SCRAPE_PATH = new URL("deploy/prometheus/prometheus.yml", ROOT).pathname;
const DASHBOARD_PATH = new URL("deploy/grafana/kstratum-dashboard.json", ROOT).pathname;

/** 2^-16: about 65,536 hashes per share: ~10 shares a second from the WASM hasher. */
const SHARE_DIFF = 2 ** -16;
/** Agreement asked of hashrates: shares arrive as a Poisson process, ~600 a minute here (4% sd). */
const TOLERANCE = 0.25;

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
type RulesFile = { groups: { name: string; rules: Rule[] }[] };

/**
 * The test copy of the shipped rules: the same expressions with the windows and thresholds below
 * shortened so the test takes about two minutes, and `for:` cut to 2 s. Each replaced text must be
 * in the shipped expression, so a changed rule fails here instead of being tested unchanged.
 */
const SHORTER: Record<string, { replace: [string, string][]; for?: string }> = {
  KstratumDown: { replace: [], for: "2s" },
  KstratumWorkerDown: {
    replace: [["[10m]", "[10s]"], ["offset 10m", "offset 10s"]],
    for: "2s",
  },
  KstratumNodeUnreachable: { replace: [], for: "2s" },
  KstratumNodeUnsynced: { replace: [], for: "2s" },
  KstratumNoNewTemplate: { replace: [["> 30", "> 10"]], for: "2s" },
  KstratumBlockRejected: { replace: [] },
};

function testRules(): RulesFile {
  const shipped = parse(Deno.readTextFileSync(RULES_PATH)) as RulesFile;
  const seen = new Set<string>();
  for (const group of shipped.groups) {
    for (const rule of group.rules) {
      const change = SHORTER[rule.alert];
      assert.ok(change, `shipped alert ${rule.alert} has no test copy: add it to SHORTER`);
      seen.add(rule.alert);
      for (const [from, to] of change.replace) {
        assert.ok(rule.expr.includes(from), `${rule.alert}: "${from}" not in ${rule.expr}`);
        rule.expr = rule.expr.replaceAll(from, to);
      }
      if (change.for !== undefined) rule.for = change.for;
    }
  }
  assert.deepEqual([...seen].sort(), Object.keys(SHORTER).sort(), "every alert is shipped");
  return shipped;
}

/** The shipped scrape config pointed at `target`, scraping and evaluating every second. */
function testScrape(target: string): Record<string, unknown> {
  const shipped = parse(Deno.readTextFileSync(SCRAPE_PATH)) as {
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  const job = shipped.scrape_configs[0]!;
  assert.equal(job.job_name, "kstratum", "the rules select job=kstratum");
  return {
    ...shipped,
    global: { scrape_interval: "1s", evaluation_interval: "1s", scrape_timeout: "1s" },
    scrape_configs: [{ ...job, static_configs: [{ targets: [target] }] }],
  };
}

prometheusTest("promtool: the shipped scrape config and alert rules check clean", async () => {
  const config = await promtool(["check", "config", SCRAPE_PATH]);
  assert.ok(config.success, config.output);
  assert.match(config.output, /1 rule files found/);
  const rules = await promtool(["check", "rules", RULES_PATH]);
  assert.ok(rules.success, rules.output);
  assert.match(rules.output, /SUCCESS: 6 rules found/);
  // promtool does check: a rule with a PromQL error fails.
  const dir = await Deno.makeTempDir({ prefix: "kstratum-rules-" });
  try {
    const bad = Deno.readTextFileSync(RULES_PATH).replace("== 0", "== == 0");
    await Deno.writeTextFile(`${dir}/bad.yml`, bad);
    const refused = await promtool(["check", "rules", `${dir}/bad.yml`]);
    assert.ok(!refused.success, refused.output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

prometheusTest(
  "prometheus: with metrics_instance, honor_labels keeps kstratum's instance label; without it the label arrives as exported_instance",
  async () => {
    // No node is needed: kstratum serves /metrics while it retries an endpoint nobody listens on.
    const k = new KstratumProcess([`--node=127.0.0.1:${freePort()}`, "--metrics-instance=rack-2"]);
    let prom: PrometheusProcess | undefined;
    try {
      await waitFor(
        "kstratum's /metrics",
        async () => {
          const res = await fetch(`http://127.0.0.1:${k.httpPort}/metrics`).catch(() => undefined);
          return (await res?.text())?.includes('ks_build_info{instance="rack-2"') || undefined;
        },
        30_000,
        200,
      );
      const target = { static_configs: [{ targets: [`127.0.0.1:${k.httpPort}`] }] };
      prom = await PrometheusProcess.start({
        global: { scrape_interval: "1s" },
        scrape_configs: [
          { job_name: "kstratum", honor_labels: true, ...target },
          { job_name: "plain", ...target },
        ],
      });
      const p = prom;
      const series = await waitFor(
        "both jobs scraped",
        async () => {
          const r = await p.query("ks_build_info");
          return r.length === 2 ? r : undefined;
        },
        30_000,
        250,
      );
      const byJob = Object.fromEntries(series.map((s) => [s.metric.job, s.metric]));
      assert.equal(byJob.kstratum?.instance, "rack-2", JSON.stringify(series));
      assert.equal(byJob.plain?.exported_instance, "rack-2", JSON.stringify(series));
      assert.equal(byJob.plain?.instance, `127.0.0.1:${k.httpPort}`);
    } finally {
      await k.stop();
      await prom?.stop();
    }
  },
);

// ---- Grafana's variables, as Grafana would fill them when the dashboard opens ----

/** Grafana's escaping of one value of a multi-value variable in a Prometheus query. */
function regexEscape(v: string): string {
  return v.replace(/\\/g, "\\\\\\\\").replace(/[$^*{}[\]'+?.()|]/g, "\\\\$&");
}

interface Variable {
  name: string;
  type: string;
  query: string | null;
  default: unknown;
  includeAll: boolean;
  allValue: string | null;
  /** Grafana's "regex" option: keeps the options it matches, as its capture group. */
  regex?: string | null;
}

/** Options through a variable's regex (`/pattern/flags`): the capture group of each match. */
function throughRegex(options: string[], regex: string | null | undefined): string[] {
  if (!regex) return options;
  const m = /^\/(.*)\/([a-z]*)$/.exec(regex)!;
  const re = new RegExp(m[1]!, m[2]);
  const out = new Set<string>();
  for (const o of options) {
    const hit = re.exec(o);
    if (hit) out.add(hit.groups?.value ?? hit[1] ?? hit[0]);
  }
  return [...out];
}

/**
 * The text each variable stands for: a query variable shows All when it offers All (the bridges'
 * saved selection names a wallet that is not among the options, and Grafana then falls back to the
 * first option, All); All is its allValue, or `(v1|v2|...)` of every option.
 */
async function variableValues(
  prom: PrometheusProcess,
  variables: Variable[],
  builtins: Record<string, string>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = { ...builtins };
  for (const v of variables) {
    if (v.type === "datasource") continue;
    if (v.type === "query" && v.query !== null && v.name !== "resolution_s") {
      let options: string[];
      const lv = /^label_values\((.*),\s*(\w+)\)$/.exec(v.query);
      if (lv) {
        options = await prom.labelValues(lv[2]!, substitute(lv[1]!, out));
      } else {
        // A bare metric: Grafana lists each series as text, name{labels} (metricFindQuery).
        options = (await prom.series(v.query)).map(({ __name__, ...labels }) =>
          `${__name__}{${Object.entries(labels).map(([k, x]) => `${k}="${x}"`).join(",")}}`
        );
      }
      options = throughRegex(options, v.regex);
      out[v.name] = v.includeAll
        ? v.allValue ?? `(${options.map(regexEscape).join("|")})`
        : options[0] ?? "";
    } else if (v.name === "resolution_s") {
      // query_result(label_replace(... "${resolution}" ...)): Grafana's saved value is what it yields.
      out[v.name] = String(Array.isArray(v.default) ? v.default[0] : v.default);
    } else {
      out[v.name] = String(Array.isArray(v.default) ? v.default[0] : v.default);
    }
  }
  return out;
}

/** `expr` with `$name` and `${name}` replaced (longest names first). */
function substitute(expr: string, values: Record<string, string>): string {
  let out = expr;
  for (const name of Object.keys(values).sort((a, b) => b.length - a.length)) {
    out = out.replaceAll(`\${${name}}`, values[name]!).replaceAll(`$${name}`, values[name]!);
  }
  return out;
}

interface Target {
  panel: string;
  refId: string;
  expr: string;
  instant: boolean;
}

/** Evaluates each target as Grafana would at `end` over [start, end]; returns those without data. */
async function withoutData(
  prom: PrometheusProcess,
  targets: Target[],
  values: Record<string, string>,
  start: number,
  end: number,
): Promise<{ target: Target; expr: string; error?: string }[]> {
  const empty: { target: Target; expr: string; error?: string }[] = [];
  for (const target of targets) {
    const expr = substitute(target.expr, values);
    try {
      const has = target.instant
        ? (await prom.query(expr, end)).length > 0
        : (await prom.queryRange(expr, start, end, 5)).some((s) => s.values.length > 0);
      if (!has) empty.push({ target, expr });
    } catch (e) {
      empty.push({ target, expr, error: String(e) });
    }
  }
  return empty;
}

// ---- the miner: hashes counted, so the test knows the hashrate it really did ----

class CountingMiner {
  /** (ms since the epoch, hashes done so far), one per batch of nonces. */
  readonly samples: [number, number][] = [[Date.now(), 0]];
  #running = false;
  #done: Promise<void> = Promise.resolve();
  last: { job: MinerJob; nonce: bigint } | undefined;

  constructor(readonly m: StratumMiner) {}

  start(): void {
    this.#running = true;
    this.#done = this.#loop();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }

  async #loop(): Promise<void> {
    let start = BigInt(Math.floor(Math.random() * 2 ** 40));
    while (this.#running && !this.m.closed) {
      const job = this.m.job ?? await this.m.nextJob(undefined, 1000);
      if (job === undefined) continue;
      const nonce = this.m.findNonce(job, { start, tries: 20_000 });
      start += 20_000n;
      this.samples.push([Date.now(), this.m.hashes]);
      if (this.samples.length > 50_000) this.samples.splice(0, 25_000);
      await new Promise((r) => setTimeout(r, 0)); // newer jobs, and the test's own requests
      if (nonce === undefined) continue;
      start = nonce + 1n;
      // Not awaited, as a real miner pipelines its submits: a block share waits for the node's
      // verdict (up to 20 s while the node is down), and hashing must not stop meanwhile.
      this.m.submit(job, nonce).then((r) => {
        if (r.error === null) this.last = { job, nonce };
      }, () => {});
    }
  }

  /** Hashes done up to `t` (ms), from the last sample at or before it. */
  hashesAt(t: number): number {
    let h = 0;
    for (const [at, n] of this.samples) {
      if (at > t) break;
      h = n;
    }
    return h;
  }

  /** Average hashes per second over (t - windowS, t], t in seconds. */
  rate(t: number, windowS: number): number {
    return (this.hashesAt(t * 1000) - this.hashesAt((t - windowS) * 1000)) / windowS;
  }
}

/** One of each rejected share kind and a protocol error, so every reject panel has data. */
async function provokeRejects(
  m: StratumMiner,
  last: { job: MinerJob; nonce: bigint },
): Promise<void> {
  const dup = await m.submit(last.job, last.nonce);
  assert.notEqual(dup.error, null, "a resubmitted share is refused as a duplicate");
  const target = difficultyToTarget(last.job.difficulty);
  let weak = last.nonce + 1n;
  while (last.job.pow!.meets(weak, target)) weak++;
  const low = await m.submit(last.job, weak);
  assert.notEqual(low.error, null, "a nonce above the share target is refused as weak");
  const stale = await m.submit({ ...last.job, id: "987654321" }, last.nonce);
  assert.notEqual(stale.error, null, "a share for an unknown job is refused");
  const bogus = await m.request("mining.bogus", []);
  assert.notEqual(bogus.error, null);
}

/** Alert names pending or firing now. */
async function activeAlerts(prom: PrometheusProcess): Promise<Set<string>> {
  return new Set((await prom.alerts()).map((a) => a.labels.alertname!));
}

/** Waits (bounded) until `alert` is pending or firing; returns the seconds it took. */
async function alertGoes(
  prom: PrometheusProcess,
  alert: string,
  timeoutMs: number,
): Promise<number> {
  const from = Date.now();
  await waitFor(
    `alert ${alert} pending or firing`,
    async () => (await activeAlerts(prom)).has(alert) || undefined,
    timeoutMs,
    250,
  );
  return (Date.now() - from) / 1000;
}

/** Alert names Prometheus had active (ALERTS series) at `time` (s). */
async function alertsAt(prom: PrometheusProcess, time: number): Promise<Set<string>> {
  return new Set((await prom.query("ALERTS", time)).map((s) => s.metric.alertname!));
}

Deno.test({
  name:
    "prometheus: shipped dashboard and alerts against kstratum, a Stratum miner and devnet kaspad; the bridges' dashboards counted",
  ignore: KASPAD_BIN === undefined || (!PROMETHEUS_PRESENT && !REQUIRE_PROMETHEUS),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    assert.ok(PROMETHEUS_PRESENT, "prometheus is required (KSTRATUM_REQUIRE_PROMETHEUS)");
    const times: Record<string, number> = {};
    const mark = (what: string) => (times[what] = Date.now() / 1000);
    // A fresh devnet without --enable-unsynced-mining is in IBD: it is not synced and refuses
    // blocks as IS_IN_IBD. That provokes the unsynced and block-rejected alerts for real.
    const kaspad = await startKaspad({ unsyncedMining: false, extraArgs: ["--utxoindex"] });
    const k = new KstratumProcess([
      `--node=${kaspad.grpcAddress}`,
      "--allow-unsynced",
      "--no-vardiff",
      `--start-diff=${SHARE_DIFF}`,
      "--balance-refresh-ms=2000",
      "--log-format=json",
    ]);
    let prom: PrometheusProcess | undefined;
    const miners: StratumMiner[] = [];
    let counting: CountingMiner | undefined;
    try {
      await k.healthy();
      prom = await PrometheusProcess.start(testScrape(`127.0.0.1:${k.httpPort}`), {
        "kstratum.rules.yml": testRules(),
      });
      const p = prom;
      await waitFor(
        "prometheus scraping kstratum",
        async () => {
          const r = await p.query('ks_blocks_total{verdict="rejected"}');
          return r.length === 1 || undefined;
        },
        30_000,
        250,
      );
      // Prometheus starts evaluating rules a few seconds after its first scrapes.
      const scraped = Date.now() / 1000;
      await waitFor(
        "the alert rules evaluated",
        async () => (await p.rulesEvaluatedAfter(scraped + 2)) || undefined,
        30_000,
        250,
      );
      mark("quiet");

      // Phase A: the node is unsynced and refuses blocks.
      const wallet = randomDevnetAddress();
      const m = await StratumMiner.connect(k.stratumPort, {
        dialect: "array",
        address: wallet,
        worker: "rig1",
      });
      miners.push(m);
      await m.handshake();
      counting = new CountingMiner(m);
      counting.start();
      mark("mining");
      await waitFor(
        "a block refused by the unsynced node",
        async () => {
          const s = await k.api<StatusJson>("/api/status");
          return s.totals.blocks.rejected > 0 || undefined;
        },
        60_000,
        250,
      );
      await alertGoes(p, "KstratumBlockRejected", 20_000);
      mark("rejected");
      await alertGoes(p, "KstratumNodeUnsynced", 20_000);
      mark("unsynced");

      // A miner with a malformed address (err_malformed_wallet_address).
      const bad = await StratumMiner.connect(k.stratumPort, {
        dialect: "array",
        address: "kaspadev:qqbad",
        worker: "x",
      });
      await assert.rejects(bad.handshake(), /authorize refused/);
      bad.close();

      // Phase B: the node restarted with --enable-unsynced-mining accepts blocks and syncs.
      const base = kaspad.args.bind(kaspad);
      kaspad.args = () => [...base(), "--enable-unsynced-mining"];
      await kaspad.restart();
      await waitFor(
        "blocks accepted and the node synced",
        async () => {
          const s = await k.api<StatusJson>("/api/status");
          return (s.totals.blocks.accepted >= 3 && s.node?.synced) || undefined;
        },
        90_000,
        250,
      );
      mark("synced");
      await provokeRejects(m, counting.last!);
      // A minute and more of steady mining: the [1m] windows below lie wholly inside it.
      await waitFor(
        "steady mining",
        async () => {
          const s = await k.api<StatusJson>("/api/status");
          return (Date.now() / 1000 - times.synced! > 65 && s.balances.wallets.length > 0) ||
            undefined;
        },
        120_000,
        1000,
      );
      const status = await k.api<StatusJson>("/api/status");
      const healthy = mark("healthy");
      await new Promise((r) => setTimeout(r, 2000)); // the scrape after `healthy` has landed

      // Nothing is wrong now: no alert but the rejected block (its window is 15 minutes).
      const activeHealthy = await alertsAt(p, healthy);
      assert.deepEqual(
        [...activeHealthy].sort(),
        ["KstratumBlockRejected"],
        "only the old rejection",
      );
      assert.deepEqual(
        [...await alertsAt(p, times.quiet!)].filter((a) => a !== "KstratumNodeUnsynced"),
        [],
        "nothing before the first block",
      );

      // One hashrate: the bridges' expression, kstratum's own gauge and /api against the miner.
      const q = async (expr: string) => Number((await p.query(expr, healthy))[0]?.value[1] ?? NaN);
      const prom1m = await q("sum(rate(ks_valid_share_diff_counter[1m])) * 1e9");
      const prom5m = await q("sum(rate(ks_valid_share_diff_counter[5m])) * 1e9");
      const gauge1m = await q('sum(ks_hashrate{window="1m"})');
      const did1m = counting.rate(healthy, 60);
      const did5m = counting.rate(healthy, 300); // the miner ran under 5 minutes: the rest is 0
      const near = (got: number, want: number) => Math.abs(got / want - 1) <= TOLERANCE;
      const figures = { prom1m, did1m, prom5m, did5m, gauge1m, api1m: status.hashrate.m1 };
      console.log("hashrate (H/s):", JSON.stringify(figures));
      console.log("shares and blocks:", JSON.stringify(status.totals));
      assert.ok(did1m > 50_000, `the miner hashed too little to judge: ${did1m} H/s`);
      assert.ok(
        near(prom1m, did1m),
        `rate(...[1m]) x 1e9 vs the miner: ${JSON.stringify(figures)}`,
      );
      assert.ok(
        near(prom5m, did5m),
        `rate(...[5m]) x 1e9 vs the miner: ${JSON.stringify(figures)}`,
      );
      assert.ok(near(gauge1m, prom1m), `ks_hashrate{1m} vs rate: ${JSON.stringify(figures)}`);
      assert.ok(
        near(status.hashrate.m1, did1m),
        `/api hashrate vs the miner: ${JSON.stringify(figures)}`,
      );

      // promtool's lint on a real scrape: findings only on the bridges' historic names.
      const scrape = await (await fetch(`http://127.0.0.1:${k.httpPort}/metrics`)).text();
      const lint = await promtool(["check", "metrics"], scrape);
      const flagged = new Set(
        lint.output.split("\n").filter((l) => l !== "").map((l) => l.split(" ")[0]!),
      );
      const bridgeNames = new Set(
        [
          ...Deno.readTextFileSync(new URL("docs/metrics.md", ROOT)).matchAll(
            /^\| `(ks_\w+)` +\| \w+ +\|[^|]*\|[^|]*\| (Go, Rust|Go|Rust) +\|/gm,
          ),
        ]
          .map((r) => r[1]!),
      );
      assert.ok(flagged.size > 0 && bridgeNames.size > 10, lint.output);
      for (const name of flagged) {
        assert.ok(bridgeNames.has(name), `promtool flags kstratum's own ${name}:\n${lint.output}`);
      }

      // Each alert below was inactive at `healthy`; each must now go pending or firing after its
      // cause, in seconds from the provocation. (The node is stopped after the miner: while it is
      // down, a connection waits for each block share's verdict, up to 20 s, before judging its
      // next shares, so its shares would stop counting too.)
      const after = async (alert: string, from: string) => {
        await alertGoes(p, alert, 40_000);
        return Math.round(Date.now() / 1000 - times[from]!);
      };
      // Phase C: the miner stops hashing and stays connected. It is this devnet's only miner, so
      // blocks, and with them new templates, stop too.
      await counting.stop();
      mark("miner-stopped");
      const provoked: Record<string, number> = {};
      provoked.KstratumWorkerDown = await after("KstratumWorkerDown", "miner-stopped");
      provoked.KstratumNoNewTemplate = await after("KstratumNoNewTemplate", "miner-stopped");
      assert.ok(!(await activeAlerts(p)).has("KstratumNodeUnreachable"), "the node is still up");
      // Phase D: the node stops.
      mark("node-stopping");
      await kaspad.stop();
      provoked.KstratumNodeUnreachable = await after("KstratumNodeUnreachable", "node-stopping");
      // Phase E: kstratum stops.
      for (const x of miners) x.close();
      mark("kstratum-stopping");
      await k.stop();
      provoked.KstratumDown = await after("KstratumDown", "kstratum-stopping");
      provoked.KstratumNodeUnsynced = Math.round(times.unsynced! - times.mining!);
      provoked.KstratumBlockRejected = Math.round(times.rejected! - times.mining!);
      console.log("alerts pending or firing, seconds after their cause:", JSON.stringify(provoked));
      assert.deepEqual(Object.keys(provoked).sort(), Object.keys(SHORTER).sort(), "every alert");

      // The shipped dashboard: every expression returns data, with All selected.
      const dashboard = JSON.parse(Deno.readTextFileSync(DASHBOARD_PATH)) as {
        panels: { title: string; targets?: { refId: string; expr: string; instant?: boolean }[] }[];
        templating: {
          list: {
            name: string;
            type: string;
            query?: { query: string } | string;
            allValue?: string;
            includeAll?: boolean;
            current?: { value?: unknown };
          }[];
        };
      };
      const start = times.quiet!;
      const builtins = {
        __rate_interval: "20s",
        __interval: "5s",
        __range: `${Math.round(healthy - start)}s`,
      };
      const ours: Target[] = dashboard.panels.flatMap((panel) =>
        (panel.targets ?? []).map((t) => ({
          panel: panel.title,
          refId: t.refId,
          expr: t.expr,
          instant: t.instant === true,
        }))
      );
      const ourVars: Variable[] = dashboard.templating.list.map((v) => ({
        name: v.name,
        type: v.type,
        query: typeof v.query === "string" ? v.query : v.query?.query ?? null,
        default: v.current?.value,
        includeAll: v.includeAll === true,
        allValue: v.allValue ?? null,
      }));
      const ourValues = await variableValues(p, ourVars, builtins);
      assert.equal(ourValues.wallet, ".*");
      const oursEmpty = await withoutData(p, ours, ourValues, start, healthy);
      assert.deepEqual(oursEmpty, [], `shipped dashboard expressions without data`);
      console.log(`kstratum dashboard: ${ours.length} of ${ours.length} expressions return data`);

      // The Go bridge's published dashboards, as Grafana opens them.
      for (const d of BRIDGE.dashboards) {
        const values = await variableValues(p, d.variables as Variable[], builtins);
        const empty = await withoutData(p, d.targets, values, start, healthy);
        const withData = d.targets.length - empty.length;
        console.log(
          `bridge dashboard "${d.title}" (${d.uid}): ${withData} of ${d.targets.length} expressions return data; wallet filter ${values.wallet_filter}`,
        );
        for (const e of empty) {
          console.log(
            `  no data: ${e.target.panel} ${e.target.refId}: ${e.expr}${
              e.error ? ` (${e.error})` : ""
            }`,
          );
        }
        if (d.title === "KSB Monitoring") {
          // kas_dashboard.json: everything but what needs more history than this test has.
          const unexplained = empty.filter((e) => !/offset 10m/.test(e.target.expr));
          assert.deepEqual(unexplained, [], "kas_dashboard.json expressions without data");
          assert.ok(
            values.wallet_filter!.includes(wallet),
            "the wallet selector lists the miner's wallet",
          );
        }
      }
    } finally {
      await counting?.stop();
      for (const x of miners) x.close();
      await k.stop();
      await kaspad.stop();
      if (prom !== undefined) {
        const ended = await prom.stop();
        assert.equal(ended.signal, null, "prometheus died on a signal");
      }
    }
  },
});
