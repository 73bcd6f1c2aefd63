// The alerts strip: firing and pending alerts, and notifiers that fail, from /api/alerts, read
// every few seconds. Rule names, keys and errors are shown as text only (see dom.js).
import { el, getJson } from "./dom.js";

/** How often /api/alerts is read, ms. */
const REFRESH_MS = 5000;

/** Starts showing alerts in the element `container`; hidden while nothing fires or fails. */
export function startAlerts(container) {
  async function refresh() {
    let body;
    try {
      body = await getJson("/api/alerts");
    } catch {
      return;
    }
    const active = body.alerts.filter((alert) =>
      alert.status === "firing" || alert.status === "pending"
    );
    const failing = body.notifiers.filter((notifier) => notifier.last_error !== null);
    container.replaceChildren();
    container.hidden = active.length === 0 && failing.length === 0;
    for (const alert of active) {
      const since = alert.status === "firing" ? alert.fired_at : alert.active_since;
      const item = el("div", undefined, {
        class: `alert ${alert.status} ${alert.severity}`,
        "data-rule": alert.rule,
      });
      item.append(
        el("b", `${alert.status === "firing" ? "FIRING" : "pending"} ${alert.rule}`),
        el("span", ` (${alert.severity}) ${alert.text}`),
        el("span", since === null ? "" : ` since ${since.slice(11, 19)} UTC`, { class: "meta" }),
      );
      container.append(item);
    }
    for (const notifier of failing) {
      container.append(
        el(
          "div",
          `notifier ${notifier.name} failing (${notifier.failures} attempts, ` +
            `${notifier.pending} waiting): ${notifier.last_error}`,
          { class: "alert notifier" },
        ),
      );
    }
    document.body.dataset.alerts = String(active.length);
  }
  refresh();
  setInterval(refresh, REFRESH_MS);
}
