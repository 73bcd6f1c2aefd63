import assert from "assert";
import { type AlertSeriesState, type Observation, stepAlert } from "./lifecycle.ts";

/** Runs observations one minute apart and returns the events announced, in order. */
function run(observations: Observation[], forMs: number, start?: AlertSeriesState) {
  let state = start;
  const events: string[] = [];
  observations.forEach((observation, minute) => {
    const step = stepAlert(state, observation, forMs, minute * 60_000);
    state = step.state;
    if (step.event) events.push(`${minute}:${step.event}`);
  });
  return { events, state };
}

const on = (value = 10): Observation => ({ holds: true, value });
const off = (value = 0): Observation => ({ holds: false, value });

Deno.test("fires once after for: has passed, resolves once when it stops holding", () => {
  const { events, state } = run([off(), on(), on(), on(), on(), off(), off()], 120_000);
  assert.deepEqual(events, ["3:firing", "5:resolved"]);
  assert.deepEqual(state?.status, "resolved");
  assert.deepEqual(state?.firedAt, 180_000);
  assert.deepEqual(state?.resolvedAt, 300_000);
});

Deno.test("a condition that stops holding while pending announces nothing", () => {
  const { events, state } = run([on(), on(), off(), on(), off()], 180_000);
  assert.deepEqual(events, []);
  assert.deepEqual(state?.status, "inactive");
});

Deno.test("for: 0 fires at the first evaluation; a new episode fires again after resolving", () => {
  const { events } = run([on(), on(), off(), off(), on()], 0);
  assert.deepEqual(events, ["0:firing", "2:resolved", "4:firing"]);
});

Deno.test("a state restored as firing does not fire again", () => {
  const restored: AlertSeriesState = { status: "firing", activeSince: 0, firedAt: 0, value: 9 };
  const { events } = run([on(), on(), off()], 60_000, restored);
  assert.deepEqual(events, ["2:resolved"]);
});

Deno.test("a pending state restored keeps counting from when it started", () => {
  const restored: AlertSeriesState = { status: "pending", activeSince: 0, value: 9 };
  const { events } = run([on(), on()], 60_000, restored);
  assert.deepEqual(events, ["1:firing"]);
});
