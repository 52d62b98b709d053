// The layer order of lib/ (THE table; docs/architecture.md draws it) and the check that every
// import runs down it: reads the import graph from `deno info --json`, exits 1 on any violation.
//
//   deno run --allow-read --allow-run scripts/check_layers.ts
//
// A folder may import only folders on a lower level. Folders on one level never import one another,
// so folders cannot form a circle. A folder missing from the table is a violation too.

/** lib/ folders by level, lowest first. A folder imports only folders of lower levels. */
export const LAYERS: readonly (readonly string[])[] = [
  ["runtime", "log", "framing", "protocol", "pow"],
  ["kaspa"],
  ["dialects", "node"],
  ["shares", "config"],
  ["session"],
  ["stats", "templates", "net", "grpcfront"],
  ["metrics", "history", "threads"],
  ["http"],
  ["app"],
];

/** One import between two lib/ files, paths relative to lib/ ("kaspa/hex.ts"). */
export interface Edge {
  /** The importing file. */
  from: string;
  /** The imported file. */
  to: string;
}

/** The files of lib/ and the imports between them, paths relative to lib/. */
export interface LibGraph {
  /** Every module file. */
  files: string[];
  /** Every import from one lib/ file to another, code and type-only alike. */
  edges: Edge[];
}

/** Level of each folder in `layers`. */
function levels(layers: readonly (readonly string[])[]): Map<string, number> {
  const out = new Map<string, number>();
  layers.forEach((folders, level) => folders.forEach((f) => out.set(f, level)));
  return out;
}

const folderOf = (path: string): string => path.split("/")[0]!;

/**
 * Every violation in `graph`, one line each: a folder missing from `layers`, or an import into the
 * same or a higher level. Imports within one folder are free. Empty: all is in order.
 */
export function layerViolations(
  graph: LibGraph,
  layers: readonly (readonly string[])[] = LAYERS,
): string[] {
  const level = levels(layers);
  const out = new Set<string>();
  for (const folder of new Set(graph.files.map(folderOf))) {
    if (!level.has(folder)) {
      out.add(`lib/${folder} is not in the layer table (LAYERS in scripts/check_layers.ts)`);
    }
  }
  for (const { from, to } of graph.edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b || !level.has(a) || !level.has(b)) continue;
    if (level.get(b)! >= level.get(a)!) {
      const how = level.get(b) === level.get(a) ? "its own level" : "a higher level";
      out.add(
        `lib/${from} imports lib/${to}: ${a}/ (level ${level.get(a)}) may not import ${b}/ ` +
          `(${how}, ${level.get(b)})`,
      );
    }
  }
  return [...out];
}

/** The module files under `libDir` (an absolute path) and their imports, from `deno info`. */
export async function libGraph(libDir: string, configFile: string): Promise<LibGraph> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      // *.as.ts is AssemblyScript compiled to WASM (lib/pow/wasm), not a module Deno loads.
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".as.ts")) files.push(path);
    }
  };
  await walk(libDir);
  // One root that imports every file, so files no mod.ts reaches are checked too.
  const root = files.map((f) => `import "file://${f}";`).join("\n");
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--config",
      configFile,
      `data:application/typescript,${encodeURIComponent(root)}`,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (code !== 0) throw new Error(`deno info failed: ${new TextDecoder().decode(stderr)}`);
  const graph = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
    }[];
  };
  const prefix = `file://${libDir}/`;
  const rel = (s: string | undefined) => s?.startsWith(prefix) ? s.slice(prefix.length) : undefined;
  const edges: Edge[] = [];
  for (const module of graph.modules) {
    const from = rel(module.specifier);
    if (from === undefined) continue;
    for (const dep of module.dependencies ?? []) {
      for (const to of new Set([rel(dep.code?.specifier), rel(dep.type?.specifier)])) {
        if (to !== undefined) edges.push({ from, to });
      }
    }
  }
  return { files: files.map((f) => f.slice(libDir.length + 1)), edges };
}

if (import.meta.main) {
  const top = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const graph = await libGraph(`${top}/lib`, `${top}/deno.json`);
  const problems = layerViolations(graph);
  for (const p of problems) console.error(`check_layers: ${p}`);
  if (problems.length > 0) {
    console.error(`check_layers: ${problems.length} import(s) against the layer order`);
    Deno.exit(1);
  }
  const folders = new Set(graph.files.map(folderOf)).size;
  const across = graph.edges.filter((e) => folderOf(e.from) !== folderOf(e.to)).length;
  console.log(
    `check_layers: ${graph.files.length} files in ${folders} folders; ` +
      `all ${across} imports between folders run down the layers`,
  );
}
