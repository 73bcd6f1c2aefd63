/**
 * The results API: `/api/aggregations`, `/api/results/{aggregation}` (each stored window of a
 * range, and their merge) and `/api/series/{aggregation}` (the merge of each step of a range),
 * as JSON or CSV, with `compare=previous` for the period of equal length before.
 *
 * @module
 */
import type { StoredResult } from "../contracts.ts";
import { daysBetween } from "../windows.ts";
import { rangeCsv, resultsCsv, seriesCsv } from "./csv.ts";
import { mergeWindows, previousPeriod, type RangeResult, seriesOf } from "./range.ts";
import { json, problem } from "./responses.ts";
import {
  localDate,
  parseResultsQuery,
  type QueryKind,
  type ResultsQuery,
} from "./results_query.ts";
import type { Route } from "./router.ts";
import { describeView, type ReadableView } from "./views.ts";

/** What the results routes read. */
export interface ResultsRoutesOptions {
  /** Every aggregation's view. */
  views: ReadableView[];
  /** The pipeline's time zone. */
  timeZone: string;
  /** Whether this process runs the real-time loop. */
  processing: boolean;
  /** The clock (ms since epoch). */
  now?: () => number;
}

/** A view whose results can be read back. */
type ReadView = ReadableView & Required<Pick<ReadableView, "read">>;

/** A view that can be read, with its query, or the refusal to answer. */
type Resolved =
  | { ok: true; view: ReadView; query: ResultsQuery }
  | { ok: false; response: Response };

/**
 * The routes of the results API.
 *
 * @param options The views, the time zone and the clock.
 * @returns Routes for the runner's router.
 */
export function resultsRoutes(options: ResultsRoutesOptions): Omit<Route, "owner">[] {
  const { views, timeZone } = options;
  const now = options.now ?? Date.now;

  const resolve = (request: Request, name: string, kind: QueryKind): Resolved => {
    const view = views.find((candidate) => candidate.name === name);
    if (view === undefined) {
      const known = views.map((candidate) => candidate.name).join(", ");
      return {
        ok: false,
        response: problem(404, `no aggregation named ${JSON.stringify(name)}; known: ${known}`),
      };
    }
    const parsed = parseResultsQuery(
      new URL(request.url).searchParams,
      localDate(now(), timeZone),
      kind,
    );
    if (!parsed.ok) return { ok: false, response: problem(400, parsed.reason) };
    if (view.read === undefined) {
      return {
        ok: false,
        response: problem(
          409,
          `${view.name} writes to no sink that can be read back (add a cassandra sink)`,
        ),
      };
    }
    return { ok: true, view: view as ReadView, query: parsed.query };
  };

  return [
    {
      method: "GET",
      path: "/api/aggregations",
      handle: () =>
        json({
          time_zone: timeZone,
          today: localDate(now(), timeZone),
          processing: options.processing,
          aggregations: views.map(describeView),
        }),
    },
    {
      method: "GET",
      path: "/api/results/:aggregation",
      handle: async (request, { params }) => {
        const found = resolve(request, params.aggregation!, "results");
        if (!found.ok) return found.response;
        const { view, query } = found;
        const { from, to } = query;
        const windows = await view.read(from, to);
        const merge = (stored: StoredResult[]) =>
          view.merging === undefined ? undefined : mergeWindows(view.merging, stored);
        const range = merge(windows);
        let previous: { from: string; to: string; range: RangeResult | undefined } | undefined;
        if (query.compare === "previous") {
          const period = previousPeriod(from, to);
          previous = { ...period, range: merge(await view.read(period.from, period.to)) };
        }
        if (query.format === "csv") {
          const filename = `${view.name}_${from}_${to}.csv`;
          if (query.rows !== "range") return csvResponse(resultsCsv(view.shape, windows), filename);
          if (range === undefined) return notMergeable(view);
          const periods = [{ period: "current", range }];
          if (previous?.range !== undefined) {
            periods.push({ period: "previous", range: previous.range });
          }
          return csvResponse(rangeCsv(view.shape, periods), filename);
        }
        return json({
          aggregation: view.name,
          from,
          to,
          windows: windows.map(({ summary: _summary, ...stored }) => stored),
          ...(range === undefined ? {} : { range }),
          ...(previous === undefined ? {} : { previous }),
        });
      },
    },
    {
      method: "GET",
      path: "/api/series/:aggregation",
      handle: async (request, { params }) => {
        const found = resolve(request, params.aggregation!, "series");
        if (!found.ok) return found.response;
        const { view, query } = found;
        if (view.merging === undefined) return notMergeable(view);
        const merging = view.merging;
        const { from, to } = query;
        const step = query.step ??
          (from === to && view.steps.includes("1h") ? "1h" : view.steps.find((s) => s !== "1h"));
        if (step === undefined || !view.steps.includes(step)) {
          return problem(
            400,
            `step: ${view.name} has ${view.windowSpec.size} windows, which make series of ` +
              `${view.steps.join(", ") || "no step"}; found ${JSON.stringify(query.step)}`,
          );
        }
        const series = async (first: string, last: string) =>
          seriesOf(merging, await view.read(first, last), daysBetween(first, last), step);
        const points = await series(from, to);
        let previous;
        if (query.compare === "previous") {
          const period = previousPeriod(from, to);
          previous = { ...period, points: await series(period.from, period.to) };
        }
        if (query.format === "csv") {
          const periods = [{ range: "current", points }];
          if (previous !== undefined) periods.push({ range: "previous", points: previous.points });
          return csvResponse(seriesCsv(periods), `${view.name}_${from}_${to}_${step}.csv`);
        }
        return json({
          aggregation: view.name,
          from,
          to,
          step,
          points,
          ...(previous === undefined ? {} : { previous }),
        });
      },
    },
  ];
}

function notMergeable(view: ReadableView): Response {
  return problem(
    409,
    `${view.name} (plugin ${view.plugin}) keeps no mergeable summary of its windows, so its ` +
      "windows cannot be merged into a range; read its windows with /api/results instead",
  );
}

function csvResponse(body: string, filename: string): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"`,
    },
  });
}
