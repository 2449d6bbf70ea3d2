/**
 * The arguments hash that "approve for this session" is scoped to: sha256 of the arguments as
 * canonical JSON (object keys sorted at every level), so key order does not matter.
 */
import { sha256Hex } from "../sha256.ts";

export function argsHash(value: unknown): string {
  return sha256Hex(new TextEncoder().encode(canonicalJson(value)));
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value).sort().flatMap((key) => {
      const item = (value as Record<string, unknown>)[key];
      return item === undefined ? [] : [`${JSON.stringify(key)}:${canonicalJson(item)}`];
    });
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
