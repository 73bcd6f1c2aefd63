import assert from "assert";
import { RUNNER_V8_FLAGS } from "./runner_flags.ts";

Deno.test("deno task run starts the runner with the runner's V8 flags", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { tasks: Record<string, string> };
  assert.ok(
    config.tasks.run!.split(" ").includes(RUNNER_V8_FLAGS),
    `deno.json's run task must pass ${RUNNER_V8_FLAGS}: ${config.tasks.run}`,
  );
});
