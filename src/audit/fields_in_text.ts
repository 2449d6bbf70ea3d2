/**
 * Secret fields written as JSON inside text: a server's structured log line on stderr
 * (`{"apiKey":"…"}`), a line km could not parse, JSON returned as a tool's text. Patterns
 * cannot see these (the value of `"apiKey":"abc"` has no shape of its own), so this finds each
 * `"name": value` whose name is secret and replaces the value whole: a string, a number, or an
 * array or object up to its matching bracket.
 *
 * One pass, without recursion or regular expressions. Every unescaped quote both closes a
 * string and may open the next, so a stray quote earlier in free text does not hide a later
 * field; a segment between two quotes is scanned once.
 */
import { closingQuote, skipSpace, valueEnd } from "../jsonrpc/json_depth.ts";

const COLON = 0x3a;

export const FIELD_LABEL = "[REDACTED:field]";
const REPLACEMENT = `"${FIELD_LABEL}"`;

/** Field names longer than this are not checked (no secret name is that long). */
const MAX_NAME_CHARS = 256;

/** `text` with the value of every secret `"name": value` replaced, and how many were. */
export function redactFieldsInText(
  text: string,
  isSecret: (name: string) => boolean,
): { text: string; count: number } {
  let out = "";
  let copied = 0;
  let count = 0;
  let open = text.indexOf('"');
  while (open !== -1 && open < text.length) {
    const close = closingQuote(text, open);
    if (close >= text.length) break;
    const colon = skipSpace(text, close + 1);
    if (
      text.charCodeAt(colon) !== COLON || close - open - 1 > MAX_NAME_CHARS ||
      !isSecret(nameOf(text.slice(open + 1, close)))
    ) {
      open = close;
      continue;
    }
    const start = skipSpace(text, colon + 1);
    const end = valueEnd(text, start);
    const value = text.slice(start, end);
    if (end > start && value !== "null" && value !== REPLACEMENT) {
      out += text.slice(copied, start) + REPLACEMENT;
      copied = end;
      count++;
    }
    open = text.indexOf('"', end);
  }
  return count === 0 ? { text, count } : { text: out + text.slice(copied), count };
}

/** A quoted name's text, with JSON escapes read (`pass\u0077ord` is `password`). */
function nameOf(literal: string): string {
  if (!literal.includes("\\")) return literal;
  try {
    return JSON.parse(`"${literal}"`);
  } catch {
    return literal;
  }
}
