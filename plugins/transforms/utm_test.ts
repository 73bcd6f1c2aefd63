import assert from "assert";
import utm from "./utm.ts";

const apply = await utm.open(utm.options.parse({}), { log: () => {} });

Deno.test("utm: campaign fields and click ids from the page's query, sent fields kept", () => {
  assert.deepEqual(
    apply({
      timestamp: 0,
      page_path: "/p?utm_source=news&utm_medium=email&utm_campaign=Black%20Friday&utm_term=x" +
        "&gclid=abc#top",
      utm_source: "sent",
    }),
    {
      timestamp: 0,
      page_path: "/p?utm_source=news&utm_medium=email&utm_campaign=Black%20Friday&utm_term=x" +
        "&gclid=abc#top",
      utm_source: "sent",
      utm_medium: "email",
      utm_campaign: "Black Friday",
      props: { utm_term: "x", gclid: "abc" },
    },
  );
});

Deno.test("utm: request_uri when there is no page_path; nothing without a query", () => {
  assert.equal(
    apply({ timestamp: 0, request_uri: "/?utm_campaign=spring" })?.utm_campaign,
    "spring",
  );
  assert.deepEqual(apply({ timestamp: 0, page_path: "/plain" }), {
    timestamp: 0,
    page_path: "/plain",
  });
  assert.deepEqual(apply({ timestamp: 0, page_path: "/p?utm_source=" }), {
    timestamp: 0,
    page_path: "/p?utm_source=",
  });
});
