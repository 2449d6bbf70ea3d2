/**
 * Cheap inspection of very large lines. A 10 MiB tool result is almost always one or a few
 * huge strings; decoding and parsing all of it would cost tens of MiB of memory per message
 * for nothing (the audit log keeps only the start of long strings anyway). Before parsing a
 * large line, the long string literals are cut in the raw bytes, found with native `indexOf`,
 * keeping their first `keep` bytes plus a note of what was dropped. The result is still JSON
 * with the same structure; the relay forwards the original bytes untouched.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const U = 0x75;

const encoder = new TextEncoder();

export interface Skeleton {
  readonly bytes: Uint8Array;
  /** How many string literals were cut. */
  readonly elided: number;
}

/** Cuts every string literal longer than `keep` bytes of JSON text. */
export function elideLongStrings(bytes: Uint8Array, keep: number): Skeleton {
  const parts: Uint8Array[] = [];
  let copied = 0;
  let elided = 0;
  let at = bytes.indexOf(QUOTE);
  while (at !== -1) {
    const close = closingQuote(bytes, at);
    if (close === -1) break; // unterminated: leave it to the JSON parser to report
    const length = close - at - 1;
    if (length > keep) {
      const cut = safeCut(bytes, at + 1, at + 1 + keep);
      parts.push(bytes.subarray(copied, cut));
      parts.push(encoder.encode(`…[${close - cut} more bytes not inspected by km]`));
      copied = close;
      elided++;
    }
    at = bytes.indexOf(QUOTE, close + 1);
  }
  if (elided === 0) return { bytes, elided };
  parts.push(bytes.subarray(copied));
  return { bytes: join(parts), elided };
}

/** The index of the quote that closes the string opened at `open`, or -1. */
function closingQuote(bytes: Uint8Array, open: number): number {
  let at = bytes.indexOf(QUOTE, open + 1);
  while (at !== -1) {
    let slashes = 0;
    while (bytes[at - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
    at = bytes.indexOf(QUOTE, at + 1);
  }
  return -1;
}

/** Moves `cut` back so it splits neither a UTF-8 character nor an escape sequence. */
function safeCut(bytes: Uint8Array, start: number, cut: number): number {
  while (cut > start && (bytes[cut] & 0xc0) === 0x80) cut--;
  // A `\uXXXX` escape that began in the last five bytes.
  for (let p = cut - 1; p >= Math.max(start + 1, cut - 5); p--) {
    if (bytes[p] === U && backslashesEndingAt(bytes, start, p - 1) % 2 === 1) return p - 1;
  }
  // A two-byte escape whose backslash is the last byte.
  return backslashesEndingAt(bytes, start, cut - 1) % 2 === 1 ? cut - 1 : cut;
}

function backslashesEndingAt(bytes: Uint8Array, start: number, at: number): number {
  let run = 0;
  while (at - run >= start && bytes[at - run] === BACKSLASH) run++;
  return run;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
