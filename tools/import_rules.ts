/**
 * The import rules of this repository, checked on the real module graph (`deno info --json`,
 * code and type imports alike), as denoland/std checks its packages for cycles:
 *
 * 1. nothing under `lib/` imports anything under `plugins/` (the core knows no plugin);
 * 2. the runtime (`lib/` outside `lib/services/`) does not import the dev-services code;
 * 3. no cycle between folders (a folder's files may import each other freely).
 *
 * @module
 */

/** One broken rule, with where it was broken. */
export interface ImportViolation {
  /** `lib-imports-plugins`, `runtime-imports-services` or `folder-cycle`. */
  rule: "lib-imports-plugins" | "runtime-imports-services" | "folder-cycle";
  /** `path:line:col` of the offending import (for a cycle: one import of the cycle). */
  at: string;
  /** What is wrong and what to do. */
  message: string;
}

/** A local import: which file imports which, and where. */
export interface ImportEdge {
  /** Importing file, relative to the root. */
  from: string;
  /** Imported file, relative to the root. */
  to: string;
  /** 1-based line of the import. */
  line: number;
  /** 1-based column of the import. */
  col: number;
}

/**
 * Every TypeScript file below `root`, skipping hidden folders and `node_modules`.
 *
 * @param root Repository root (absolute path).
 * @returns Absolute paths.
 */
export async function sourceFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (/\.(ts|tsx|mts)$/.test(entry.name)) files.push(path);
    }
  }
  await walk(root);
  return files.sort();
}

interface DenoInfoDependency {
  code?: { specifier?: string; span?: { start: { line: number; character: number } } };
  type?: { specifier?: string; span?: { start: { line: number; character: number } } };
}

interface DenoInfoModule {
  specifier: string;
  dependencies?: DenoInfoDependency[];
}

/**
 * The local import edges among `files`, read from one `deno info --json` run over a module that
 * imports them all.
 *
 * @param root Repository root (absolute path).
 * @param files Absolute paths of the files to include.
 * @returns Edges between files below `root`, paths relative to it.
 * @throws Error when `deno info` fails (e.g. an import that does not resolve).
 */
export async function importEdges(root: string, files: string[]): Promise<ImportEdge[]> {
  const entry = await Deno.makeTempFile({ prefix: "import-graph-", suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      entry,
      files.map((file) => `import ${JSON.stringify(new URL(`file://${file}`).href)};`).join("\n"),
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`deno info failed: ${new TextDecoder().decode(output.stderr).trim()}`);
    }
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: DenoInfoModule[];
    };
    const prefix = new URL(`file://${root}/`).href;
    const local = (specifier: string | undefined) =>
      specifier?.startsWith(prefix)
        ? decodeURIComponent(specifier.slice(prefix.length))
        : undefined;
    const edges: ImportEdge[] = [];
    for (const module of info.modules) {
      const from = local(module.specifier);
      if (from === undefined) continue;
      for (const dependency of module.dependencies ?? []) {
        for (const resolved of [dependency.code, dependency.type]) {
          const to = local(resolved?.specifier);
          if (to === undefined || resolved?.span === undefined) continue;
          const { line, character } = resolved.span.start;
          edges.push({ from, to, line: line + 1, col: character + 1 });
        }
      }
    }
    return edges;
  } finally {
    await Deno.remove(entry).catch(() => {});
  }
}

const folderOf = (path: string) => path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
const under = (path: string, folder: string) => path.startsWith(`${folder}/`);

/**
 * Checks the three rules over a set of import edges.
 *
 * @param edges Local import edges (from {@linkcode importEdges}).
 * @returns Every violation, in a stable order; empty when the tree is clean.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { checkImportRules } from "./import_rules.ts";
 * const edges = [{ from: "lib/a.ts", to: "plugins/b.ts", line: 3, col: 1 }];
 * assert.equal(checkImportRules(edges)[0]?.rule, "lib-imports-plugins");
 * ```
 */
export function checkImportRules(edges: readonly ImportEdge[]): ImportViolation[] {
  const violations: ImportViolation[] = [];
  const seen = new Set<string>();
  for (const edge of edges) {
    const at = `${edge.from}:${edge.line}:${edge.col}`;
    if (seen.has(`${at} ${edge.to}`)) continue;
    seen.add(`${at} ${edge.to}`);
    if (under(edge.from, "lib") && under(edge.to, "plugins")) {
      violations.push({
        rule: "lib-imports-plugins",
        at,
        message: `${edge.from} imports ${edge.to}: the core (lib/) must not know any plugin; ` +
          "move the shared code into lib/ (the SDK or a library folder) and import it from there",
      });
    }
    if (
      under(edge.from, "lib") && !under(edge.from, "lib/services") &&
      under(edge.to, "lib/services")
    ) {
      violations.push({
        rule: "runtime-imports-services",
        at,
        message:
          `${edge.from} imports ${edge.to}: the runtime must not depend on the dev-services ` +
          "code; move the shared constant or helper to a module both can import, or do the " +
          "services step in a job under jobs/",
      });
    }
  }
  violations.push(...folderCycles(edges));
  return violations;
}

/** Cycles between folders: strongly connected components of the folder graph (Tarjan). */
function folderCycles(edges: readonly ImportEdge[]): ImportViolation[] {
  const next = new Map<string, Map<string, ImportEdge>>();
  for (const edge of edges) {
    const from = folderOf(edge.from), to = folderOf(edge.to);
    if (from === to) continue;
    let targets = next.get(from);
    if (targets === undefined) next.set(from, targets = new Map());
    if (!targets.has(to)) targets.set(to, edge);
    if (!next.has(to)) next.set(to, new Map());
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const visit = (folder: string): void => {
    index.set(folder, counter);
    low.set(folder, counter++);
    stack.push(folder);
    onStack.add(folder);
    for (const target of next.get(folder)!.keys()) {
      if (!index.has(target)) {
        visit(target);
        low.set(folder, Math.min(low.get(folder)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(folder, Math.min(low.get(folder)!, index.get(target)!));
      }
    }
    if (low.get(folder) === index.get(folder)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== folder);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const folder of [...next.keys()].sort()) if (!index.has(folder)) visit(folder);
  return components.map((component) => {
    const members = new Set(component);
    const inside = component.flatMap((folder) =>
      [...next.get(folder)!].filter(([to]) => members.has(to)).map(([, edge]) => edge)
    );
    const example = inside[0]!;
    return {
      rule: "folder-cycle" as const,
      at: `${example.from}:${example.line}:${example.col}`,
      message: `folders ${component.join(", ")} import each other: ${
        inside.map((edge) => `${edge.from} -> ${edge.to}`).join("; ")
      }; make the dependency go one way (move the shared piece into the folder both import)`,
    };
  });
}
