/** A JSON object as parsed: not null, not an array. Shared by every room that reads messages. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` when it is a JSON object, else undefined. */
export function objectOr(value: unknown): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}
