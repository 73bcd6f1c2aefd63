/**
 * Incidents the simulator can stage, so a user can watch an alert fire and resolve: an error
 * spike (two in five requests fail with a 5xx), a traffic drop (four in five requests never
 * arrive) or a bot surge (three in five requests come from one scraping bot), between two
 * instants of event time. Outside the incident the stream is exactly what it would be without
 * it: incidents draw from their own random stream.
 *
 * @example
 * ```ts
 * import { parseIncidentStart } from "./incident.ts";
 * console.assert(parseIncidentStart("+2m", 1_000_000) === 1_120_000);
 * ```
 *
 * @module
 */
import type { RequestRecord } from "../records.ts";
import type { SeededRandom } from "./random.ts";

/** The incidents the simulator stages. */
export const INCIDENT_KINDS = ["error-spike", "traffic-drop", "bot-surge"] as const;

/** One of {@linkcode INCIDENT_KINDS}. */
export type IncidentKind = typeof INCIDENT_KINDS[number];

/** A staged incident. */
export interface Incident {
  /** What happens. */
  kind: IncidentKind;
  /** First instant (event time), ms since epoch. */
  from: number;
  /** End (exclusive), ms since epoch. */
  to: number;
}

/** Share of requests failing during an error spike. */
export const ERROR_SPIKE_SHARE = 0.4;
/** Share of requests lost during a traffic drop. */
export const TRAFFIC_DROP_SHARE = 0.8;
/** Share of requests from the bot during a bot surge. */
export const BOT_SURGE_SHARE = 0.6;

/** Who the surging bot is, and which pages it may walk. */
export interface BotIdentity {
  /** The bot's address. */
  addr: string;
  /** The bot's user agent. */
  agent: string;
  /** Pages it walks. */
  pages: readonly string[];
}

/**
 * What an incident does to one request: the request changed, or undefined when it is lost.
 * Requests outside the incident come back untouched, and `random` is not drawn from.
 *
 * @param record A request as the simulator drew it.
 * @param incident The staged incident.
 * @param random The incident's own random stream.
 * @param bot The bot of a bot surge.
 */
export function applyIncident(
  record: RequestRecord,
  incident: Incident,
  random: SeededRandom,
  bot: BotIdentity,
): RequestRecord | undefined {
  if (record.timestamp < incident.from || record.timestamp >= incident.to) return record;
  const draw = random.next();
  switch (incident.kind) {
    case "error-spike":
      if (draw >= ERROR_SPIKE_SHARE) return record;
      return {
        ...record,
        status: random.pick([500, 502, 503]),
        body_bytes_sent: random.between(200, 800),
      };
    case "traffic-drop":
      return draw < TRAFFIC_DROP_SHARE ? undefined : record;
    case "bot-surge":
      if (draw >= BOT_SURGE_SHARE) return record;
      return {
        ...record,
        request_uri: random.pick(bot.pages),
        remote_addr: bot.addr,
        http_user_agent: bot.agent,
        http_referrer: "-",
        method: "GET",
      };
  }
}

/**
 * Reads `--at`: `+2m` (that long after `reference`) or an ISO-8601 date-time with a zone.
 *
 * @returns The instant, ms since epoch, or undefined when the text is neither.
 */
export function parseIncidentStart(text: string, reference: number): number | undefined {
  const relative = /^\+(\d+)(s|m|h)$/.exec(text);
  if (relative) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000 }[relative[2] as "s" | "m" | "h"];
    return reference + Number(relative[1]) * unit;
  }
  const absolute = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(absolute) ? absolute : undefined;
}
