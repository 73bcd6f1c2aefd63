/**
 * What the dashboard and API know of each aggregation: its result shape, window size, the chart
 * its plugin suggests, and the sink results are read back from.
 *
 * @module
 */
import type {
  ChartKind,
  MergeableResult,
  OverviewCard,
  ResultShape,
  Sink,
  SinkBinding,
  StoredResult,
} from "../contracts.ts";
import type { Pipeline } from "../config/pipeline.ts";
import type { WindowSpec } from "../window_size.ts";
import { type SeriesStep, supportedSteps } from "./range.ts";

/** One aggregation as the API describes it. */
export interface AggregationView {
  /** Name from pipeline.yaml. */
  name: string;
  /** Plugin it runs. */
  plugin: string;
  /** Window size, as in pipeline.yaml (`5m`, `1h`, `1d`, `1w`, `none`). */
  window: string;
  /** Key and value columns of its rows. */
  shape: ResultShape;
  /** Chart the dashboard draws (the plugin's suggestion, `bar` by default). */
  chart: ChartKind;
  /** Sink results are read from; undefined when none of its sinks can be read back. */
  readFrom?: string;
  /** Whether its windows merge into ranges (`/api/results` gives `range`, `/api/series` works). */
  mergeable: boolean;
  /** The steps its series may take. */
  steps: SeriesStep[];
  /** The overview card it feeds, as its plugin says, or null. */
  card: OverviewCard | null;
  /** The headline figures its ranges give (`totals` of `range`: `visitors`, `pageviews`...). */
  metrics: string[];
}

/** An aggregation view with the means to read its stored results. */
export interface ReadableView extends AggregationView {
  /** Reads stored windows of local dates `from`..`to`, or undefined when no sink can. */
  read?: (from: string, to: string) => Promise<StoredResult[]>;
  /** Its window size. */
  windowSpec: WindowSpec;
  /** Its mergeable part, when its plugin has one. */
  merging?: MergeableResult;
}

/**
 * The views of every aggregation, in pipeline order. Each reads from the first of its sinks that
 * was opened and implements `readRange`.
 */
export function aggregationViews(pipeline: Pipeline, sinks: Map<string, Sink>): ReadableView[] {
  return pipeline.aggregations.map((entry) => {
    const binding: SinkBinding = {
      aggregation: entry.name,
      window: entry.window,
      shape: entry.aggregation.shape,
    };
    const view: ReadableView = {
      name: entry.name,
      plugin: entry.pluginRef,
      window: binding.window.size,
      shape: binding.shape,
      chart: entry.plugin.chart ?? "bar",
      mergeable: entry.aggregation.mergeable !== undefined,
      steps: entry.aggregation.mergeable === undefined ? [] : supportedSteps(entry.window),
      card: entry.plugin.card?.(entry.options) ?? null,
      metrics: entry.aggregation.mergeable === undefined ? [] : Object.keys(
        entry.aggregation.mergeable.finishRange(entry.aggregation.mergeable.emptySummary()).totals,
      ),
      windowSpec: entry.window,
      ...(entry.aggregation.mergeable === undefined
        ? {}
        : { merging: entry.aggregation.mergeable }),
    };
    for (const sinkName of entry.sinks) {
      const sink = sinks.get(sinkName);
      if (sink?.readRange === undefined) continue;
      view.readFrom = sinkName;
      view.read = (from, to) => sink.readRange!(binding, from, to);
      break;
    }
    return view;
  });
}

/** The view without its functions, as JSON. */
export function describeView(view: ReadableView): AggregationView {
  const { read: _read, windowSpec: _spec, merging: _merging, ...described } = view;
  return described;
}
