/**
 * From the bytes of a line to a classified message: UTF-8 decoding (batched across the lines of
 * one read where possible), byte-order marks, and the skeleton used for very large lines.
 */
import { invalid, type Message, parseText } from "./message.ts";
import { elideLongStrings } from "./skeleton.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** Lines above this size are inspected through a skeleton with long strings cut. */
export const LARGE_LINE_BYTES = 1024 * 1024;
/** How much of each long string a large line's skeleton keeps. */
const SKELETON_KEEP_BYTES = 16 * 1024;

/** A classified line and the text it was parsed from. */
export interface ParsedLine {
  readonly message: Message;
  /**
   * The text that was parsed: the whole line, or for a line over `LARGE_LINE_BYTES` its
   * skeleton, in which strings longer than 16 KiB are cut (see skeleton.ts).
   */
  readonly text: string;
  /** Number of strings cut in the skeleton (0 for ordinary lines). */
  readonly elided: number;
  /**
   * The bytes are not valid UTF-8: `text` is their lenient decoding (each bad sequence a
   * U+FFFD), which is how MCP SDK peers read them, and `message` is parsed from it.
   */
  readonly invalidUtf8?: true;
}

/**
 * Classifies one line (without its terminator). `decoded`, when given, is its text already
 * decoded (see `decodeLines`). Never throws.
 */
export function parseLine(content: Uint8Array, decoded?: string): ParsedLine {
  return parse(content, decoded, false);
}

/** Classifies one line (without its terminator) read whole, however large. Never throws. */
export function parseLineWhole(content: Uint8Array): ParsedLine {
  return parse(content, undefined, true);
}

function parse(content: Uint8Array, decoded: string | undefined, whole: boolean): ParsedLine {
  if (content.length === 0) return { message: invalid("empty line", ""), text: "", elided: 0 };
  let bytes = content;
  let elided = 0;
  if (!whole && content.length > LARGE_LINE_BYTES) {
    ({ bytes, elided } = elideLongStrings(content, SKELETON_KEEP_BYTES));
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    const text = lenient.decode(bytes);
    const reason = "line starts with a UTF-8 byte order mark, which JSON-RPC peers reject";
    return { message: invalid(reason, text), text, elided };
  }
  let text: string;
  try {
    text = decoded !== undefined && bytes === content ? decoded : utf8.decode(bytes);
  } catch {
    // Peers decode leniently and act on what they read: so must the policy.
    text = lenient.decode(bytes);
    return { message: parseText(text), text, elided, invalidUtf8: true };
  }
  return { message: parseText(text), text, elided };
}

/**
 * Decodes many lines with one call where it can: lines whose raw bytes (terminators included)
 * lie back to back in one buffer are decoded as a run and split at `\n`, which never occurs
 * inside a multi-byte UTF-8 character. Returns each line's text without its terminator, or
 * undefined where the line is to be decoded on its own (large lines, invalid UTF-8, gaps).
 */
export function decodeLines(raws: readonly (Uint8Array | undefined)[]): (string | undefined)[] {
  const texts: (string | undefined)[] = new Array(raws.length).fill(undefined);
  let i = 0;
  while (i < raws.length) {
    const first = raws[i];
    if (!first || first.length > LARGE_LINE_BYTES) {
      i++;
      continue;
    }
    let j = i + 1;
    let end = first.byteOffset + first.length;
    for (; j < raws.length; j++) {
      const next = raws[j];
      if (
        !next || next.buffer !== first.buffer || next.byteOffset !== end ||
        next.length > LARGE_LINE_BYTES
      ) break;
      end += next.length;
    }
    if (j - i > 1) {
      decodeRun(
        i,
        j,
        new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset),
        texts,
      );
    }
    i = j;
  }
  return texts;
}

function decodeRun(
  from: number,
  to: number,
  region: Uint8Array,
  texts: (string | undefined)[],
): void {
  let text: string;
  try {
    text = utf8.decode(region);
  } catch {
    return; // one of them is not UTF-8: decode each on its own to find out which
  }
  let start = 0;
  for (let k = from; k < to; k++) {
    const nl = text.indexOf("\n", start);
    const stop = nl === -1 ? text.length : nl;
    // The same terminator handling as the framer: drop "\n", then a "\r" before it.
    texts[k] = text.slice(
      start,
      text.charCodeAt(stop - 1) === 0x0d && stop > start ? stop - 1 : stop,
    );
    start = stop + 1;
  }
}

/** Classifies one line (without its terminator). Never throws. */
export function parseMessage(content: Uint8Array): Message {
  return parseLine(content).message;
}

/** A received line's bytes without its `\n` or `\r\n`. */
export function withoutTerminator(raw: Uint8Array): Uint8Array {
  let end = raw.length;
  if (end > 0 && raw[end - 1] === 0x0a) end--;
  if (end > 0 && raw[end - 1] === 0x0d) end--;
  return raw.subarray(0, end);
}
