// Real headless Chromium (Debian `chromium`, driven by npm playwright-core) for dashboard tests:
// launch with the flags this closed network needs, open the dashboard, assert what it shows.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const OUTPUT_DIR = new URL("../output/", import.meta.url);
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The test task sets KSTRATUM_REQUIRE_CHROMIUM after installing Chromium: then absence fails. */
export const REQUIRE_CHROMIUM = Deno.env.get("KSTRATUM_REQUIRE_CHROMIUM") !== undefined;

export function chromiumPresent(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/**
 * Imports playwright-core. Its bundled `is-wsl` probes /proc/sys/fs/binfmt_misc/WSLInterop at
 * import, which Deno permits only under --allow-all; is-wsl's own test switch defers that probe to
 * the code that opens a desktop browser, which we never call. So the test runs with the project's
 * ordinary test permissions (net, read, write, env, run, sys).
 */
export function loadPlaywright(): Promise<typeof import("playwright-core")> {
  Deno.env.set("__IS_WSL_TEST__", "1");
  return import("playwright-core");
}

export interface DashboardExpectations {
  /** Worker names that must be listed. */
  workers: string[];
  /** Block hashes whose first 16 hex characters must be listed. */
  blocks: string[];
  /** Where to write the screenshot (desktop); a phone-sized one goes beside it. */
  screenshot: URL;
  /** Runs once the page shows the data, before the screenshots (e.g. to test refreshing). */
  whileOpen?: (page: Page) => Promise<void>;
}

/** The text of each dashboard section as the browser renders it. */
export interface DashboardText {
  health: string;
  summary: string;
  node: string;
  workers: string;
  blocks: string;
}

/** Opens `url` in Chromium, waits for the API data to render, checks it, takes screenshots. */
export async function checkDashboard(
  url: string,
  expect: DashboardExpectations,
): Promise<DashboardText> {
  const { chromium } = await loadPlaywright();
  const profile = await Deno.makeTempDir({ prefix: "kstratum-chromium-" });
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    colorScheme: "dark",
    timeout: 60_000,
  });
  const problems: string[] = [];
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
    const res = await page.goto(url, { waitUntil: "load", timeout: 30_000 });
    assert.equal(res?.status(), 200);
    await page.waitForSelector("#workers table", { timeout: 20_000 });
    await page.waitForSelector("#blocks table", { timeout: 20_000 });
    await expect.whileOpen?.(page);
    const text: DashboardText = {
      health: await page.innerText("#health"),
      summary: await page.innerText("#summary"),
      node: await page.innerText("#node"),
      workers: await page.innerText("#workers"),
      blocks: await page.innerText("#blocks"),
    };
    for (const name of expect.workers) {
      assert.ok(text.workers.includes(name), `worker ${name} not shown`);
    }
    for (const hash of expect.blocks) {
      assert.ok(text.blocks.includes(hash.slice(0, 16)), `block ${hash} not shown`);
    }
    await page.screenshot({ path: expect.screenshot.pathname, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "light" });
    const phone = expect.screenshot.pathname.replace(/\.png$/, "-phone.png");
    await page.screenshot({ path: phone, fullPage: true });
    assert.deepEqual(problems, [], "the page logged errors");
    return text;
  } finally {
    await ctx.close();
    await Deno.remove(profile, { recursive: true });
  }
}
