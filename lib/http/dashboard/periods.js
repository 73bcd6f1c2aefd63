// The overview's date ranges: presets relative to the server's today, and how a view is kept
// in the URL so it can be shared. Pure: no DOM, so `deno test` checks it (periods_test.ts).

/** The presets, in the order the page offers them. */
export const PRESETS = [
  ["today", "Today"],
  ["yesterday", "Yesterday"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["month", "This month"],
  ["custom", "Custom"],
];

/** The headline metrics, in order: name, label, how to show a value. */
export const METRICS = [
  ["visitors", "Visitors", "count"],
  ["pageviews", "Page views", "count"],
  ["sessions", "Sessions", "count"],
  ["bounce_rate", "Bounce rate", "percent"],
  ["visit_duration_s", "Visit duration", "duration"],
];

const DAY = 86_400_000;

function shift(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The range of a preset, given today's local date (`YYYY-MM-DD`); for `custom`, `from` and
 * `to` as given (checked as dates, `to` not before `from`), else today.
 */
export function rangeOf(period, today, from, to) {
  switch (period) {
    case "yesterday":
      return { from: shift(today, -1), to: shift(today, -1) };
    case "7d":
      return { from: shift(today, -6), to: today };
    case "30d":
      return { from: shift(today, -29), to: today };
    case "month":
      return { from: `${today.slice(0, 8)}01`, to: today };
    case "custom":
      if (DATE.test(from ?? "") && DATE.test(to ?? "") && from <= to) return { from, to };
      return { from: today, to: today };
    default:
      return { from: today, to: today };
  }
}

/** The view a URL's query asks for: period (default today), range and metric. */
export function viewFromQuery(search, today) {
  const params = new URLSearchParams(search);
  const asked = params.get("period") ?? "today";
  const period = PRESETS.some(([name]) => name === asked) ? asked : "today";
  const metric = params.get("metric");
  return {
    period,
    ...rangeOf(period, today, params.get("from"), params.get("to")),
    metric: METRICS.some(([name]) => name === metric) ? metric : "visitors",
  };
}

/** The query of a view, for the address bar: only what differs from the defaults. */
export function queryOfView(view) {
  const params = new URLSearchParams();
  if (view.period !== "today") params.set("period", view.period);
  if (view.period === "custom") {
    params.set("from", view.from);
    params.set("to", view.to);
  }
  if (view.metric !== "visitors") params.set("metric", view.metric);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** The change from `previous` to `current` in percent (rounded), or null when not defined. */
export function changeOf(current, previous) {
  if (typeof current !== "number" || typeof previous !== "number" || previous === 0) return null;
  return Math.round(((current - previous) / previous) * 100);
}

/** A metric's value as shown: counts with separators, rates in percent, durations as m s. */
export function formatMetric(value, kind) {
  if (typeof value !== "number") return "–";
  if (kind === "percent") return `${Math.round(value * 100)}%`;
  if (kind === "duration") {
    const seconds = Math.round(value);
    return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  }
  return Math.round(value).toLocaleString("en-US");
}
