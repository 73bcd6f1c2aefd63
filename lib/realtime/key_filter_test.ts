import assert from "assert";
import { keyFilter } from "./key_filter.ts";

Deno.test("a key filter holds every key added, across its growing stages", () => {
  const filter = keyFilter();
  for (let i = 0; i < 50_000; i++) filter.add(`/page/${i}`);
  assert.equal(filter.size, 50_000);
  for (let i = 0; i < 50_000; i++) assert.ok(filter.mightHold(`/page/${i}`), `/page/${i}`);
});

Deno.test("a key filter says 'maybe' for few keys it does not hold", () => {
  const filter = keyFilter();
  assert.equal(filter.mightHold("/anything"), false);
  for (let i = 0; i < 200_000; i++) filter.add(`/page/${i}`);
  let maybe = 0;
  for (let i = 0; i < 100_000; i++) if (filter.mightHold(`/other/${i}`)) maybe++;
  // Six stages at about 0.3% each: well under 3% together.
  assert.ok(maybe < 3_000, `${maybe} of 100,000 absent keys answered "maybe"`);
});

Deno.test("a key filter sized for a few keys holds those and any added after them", () => {
  const filter = keyFilter(100);
  for (let i = 0; i < 100; i++) filter.add(`/page/${i}`);
  let maybe = 0;
  for (let i = 0; i < 100_000; i++) if (filter.mightHold(`/other/${i}`)) maybe++;
  // One stage of 100 keys at 12 bits each: about 0.3% of absent keys answer "maybe".
  assert.ok(maybe < 1_000, `${maybe} of 100,000 absent keys answered "maybe"`);
  for (let i = 100; i < 5_000; i++) filter.add(`/page/${i}`);
  for (let i = 0; i < 5_000; i++) assert.ok(filter.mightHold(`/page/${i}`), `/page/${i}`);
});
