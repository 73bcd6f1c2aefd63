/**
 * Finds and imports the plugin a `plugin:` value names, and checks it is the right kind.
 *
 * `lib/` never imports a plugin by name: a bare name is looked up at load time in the
 * repository's `plugins/` folder, in the kind's subfolder (`plugins/sources/`,
 * `plugins/transforms/`, `plugins/aggregations/`, `plugins/sinks/`, `plugins/notifiers/`); a path is relative to the pipeline file.
 *
 * @module
 */
import type { PluginDefinition, PluginKind } from "../contracts.ts";
import { closestMatch } from "./suggest.ts";
import { errorText } from "../errors.ts";

/** The repository's plugin folder. */
export const BUILTIN_PLUGINS_DIR: URL = new URL("../../plugins/", import.meta.url);

/** A loaded plugin, or why it could not be used. */
export type PluginResolution =
  | { ok: true; plugin: PluginDefinition; url: URL }
  | { ok: false; message: string };

const BARE_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Resolves and imports `ref` and checks that its default export is a `kind` plugin.
 *
 * @param ref The `plugin:` value: a name like `top_pages`, or a path starting with `./`,
 *   `../` or `/` (relative to `pipelineDir`).
 * @param kind The kind the section needs.
 * @param pipelineDir Folder of the pipeline file (a `file:` URL ending in `/`).
 * @param pluginsDir Folder of bare-named plugins (with `sources/`, `transforms/`, `aggregations/`, `sinks/`).
 * @returns The definition, or a message saying what is wrong.
 */
export async function resolvePlugin(
  ref: string,
  kind: PluginKind,
  pipelineDir: URL,
  pluginsDir: URL = BUILTIN_PLUGINS_DIR,
): Promise<PluginResolution> {
  let url: URL;
  if (/^(\.\.?\/|\/)/.test(ref)) {
    url = new URL(ref, pipelineDir);
    if (!(await isFile(url))) {
      return { ok: false, message: `plugin file not found: ${url.pathname}` };
    }
  } else if (BARE_NAME.test(ref)) {
    // The kind's own folder first; another kind's folder only to say the kind is wrong.
    const candidates = [
      KIND_FOLDERS[kind],
      ...Object.values(KIND_FOLDERS).filter((folder) => folder !== KIND_FOLDERS[kind]),
    ].map((folder) => new URL(`${folder}${ref}.ts`, pluginsDir));
    const found = await firstFile(candidates);
    if (!found) {
      const names = (await pluginModules(pluginsDir, kind)).map((module) => module.name);
      const match = closestMatch(ref, names);
      const hint = match !== undefined
        ? ` (did you mean '${match}'?)`
        : names.length > 0
        ? `; available plugins: ${names.join(", ")}`
        : "";
      return { ok: false, message: `unknown ${kind} plugin '${ref}'${hint}` };
    }
    url = found;
  } else {
    return {
      ok: false,
      message: `expected a plugin name like top_pages or a path starting with ./, ../ or /, ` +
        `found ${JSON.stringify(ref)}`,
    };
  }
  return await importPlugin(url, ref, kind);
}

/**
 * Imports a plugin module and checks its default export.
 *
 * @param url Module to import.
 * @param ref How the plugin was referred to, for messages.
 * @param kind Expected kind, or undefined to accept any kind.
 */
export async function importPlugin(
  url: URL,
  ref: string,
  kind?: PluginKind,
): Promise<PluginResolution> {
  let module: { default?: unknown };
  try {
    module = await import(url.href);
  } catch (error) {
    return {
      ok: false,
      message: `cannot load plugin '${ref}' (${url.pathname}): ${
        errorText(error, { firstLine: true })
      }`,
    };
  }
  const definition = module.default;
  const problem = definitionProblem(definition);
  if (problem) return { ok: false, message: `plugin '${ref}' (${url.pathname}) ${problem}` };
  const plugin = definition as PluginDefinition;
  if (kind !== undefined && plugin.kind !== kind) {
    const article = (word: string) => (word === "aggregation" ? "an" : "a");
    return {
      ok: false,
      message: `plugin '${ref}' is ${article(plugin.kind)} ${plugin.kind} plugin, but this ` +
        `section needs ${article(kind)} ${kind} plugin`,
    };
  }
  return { ok: true, plugin, url };
}

/** What is missing from a would-be plugin definition, or undefined when it looks complete. */
function definitionProblem(definition: unknown): string | undefined {
  if (typeof definition !== "object" || definition === null) {
    return "has no default export plugin definition";
  }
  const fields = definition as Record<string, unknown>;
  if (!(Object.keys(KIND_FOLDERS) as unknown[]).includes(fields.kind)) {
    return `default export has no valid kind (found ${JSON.stringify(fields.kind)})`;
  }
  if (typeof fields.name !== "string") return "default export has no name";
  const options = fields.options as { safeParse?: unknown } | undefined;
  if (typeof options?.safeParse !== "function") {
    return "default export has no zod options schema";
  }
  const entryPoint = fields.kind === "aggregation" ? "create" : "open";
  if (typeof fields[entryPoint] !== "function") {
    return `default export has no ${entryPoint}() function`;
  }
  return undefined;
}

/** Subfolder of `plugins/` holding the plugins of each kind. */
const KIND_FOLDERS: Record<PluginKind, string> = {
  source: "sources/",
  transform: "transforms/",
  aggregation: "aggregations/",
  sink: "sinks/",
  notifier: "notifiers/",
};

/** A plugin module file. */
export interface PluginModule {
  /** Plugin name as written in pipeline.yaml (file name without `.ts`). */
  name: string;
  /** Path relative to the plugins folder, e.g. `sinks/kafka.ts`. */
  path: string;
  /** Module URL. */
  url: URL;
}

/**
 * The plugin modules of a plugins folder: `*.ts` files not starting with `_` and not tests,
 * at its top level and in its `sources/`, `transforms/`, `aggregations/`, `sinks/` and `notifiers/` subfolders.
 *
 * @param dir Folder URL ending in `/`.
 * @param kind Only look in this kind's subfolder (and the top level).
 * @returns Modules sorted by path; empty when the folder does not exist.
 */
export async function pluginModules(
  dir: URL = BUILTIN_PLUGINS_DIR,
  kind?: PluginKind,
): Promise<PluginModule[]> {
  const folders = kind ? [KIND_FOLDERS[kind]] : Object.values(KIND_FOLDERS);
  const modules: PluginModule[] = [];
  for (const folder of folders) {
    const folderUrl = new URL(folder, dir);
    try {
      for await (const entry of Deno.readDir(folderUrl)) {
        const { name } = entry;
        if (!entry.isFile || !name.endsWith(".ts") || name.startsWith("_")) continue;
        if (name.endsWith("_test.ts")) continue;
        const path = `${folder}${name}`;
        modules.push({ name: name.slice(0, -".ts".length), path, url: new URL(name, folderUrl) });
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function firstFile(urls: URL[]): Promise<URL | undefined> {
  for (const url of urls) if (await isFile(url)) return url;
  return undefined;
}

async function isFile(url: URL): Promise<boolean> {
  try {
    return (await Deno.stat(url)).isFile;
  } catch {
    return false;
  }
}
