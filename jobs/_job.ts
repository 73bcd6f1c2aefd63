/**
 * Shared start-up of one-shot jobs (batch, reconcile): load and validate the pipeline, make sure
 * the services answer, connect. Exits with a clear message when any step fails.
 *
 * @module
 */
import { formatIssues, loadPipeline, PipelineError } from "../lib/config/load.ts";
import { ensureServices, ServicesError } from "../lib/services/mod.ts";
import { openPipeline, type PipelineResources } from "../lib/runtime/start.ts";
import type { Pipeline } from "../lib/config/pipeline.ts";
import { errorText } from "../lib/errors.ts";

/** Opens the pipeline of `configFile` for a job named `job`, or exits 1 saying why. */
export async function openForJob(configFile: string, job: string): Promise<PipelineResources> {
  try {
    const pipeline = await loadPipeline(configFile);
    await ensureServices({
      kafkaBrokers: pipeline.kafka.brokers,
      cassandraContactPoints: pipeline.cassandra.contactPoints,
      postgresUrls: postgresUrlsOf(pipeline),
    });
    return await openPipeline(pipeline, { log: (line) => console.error(`${job}: ${line}`) });
  } catch (error) {
    if (error instanceof PipelineError) {
      console.error(formatIssues(error.issues));
      console.error(`\n${error.issues.length} problem(s) in ${configFile}; nothing was run.`);
    } else if (error instanceof ServicesError) {
      console.error(`${job}: ${error.message}`);
    } else {
      console.error(
        `${job}: could not connect: ${errorText(error)}\n` +
          "Check that Kafka and Cassandra answer (`deno task services status`).",
      );
    }
    Deno.exit(1);
  }
}

/**
 * Loads and validates `configFile`; on a config problem prints every issue (file:line:col) and
 * returns undefined, so the job can exit 1 with nothing started.
 */
export async function loadForJob(configFile: string): Promise<Pipeline | undefined> {
  try {
    return await loadPipeline(configFile);
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    console.error(formatIssues(error.issues));
    console.error(`\n${error.issues.length} problem(s) in ${configFile}; nothing was started.`);
    return undefined;
  }
}

/** The PostgreSQL URLs the pipeline's sinks use (a local server is started for them if needed). */
export function postgresUrlsOf(pipeline: Pipeline): string[] {
  return pipeline.sinks.flatMap((sink) => sink.plugin.postgresUrls?.(sink.options) ?? []);
}
