/**
 * `stdout` notifier: prints each alert transition as one line, for trying rules out.
 *
 * @module
 */
import { type NotifierPlugin, z } from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  json: z.boolean().default(false)
    .describe("Print the whole notification as one JSON line instead of its text.")
    .meta({ examples: [false] }),
});

/** Validated `stdout` notifier options. */
export type StdoutNotifierOptions = z.output<typeof options>;

/** The `stdout` notifier plugin. */
const stdoutNotifier: NotifierPlugin<StdoutNotifierOptions> = {
  kind: "notifier",
  name: "stdout",
  summary: "Prints each alert transition to standard output.",
  options,
  example: { json: false },
  open(settings) {
    return Promise.resolve({
      send(notification) {
        console.log(settings.json ? JSON.stringify(notification) : `alert: ${notification.text}`);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    });
  },
};

export default stdoutNotifier;
