// The overview's cards: one per card an aggregation of pipeline.yaml feeds (its plugin says
// which), each listing the range's rows. Every text is set as text (see dom.js).
import { el } from "./dom.js";

/** Card titles, in the order cards are shown. */
const CARDS = [
  ["top_pages", "Top pages"],
  ["entry_pages", "Entry pages"],
  ["referrers", "Referrers"],
  ["campaigns", "Campaigns"],
  ["devices", "Devices"],
  ["browsers", "Browsers"],
  ["operating_systems", "Operating systems"],
  ["countries", "Countries"],
  ["errors", "Status codes"],
  ["latency", "Latency"],
];

/** Rows a card shows. */
const CARD_ROWS = 10;

/**
 * Shows in `container` a card per card an aggregation feeds, the first such aggregation with a
 * range answer giving it; `ranges` holds the answers by aggregation name.
 */
export function renderCards(container, aggregations, ranges) {
  container.replaceChildren();
  const seen = new Set();
  for (const [card, title] of CARDS) {
    const aggregation = aggregations.find((a) => a.card?.card === card && ranges.has(a.name));
    if (aggregation === undefined || seen.has(card)) continue;
    seen.add(card);
    container.append(cardOf(card, title, aggregation, ranges.get(aggregation.name).range));
  }
}

function cardOf(card, title, aggregation, answer) {
  const section = el("section", undefined, {
    class: "card",
    "data-card": card,
    "data-aggregation": aggregation.name,
    "aria-label": title,
  });
  const head = el("div", undefined, { class: "card-head" });
  head.append(el("h2", title), el("span", aggregation.name, { class: "meta" }));
  const note = answer.exact || answer.errorBound === undefined
    ? ""
    : `counts may be up to ${answer.errorBound.toLocaleString("en-US")} low`;
  section.append(head);
  if (note !== "") section.append(el("p", note, { class: "note" }));
  const rows = cardRows(aggregation.card.column, answer.rows);
  if (rows.length === 0) {
    section.append(el("p", "No data in this range.", { class: "empty" }));
    return section;
  }
  // Bars compare keys; the figures of one row (percentiles, a count) are not comparable.
  const bars = rows.some((row) => row.key !== undefined);
  const top = Math.max(...rows.map((row) => row.value || 0), 1);
  const list = el("ol", undefined, { class: "bars" });
  for (const row of rows) {
    const label = row.key ?? row.figure;
    const item = el("li", undefined, { "data-key": label, "data-value": String(row.value) });
    const bar = el("span", undefined, { class: "bar" });
    bar.style.width = bars ? `${Math.round((row.value / top) * 100)}%` : "0";
    item.append(
      bar,
      el("span", label, { class: "key" }),
      el("span", row.value.toLocaleString("en-US"), { class: "num" }),
    );
    list.append(item);
  }
  section.append(list);
  return section;
}

/**
 * A card's lines: each ranked row's key and value in `column` (the overall row, rank 0, left
 * out); when the range has only the overall row (latency's `*`), each of its figures instead.
 */
function cardRows(column, rows) {
  const ranked = rows.filter((row) => row.values.rank !== 0).slice(0, CARD_ROWS);
  if (ranked.length > 0 || rows.length !== 1) {
    return ranked.map((row) => ({
      key: Array.isArray(row.key) ? row.key.join(" · ") : String(row.key),
      value: Number(row.values[column]),
    }));
  }
  return Object.entries(rows[0].values).filter(([name]) => name !== "rank")
    .map(([figure, value]) => ({ figure, value: Number(value) }));
}
