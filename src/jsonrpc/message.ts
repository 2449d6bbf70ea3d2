/**
 * The JSON-RPC message model: one parse function that classifies a line into a tagged union.
 *
 * Parsing is for inspection only: km forwards allowed messages as the bytes it received, so
 * nothing here serialises a message back. Ids are kept as their raw JSON text, so that ids of
 * any type, including integers beyond 2^53, are correlated and echoed exactly.
 */

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

/** An invalid line, with why. */
export function invalid(reason: string, text: string, value?: unknown): InvalidMessage {
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
