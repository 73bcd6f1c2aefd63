/**
 * The dashboard's files: the overview (`index.html`, at `/`), the pipeline's own page
 * (`pipeline.html`, at `/pipeline`), `style.css` and the ES modules in `dashboard/` beside this
 * module, and the chart library, Chart.js, served from its npm package.
 *
 * There is no `node_modules` (deno.json sets `nodeModulesDir: "none"`) and the package's
 * `exports` do not list its browser build, so neither a URL nor a text import reaches it. The
 * side-effect import below puts the package in the module graph, so Deno has it in its cache;
 * `require.resolve` then finds the package's entry file there, and the self-contained browser
 * build (`chart.umd.min.js`) sits beside it in `dist/`. It is read once, at start.
 *
 * @module
 */
import "chart.js";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A file the server answers with. */
export interface StaticFile {
  /** Content type. */
  type: string;
  /** Contents. */
  body: Uint8Array;
}

const JAVASCRIPT = "text/javascript; charset=utf-8";

const DASHBOARD_FILES: Record<string, [file: string, type: string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/pipeline": ["pipeline.html", "text/html; charset=utf-8"],
  "/home.js": ["home.js", JAVASCRIPT],
  "/overview_cards.js": ["overview_cards.js", JAVASCRIPT],
  "/periods.js": ["periods.js", JAVASCRIPT],
  "/style.css": ["style.css", "text/css; charset=utf-8"],
  "/app.js": ["app.js", JAVASCRIPT],
  "/dom.js": ["dom.js", JAVASCRIPT],
  "/charts.js": ["charts.js", JAVASCRIPT],
  "/overview.js": ["overview.js", JAVASCRIPT],
  "/views.js": ["views.js", JAVASCRIPT],
  "/alerts.js": ["alerts.js", JAVASCRIPT],
};

/** Path at which the chart library is served. */
export const CHART_LIBRARY_PATH = "/vendor/chart.umd.min.js";

/** Reads every file of the dashboard, by the path it is served at. */
export async function loadDashboardFiles(): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const [path, [file, type]] of Object.entries(DASHBOARD_FILES)) {
    files.set(path, {
      type,
      body: await Deno.readFile(new URL(`./dashboard/${file}`, import.meta.url)),
    });
  }
  files.set(CHART_LIBRARY_PATH, {
    type: JAVASCRIPT,
    body: await Deno.readFile(chartLibraryFile()),
  });
  return files;
}

/** Path of Chart.js's browser build in Deno's npm cache. */
export function chartLibraryFile(): string {
  const entry = createRequire(import.meta.url).resolve("chart.js");
  return join(dirname(entry), "chart.umd.min.js");
}
