/**
 * The browser tracker served at `GET /t.js`: a small script a site includes once per page.
 *
 * It sends `page_visited` on load, `page_closed` (with `props.time_on_page_ms`) when the page is
 * hidden for good, and `button_clicked` for clicks on `<button>` elements and anything marked
 * `data-track`, each with a `session_id` kept in `sessionStorage` (one per tab, as long as the
 * tab lives). It posts to `/api/events` on the origin it was loaded from, with the key from its
 * own `data-key` attribute as `?key=`; as `text/plain` with `keepalive`, so no CORS preflight is
 * needed and the last event of a page survives its unload.
 *
 * @module
 */

/** The script's source text. Plain ES2017: no build step, no dependencies. */
export const TRACKER_SCRIPT =
  `/* web-analytics tracker: page_visited, page_closed, button_clicked */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || !window.fetch) return;
  var endpoint = new URL("/api/events", script.src);
  var key = script.getAttribute("data-key");
  if (key) endpoint.searchParams.set("key", key);
  function id() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function sessionId() {
    try {
      var stored = sessionStorage.getItem("wa_session_id");
      if (stored) return stored;
      stored = id();
      sessionStorage.setItem("wa_session_id", stored);
      return stored;
    } catch (e) {
      return "no-storage";
    }
  }
  var session = sessionId();
  function send(type, extra) {
    var event = {
      event_id: id(),
      event_type: type,
      event_time: new Date().toISOString(),
      session_id: session,
      page_path: location.pathname + location.search,
      http_referrer: document.referrer || "-"
    };
    for (var name in extra) event[name] = extra[name];
    fetch(endpoint.href, {
      method: "POST",
      body: JSON.stringify(event),
      headers: { "content-type": "text/plain" },
      keepalive: true,
      credentials: "omit",
      mode: "cors"
    }).catch(function () {});
  }
  var shownAt = Date.now();
  var closed = false;
  function close() {
    if (closed) return;
    closed = true;
    send("page_closed", { props: { time_on_page_ms: Date.now() - shownAt } });
  }
  window.addEventListener("pagehide", close);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") close();
  });
  document.addEventListener("click", function (e) {
    var target = e.target && e.target.closest ? e.target.closest("button, [data-track]") : null;
    if (!target) return;
    var name = target.getAttribute("data-track") || target.id ||
      (target.textContent || "").trim().slice(0, 64);
    send("button_clicked", { button_id: name || "unnamed" });
  }, true);
  send("page_visited");
})();
`;

/**
 * The `GET /t.js` response: JavaScript, cacheable for five minutes, `nosniff`.
 *
 * @returns A fresh response.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { trackerResponse } from "./tracker.ts";
 * assert.equal(trackerResponse().headers.get("content-type"), "text/javascript; charset=utf-8");
 * ```
 */
export function trackerResponse(): Response {
  return new Response(TRACKER_SCRIPT, {
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=300",
      "x-content-type-options": "nosniff",
      "access-control-allow-origin": "*",
    },
  });
}
