/**
 * The bench's own pipeline file: the shipped pipeline's aggregations and sinks, with a
 * bench-owned keyspace, input topic, results topic and consumer group, the HTTP server on a free
 * port, no simulator source and no schedules (a cron batch inside the runner would skew its
 * throughput).
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { loadPipeline } from "../lib/config/load.ts";
import type { Pipeline } from "../lib/config/pipeline.ts";
import type { PipelineNames } from "./names.ts";

/** A written bench pipeline file and its validated contents. */
export interface BenchPipeline {
  /** Path of the written pipeline.yaml. */
  file: string;
  /** The validated pipeline. */
  pipeline: Pipeline;
  /** Bench-owned names it uses. */
  names: PipelineNames;
}

type Yaml = Record<string, unknown>;

/** How a bench pipeline differs from the shipped one. */
export interface PipelineVariant {
  /** Count raw URIs (query strings kept) in `top_pages`, for the high-cardinality scenario. */
  rawUris?: boolean;
  /** Keep only the aggregations of these plugins (and the sinks they feed). */
  onlyPlugins?: readonly string[];
}

/**
 * Writes a bench pipeline derived from `shippedFile` into a new temporary folder and validates
 * it. Windows are cut in UTC so that the bench's own expected counts (plain UTC date and hour
 * slicing) apply.
 *
 * @param shippedFile The shipped pipeline.yaml.
 * @param names Keyspace, topics and group the bench pipeline uses.
 * @param flushIntervalMs Override of `runtime.flush_interval_ms` (default: the shipped value).
 * @param variant Raw URIs in `top_pages` (the high-cardinality scenario) or only some plugins'
 *   aggregations (the core-pipeline scenario).
 * @param services Other Kafka and Cassandra addresses than the shipped file's (the chaos job's
 *   private servers), and the keyspace's replication factor there.
 * @returns The file and its validated pipeline.
 * @throws {Error} When the shipped aggregations do not all read one `kafka` source, or the
 *   derived file does not validate.
 */
export async function writeBenchPipeline(
  shippedFile: string,
  names: PipelineNames,
  flushIntervalMs?: number,
  variant: PipelineVariant = {},
  services?: { brokers: string[]; contactPoints: string[]; replicationFactor?: number },
): Promise<BenchPipeline> {
  const { rawUris = false, onlyPlugins } = variant;
  const shippedDir = resolve(shippedFile, "..");
  const document = parse(await Deno.readTextFile(shippedFile)) as Yaml;
  const aggregations = ((document.aggregations ?? []) as Yaml[]).filter((entry) =>
    onlyPlugins === undefined || onlyPlugins.includes(entry.plugin as string)
  ).map((entry) =>
    rawUris && entry.plugin === "top_pages"
      ? { ...entry, options: { ...(entry.options as Yaml | undefined), strip_query: false } }
      : entry
  );
  const sourceNames = new Set(aggregations.map((entry) => entry.source as string));
  const sources = ((document.sources ?? []) as Yaml[]).filter((entry) =>
    sourceNames.has(entry.name as string)
  );
  if (sources.length !== 1 || sources[0]!.plugin !== "kafka") {
    throw new Error(
      `${shippedFile}: the bench needs every aggregation to read one source with plugin ` +
        `kafka; found ${sources.map((entry) => `${entry.name} (${entry.plugin})`).join(", ")}`,
    );
  }
  const source = sources[0]!;
  source.options = {
    ...(source.options as Yaml | undefined),
    topic: names.topic,
    dead_letter_topic: names.deadLetterTopic,
    partitions: 6,
  };
  const fed = new Set(aggregations.flatMap((entry) => (entry.sinks ?? []) as string[]));
  const sinks = ((document.sinks ?? []) as Yaml[]).filter((entry) => fed.has(entry.name as string))
    .map((entry) =>
      entry.plugin === "kafka"
        ? {
          ...entry,
          options: { ...(entry.options as Yaml | undefined), topic: names.resultsTopic },
        }
        : entry
    );
  const runtime = { ...(document.runtime as Yaml | undefined) };
  runtime.consumer_group = names.group;
  runtime.time_zone = "UTC";
  if (flushIntervalMs !== undefined) runtime.flush_interval_ms = flushIntervalMs;
  // The bench replays fixed past dates and compares with counts of every record.
  runtime.allowed_lateness = "36500d";
  const bench: Yaml = {
    ...document,
    ...(services === undefined
      ? {}
      : { kafka: { ...(document.kafka as Yaml | undefined), brokers: services.brokers } }),
    cassandra: {
      ...(document.cassandra as Yaml | undefined),
      keyspace: names.keyspace,
      ...(services === undefined ? {} : { contact_points: services.contactPoints }),
      ...(services?.replicationFactor === undefined ? {} : {
        replication: { class: "SimpleStrategy", replication_factor: services.replicationFactor },
      }),
    },
    runtime,
    // The runner's HTTP server stays on, on a free port, so a running `deno task run` or
    // another bench runner never collides with it on the default one.
    http: { ...(document.http as Yaml | undefined), listen: "127.0.0.1:0" },
    sources: [source],
    aggregations,
    sinks,
  };
  delete bench.schedules;
  // Plugins given by relative path resolve against the pipeline file's folder.
  for (const entry of [source, ...aggregations, ...sinks]) {
    const plugin = entry.plugin as string;
    if (plugin.startsWith(".") && !isAbsolute(plugin)) entry.plugin = resolve(shippedDir, plugin);
  }
  const dir = await Deno.makeTempDir({ prefix: "bench-pipeline-" });
  const file = `${dir}/pipeline.yaml`;
  await Deno.writeTextFile(
    file,
    `# Written by deno task bench from ${shippedFile}.\n${stringify(bench)}`,
  );
  return { file, pipeline: await loadPipeline(file), names };
}
