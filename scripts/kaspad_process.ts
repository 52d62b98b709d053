// Runs a real kaspad on devnet on loopback: find/build the binary, free ports, temp appdir, readiness,
// SIGTERM-then-SIGKILL stop, kill and restart. Used by scripts/devnet.ts and tests/helpers/kaspad.ts.

import { GrpcNodeClient } from "../lib/node/grpc/client.ts";
import { encodeAddress } from "../lib/kaspa/address.ts";

const KASPAD_VERSION = Deno.env.get("KASPAD_VERSION") ?? "2.1.0";

function cacheDir(): string {
  return Deno.env.get("KSTRATUM_CACHE") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache/kstratum`;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const st = await Deno.stat(path);
    return st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Path of an installed kaspad (env KASPAD_BIN, else the install script's cache), or undefined. */
export async function findKaspad(): Promise<string | undefined> {
  const candidates = [
    Deno.env.get("KASPAD_BIN"),
    `${cacheDir()}/kaspad-${KASPAD_VERSION}/bin/kaspad`,
  ];
  for (const c of candidates) if (c && await isExecutable(c)) return c;
  return undefined;
}

/** Path of an installed kaspa-miner 0.2.7 (env KASPA_MINER_BIN, else the cache), or undefined. */
export async function findKaspaMiner(): Promise<string | undefined> {
  const candidates = [
    Deno.env.get("KASPA_MINER_BIN"),
    `${cacheDir()}/kaspa-miner-0.2.7/bin/kaspa-miner`,
  ];
  for (const c of candidates) if (c && await isExecutable(c)) return c;
  return undefined;
}

/** Returns kaspad's path, building it with scripts/install_kaspad.sh when missing (slow the first time). */
export async function ensureKaspad(): Promise<string> {
  const found = await findKaspad();
  if (found !== undefined) return found;
  const script = new URL("./install_kaspad.sh", import.meta.url).pathname;
  const out = await new Deno.Command("bash", { args: [script, "kaspad"], stderr: "inherit" })
    .output();
  const path = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  if (!out.success || !(await isExecutable(path))) {
    throw new Error("install_kaspad.sh did not produce kaspad");
  }
  return path;
}

/** Ports freePort() has handed out in this process: the OS may offer a released port again. */
const issuedPorts = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 (bound, then released), never one this process was given before:
 * two calls in a row once returned the same port, and kaspad's gRPC and P2P listeners collided.
 */
export function freePort(): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    if (!issuedPorts.has(port)) {
      issuedPorts.add(port);
      return port;
    }
  }
  throw new Error("freePort: the OS kept offering ports already handed out");
}

/** A valid devnet pay address for a fresh random key (P2PK, version 0). */
export function randomDevnetAddress(): string {
  return encodeAddress({
    prefix: "kaspadev",
    version: 0,
    payload: crypto.getRandomValues(new Uint8Array(32)),
  });
}

/** Every kaspad this process started and has not seen exit: killed on unload so none outlives a test run. */
const live = new Set<Deno.ChildProcess>();
/** Temp appdirs not yet removed by stop(): removed on unload. */
const tempDirs = new Set<string>();
globalThis.addEventListener("unload", () => {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // best effort
    }
  }
});

export interface KaspadOptions {
  binary: string;
  /** Data directory; a temp dir (removed on stop) when omitted. */
  appdir?: string;
  /** Also listen for wRPC JSON. */
  wrpc?: boolean;
  /**
   * Pass --enable-unsynced-mining (default true): a fresh devnet's genesis is old, so without it
   * the node is in IBD and refuses blocks as IS_IN_IBD until it hears a synced peer.
   */
  unsyncedMining?: boolean;
  extraArgs?: string[];
  /** How long to wait for the RPC to answer, ms. Default 90000. */
  readyTimeoutMs?: number;
  /** Receives every output line of kaspad. */
  onLine?: (line: string) => void;
}

/** A running (or stopped) kaspad on loopback. */
export class KaspadProcess {
  readonly grpcPort = freePort();
  readonly p2pPort = freePort();
  readonly wrpcPort: number | undefined;
  readonly appdir: string;
  #ownsAppdir: boolean;
  #child: Deno.ChildProcess | undefined;
  #exited: Promise<Deno.CommandStatus> | undefined;
  #lines: string[] = [];

  private constructor(readonly options: KaspadOptions) {
    this.wrpcPort = options.wrpc ? freePort() : undefined;
    this.#ownsAppdir = options.appdir === undefined;
    this.appdir = options.appdir ?? Deno.makeTempDirSync({ prefix: "kstratum-kaspad-" });
    if (this.#ownsAppdir) tempDirs.add(this.appdir);
  }

  /** Starts kaspad and waits until its gRPC answers. */
  static async start(options: KaspadOptions): Promise<KaspadProcess> {
    const p = new KaspadProcess(options);
    await p.#spawn();
    return p;
  }

  get grpcAddress(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  get wrpcUrl(): string | undefined {
    return this.wrpcPort === undefined ? undefined : `ws://127.0.0.1:${this.wrpcPort}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** The last output lines (for failure messages). */
  tail(n = 40): string {
    return this.#lines.slice(-n).join("\n");
  }

  args(): string[] {
    const args = [
      "--devnet",
      `--appdir=${this.appdir}`,
      `--rpclisten=127.0.0.1:${this.grpcPort}`,
      `--listen=127.0.0.1:${this.p2pPort}`,
      ...(this.options.unsyncedMining === false ? [] : ["--enable-unsynced-mining"]),
      "--nologfiles",
      "--disable-upnp",
      "--nodnsseed",
      "--yes",
    ];
    if (this.wrpcPort !== undefined) args.push(`--rpclisten-json=127.0.0.1:${this.wrpcPort}`);
    return [...args, ...(this.options.extraArgs ?? [])];
  }

  async #spawn(): Promise<void> {
    const child = new Deno.Command(this.options.binary, {
      args: this.args(),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    live.add(child);
    this.#exited = child.status.finally(() => live.delete(child));
    this.#pump(child.stdout).catch(() => {});
    this.#pump(child.stderr).catch(() => {});
    try {
      await this.#waitReady(this.options.readyTimeoutMs ?? 90_000);
    } catch (e) {
      await this.stop();
      throw new Error(`kaspad did not become ready: ${e}\n${this.tail()}`);
    }
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const parts = (rest + value).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) {
        this.#lines.push(line);
        if (this.#lines.length > 400) this.#lines.splice(0, 200);
        this.options.onLine?.(line);
      }
    }
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    let exited = false;
    this.#exited?.then(() => (exited = true));
    while (Date.now() < deadline && !exited) {
      const client = new GrpcNodeClient({ address: this.grpcAddress, connectTimeoutMs: 1000 });
      try {
        await client.connect();
        await client.getInfo();
        return;
      } catch (e) {
        last = e;
      } finally {
        await client.close();
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw exited ? new Error("kaspad exited") : last;
  }

  async #signalAndWait(signal: Deno.Signal, waitMs: number): Promise<boolean> {
    const child = this.#child;
    if (child === undefined) return true;
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = await Promise.race([
      this.#exited!.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), waitMs))),
    ]);
    clearTimeout(timer);
    return done;
  }

  /** Kills kaspad at once (SIGKILL), keeping the appdir for a restart. */
  async kill(): Promise<void> {
    await this.#signalAndWait("SIGKILL", 10_000);
    this.#child = undefined;
  }

  /**
   * Stops kaspad with `signal`, keeping the appdir for a restart: SIGTERM is a clean shutdown (kaspad
   * sends its peers a GOAWAY), SIGKILL after `graceMs` if it is still running. Resolves with the signal
   * that ended it.
   */
  async halt(signal: "SIGTERM" | "SIGKILL", graceMs = 30_000): Promise<"SIGTERM" | "SIGKILL"> {
    let ended: "SIGTERM" | "SIGKILL" = signal;
    if (!(await this.#signalAndWait(signal, graceMs))) {
      await this.#signalAndWait("SIGKILL", 10_000);
      ended = "SIGKILL";
    }
    this.#child = undefined;
    return ended;
  }

  /** Starts kaspad again with the same appdir and ports. */
  async restart(): Promise<void> {
    if (this.#child !== undefined) await this.kill();
    await this.#spawn();
  }

  /** SIGTERM, then SIGKILL after `graceMs`; removes a temp appdir. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!(await this.#signalAndWait("SIGTERM", graceMs))) {
      await this.#signalAndWait("SIGKILL", 10_000);
    }
    this.#child = undefined;
    if (this.#ownsAppdir) {
      await Deno.remove(this.appdir, { recursive: true }).catch(() => {});
      tempDirs.delete(this.appdir);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
