import assert from "assert";
import { routeHandler, serveRoutes } from "./_serve_routes.ts";
import type { HttpRoute } from "../lib/contracts.ts";

const info = { remoteAddr: "127.0.0.1" };

Deno.test("serve routes: a failing handler is a 500 and one quoted log line", async () => {
  const logged: string[] = [];
  const handle = routeHandler([{
    method: "POST",
    path: "/boom",
    handle: () => {
      throw new Error("disk full");
    },
  }], (line) => logged.push(line));
  const response = await handle(new Request("http://x/boom", { method: "POST" }), info);
  assert.equal(response.status, 500);
  assert.match((await response.json()).error, /server log has the reason/);
  assert.deepEqual(logged, ['http: POST "/boom" failed: disk full']);
});

Deno.test("serve routes: 405 names the allowed methods; two routes for one endpoint refused", async () => {
  const route: HttpRoute = { method: "POST", path: "/api/events", handle: () => new Response() };
  const handle = routeHandler([route, { ...route, method: "OPTIONS" }], () => {});
  const response = await handle(new Request("http://x/api/events"), info);
  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "POST, OPTIONS");
  await response.body?.cancel();
  assert.throws(
    () => routeHandler([route, route], () => {}),
    /two routes serve POST \/api\/events/,
  );
});

Deno.test("serve routes: a source's own /health wins over the built-in one", async () => {
  const handle = routeHandler(
    [{ method: "GET", path: "/health", handle: () => new Response("mine") }],
    () => {},
  );
  assert.equal(await (await handle(new Request("http://x/health"), info)).text(), "mine");
});

Deno.test("serve routes: the client's address reaches the handler", async () => {
  const server = await serveRoutes([{
    method: "GET",
    path: "/who",
    handle: (_request, { remoteAddr }) => new Response(remoteAddr),
  }], { port: 0 });
  try {
    assert.equal(await (await fetch(`${server.url}/who`)).text(), "127.0.0.1");
  } finally {
    await server.shutdown();
  }
});
