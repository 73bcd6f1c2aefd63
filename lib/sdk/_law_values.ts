/**
 * Helpers of the conformance check: copying, freezing, scrambling and shuffling JSON values.
 *
 * @module
 */

/**
 * A copy through JSON, as the runtime stores state.
 *
 * @param value A JSON value.
 * @returns Its copy.
 */
export function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/**
 * Freezes a JSON value and everything in it, so a change attempt throws a `TypeError`.
 *
 * @param value A JSON value.
 * @returns The same value, frozen.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Overwrites every number, string and array of a JSON value in place, so whatever kept a part
 * of it gives other answers.
 *
 * @param value A JSON value (not frozen).
 */
export function scramble(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (typeof value[i] === "object") scramble(value[i]);
      else value[i] = typeof value[i] === "number" ? -987654321 : "\u0000scrambled";
    }
    value.push(-987654321);
    return;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const child = object[key];
    if (typeof child === "object") scramble(child);
    else object[key] = typeof child === "number" ? -987654321 : "\u0000scrambled";
  }
  object["\u0000scrambled"] = -987654321;
}

/**
 * Shuffles `items` in place (Fisher-Yates).
 *
 * @param items The items.
 * @param random Numbers in [0, 1).
 */
export function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
