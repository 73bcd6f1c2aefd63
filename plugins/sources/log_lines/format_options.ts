/**
 * The `format:` and `client_address:` options shared by the sources that read log lines
 * (`file`, `syslog`), and the line parser they configure.
 *
 * @module
 */
import {
  compileLogFormat,
  type LogFormat,
  LogFormatError,
  NAMED_FORMATS,
  z,
} from "../../../lib/sdk/mod.ts";

/**
 * The `format:` option: a named format or an nginx/Apache format string, checked by compiling
 * it, so a wrong format is reported at load time with the column in the format string.
 */
export function logFormatOption(): z.ZodDefault<z.ZodString> {
  return z.string().min(1).check((context) => {
    try {
      compileLogFormat(context.value);
    } catch (error) {
      if (!(error instanceof LogFormatError)) throw error;
      // The loader already names the option: "sources[0].options.format: ...".
      const message = error.message.replace(/^format: /, "");
      context.issues.push({ code: "custom", message, input: context.value });
    }
  }).meta({ format: "log format" }).default("auto")
    .describe(
      `How a line is read: a named format (${Object.keys(NAMED_FORMATS).join(", ")}), an nginx ` +
        "log_format string ($remote_addr ...) or an Apache LogFormat string (%h ...). `auto` " +
        "reads JSON objects and combined lines with an optional request time, as the kafka " +
        "source does.",
    );
}

/** The `client_address:` option. */
export function clientAddressOption(): z.ZodDefault<
  z.ZodEnum<{ remote_addr: "remote_addr"; x_forwarded_for: "x_forwarded_for" }>
> {
  return z.enum(["remote_addr", "x_forwarded_for"]).default("remote_addr")
    .describe(
      "Where the client address comes from: the peer the server logged ($remote_addr, %h) or, " +
        "behind a proxy, the first address of X-Forwarded-For ($http_x_forwarded_for, " +
        "%{X-Forwarded-For}i) when the line has one.",
    );
}

/** The parser configured by a source's `format:` and `client_address:` options. */
export function lineParser(
  settings: { format: string; client_address: "remote_addr" | "x_forwarded_for" },
): LogFormat {
  return compileLogFormat(settings.format, {
    clientFromForwardedFor: settings.client_address === "x_forwarded_for",
  });
}

/** A line turned into a Kafka message value, or the reason it goes to the dead-letter topic. */
export type LineMessage = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Parses one line into the JSON record written to the source's topic (which the `kafka` source
 * reads back with the very same checks), or the reason it is rejected.
 */
export function lineMessage(
  format: LogFormat,
  line: string,
  now: number,
  fallbackTime?: number,
): LineMessage {
  const result = format.parse(line, now, fallbackTime);
  return result.ok
    ? { ok: true, value: JSON.stringify(result.record) }
    : { ok: false, reason: result.reason };
}
