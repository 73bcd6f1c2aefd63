/**
 * `deno task services up|down|status|logs`: local Kafka and Cassandra for development and tests.
 *
 * @module
 */
import { parseArgs } from "cli";
import {
  servicesDown,
  ServicesError,
  servicesLogs,
  servicesStatus,
  servicesUp,
} from "../lib/services/mod.ts";

const USAGE = `usage: deno task services <up|down|status|logs> [--timeout SECONDS] [--lines N]

  up      start Kafka and Cassandra (docker compose if a Docker engine answers, else natively
          on Java 17) and wait until both answer; does nothing if both already answer
  down    stop the servers this project started
  status  show what runs where
  logs    show the last lines of each server's log`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      timeout: { type: "string", default: "240" },
      lines: { type: "string", default: "40" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  switch (command) {
    case "up": {
      const seconds = Number(values.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        console.error(
          `--timeout: expected a positive number of seconds, found "${values.timeout}"`,
        );
        return 2;
      }
      await servicesUp({ timeoutMs: seconds * 1000 });
      return 0;
    }
    case "down":
      await servicesDown();
      return 0;
    case "status":
      await servicesStatus();
      return 0;
    case "logs":
      await servicesLogs(Number(values.lines) || 40);
      return 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

try {
  Deno.exit(await main());
} catch (error) {
  if (error instanceof ServicesError || (error instanceof TypeError && "code" in error)) {
    console.error(`services: ${error.message}`);
    Deno.exit(1);
  }
  throw error;
}
