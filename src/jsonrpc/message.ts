/**
 * The JSON-RPC message model: one parse function that classifies a line into a tagged union.
 *
 * Parsing is for inspection only: km forwards allowed messages as the bytes it received, so
 * nothing here serialises a message back. Ids are kept as their raw JSON text, so that ids of
 * any type, including integers beyond 2^53, are correlated and echoed exactly.
 */
import { elideLongStrings } from "./skeleton.ts";

/** An id as it appeared on the wire. `key` is what correlation compares. */
export interface Id {
  /** The id's JSON text, e.g. `0`, `"abc"`, `9007199254740993`. */
  readonly raw: string;
  /** Canonical form for matching a response to its request (the raw text, normalised). */
  readonly key: string;
}

type Obj = Record<string, unknown>;

export interface RequestMessage {
  readonly kind: "request";
  readonly id: Id;
  readonly method: string;
  readonly params: unknown;
  readonly value: Obj;
}

export interface NotificationMessage {
  readonly kind: "notification";
  readonly method: string;
  readonly params: unknown;
  readonly value: Obj;
}

export interface ResponseMessage {
  readonly kind: "response";
  readonly id: Id;
  readonly result: unknown;
  readonly value: Obj;
}

export interface ErrorMessage {
  readonly kind: "error";
  /** Null for errors about a message whose id could not be read (e.g. a parse error). */
  readonly id: Id | null;
  readonly error: { readonly code: unknown; readonly message: unknown; readonly data?: unknown };
  readonly value: Obj;
}

/** A JSON-RPC batch (an array), as allowed by MCP 2025-03-26. */
export interface BatchMessage {
  readonly kind: "batch";
  readonly items: readonly Message[];
  readonly value: unknown[];
}

/** A line that is not a JSON-RPC message. `value` is set when it was valid JSON. */
export interface InvalidMessage {
  readonly kind: "invalid";
  readonly reason: string;
  readonly text: string;
  readonly value?: unknown;
}

export type Message =
  | RequestMessage
  | NotificationMessage
  | ResponseMessage
  | ErrorMessage
  | BatchMessage
  | InvalidMessage;

export type MessageKind = Message["kind"];

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
}

/**
 * Classifies one line (without its terminator). `decoded`, when given, is its text already
 * decoded (see `decodeLines`). Never throws.
 */
export function parseLine(content: Uint8Array, decoded?: string): ParsedLine {
  if (content.length === 0) return { message: invalid("empty line", ""), text: "", elided: 0 };
  let bytes = content;
  let elided = 0;
  if (content.length > LARGE_LINE_BYTES) {
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
    text = lenient.decode(bytes);
    return { message: invalid("line is not valid UTF-8", text), text, elided };
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

/** Classifies one line of text. Never throws. */
export function parseText(text: string): Message {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return invalid(`not valid JSON: ${(error as Error).message}`, text);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return invalid("empty batch", text, value);
    return { kind: "batch", items: value.map((item) => classify(item, text)), value };
  }
  return classify(value, text);
}

function classify(value: unknown, text: string): Message {
  if (typeof value !== "object" || value === null) {
    return invalid("a JSON-RPC message must be an object", text, value);
  }
  const obj = value as Obj;
  if (obj.jsonrpc !== "2.0") return invalid('"jsonrpc" must be "2.0"', text, value);
  const hasId = "id" in obj;
  if (typeof obj.method === "string") {
    if (!hasId) return { kind: "notification", method: obj.method, params: obj.params, value: obj };
    return {
      kind: "request",
      id: idOf(obj, text),
      method: obj.method,
      params: obj.params,
      value: obj,
    };
  }
  if ("method" in obj) return invalid('"method" must be a string', text, value);
  if (!hasId) return invalid('a message needs "method" or "id"', text, value);
  if ("result" in obj && "error" in obj) {
    return invalid('a response has "result" or "error", not both', text, value);
  }
  if ("result" in obj) {
    return { kind: "response", id: idOf(obj, text), result: obj.result, value: obj };
  }
  if ("error" in obj) {
    const error = obj.error;
    if (typeof error !== "object" || error === null) {
      return invalid('"error" must be an object', text, value);
    }
    const e = error as Obj;
    return {
      kind: "error",
      id: obj.id === null ? null : idOf(obj, text),
      error: { code: e.code, message: e.message, ...("data" in e ? { data: e.data } : {}) },
      value: obj,
    };
  }
  return invalid('a response needs "result" or "error"', text, value);
}

function invalid(reason: string, text: string, value?: unknown): InvalidMessage {
  return value === undefined
    ? { kind: "invalid", reason, text }
    : { kind: "invalid", reason, text, value };
}

/**
 * The id of a parsed object. Strings and safe integers are rebuilt exactly from their value;
 * other numbers (beyond 2^53, fractions) are read from the source text so no precision is lost.
 */
function idOf(obj: Obj, text: string): Id {
  const id = obj.id;
  if (typeof id === "number" && !Number.isSafeInteger(id)) {
    const raw = rawIdText(obj, text) ?? String(id);
    return { raw, key: raw };
  }
  const raw = JSON.stringify(id) ?? "null";
  return { raw, key: raw };
}

type Reviver = (
  this: unknown,
  key: string,
  value: unknown,
  context?: { source?: string },
) => unknown;

/** Re-parses `text` to recover the source text of the `id` member of `obj` (rare path). */
function rawIdText(obj: Obj, text: string): string | undefined {
  const sources = new Map<unknown, string | undefined>();
  const reviver: Reviver = function (key, value, context) {
    if (key === "id") sources.set(this, context?.source);
    return value;
  };
  const reparsed = JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
  if (Array.isArray(reparsed)) {
    // Inside a batch: find the item that corresponds to obj by position of equal ids.
    for (const item of reparsed) {
      if (item && typeof item === "object" && (item as Obj).id === obj.id) return sources.get(item);
    }
    return undefined;
  }
  return sources.get(reparsed);
}

/** The id key of a JSON value as it appears inside params (e.g. `notifications/cancelled`). */
export function idKeyOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return JSON.stringify(value);
}

/** A short label for logs: method for requests/notifications, `response`/`error` otherwise. */
export function describe(message: Message): string {
  switch (message.kind) {
    case "request":
    case "notification":
      return message.method;
    case "batch":
      return `batch of ${message.items.length}`;
    default:
      return message.kind;
  }
}
