/**
 * How deep a JSON text nests, read from the text without recursion: the record builders use
 * it to decide whether a message can be recorded whole before walking or serialising it. Also
 * the one way km finds the end of a string literal, or of any value, in JSON text.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * Whether the JSON text `text` nests objects and arrays more than `limit` levels deep. One pass,
 * skipping strings with `indexOf`, stopping as soon as the limit is passed. The text must be
 * valid JSON (it was parsed); on other text the answer is only a guess.
 */
export function nestedDeeperThan(text: string, limit: number): boolean {
  // Each level costs an opening and a closing bracket: a short text cannot nest deeper, nor
  // one with few opening brackets (counted with indexOf, several times faster than the scan).
  if (text.length <= limit * 2 || !opensMoreThan(text, limit)) return false;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = closingQuote(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** Whether `text` has more than `count` opening brackets (inside strings too). */
function opensMoreThan(text: string, count: number): boolean {
  let n = 0;
  for (let i = text.indexOf("["); i !== -1; i = text.indexOf("[", i + 1)) {
    if (++n > count) return true;
  }
  for (let i = text.indexOf("{"); i !== -1; i = text.indexOf("{", i + 1)) {
    if (++n > count) return true;
  }
  return false;
}

/**
 * Index of the quote that closes the string opened at `open`, or the text's length when it is
 * not closed. Each backslash run is counted once, by the quote that follows it: linear.
 */
export function closingQuote(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i === -1) return text.length;
    let escapes = 0;
    for (let b = i - 1; text.charCodeAt(b) === BACKSLASH; b--) escapes++;
    if (escapes % 2 === 0) return i;
  }
}

/** JSON's whitespace, and the no-break space that free text may put around a colon. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0;
}

/** The offset of the first character at or after `from` that is not whitespace. */
export function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Where the value starting at `start` ends: after its closing quote, after its matching
 * bracket (or at the end of a text cut short), or at the delimiter after a bare word (a number,
 * true, false, null).
 */
export function valueEnd(text: string, start: number): number {
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
