/**
 * Reading the id of a line too large to buffer, from its first and last bytes only.
 *
 * Serialisers put the top-level `id` either first (`{"jsonrpc":"2.0","id":7,...`) or last
 * (`...,"id":7}`, as the MCP SDKs do). The patterns are anchored to those two places so an
 * `id` nested inside params cannot be mistaken for the message's own.
 */
import type { Id } from "./message.ts";

const ID_VALUE = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`;
const HEAD = new RegExp(
  String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*` + ID_VALUE,
);
const TAIL = new RegExp(String.raw`,\s*"id"\s*:\s*` + ID_VALUE + String.raw`\s*\}\s*$`);

const latin = new TextDecoder("utf-8", { ignoreBOM: true });

/** The top-level id of a truncated message, if its head or tail shows it unambiguously. */
export function findOversizedId(head: Uint8Array, tail: Uint8Array): Id | undefined {
  const match = HEAD.exec(latin.decode(head)) ?? TAIL.exec(latin.decode(tail));
  if (!match) return undefined;
  const text = match[1];
  // Normalise as parseText does: strings by value, numbers by their text.
  const key = text.startsWith('"') ? JSON.stringify(JSON.parse(text)) : normaliseNumber(text);
  return { raw: key, key };
}

function normaliseNumber(text: string): string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? String(value) : text;
}
