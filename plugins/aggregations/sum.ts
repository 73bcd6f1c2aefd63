/**
 * `sum`: sum, average, minimum and maximum of a numeric field per key (revenue per product,
 * campaign or country), exact whatever the order records arrive in.
 *
 * @module
 */
import {
  type AggregationPlugin,
  fieldOf,
  keyedAggregation,
  type LogRecord,
  z,
} from "../../lib/sdk/mod.ts";

/** Amounts are kept as integer millionths, so sums are exact and order-independent. */
const SCALE = 1_000_000;

const fieldName = z.string().regex(
  /^(props\.)?[A-Za-z_][A-Za-z0-9_.-]{0,99}$/,
  "a record field or props key, e.g. price or props.price",
);

/** The result column of a `by:` field (`props.tier` is `tier`). */
function columnOf(name: string): string {
  return name.replace(/^props\./, "").toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 48);
}

const VALUE_COLUMNS = ["sum", "count", "avg", "min", "max", "rank"];

const options = z.strictObject({
  field: fieldName
    .describe(
      "The numeric field to add up: a record field (request_time, body_bytes_sent) or a " +
        "props key (price); records where it is not a number are skipped.",
    )
    .meta({ examples: ["price"] }),
  multiply_by: fieldName.optional()
    .describe("Multiply by this field first (price times quantity); counts as 1 when absent.")
    .meta({ examples: ["quantity"] }),
  by: z.array(fieldName).min(1).max(4)
    .describe("The key: 1 to 4 fields, one result column each (props.tier is column tier).")
    .meta({ examples: [["product_id"]] }),
  missing: z.string().min(1).max(256).default("(none)")
    .describe("The key value of a record without a by field.")
    .meta({ examples: ["(none)"] }),
  n: z.number().int().min(1).max(10_000).default(100)
    .describe("How many keys to keep per window, by sum (highest first).")
    .meta({ examples: [100] }),
}).superRefine((value, context) => {
  const columns = value.by.map(columnOf);
  columns.forEach((column, index) => {
    if (!/^[a-z]/.test(column) || VALUE_COLUMNS.includes(column)) {
      context.addIssue({
        code: "custom",
        path: ["by", index],
        message: `column '${column}' cannot be a result column (it must start with a letter ` +
          `and not be ${VALUE_COLUMNS.join(", ")})`,
      });
    } else if (columns.indexOf(column) !== index) {
      context.addIssue({
        code: "custom",
        path: ["by", index],
        message: `column '${column}' is already the column of another by field`,
      });
    }
  });
});

/** Validated `sum` options. */
export type SumOptions = z.output<typeof options>;

/** One key's amounts: sum, count, minimum and maximum, in millionths. */
export type SumValue = [sum: number, count: number, min: number, max: number];

/** The `sum` aggregation plugin. */
const sum: AggregationPlugin<SumOptions, unknown> = {
  kind: "aggregation",
  name: "sum",
  summary: "Sum, average, minimum and maximum of a numeric field per key (revenue per " +
    "product, campaign or country).",
  description: "Adds up field (times multiply_by, when given) per combination of the by " +
    "fields, and keeps the n keys of highest sum, ranked 1..n (ties by key). Amounts are " +
    "rounded to six decimals and added as integers, so real time and batch agree to the " +
    "last digit whatever the order; sums stay exact up to about 9 billion. Combine with " +
    "where: to add up only purchases.",
  options,
  example: { field: "price", multiply_by: "quantity", by: ["product_id"], n: 100 },
  create(settings) {
    const amountOf = (record: LogRecord): number | undefined => {
      const amount = numberOf(fieldOf(record, settings.field));
      if (amount === undefined) return undefined;
      if (settings.multiply_by === undefined) return amount;
      const factor = fieldOf(record, settings.multiply_by);
      if (factor === undefined) return amount;
      const number = numberOf(factor);
      return number === undefined ? undefined : amount * number;
    };
    const micros = (record: LogRecord) => Math.round(amountOf(record)! * SCALE);
    return keyedAggregation<SumValue>({
      shape: {
        key: settings.by.map((name) => ({ name: columnOf(name), type: "text" as const })),
        values: [
          { name: "sum", type: "double" },
          { name: "count", type: "bigint" },
          { name: "avg", type: "double" },
          { name: "min", type: "double" },
          { name: "max", type: "double" },
          { name: "rank", type: "int" },
        ],
      },
      keyOf(record) {
        const amount = amountOf(record);
        if (amount === undefined || !Number.isFinite(amount)) return undefined;
        return JSON.stringify(settings.by.map((name) => {
          const value = fieldOf(record, name);
          return value === undefined || value === "" ? settings.missing : String(value);
        }));
      },
      // Min and max mean something only once count > 0 (no Infinity: state goes through JSON).
      start: () => [0, 0, 0, 0],
      add(value, record) {
        const amount = micros(record);
        if (value[1] === 0 || amount < value[2]) value[2] = amount;
        if (value[1] === 0 || amount > value[3]) value[3] = amount;
        value[0] += amount;
        value[1]++;
        return value;
      },
      merge(into, other) {
        if (other[1] === 0) return into;
        if (into[1] === 0 || other[2] < into[2]) into[2] = other[2];
        if (into[1] === 0 || other[3] > into[3]) into[3] = other[3];
        into[0] += other[0];
        into[1] += other[1];
        return into;
      },
      finish(values) {
        return [...values]
          .filter(([, value]) => value[1] > 0)
          .sort(([a, x], [b, y]) => y[0] - x[0] || (a < b ? -1 : a > b ? 1 : 0))
          .slice(0, settings.n)
          .map(([key, [total, count, min, max]], index) => ({
            key: JSON.parse(key) as string[],
            values: {
              sum: total / SCALE,
              count,
              avg: Math.round(total / count) / SCALE,
              min: min / SCALE,
              max: max / SCALE,
              rank: index + 1,
            },
          }));
      },
    });
  },
};

export default sum;

/** A number from a field's value: a number, or text that is one. */
function numberOf(value: string | number | undefined): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (value === undefined || value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
