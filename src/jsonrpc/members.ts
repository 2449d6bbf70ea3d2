/**
 * The members of one JSON object in a text, by position, and the text with some of them taken
 * out: every other byte stays as it was. km uses it to take its own members out of a message
 * (the `requestState` and answer of its approval question) and send on exactly what the
 * client wrote otherwise; re-serialising would change numbers beyond 2^53, escapes and order.
 *
 * The text must be valid JSON (as every message km parsed is); nothing is validated again.
 */
import { closingQuote, skipSpace, valueEnd } from "./json_depth.ts";

/** One member of an object: `"name": value`, by offsets into the text. */
export interface MemberSpan {
  readonly name: string;
  /** Offset of the name's opening quote. */
  readonly start: number;
  /** Offset of the value's first character. */
  readonly valueStart: number;
  /** Offset just past the value. */
  readonly end: number;
}

const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const COMMA = 0x2c;

/**
 * The members of the object that opens at `open` (the offset of its `{`, after any
 * whitespace), in order, or undefined when no object opens there.
 */
export function objectMembers(text: string, open = 0): MemberSpan[] | undefined {
  open = skipSpace(text, open);
  if (text.charCodeAt(open) !== OPEN_BRACE) return undefined;
  const members: MemberSpan[] = [];
  let i = skipSpace(text, open + 1);
  while (i < text.length && text.charCodeAt(i) === QUOTE) {
    const nameEnd = closingQuote(text, i);
    const literal = text.slice(i + 1, nameEnd);
    const name = literal.includes("\\") ? JSON.parse(text.slice(i, nameEnd + 1)) : literal;
    const valueStart = skipSpace(text, text.indexOf(":", nameEnd + 1) + 1);
    const end = valueEnd(text, valueStart);
    members.push({ name, start: i, valueStart, end });
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== COMMA) break;
    i = skipSpace(text, i + 1);
  }
  return members;
}

/** The span of the member `name` of the object at `open`, if it has one (the last, if twice). */
export function memberSpan(text: string, name: string, open = 0): MemberSpan | undefined {
  return objectMembers(text, open)?.findLast((m) => m.name === name);
}

/**
 * The object at `open` (its text from `{` to `}`) without the members named in `names`, each
 * removed with the comma that joined it to its neighbour; all else is kept byte for byte.
 */
export function withoutMembers(
  text: string,
  names: ReadonlySet<string>,
  open = 0,
): string | undefined {
  open = skipSpace(text, open);
  const members = objectMembers(text, open);
  if (!members) return undefined;
  const close = members.length === 0
    ? skipSpace(text, open + 1)
    : skipSpace(text, members[members.length - 1].end);
  if (members.length === 0) return text.slice(open, close + 1);
  // "{" and its whitespace, each kept member with the separator that came before it in the
  // text (none before the first one kept), then the whitespace and "}".
  let out = text.slice(open, members[0].start);
  let first = true;
  for (const [k, m] of members.entries()) {
    if (names.has(m.name)) continue;
    if (!first) out += text.slice(members[k - 1].end, m.start);
    out += text.slice(m.start, m.end);
    first = false;
  }
  return out + text.slice(members[members.length - 1].end, close + 1);
}
