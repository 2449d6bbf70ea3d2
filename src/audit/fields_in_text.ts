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
import { closingQuote } from "../jsonrpc/json_depth.ts";

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

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

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** JSON's whitespace, and the others free text uses around a colon. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0;
}

/**
 * Where the value starting at `start` ends: after its closing quote, after its matching
 * bracket (or at the end of a text cut short), or at the delimiter after a bare word.
 */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return Math.min(closingQuote(text, start) + 1, text.length);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) i = closingQuote(text, i);
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
    }
    return text.length;
  }
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    i++;
  }
  return i;
}
